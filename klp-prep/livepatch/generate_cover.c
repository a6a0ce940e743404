// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_cover.c - on a stock kernel, patch the callers that cover the
 * split-off parts of the patched functions
 *
 * A kernel without the kernel-support series has no stack_only entry:
 * patching foo does not hold a task that is in foo.cold (or in a clone
 * the new foo no longer calls).  The frame above such a task belongs to
 * a caller of the part (through tail calls and jumps, of the function it
 * was split from); when every such caller is patched too, the stock
 * stack check finds its return address and holds the task, on the old
 * side when enabling, on the new copies when disabling or replacing.
 * coverage.c finds those callers in the original object; this pass adds
 * each to the patch (a copy compiled from its unchanged source) with the
 * part it covers as its reason, or refuses the part with each reason
 * and what the author can do.  docs/stock-kernels.md states the rule.
 *
 * The same reading of frames serves any kernel for a changed function
 * that has no ftrace hook at all (gen_patch_callers_instead()): its
 * direct callers are patched in its place.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <klp_prep/coverage.h>

#include "generate_internal.h"

#include "log.h"

/* The caller graph of one object, built when a part of it is asked. */
struct cover_object {
	struct klp_coverage *cov;
	bool tried;
};

struct cover {
	struct gen *g;
	struct cover_object *objs;	/* parallel to g->objs */
	struct klp_coverage_limits limits;
};

static const unsigned int problem_allow[KLP_COV_NR_PROBLEMS] = {
	[KLP_COV_EXPORTED] = KLP_ALLOW_EXPORTED,
	[KLP_COV_ADDRESS_TAKEN] = KLP_ALLOW_ADDRESS_TAKEN,
	[KLP_COV_UNKNOWN_CODE] = KLP_ALLOW_UNKNOWN_CODE,
	[KLP_COV_TOO_DEEP] = KLP_ALLOW_TOO_DEEP,
	[KLP_COV_TOO_MANY] = KLP_ALLOW_TOO_MANY,
	[KLP_COV_INIT_CALLER] = KLP_ALLOW_INIT_CALLER,
};

static const char *const problem_text[KLP_COV_NR_PROBLEMS] = {
	[KLP_COV_EXPORTED] = "is exported: a module may call it from a frame the patch "
		"does not replace",
	[KLP_COV_ADDRESS_TAKEN] = "has its address taken: an indirect call can come from "
		"anywhere",
	[KLP_COV_UNKNOWN_CODE] = "is reached from code in no function symbol: there is no "
		"function to patch",
	[KLP_COV_TOO_DEEP] = "is reached through more frameless callers than the limit "
		"(--cover-max-depth)",
	[KLP_COV_TOO_MANY] = "needs more covering callers than the limit "
		"(--cover-max-callers)",
	[KLP_COV_INIT_CALLER] = "is called from a module's init or exit code, which can "
		"run during a transition and cannot be replaced",
};

static struct klp_coverage *object_graph(struct cover *c, size_t o)
{
	struct cover_object *co = &c->objs[o];

	if (!co->tried) {
		co->tried = true;
		co->cov = klp_coverage__new(c->g->objs[o].st->elf);
	}
	return co->cov;
}

/* @name at position @sympos of @st (0: the only one), as its .symtab entry. */
static const struct klp_symbol *elf_symbol(const struct gen_symtab *st, const char *name,
					   unsigned long sympos)
{
	const struct gen_sym *s = NULL;
	const struct klp_symbol *sym;
	size_t first, n, i;

	n = gen_symtab__named(st, name, &first);
	for (i = 0; i < n && !s; i++) {
		const struct gen_sym *t = &st->syms[st->by_name[first + i]];

		if (t->type == STT_FUNC && (n == 1 || gen_symtab__sympos(st, t) == sympos))
			s = t;
	}
	if (!s)
		return NULL;
	klp_elf__for_each_symbol_by_name(st->elf, name, sym)
		if (sym->type == STT_FUNC && sym->shndx != SHN_UNDEF && sym->value == s->value &&
		    sym->file == s->file)
			return sym;
	return NULL;
}

