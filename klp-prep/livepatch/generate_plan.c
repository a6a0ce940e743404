// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_plan.c - what klp_generate() patches: the changed functions,
 * klp-prep affected's closure over the records (or, without records,
 * the symbols), the refusals and what --allow-unsafe lets through, the
 * extraction of the new functions, and the table that results
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/affected.h>
#include <klp_prep/index.h>
#include "compdb.h"
#include "extract.h"
#include "generate.h"

#include "log.h"
#include "shipped.h"
#include "generate_internal.h"
#include "header_change.h"

int gen_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

bool gen_strv_has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}


/* Functions named by --function for @u ("NAME" or "FILE:NAME"). */
static int functions_given(struct gen *g, struct gen_unit *u)
{
	size_t i;
	int err;

	for (i = 0; i < g->opts->nr_functions; i++) {
		const char *spec = g->opts->functions[i], *colon = strrchr(spec, ':');

		if (colon) {
			char *file = strndup(spec, colon - spec);
			bool mine = file && gen_same_unit(u->path, file);

			free(file);
			if (!mine)
				continue;
			spec = colon + 1;
		} else if (g->nr_units > 1) {
			/* Unqualified: it must be defined in the unit. */
			char **names;
			size_t n, k;
			bool found = false;
			struct klp_line_range all = { 1, UINT_MAX };

			err = klp_tu__functions_in(u->tu, &all, 1, &names, &n);
			if (err)
				return err;
			for (k = 0; k < n; k++)
				found |= !strcmp(names[k], spec);
			klp_strv_free(names, n);
			if (!found)
				continue;
		}
		if (!gen_strv_has(u->changed, u->nr_changed, spec)) {
			err = gen_strv_push(&u->changed, &u->nr_changed, spec);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * The records name files as the compiler was given them, often absolute:
 * a reason in the output names them relative to the source tree, so the
 * output does not depend on where the tree was.
 */
static char *strip_root(const char *file, const char *path, const char *text)
{
	size_t nf = strlen(file), np = strlen(path), nr;
	char *root, *out, *p;

	if (nf <= np)
		return strdup(text);
	nr = nf - np;
	root = strndup(file, nr);
	out = strdup(text);
	if (!root || !out) {
		free(root);
		free(out);
		return NULL;
	}
	while ((p = strstr(out, root)))
		memmove(p, p + nr, strlen(p + nr) + 1);
	free(root);
	return out;
}

static char *tree_relative(const struct gen_unit *u, const char *text)
{
	return strip_root(u->args->file, u->path, text);
}

/* The same for the whole fix: its first unit, else its first header. */
static char *tree_relative_to(const struct gen *g, const char *text)
{
	if (g->nr_units)
		return tree_relative(&g->units[0], text);
	if (g->nr_headers)
		return strip_root(g->headers[0].file, g->headers[0].path, text);
	return strdup(text);
}

int gen_add_func(struct gen_unit *u, const char *origin, const char *symbol,
		    unsigned long sympos, const char *reason, struct gen_func **out)
{
	struct gen_func *f = realloc(u->funcs, (u->nr_funcs + 1) * sizeof(*f));

	if (!f)
		return -ENOMEM;
	u->funcs = f;
	f = &u->funcs[u->nr_funcs++];
	memset(f, 0, sizeof(*f));
	f->origin = strdup(origin);
	f->symbol = strdup(symbol);
	f->sympos = sympos;
	f->reason = tree_relative(u, reason ? reason : "");
	*out = f;
	return f->origin && f->symbol && f->reason ? 0 : -ENOMEM;
}

int gen_add_sub(struct gen_func *f, const char *symbol, unsigned long sympos,
		   const char *why)
{
	struct gen_subfunc *s = realloc(f->subs, (f->nr_subs + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	f->subs = s;
	s = &s[f->nr_subs++];
	memset(s, 0, sizeof(*s));
	s->symbol = strdup(symbol);
	s->sympos = sympos;
	s->why = strdup(why);
	return s->symbol && s->why ? 0 : -ENOMEM;
}

/* ---- refusals and their overrides (--allow-unsafe) --------------------- */

int klp_generate_parse_allow(const char *kinds, unsigned int *flags)
{
	static const struct { const char *name; unsigned int flag; } names[] = {
		{ "type", KLP_ALLOW_TYPE }, { "data", KLP_ALLOW_DATA },
		{ "init", KLP_ALLOW_INIT }, { "notrace", KLP_ALLOW_NOTRACE },
		{ "exported", KLP_ALLOW_EXPORTED }, { "address_taken", KLP_ALLOW_ADDRESS_TAKEN },
		{ "unknown_code", KLP_ALLOW_UNKNOWN_CODE }, { "too_deep", KLP_ALLOW_TOO_DEEP },
		{ "too_many_callers", KLP_ALLOW_TOO_MANY }, { "uncovered", KLP_ALLOW_UNCOVERED },
		{ "init_caller", KLP_ALLOW_INIT_CALLER },
		{ "all", KLP_ALLOW_ALL },
	};
	const char *p = kinds;

	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && !strncmp(p, names[i].name, n))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return gen_err_input("error: --allow-unsafe: unknown kind '%.*s' "
					     "(type, data, init, notrace, exported, address_taken, "
					     "unknown_code, too_deep, too_many_callers, init_caller, "
					     "uncovered or all)\n", (int)n, p);
		*flags |= names[i].flag;
		p += n + (p[n] == ',');
	}
	return 0;
}

/*
 * The --allow-unsafe kind that would let an unpatchable function of
 * klp-prep affected through (by leaving it out), from its reason, which
 * affected.c words; 0 when nothing can (a clone without callers).
 */
static unsigned int unpatchable_allow(const char *why)
{
	if (!why)
		return 0;
	if (!strncmp(why, "in .init", 8) || !strncmp(why, "in .exit", 8))
		return KLP_ALLOW_INIT;
	if (!strncmp(why, "in non-instrumentable", 21) || !strncmp(why, "notrace", 7) ||
	    !strncmp(why, "no fentry", 9))
		return KLP_ALLOW_NOTRACE;
	return 0;
}

/* Note an override: warned now, a comment in livepatch_NAME.c later. */
int gen_add_override(struct gen *g, const char *fmt, ...)
{
	char **v = realloc(g->overrides, (g->nr_overrides + 1) * sizeof(*v));
	va_list ap;
	int n;

	if (!v)
		return -ENOMEM;
	g->overrides = v;
	va_start(ap, fmt);
	n = vasprintf(&v[g->nr_overrides], fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	log_warn("warning: --allow-unsafe: %s\n", v[g->nr_overrides]);
	g->nr_overrides++;
	return 0;
}

/* Is @name an identifier of @text (@size bytes)? */
static bool text_has_ident(const char *text, size_t size, const char *name)
{
	size_t n = strlen(name);
	const char *p = text, *end = text + size;

	if (!n)
		return false;
	while (p && (p = memmem(p, end - p, name, n))) {
		bool before = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = p + n < end && (isalnum((unsigned char)p[n]) || p[n] == '_');

		if (!before && !after)
			return true;
		p += n;
	}
	return false;
}

int gen_data_change(struct gen *g, const char *file, unsigned int line, bool record,
		    const char *tag, const char *name)
{
	unsigned int allow = record ? KLP_ALLOW_TYPE : KLP_ALLOW_DATA;

	if (g->opts->allow_unsafe & allow)
		return gen_add_override(g, "%s:%u: the fix changes %s %s%s %s (kind %s); "
				    "the running kernel keeps the old one", file, line,
				    record ? "the layout of" : "the type or initializer of",
				    tag, record ? "" : " variable", *name ? name : "(anonymous)",
				    record ? "type" : "data");
	if (record)
		log_err("%s:%u: error: the fix changes the definition of %s %s: "
			"unchanged functions and the running kernel's data keep the "
			"old layout, so old and new code would disagree on it; keep "
			"the layout and put new fields in a shadow variable "
			"(klp_shadow_alloc), or pass --allow-unsafe=type if the "
			"layout provably stays the same\n", file, line,
			tag, *name ? name : "(anonymous)");
	else
		log_err("%s:%u: error: the fix changes %s variable '%s': a livepatch "
			"cannot change data, the running kernel keeps its old type "
			"and value; use a shadow variable (klp_shadow_*) for new "
			"state, set the value from a pre-patch callback "
			"(klp_callbacks), or pass --allow-unsafe=data if the "
			"change only matters at boot\n", file, line, tag, name);
	g->unsafe++;
	return 0;
}

/*
 * Data and types the fix changes.  A livepatch replaces functions only:
 * the running kernel keeps its variables as they are (their initializers
 * ran long ago, their type is what every unchanged function reads), and
 * every unchanged function keeps the layout of a struct it was compiled
 * with.  A definition the original already had (its name is in the
 * original text, or it spans unchanged lines) is refused; one the fix
 * adds whole becomes the module's own and is fine.
 */
static int check_data(struct gen *g, struct gen_unit *u)
{
	struct klp_data_decl *d;
	size_t n, i, r;
	int err;

	if (!u->tu || !u->nr_new_ranges)
		return 0;
	err = klp_tu__data_in(u->tu, u->new_ranges, u->nr_new_ranges, &d, &n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++) {
		bool whole = false, record = d[i].kind == KLP_DATA_RECORD, same;

		for (r = 0; r < u->nr_new_ranges; r++)
			if (u->new_ranges[r].first <= d[i].first &&
			    u->new_ranges[r].last >= d[i].last)
				whole = true;
		if (whole && *d[i].name && !text_has_ident(u->orig, u->orig_size, d[i].name))
			continue;	/* new: the module's own */
		/* Comments and whitespace edited inside it are no change. */
		err = klp_header__same_decl(u->orig, u->orig_size, u->patched,
					    u->patched_size, record, d[i].name, &same);
		if (!err && same) {
			log_info("%s:%u: only comments and whitespace change in %s %s\n",
				 u->display, d[i].first, d[i].tag, d[i].name);
			continue;
		}
		if (!err)
			err = gen_data_change(g, u->display, d[i].first, record, d[i].tag, d[i].name);
	}
	klp_data_decls_free(d, n);
	return err;
}


/*
 * The changed lines of the fix's headers: every function of the records
 * defined there (a static inline), in every unit that has it, inlined
 * or not; the closure then finds every function that inlined it.  A
 * change no function of the records spans (a macro, a declaration) has
 * users the records cannot name.
 */
static int header_changes(struct gen *g)
{
	size_t i, r;
	int err;

	for (i = 0; i < g->nr_headers; i++) {
		const struct gen_header *h = &g->headers[i];

		for (r = 0; r < h->nr_old_ranges; r++) {
			const struct klp_line_range *lr = &h->old_ranges[r];

			err = klp_affected__change_lines(g->aff, h->path, lr->first, lr->last);
			if (err == -ENOENT && h->nr_data_changes) {
				continue;	/* the struct or variable, refused or allowed */
			} else if (err == -ENOENT) {
				log_err("%s:%u: error: the fix changes lines %u-%u of the header, "
					"where no function of the records is defined: a macro "
					"or a declaration, whose users the records cannot name "
					"(or an inline function no unit of the build uses); "
					"klp-prep patches what inlined a changed static inline "
					"function, not what expanded a macro: change the "
					"macro's users in their .c files in the fix\n",
					h->path, lr->first, lr->first, lr->last);
				g->unsupported++;
				err = 0;
			}
			if (err)
				return err == -ENOMEM ? err : -EINVAL;
		}
	}
	return 0;
}

/* With records: klp-prep affected's closure. */
static int affected_closure(struct gen *g)
{
	size_t i, k, n;
	char buf[512], instead[512];
	int err;

	/* vmlinux's units rebuilt apart from it: added already */
	if (!g->aff)
		g->aff = klp_affected__new();
	if (!g->aff)
		return -ENOMEM;
	err = g->ix ? klp_index__add_to(g->ix, g->aff) : 0;
	if (err)
		return err;
	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];

		for (k = 0; k < u->nr_changed && u->records; k++) {
			char *spec;

			if (asprintf(&spec, "%s:%s", u->path, u->changed[k]) < 0)
				return -ENOMEM;
			err = klp_affected__change_function(g->aff, spec);
			free(spec);
			if (err == -ENOENT) {
				/* New in the fix: whatever calls it changed too. */
				log_info("%s: '%s' has no code in the original build\n",
					 u->display, u->changed[k]);
				err = 0;
			}
			if (err)
				return err == -ENOMEM ? err : -EINVAL;
		}
	}
	err = header_changes(g);
	if (!err)
		err = klp_affected__compute(g->aff);
	if (err)
		return err;

	n = klp_affected__nr_nodes(g->aff);
	for (k = 0; k < n; k++) {
		const struct klp_affected_node *nd = klp_affected__node(g->aff, k);
		struct gen_unit *u = NULL;
		struct gen_func *f;
		size_t s;

		if (nd->state == KLP_NODE_UNPATCHABLE && nd->unpatchable &&
		    (g->opts->allow_unsafe & unpatchable_allow(nd->unpatchable))) {
			char *where = tree_relative_to(g, nd->file ? nd->file : nd->unit);

			err = gen_add_override(g, "'%s' (%s:%u) left out of the patch: %s",
					   nd->symbol, where ? where : nd->file ? nd->file : nd->unit,
					   nd->line, nd->unpatchable);
			free(where);
			if (err)
				return err;
			continue;
		}
		instead[0] = '\0';
		if (nd->state == KLP_NODE_UNPATCHABLE && nd->unpatchable && nd->unit &&
		    (!strncmp(nd->unpatchable, "notrace", 7) ||
		     !strncmp(nd->unpatchable, "no fentry", 9))) {
			/* No hook to redirect: its callers, if they are all known. */
			bool done = false;

			u = NULL;
			for (i = 0; i < g->nr_units && !u; i++)
				if (g->units[i].records && gen_same_unit(nd->unit, g->units[i].path))
					u = &g->units[i];
			if (!u && g->nr_headers) {
				err = gen_add_unchanged_unit(g, nd->unit, &u);
				if (err == -EINVAL)
					err = 0;	/* said why; refused below */
			}
			if (u)
				err = gen_patch_callers_instead(g, u, nd->symbol, nd->origin,
								nd->file && gen_is_header(nd->file),
								instead, sizeof(instead), &done);
			if (err)
				return err;
			if (done)
				continue;
		}
		if (nd->state == KLP_NODE_UNPATCHABLE) {
			char *where = tree_relative_to(g, nd->file ? nd->file : nd->unit);

			unsigned int kind = unpatchable_allow(nd->unpatchable);
			bool chain = nd->nr_reasons && nd->reasons[0].kind != KLP_REASON_CHANGED;
			char *because = chain ?
				tree_relative_to(g, klp_affected_reason__format(
						nd, &nd->reasons[0], buf, sizeof(buf))) : NULL;

			/* Why it is in the set, and what the author can do. */
			log_err("%s:%u: error: '%s' cannot be livepatched safely: %s%s%s%s%s%s\n",
				where ? where : nd->file ? nd->file : nd->unit, nd->line,
				nd->symbol, nd->unpatchable ? nd->unpatchable : "?",
				because ? "; it must be patched because " : "",
				because ? because : "",
				*instead ? "; its callers cannot be patched instead: " : "",
				instead,
				kind == KLP_ALLOW_INIT ?
				"; if the fix only matters while the kernel boots or unloads, "
				"leave it out with --allow-unsafe=init, else patch the code that "
				"runs later" :
				kind == KLP_ALLOW_NOTRACE && *instead ?
				"; change the fix so that it changes functions with a hook, or "
				"leave it out with --allow-unsafe=notrace if the fix does not "
				"need it" :
				kind == KLP_ALLOW_NOTRACE ?
				"; patch its callers instead (where it is not inlined), or leave "
				"it out with --allow-unsafe=notrace if the fix does not need it" : "");
			free(because);
			free(where);
			g->unsafe++;
			continue;
		}
		if (nd->state != KLP_NODE_PATCH)
			continue;
		for (i = 0; i < g->nr_units && !u; i++)
			if (nd->unit && g->units[i].records && gen_same_unit(nd->unit, g->units[i].path))
				u = &g->units[i];
		if (nd->file && gen_is_header(nd->file)) {
			/* Its definition is the header's: nothing of a unit to copy. */
			char *where = tree_relative_to(g, nd->file);

			log_err("%s:%u: error: '%s' must be patched (%s), but it is a function of "
				"the header, emitted out of line in %s as %s: klp-prep cannot "
				"patch a header function's own copy yet; make it "
				"__always_inline in the fix if it can be, or patch its callers "
				"by hand\n", where ? where : nd->file, nd->line, nd->origin,
				nd->nr_reasons ? klp_affected_reason__format(nd, &nd->reasons[0],
									buf, sizeof(buf)) : "?",
				nd->unit ? nd->unit : "?", nd->symbol);
			free(where);
			g->unsupported++;
			continue;
		}
		if (!u && nd->unit && g->nr_headers) {
			/* It inlined a changed header: its unit joins the fix unchanged. */
			err = gen_add_unchanged_unit(g, nd->unit, &u);
			if (err == -EINVAL) {
				g->unsupported++;
				continue;
			}
			if (err)
				return err;
		}
		if (!u) {
			log_err("%s: error: '%s' must be patched too (%s), but its unit is not "
				"part of the fix; klp-prep generate does not extract from "
				"unchanged units yet\n", nd->unit ? nd->unit : "?", nd->symbol,
				nd->nr_reasons ? klp_affected_reason__format(nd, &nd->reasons[0],
										buf, sizeof(buf)) : "?");
			g->unsafe++;
			continue;
		}
		if (strcmp(nd->object, g->objs[u->obj].name)) {
			log_err("%s: error: '%s' is in %s, but the unit was linked into %s\n",
				u->display, nd->symbol, nd->object, g->objs[u->obj].name);
			g->unsafe++;
			continue;
		}
		err = gen_add_func(u, nd->origin, nd->symbol, nd->sympos,
			       nd->nr_reasons ? klp_affected_reason__format(nd, &nd->reasons[0],
									    buf, sizeof(buf)) : "",
			       &f);
		for (s = 0; !err && s < nd->nr_subfuncs; s++) {
			const struct klp_affected_subfunc *sf = &nd->subfuncs[s];
			char why[256];

			char *rel;

			snprintf(why, sizeof(why), "%s of %s%s",
				 klp_subfunc_kind_name(sf->kind), sf->parent ? sf->parent : nd->symbol,
				 sf->tail ? ", reached by a tail call" : "");
			rel = tree_relative(u, why);
			err = rel ? gen_add_sub(f, sf->symbol, sf->sympos, rel) : -ENOMEM;
			free(rel);
		}
		if (err)
			return err;
	}
	return 0;
}

/* Without records: the changed functions, their .cold from the symbols. */
static int symbol_closure(struct gen *g)
{
	size_t i, k;
	int err;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];
		const struct gen_symtab *st = g->objs[u->obj].st;
		struct gen_unit_oracle uo;

		if (u->records)
			continue;
		err = gen_unit_oracle__init(&uo, st, g->objs[0].st, u->path, u->display);
		if (err)
			return err;
		for (k = 0; k < u->nr_changed && !err; k++) {
			const char *name = u->changed[k];
			const struct gen_sym *s = gen_unit_oracle__local(&uo, name, STT_FUNC);
			const struct gen_sym *cold;
			struct gen_func *f;
			char cname[512];
			size_t first;

			if (!s && gen_symtab__named(st, name, &first)) {
				/* A global of this name. */
				s = &st->syms[st->by_name[first]];
				if (s->type != STT_FUNC || s->bind == STB_LOCAL)
					s = NULL;
			}
			if (!s) {
				log_err("%s: error: '%s' has no symbol in %s (inlined or "
					"cloned); without partition records its callers cannot "
					"be found: rebuild the kernel with the klp-prep plugin\n",
					u->display, name, g->objs[u->obj].name);
				g->unsafe++;
				continue;
			}
			snprintf(cname, sizeof(cname), "%s: changed (%s)", name, u->path);
			err = gen_add_func(u, name, name, gen_symtab__sympos(st, s), cname, &f);
			snprintf(cname, sizeof(cname), "%s.cold", name);
			cold = err ? NULL : gen_unit_oracle__local(&uo, cname, STT_FUNC);
			if (cold)
				err = gen_add_sub(f, cname, gen_symtab__sympos(st, cold), "cold of ");
			if (!err && cold) {
				free(f->subs[f->nr_subs - 1].why);
				if (asprintf(&f->subs[f->nr_subs - 1].why, "cold of %s", name) < 0) {
					f->subs[f->nr_subs - 1].why = NULL;
					err = -ENOMEM;
				}
			}
		}
		gen_unit_oracle__fini(&uo);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The changed functions the original text does not define (does not even
 * name) but the patched text spells: new in the fix.  Nothing of the
 * running kernel to replace; the module's own code.  A name a macro
 * makes (SYSCALL_DEFINE's __do_sys_*) is in neither text: changed.
 */
static int split_new_functions(struct gen_unit *u)
{
	size_t k = 0;

	while (k < u->nr_changed) {
		const char *name = u->changed[k];
		char **nv;

		if (text_has_ident(u->orig, u->orig_size, name) ||
		    !text_has_ident(u->patched, u->patched_size, name)) {
			k++;
			continue;
		}
		nv = realloc(u->new_funcs, (u->nr_new_funcs + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		u->new_funcs = nv;
		nv[u->nr_new_funcs++] = u->changed[k];
		memmove(&u->changed[k], &u->changed[k + 1],
			(u->nr_changed - k - 1) * sizeof(*u->changed));
		u->nr_changed--;
		log_info("%s: '%s' is new in the fix: the module's own code, not patched\n",
			 u->display, name);
	}
	return 0;
}

/*
 * The new functions of @u that another unit of the fix names: the
 * module's own, global, for the other unit's part to call (kpatch's
 * new-globals: a helper added to one file, called from another).
 */
static int find_shared(struct gen *g, struct gen_unit *u)
{
	size_t k, j;

	for (k = 0; k < u->nr_new_funcs; k++) {
		bool shared = false;
		char **v;

		for (j = 0; j < g->nr_units && !shared; j++)
			shared = &g->units[j] != u && g->units[j].patched &&
				 g->units[j].obj == u->obj &&
				 text_has_ident(g->units[j].patched, g->units[j].patched_size,
						u->new_funcs[k]);
		if (!shared)
			continue;
		v = realloc(u->shared_funcs, (u->nr_shared_funcs + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		u->shared_funcs = v;
		v[u->nr_shared_funcs] = strdup(u->new_funcs[k]);
		if (!v[u->nr_shared_funcs])
			return -ENOMEM;
		u->nr_shared_funcs++;
		log_info("%s: '%s' is new in the fix and called from another unit: global "
			 "in the module\n", u->display, u->new_funcs[k]);
	}
	return 0;
}

static bool patches_anything(const struct gen *g)
{
	size_t i;

	for (i = 0; i < g->nr_units; i++)
		if (g->units[i].nr_funcs || g->units[i].nr_new_funcs)
			return true;
	return false;
}

int gen_find_patched(struct gen *g)
{
	size_t i;
	int err;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];

		if (g->opts->nr_functions) {
			err = functions_given(g, u);
		} else {
			err = klp_tu__functions_in(u->tu, u->new_ranges, u->nr_new_ranges,
						   &u->changed, &u->nr_changed);
		}
		if (!err)
			err = split_new_functions(u);
		if (!err && !g->opts->nr_functions)
			err = check_data(g, u);
		if (err)
			return err;
		if (!err)
			err = find_shared(g, u);
		if (err)
			return err;
		if (!u->nr_changed && u->nr_new_funcs && !u->nr_shared_funcs) {
			log_err("%s: error: the fix adds '%s' here, but no function of the fix "
				"calls it, here or in another unit: nothing for the livepatch "
				"to run\n", u->display, u->new_funcs[0]);
			g->unsafe++;
		} else if (!u->nr_changed && !u->nr_new_funcs) {
			log_err("%s: error: the fix changes no function of it (only "
				"declarations, data or macros?); nothing a livepatch can replace\n",
				u->display);
			g->unsafe++;
		}
	}
	if (g->unsafe)
		return KLP_GENERATE_UNSAFE;
	if (g->nr_headers && (!g->ix || g->opts->rebuilt_units))
		return gen_err_input("%s: error: the fix changes code in this header; every "
				     "function that inlined it must be patched, and only the "
				     "partition records of the whole build (a kernel built "
				     "with the klp-prep plugin) name them: change the "
				     "functions that use it in their .c files instead\n",
				     g->headers[0].path);
	/* Units with records: klp-prep affected; the others: symbols. */
	err = 0;
	for (i = 0; i < g->nr_units; i++)
		if (g->units[i].records)
			break;
	if (i < g->nr_units || g->nr_headers)
		err = affected_closure(g);
	if (!err)
		err = symbol_closure(g);
	if (err)
		return err;
	if (!g->unsafe && g->unsupported)
		return -EINVAL;
	if (!g->unsafe && g->nr_headers && !patches_anything(g)) {
		log_err("%s: error: the fix changes no function that the build has code "
			"of (only declarations or data?); nothing a livepatch can replace\n",
			g->headers[0].path);
		g->unsafe++;
	}
	if (g->opts->no_stack_only && !g->unsafe) {
		err = gen_cover_split_parts(g);
		if (err)
			return err;
	}
	return g->unsafe ? KLP_GENERATE_UNSAFE : 0;
}

/*
 * The new functions are global in one module: two units' static
 * functions of one name, patched together, get their unit in the new
 * name (klpp_helper_fs_proc_base).  *@out parallels @u->funcs, NULL
 * entries for the usual prefix + name.
 */
static int unique_new_names(struct gen *g, struct gen_unit *u, char ***out)
{
	char **v = NULL;
	size_t k, i, j;

	*out = NULL;
	for (k = 0; k < u->nr_funcs; k++) {
		bool shared = false;

		for (i = 0; i < g->nr_units && !shared; i++) {
			if (&g->units[i] == u)
				continue;
			for (j = 0; j < g->units[i].nr_funcs && !shared; j++)
				shared = !strcmp(g->units[i].funcs[j].origin, u->funcs[k].origin);
		}
		if (!shared)
			continue;
		if (!v) {
			v = calloc(u->nr_funcs, sizeof(*v));
			if (!v)
				return -ENOMEM;
		}
		if (asprintf(&v[k], "%s%s_%s", g->prefix, u->funcs[k].origin, u->flat) < 0) {
			v[k] = NULL;
			klp_strv_free(v, u->nr_funcs);
			return -ENOMEM;
		}
	}
	*out = v;
	return 0;
}

/*
 * The original's signature of @name (klp_extract_opts.orig_signature):
 * the original text is parsed once, the first time a fix touches the
 * lines of a patched function's signature.
 */
static char *orig_signature(void *ctx, const char *name)
{
	struct gen_unit *u = ctx;

	if (!u->orig_tu && !u->orig_err) {
		struct klp_parse_opts po = {
			.file = u->args->file,
			.display_name = u->display,
			.argv = (const char *const *)u->args->argv,
			.argc = u->args->argc,
			.contents = u->orig,
			.size = u->orig_size,
		};

		u->orig_err = klp_tu__parse(&po, &u->orig_tu);
	}
	return u->orig_tu ? klp_tu__signature(u->orig_tu, name) : NULL;
}

int gen_extract_units(struct gen *g)
{
	size_t i, k;
	int err = 0;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];
		struct gen_unit_oracle uo;
		struct klp_extract_opts eo = {
			.prefix = g->prefix,
			.spell_extern = gen_spell_extern,
			.spell_ctx = g,
		};
		const char **names;
		char **new_names = NULL;

		if (!u->nr_funcs && !u->nr_shared_funcs)
			continue;
		names = calloc(u->nr_funcs + 1, sizeof(*names));
		if (!names)
			return -ENOMEM;
		for (k = 0; k < u->nr_funcs; k++)
			names[k] = u->funcs[k].origin;
		err = unique_new_names(g, u, &new_names);
		if (!err)
			err = gen_unit_oracle__init(&uo, g->objs[u->obj].st, g->objs[0].st, u->path,
						    u->display);
		if (!err) {
			eo.new_names = (const char *const *)new_names;
			eo.functions = names;
			eo.nr_functions = u->nr_funcs;
			eo.added = u->new_ranges;
			eo.nr_added = u->nr_new_ranges;
			eo.oracle = &uo.oracle;
			eo.orig_signature = orig_signature;
			eo.orig_ctx = u;
			eo.new_functions = (const char *const *)u->new_funcs;
			eo.nr_new_functions = u->nr_new_funcs;
			eo.shared_functions = (const char *const *)u->shared_funcs;
			eo.nr_shared_functions = u->nr_shared_funcs;
			err = klp_tu__extract(u->tu, &eo, &u->ex);
			gen_unit_oracle__fini(&uo);
		}
		free(names);
		klp_strv_free(new_names, new_names ? u->nr_funcs : 0);
		new_names = NULL;
		if (err == -EINVAL) {
			g->unsafe++;
			err = 0;
		}
		for (k = 0; !err && u->ex && k < u->nr_funcs; k++) {
			size_t p;

			for (p = 0; p < u->ex->nr_patched; p++)
				if (!strcmp(u->ex->patched[p].name, u->funcs[k].origin))
					break;
			u->funcs[k].new_name = strdup(p < u->ex->nr_patched ?
						      u->ex->patched[p].new_name : "");
			if (!u->funcs[k].new_name)
				err = -ENOMEM;
		}
		if (err)
			return err;
	}
	return g->unsafe ? KLP_GENERATE_UNSAFE : 0;
}

/* ---- the table: what livepatch_NAME.c holds, and the caller learns -------- */

/* Is @ns a part of the new version of @f (in @object)? */
static bool new_side_parent(const struct klp_generate_subfunc *ns, const char *object,
			    const struct gen_func *f)
{
	return !strcmp(ns->object, object) && !strcmp(ns->parent, f->symbol) &&
	       ns->parent_sympos == f->sympos;
}

/* The new side paired with @f's old-side part @symbol, or NULL. */
static const struct klp_generate_subfunc *new_side_of(const struct gen *g, const char *object,
						      const struct gen_func *f,
						      const char *symbol, unsigned long sympos)
{
	size_t i;

	for (i = 0; i < g->opts->nr_new_side; i++) {
		const struct klp_generate_subfunc *ns = &g->opts->new_side[i];

		if (ns->old_name && !strcmp(ns->old_name, symbol) && ns->old_sympos == sympos &&
		    new_side_parent(ns, object, f))
			return ns;
	}
	return NULL;
}


static int add_part(struct klp_generate_func *rf, const char *old_name, unsigned long old_sympos,
		    const char *new_name, unsigned long new_sympos, const char *why)
{
	struct klp_generate_part *p = realloc(rf->parts, (rf->nr_parts + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	rf->parts = p;
	p = &p[rf->nr_parts++];
	memset(p, 0, sizeof(*p));
	p->old_sympos = old_sympos;
	p->new_sympos = new_sympos;
	if ((old_name && !(p->old_name = strdup(old_name))) ||
	    (new_name && !(p->new_name = strdup(new_name))) ||
	    (why && !(p->why = strdup(why))))
		return -ENOMEM;
	return 0;
}

/* @f of @u in @ro's table: its old-side parts paired, then the new-only ones. */
static int table_func(struct gen *g, struct klp_generate_object *ro, const struct gen_unit *u,
		      const struct gen_func *f)
{
	struct klp_generate_func *rf = realloc(ro->funcs, (ro->nr_funcs + 1) * sizeof(*rf));
	size_t j;
	int err = 0;

	if (!rf)
		return -ENOMEM;
	ro->funcs = rf;
	rf = &rf[ro->nr_funcs++];
	memset(rf, 0, sizeof(*rf));
	rf->old_name = strdup(f->symbol);
	rf->old_sympos = f->sympos;
	rf->new_name = strdup(f->new_name ? f->new_name : "");
	rf->reason = strdup(f->reason);
	rf->unit = strdup(u->path);
	if (!rf->old_name || !rf->new_name || !rf->reason || !rf->unit)
		return -ENOMEM;
	for (j = 0; !err && j < f->nr_subs; j++) {
		const struct klp_generate_subfunc *ns =
			new_side_of(g, ro->name, f, f->subs[j].symbol, f->subs[j].sympos);

		err = add_part(rf, f->subs[j].symbol, f->subs[j].sympos, ns ? ns->new_name : NULL,
			       ns ? ns->new_sympos : 0, f->subs[j].why);
		if (!err) {
			rf->parts[rf->nr_parts - 1].covered = g->opts->no_stack_only;
			rf->parts[rf->nr_parts - 1].cover = f->subs[j].cover;
		}
	}
	/* Parts only the new code has: no old side. */
	for (j = 0; !err && j < g->opts->nr_new_side; j++) {
		const struct klp_generate_subfunc *ns = &g->opts->new_side[j];

		if (!ns->old_name && new_side_parent(ns, ro->name, f))
			err = add_part(rf, NULL, 0, ns->new_name, ns->new_sympos, ns->why);
	}
	return err;
}

static int add_extern(struct gen *g, const struct gen_unit *u, const struct klp_extern *e)
{
	struct klp_generate_result *r = g->res;
	struct klp_generate_extern *v = realloc(r->externs, (r->nr_externs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	r->externs = v;
	v = &v[r->nr_externs++];
	v->object = strdup(e->object);
	v->symbol = strdup(e->symbol);
	v->pos = e->pos;
	v->unit = strdup(u->path);
	return v->object && v->symbol && v->unit ? 0 : -ENOMEM;
}

/* Is static local @e declared in the text of item @it (its function)? */
static bool declared_in(const struct klp_extern *e, const struct klp_item *it)
{
	unsigned int last = it->line;
	const char *p;

	for (p = it->text; p && *p; p++)
		last += *p == '\n';
	return it->text && e->line >= it->line && e->line <= last;
}

/*
 * What the new code reaches through .klp.sym, unit by unit, in the order
 * of the unit's output: the declarations at file scope, and the static
 * locals in the functions that declare them.
 */
static int table_externs(struct gen *g)
{
	size_t i, k, j;
	int err = 0;

	for (i = 0; !err && i < g->nr_units; i++) {
		const struct gen_unit *u = &g->units[i];
		const struct klp_extract *ex = u->ex;
		bool *done;

		if (!ex || !ex->nr_externs)
			continue;
		done = calloc(ex->nr_externs, sizeof(*done));
		if (!done)
			return -ENOMEM;
		for (k = 0; !err && k < ex->nr_items; k++) {
			const struct klp_item *it = &ex->items[k];

			for (j = 0; !err && j < ex->nr_externs; j++) {
				const struct klp_extern *e = &ex->externs[j];

				if (done[j] || (it->kind == KLP_ITEM_EXTERN ? it->ext != e :
						!e->static_local || !declared_in(e, it)))
					continue;
				done[j] = true;
				err = add_extern(g, u, e);
			}
		}
		for (j = 0; !err && j < ex->nr_externs; j++)
			if (!done[j])
				err = add_extern(g, u, &ex->externs[j]);
		free(done);
	}
	return err;
}

/*
 * The functions new in the fix that the module holds (those the patched
 * code calls), in the order of the unit's output.
 */
static int table_new_funcs(struct gen *g)
{
	struct klp_generate_result *r = g->res;
	size_t i, k, j;

	for (i = 0; i < g->nr_units; i++) {
		const struct gen_unit *u = &g->units[i];

		for (k = 0; u->ex && k < u->ex->nr_items; k++) {
			const struct klp_item *it = &u->ex->items[k];
			struct klp_generate_new_func *nf;

			if (it->kind != KLP_ITEM_FUNC ||
			    !gen_strv_has(u->new_funcs, u->nr_new_funcs, it->name))
				continue;
			nf = realloc(r->new_funcs, (r->nr_new_funcs + 1) * sizeof(*nf));
			if (!nf)
				return -ENOMEM;
			r->new_funcs = nf;
			nf = &nf[r->nr_new_funcs++];
			nf->name = strdup(it->name);
			nf->unit = strdup(u->path);
			nf->reason = strdup(gen_strv_has(u->notrace_copies, u->nr_notrace_copies,
							 it->name) ?
					    "the fix changes it, but it has no ftrace hook: "
					    "the module's copy, which its patched callers call" :
					    "new in the fix");
			if (!nf->name || !nf->unit || !nf->reason)
				return -ENOMEM;
		}
		for (j = 0; u->ex && j < u->nr_new_funcs; j++) {
			for (k = 0; k < u->ex->nr_items; k++)
				if (u->ex->items[k].kind == KLP_ITEM_FUNC &&
				    !strcmp(u->ex->items[k].name, u->new_funcs[j]))
					break;
			if (k == u->ex->nr_items)
				log_warn("%s: warning: '%s' is new in the fix but no patched "
					 "function calls it: left out of the livepatch\n",
					 u->display, u->new_funcs[j]);
		}
	}
	return 0;
}

/* One klp_object per object with functions, vmlinux first; then the externs. */
int gen_plan_table(struct gen *g)
{
	struct klp_generate_result *r = g->res;
	size_t o, i, k;
	int err = 0;

	for (o = 0; o < g->nr_objs; o++) {
		struct klp_generate_object *ro = NULL;

		for (i = 0; !err && i < g->nr_units; i++) {
			const struct gen_unit *u = &g->units[i];

			for (k = 0; !err && u->obj == o && k < u->nr_funcs; k++) {
				if (!ro) {
					ro = realloc(r->objs, (r->nr_objs + 1) * sizeof(*ro));
					if (!ro)
						return -ENOMEM;
					r->objs = ro;
					ro = &ro[r->nr_objs++];
					memset(ro, 0, sizeof(*ro));
					ro->name = strdup(g->objs[o].name);
					if (!ro->name)
						return -ENOMEM;
				}
				err = table_func(g, ro, u, &u->funcs[k]);
			}
		}
		if (err)
			return err;
	}
	err = table_externs(g);
	return err ? err : table_new_funcs(g);
}