/*
 * The symbol of covering caller @cc: its name, and among several of that
 * name the one of its STT_FILE group (a linked file's address is the
 * symbol's value; an object's synthetic address is not).
 */
static const struct gen_sym *caller_symbol(const struct gen_symtab *st, bool linked,
					   const struct klp_coverage_caller *cc)
{
	const struct gen_sym *found = NULL;
	size_t first, n, i;

	n = gen_symtab__named(st, cc->name, &first);
	for (i = 0; i < n; i++) {
		const struct gen_sym *t = &st->syms[st->by_name[first + i]];

		if (t->type != STT_FUNC)
			continue;
		if (linked ? t->value == cc->address : t->file == cc->file) {
			if (found)
				return NULL;
			found = t;
		}
	}
	return found;
}

/* The entry of object @o the patch already has for @name at @sympos, or NULL. */
static struct gen_func *patched(struct gen *g, size_t o, const char *name,
				unsigned long sympos)
{
	size_t i, k;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];

		if (u->obj != o)
			continue;
		for (k = 0; k < u->nr_funcs; k++)
			if (!strcmp(u->funcs[k].symbol, name) && u->funcs[k].sympos == sympos)
				return &u->funcs[k];
	}
	return NULL;
}

/*
 * The unit of the fix that defines @s: its STT_FILE group for a local,
 * the parsed source for a global.  NULL: none of the fix's units.
 */
static struct gen_unit *unit_of(struct gen *g, size_t o, const struct gen_sym *s)
{
	size_t i;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];
		struct gen_unit_oracle uo;
		bool mine = false;

		if (u->obj != o)
			continue;
		if (s->bind == STB_LOCAL) {
			if (gen_unit_oracle__init(&uo, g->objs[o].st, g->objs[0].st, u->path,
						  u->display))
				return NULL;
			mine = gen_unit_oracle__local(&uo, s->name, STT_FUNC) == s;
			gen_unit_oracle__fini(&uo);
		} else if (u->tu) {
			char *sig = klp_tu__signature(u->tu, s->name);

			mine = sig != NULL;
			free(sig);
		}
		if (mine)
			return u;
	}
	return NULL;
}

static int uncoverable(struct cover *c, const struct gen_unit *u, const struct gen_func *f,
		       const struct gen_subfunc *sf, unsigned int allow, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * A reason part @sf of @f is not covered: refused, with the author's
 * choices, or left so because --allow-unsafe names its kind.
 */
static int uncoverable(struct cover *c, const struct gen_unit *u, const struct gen_func *f,
		       const struct gen_subfunc *sf, unsigned int allow, const char *fmt, ...)
{
	const char *kind = "uncovered";
	char why[1024];
	va_list ap;
	size_t i;

	for (i = 0; i < KLP_COV_NR_PROBLEMS; i++)
		if (problem_allow[i] == allow)
			kind = klp_coverage_problem_name(i);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c->g->opts->allow_unsafe & allow) {
		((struct gen_subfunc *)sf)->cover = "left uncovered (--allow-unsafe): a task in "
			"it escapes the stack check";
		return gen_add_override(c->g, "%s: '%s' of '%s' left uncovered (%s): %s",
					u->path, sf->symbol, f->symbol, kind, why);
	}
	log_err("%s: error: '%s' (%s) cannot be covered on a kernel without stack_only: "
		"%s; install the kernel-support series (kernel-support/patches), or accept "
		"that a task in it escapes the stack check with --allow-unsafe=%s\n",
		u->display, sf->symbol, sf->why, why, kind);
	c->g->unsafe++;
	return 0;
}

/* Patch covering caller @cc of part @sf too, or say why it cannot be. */
static int add_caller(struct cover *c, size_t ui, size_t fi, size_t si,
		      const struct klp_coverage_caller *cc)
{
	struct gen *g = c->g;
	size_t o = g->units[ui].obj;
	const struct gen_symtab *st = g->objs[o].st;
	const struct gen_sym *s = caller_symbol(st, klp_elf__type(st->elf) == ET_EXEC, cc);
	char reason[1024];
	struct gen_unit *cu;
	struct gen_func *nf;
	unsigned long pos;
	int err;

	if (!s)
		return uncoverable(c, &g->units[ui], &g->units[ui].funcs[fi],
				   &g->units[ui].funcs[fi].subs[si], KLP_ALLOW_UNCOVERED,
				   "its covering caller '%s' has no unique symbol in %s", cc->name,
				   g->objs[o].name);
	pos = gen_symtab__sympos(st, s);
	if (patched(g, o, cc->name, pos))
		return 0;
	if (klp_part_kind(cc->name) != KLP_PART_NONE)
		return uncoverable(c, &g->units[ui], &g->units[ui].funcs[fi],
				   &g->units[ui].funcs[fi].subs[si], KLP_ALLOW_UNCOVERED,
				   "its covering caller '%s' (%s) is itself a clone, and a "
				   "patch that replaces a clone is not made yet", cc->name,
				   cc->chain);
	cu = unit_of(g, o, s);
	if (!cu) {
		const char *file = s->file ? klp_elf__file_name(st->elf, s->file) : NULL;

		return uncoverable(c, &g->units[ui], &g->units[ui].funcs[fi],
				   &g->units[ui].funcs[fi].subs[si], KLP_ALLOW_UNCOVERED,
				   "its covering caller '%s' (%s) is in %s, a unit the fix does "
				   "not change; covering from other units is not done yet",
				   cc->name, cc->chain, file ? file : "another unit");
	}
	snprintf(reason, sizeof(reason), "covers %s: %s", g->units[ui].funcs[fi].subs[si].symbol,
		 cc->chain);
	err = gen_add_func(cu, cc->name, cc->name, pos, reason, &nf);
	if (!err)
		log_info("%s: '%s' patched too: it %s\n", cu->display, cc->name, reason);
	return err;
}

/*
 * Is @part's code the patch's: split from a function the patch replaces
 * (or the fix changes)?  Otherwise it is the unchanged code of another
 * function (a callee's .part clone, say): a task in it for a patched
 * function has that function's return address above it, which the
 * stock check already holds, and any other task in it runs no code the
 * fix changes.
 */
static bool patched_code(struct gen *g, size_t o, const char *part)
{
	char *origin = klp_part_origin(part);
	bool mine = false;
	size_t i, k;

	for (i = 0; origin && i < g->nr_units && !mine; i++) {
		const struct gen_unit *u = &g->units[i];

		if (u->obj != o)
			continue;
		for (k = 0; k < u->nr_funcs && !mine; k++)
			mine = !strcmp(u->funcs[k].origin, origin) ||
			       !strcmp(u->funcs[k].symbol, origin);
		mine |= gen_strv_has(u->changed, u->nr_changed, origin);
	}
	free(origin);
	return mine;
}

/* Cover split part @si of function @fi of unit @ui. */
static int cover_part(struct cover *c, size_t ui, size_t fi, size_t si)
{
	struct gen *g = c->g;
	struct gen_unit *u = &g->units[ui];
	const struct gen_subfunc *sf = &u->funcs[fi].subs[si];
	const struct gen_symtab *st = g->objs[u->obj].st;
	struct klp_coverage *cov = object_graph(c, u->obj);
	const struct klp_symbol *part;
	struct klp_coverage_result r;
	size_t k;
	int err;

	if (!patched_code(g, u->obj, sf->symbol)) {
		log_info("%s: '%s' (%s) needs no cover: unchanged code of another function, "
			 "below '%s' when it runs for it\n", u->display, sf->symbol, sf->why,
			 u->funcs[fi].symbol);
		u->funcs[fi].subs[si].cover = "unchanged code of another function; a task in "
			"it for this one has this one's frame above it";
		return 0;
	}
	if (!cov)
		return uncoverable(c, u, &u->funcs[fi], sf, KLP_ALLOW_UNCOVERED,
				   "%s's callers cannot be read (%s)", g->objs[u->obj].path,
				   errno == ENOENT ? "it has no relocations for .text: a vmlinux "
				   "linked without --emit-relocs" : strerror(errno));
	part = elf_symbol(st, sf->symbol, sf->sympos);
	if (!part)
		return uncoverable(c, u, &u->funcs[fi], sf, KLP_ALLOW_UNCOVERED,
				   "no symbol '%s' at position %lu in %s", sf->symbol, sf->sympos,
				   g->objs[u->obj].path);
	err = klp_coverage__analyse(cov, part, &c->limits, &r);
	if (err)
		return err;
	for (k = 0; !err && k < r.nr_problems; k++) {
		const struct klp_coverage_problem *p = &r.problems[k];

		/* The refusal names the function, the site, the depth. */
		err = uncoverable(c, u, &u->funcs[fi], sf, problem_allow[p->kind],
				  "'%s' %s%s%s%s", p->function ? p->function : sf->symbol,
				  problem_text[p->kind], p->site_symbol ? " (at " : "",
				  p->site_symbol ? p->site_symbol : "",
				  p->site_symbol ? ")" : "");
	}
	if (!r.coverable && !r.nr_problems)
		err = uncoverable(c, u, &u->funcs[fi], sf, KLP_ALLOW_UNCOVERED,
				  "no covering set found");
	/* Callers found are patched even when a problem is let through. */
	for (k = 0; !err && k < r.nr_callers; k++) {
		err = add_caller(c, ui, fi, si, &r.callers[k]);
		u = &g->units[ui];	/* funcs may have moved */
	}
	if (!err && r.coverable && !g->units[ui].funcs[fi].subs[si].cover)
		g->units[ui].funcs[fi].subs[si].cover = "the kernel has no stack_only; every "
			"function whose frame can be above it is patched (\"covers\")";
	if (!err && r.coverable)
		log_info("%s: '%s' (%s) covered by %zu caller%s\n", g->units[ui].display,
			 g->units[ui].funcs[fi].subs[si].symbol, g->units[ui].funcs[fi].subs[si].why,
			 r.nr_callers, r.nr_callers == 1 ? "" : "s");
	klp_coverage_result__fini(&r);
	return err;
}

/*
 * The .cold part of covering caller @fi, whose frame it runs in: a task
 * there has the frame above the caller, not the caller's return address
 * (docs/stock-kernels.md).  Clones of it are functions of their own that
 * run unchanged code; they need nothing.
 */
static int add_cold_of_caller(struct gen *g, struct gen_unit *u, size_t fi)
{
	const struct gen_symtab *st = g->objs[u->obj].st;
	const struct gen_func *f = &u->funcs[fi];
	char name[512], why[600];
	size_t first, n, i;

	snprintf(name, sizeof(name), "%s.cold", f->symbol);
	n = gen_symtab__named(st, name, &first);
	for (i = 0; i < n; i++) {
		const struct gen_sym *t = &st->syms[st->by_name[first + i]];
		const struct klp_symbol *parent = elf_symbol(st, f->symbol, f->sympos);

		if (t->type != STT_FUNC || !parent || t->file != parent->file)
			continue;
		snprintf(why, sizeof(why), "cold of %s", f->symbol);
		return gen_add_sub(&u->funcs[fi], name, gen_symtab__sympos(st, t), why);
	}
	return 0;
}

int gen_cover_split_parts(struct gen *g)
{
	struct cover c = {
		.g = g,
		.limits = {
			.max_depth = g->opts->cover_max_depth ? g->opts->cover_max_depth :
				KLP_COVERAGE_DEFAULT_DEPTH,
			.max_callers = g->opts->cover_max_callers ? g->opts->cover_max_callers :
				KLP_COVERAGE_DEFAULT_CALLERS,
		},
	};
	size_t *done, i, k, j, nr_done = 0;
	int err = 0;

	if (g->opts->no_cover) {
		for (i = 0; !err && i < g->nr_units; i++)
			for (k = 0; !err && k < g->units[i].nr_funcs; k++)
				for (j = 0; !err && j < g->units[i].funcs[k].nr_subs; j++) {
					g->units[i].funcs[k].subs[j].cover = "left uncovered "
						"(--no-cover): a task in it escapes the stack check";
					err = gen_add_override(g, "%s: '%s' of '%s' left uncovered "
							       "(--no-cover): a task in it escapes "
							       "the stack check",
							       g->units[i].path,
							       g->units[i].funcs[k].subs[j].symbol,
							       g->units[i].funcs[k].symbol);
				}
		return err;
	}

	c.objs = calloc(g->nr_objs, sizeof(*c.objs));
	done = calloc(g->nr_units, sizeof(*done));
	if (!c.objs || !done) {
		free(c.objs);
		free(done);
		return -ENOMEM;
	}
	/*
	 * A worklist: the functions patched so far, each one's parts once;
	 * a covering caller added is patched, its own .cold then covered.
	 */
	do {
		nr_done = 0;
		for (i = 0; !err && i < g->nr_units; i++) {
			for (k = done[i]; !err && k < g->units[i].nr_funcs; k++) {
				if (strncmp(g->units[i].funcs[k].reason, "covers ", 7) == 0)
					err = add_cold_of_caller(g, &g->units[i], k);
				for (j = 0; !err && j < g->units[i].funcs[k].nr_subs; j++)
					err = cover_part(&c, i, k, j);
				nr_done++;
			}
			done[i] = k;
		}
	} while (!err && nr_done);
	for (i = 0; i < g->nr_objs; i++)
		klp_coverage__free(c.objs[i].cov);
	free(c.objs);
	free(done);
	return err;
}

/* ---- a function without an ftrace hook: its callers instead ------------- */

/* Unit @u's object: BUILD/DIR/NAME.o as kbuild puts it, else beside the source. */
static char *unit_object_file(const struct gen *g, const struct gen_unit *u)
{
	size_t np = strlen(u->path), nf = strlen(u->args->file);
	char *p = NULL;

	if (np > 2 && g->opts->build_dir &&
	    asprintf(&p, "%s/%.*s.o", g->opts->build_dir, (int)(np - 2), u->path) >= 0 &&
	    !access(p, R_OK))
		return p;
	free(p);
	p = NULL;
	if (nf > 2 && asprintf(&p, "%.*s.o", (int)(nf - 2), u->args->file) >= 0 &&
	    !access(p, R_OK))
		return p;
	free(p);
	return NULL;
}

/* The symbol of @name in @u's object, a static of the unit first. */
static const struct gen_sym *unit_function(const struct gen *g, const struct gen_unit_oracle *uo,
					   const struct gen_unit *u, const char *name)
{
	const struct gen_symtab *st = g->objs[u->obj].st;
	const struct gen_sym *s = gen_unit_oracle__local(uo, name, STT_FUNC);
	size_t first, n, i;

	if (s)
		return s;
	n = gen_symtab__named(st, name, &first);
	for (i = 0; i < n; i++) {
		s = &st->syms[st->by_name[first + i]];
		if (s->type == STT_FUNC && s->bind != STB_LOCAL)
			return s;
	}
	return NULL;
}

/*
 * The direct callers of @func, a function of @obj's unit object @elf, as
 * coverage.c reads them; "" in @why when every frame above @func is one
 * of them, else why not.
 */
static int direct_callers(const struct gen *g, struct klp_elf *elf, const char *func,
			  struct klp_coverage_result *r, char *why, size_t why_size)
{
	struct klp_coverage_limits lim = {
		.max_depth = 1,
		.max_callers = g->opts->cover_max_callers ? g->opts->cover_max_callers :
			KLP_COVERAGE_DEFAULT_CALLERS,
	};
	struct klp_coverage *cov = klp_coverage__new(elf);
	const struct klp_symbol *sym;
	size_t k;
	int err;

	memset(r, 0, sizeof(*r));
	*why = '\0';
	if (!cov) {
		snprintf(why, why_size, "its callers cannot be read from %s",
			 klp_elf__path(elf));
		return errno == ENOMEM ? -ENOMEM : 0;
	}
	klp_elf__for_each_symbol_by_name(elf, func, sym)
		if (sym->type == STT_FUNC && sym->shndx != SHN_UNDEF)
			break;
	if (!sym) {
		snprintf(why, why_size, "%s has no symbol '%s'", klp_elf__path(elf), func);
		klp_coverage__free(cov);
		return 0;
	}
	err = klp_coverage__analyse(cov, sym, &lim, r);
	klp_coverage__free(cov);
	if (err)
		return err;
	if (r->nr_problems)
		snprintf(why, why_size, "'%s' %s%s%s%s",
			 r->problems[0].function ? r->problems[0].function : func,
			 problem_text[r->problems[0].kind],
			 r->problems[0].site_symbol ? " (at " : "",
			 r->problems[0].site_symbol ? r->problems[0].site_symbol : "",
			 r->problems[0].site_symbol ? ")" : "");
	else if (!r->coverable || !r->nr_callers)
		snprintf(why, why_size, "no function of its unit calls it (it is only "
			 "jumped to, by a tail call, or from functions called from "
			 "elsewhere): no caller's frame of this unit is above a task in it");
	for (k = 0; !*why && k < r->nr_callers; k++) {
		const struct klp_coverage_caller *cc = &r->callers[k];

		if (cc->depth != 1)	/* 1: calls it */
			snprintf(why, why_size, "the frame above it can be %s's (%s): a tail "
				 "call, or a caller without a hook of its own, leaves no "
				 "caller of this unit on the stack", cc->name, cc->chain);
		else if (klp_part_kind(cc->name) != KLP_PART_NONE)
			snprintf(why, why_size, "its caller '%s' is a clone, and a patch that "
				 "replaces a clone is not made yet", cc->name);
	}
	return 0;
}

int gen_patch_callers_instead(struct gen *g, struct gen_unit *u, const char *symbol,
			      const char *origin, bool in_header, char *why, size_t why_size,
			      bool *done)
{
	struct klp_coverage_result r = { 0 };
	struct gen_unit_oracle uo;
	struct klp_elf *elf = NULL;
	char *path = NULL, reason[512];
	size_t ui = u - g->units, k;
	int err;

	*done = false;
	*why = '\0';
	err = gen_unit_oracle__init(&uo, g->objs[u->obj].st, g->objs[0].st, u->path, u->display);
	if (err)
		return err;
	/*
	 * A global one may be called from any unit, which this one's object
	 * does not show: not tried (the author knows its callers).
	 */
	if (!gen_unit_oracle__local(&uo, symbol, STT_FUNC))
		goto out;
	if (!(path = unit_object_file(g, u)))
		snprintf(why, why_size, "its unit's object is not in the build (%s)",
			 g->opts->build_dir ? g->opts->build_dir : "no build directory");
	else if (!(elf = klp_elf__open(path, 0)))
		snprintf(why, why_size, "%s cannot be read", path);
	else
		err = direct_callers(g, elf, symbol, &r, why, why_size);
	for (k = 0; !err && !*why && k < r.nr_callers; k++) {
		const struct klp_coverage_caller *cc = &r.callers[k];
		const struct gen_sym *cs = unit_function(g, &uo, &g->units[ui], cc->name);
		unsigned long pos;
		struct gen_func *nf;

		if (!cs) {
			snprintf(why, why_size, "its caller '%s' has no symbol in %s", cc->name,
				 g->objs[g->units[ui].obj].name);
			break;
		}
		pos = gen_symtab__sympos(g->objs[g->units[ui].obj].st, cs);
		if (patched(g, g->units[ui].obj, cc->name, pos))
			continue;
		snprintf(reason, sizeof(reason), "calls %s, which has no ftrace hook: patched "
			 "instead of it, calling the module's copy", symbol);
		err = gen_add_func(&g->units[ui], cc->name, cc->name, pos, reason, &nf);
		if (!err)
			log_info("%s: '%s' patched: it %s\n", g->units[ui].display, cc->name,
				 reason);
	}
	u = &g->units[ui];
	if (!err && !*why && in_header) {
		*done = true;	/* the module's copy is the patched header's */
	} else if (!err && !*why) {
		if (!gen_strv_has(u->new_funcs, u->nr_new_funcs, origin))
			err = gen_strv_push(&u->new_funcs, &u->nr_new_funcs, origin);
		if (!err)
			err = gen_strv_push(&u->notrace_copies, &u->nr_notrace_copies, origin);
		*done = !err;
	}
out:
	klp_coverage_result__fini(&r);
	klp_elf__close(elf);
	free(path);
	gen_unit_oracle__fini(&uo);
	return err;
}
