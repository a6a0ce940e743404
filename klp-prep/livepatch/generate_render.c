// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_render.c - klp_generate()'s output from the templates: the
 * data each template is given (fill_data(): the patch, its units, the
 * klp_func tables), rendered into the temporary output directory
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compdb.h"
#include "extract.h"
#include "generate.h"
#include "install_dir.h"
#include "template.h"

#include "log.h"
#include "generate_internal.h"

const char *klp_generate_default_templates(void)
{
	static char buf[PATH_MAX + 64];
	const char *env = getenv("KLP_PREP_TEMPLATES");
	struct stat sb;

	if (env && *env)
		return env;
	if (klp_installed_path("share/klp-prep/templates", buf, sizeof(buf)) &&
	    !stat(buf, &sb) && S_ISDIR(sb.st_mode))
		return buf;
#ifdef KLP_PREP_SOURCE_TEMPLATES
	return KLP_PREP_SOURCE_TEMPLATES;
#else
	return "/usr/share/klp-prep/templates";
#endif
}

const char *gen_templates_dir(const struct gen *g)
{
	return g->opts->templates ? g->opts->templates : klp_generate_default_templates();
}

/* One externalized declaration, as templates/extern.tmpl spells it. */
char *gen_spell_extern(void *ctx, const struct klp_extern *e)
{
	const struct gen *g = ctx;
	struct klp_tdata *d = klp_tdata__new();
	char *text = NULL;
	size_t len;
	int err = -ENOMEM;

	if (d && !klp_tdata__set(d, "name", e->name) &&
	    !klp_tdata__set(d, "symbol", e->symbol) &&
	    !klp_tdata__set(d, "object", e->object) &&
	    !klp_tdata__setf(d, "pos", "%lu", e->pos) &&
	    !klp_tdata__set(d, "type", e->type) &&
	    !klp_tdata__set_bool(d, "per_cpu", e->per_cpu))
		err = klp_template__render_file(gen_templates_dir(g), "extern.tmpl", d, &text, &len);
	klp_tdata__free(d);
	if (err)
		return NULL;
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	return text;
}

static unsigned int count_newlines(const char *s)
{
	unsigned int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* -D flags of the unit beyond the kernel's own, for Kbuild. */
static bool kbuild_flag(const char *a)
{
	static const char *const skip[] = {
		"-D__KERNEL__", "-DCC_USING_", "-DKBUILD_", "-D__KBUILD_", "-DMODULE",
		"-DCONFIG_", NULL,
	};
	size_t i;

	if (strncmp(a, "-D", 2))
		return false;
	for (i = 0; skip[i]; i++)
		if (!strncmp(a, skip[i], strlen(skip[i])))
			return false;
	return !strchr(a, '\'') && !strchr(a, '"') && !strchr(a, ' ') && !strchr(a, '$');
}

/*
 * Is the unit part of the kernel's source tree (so $(srctree)/DIR finds
 * its local headers), rather than an out-of-tree module's?
 */
static bool in_kernel_tree(const struct gen_unit *u)
{
	size_t nf = strlen(u->args->file), np = strlen(u->path);
	char *probe;
	bool yes;

	if (nf <= np)
		return false;
	if (asprintf(&probe, "%.*sscripts/Makefile.build", (int)(nf - np), u->args->file) < 0)
		return false;
	yes = !access(probe, R_OK);
	free(probe);
	return yes;
}

/*
 * Where the compiler finds header @path (in the tree) by its include
 * name: the include directory above it ("include", "arch/x86/include",
 * their "uapi"), else its own directory (a unit's local header, found
 * by the unit's -I of its directory).  malloc'd.
 */
static char *header_root(const char *path)
{
	const char *p = path, *end = NULL, *slash;

	while ((slash = strstr(p, "include/"))) {
		if (slash == path || slash[-1] == '/')
			end = slash + strlen("include");
		p = slash + 1;
	}
	if (end && !strncmp(end, "/uapi/", 6))
		end += strlen("/uapi");
	if (end)
		return strndup(path, end - path);
	slash = strrchr(path, '/');
	return slash ? strndup(path, slash - path) : strdup(".");
}

/*
 * The fix's changed headers, patched, are found before the kernel's
 * own: the units compile from the patched source, as the records of
 * what inlined them say they must.
 */
static int header_roots(struct gen *g, struct klp_tdata *root)
{
	size_t i, k;
	int err = 0;

	klp_tdata__set_list(root, "header_roots");
	err |= klp_tdata__set_bool(root, "has_headers", g->nr_headers > 0);
	for (i = 0; i < g->nr_headers; i++) {
		char *r = header_root(g->headers[i].path);
		bool dup = false;
		struct klp_tdata *e;

		if (!r)
			return -ENOMEM;
		for (k = 0; k < i && !dup; k++) {
			char *o = header_root(g->headers[k].path);

			dup = o && !strcmp(o, r);
			free(o);
		}
		e = dup ? NULL : klp_tdata__add(root, "header_roots");
		if (!dup && !e) {
			free(r);
			return -ENOMEM;
		}
		if (e && strcmp(r, "."))
			err |= klp_tdata__setf(e, "dir", "klp-tree/%s", r);
		else if (e)
			err |= klp_tdata__set(e, "dir", "klp-tree");
		free(r);
	}
	return err;
}

static int unit_data(struct gen *g, struct gen_unit *u, struct klp_tdata *d)
{
	const struct klp_extract *ex = u->ex;
	struct klp_tdata *e;
	char *dir = strdup(u->path), *slash;
	size_t i, last_include = (size_t)-1;
	bool has_cflags;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	err |= klp_tdata__set(d, "path", u->path);
	err |= klp_tdata__set(d, "dir", dir);
	err |= klp_tdata__set_bool(d, "in_tree", in_kernel_tree(u));
	/* Headers differ between built-in and module code (#ifndef MODULE). */
	err |= klp_tdata__set_bool(d, "builtin", u->obj == 0);
	err |= klp_tdata__set_bool(d, "unchanged", u->unchanged);
	err |= klp_tdata__setf(d, "file", "%s.c", u->flat);
	err |= klp_tdata__setf(d, "object", "%s.o", u->flat);
	err |= klp_tdata__set(d, "spdx", u->spdx ? u->spdx : "// SPDX-License-Identifier: GPL-2.0");
	free(dir);
	klp_tdata__set_list(d, "cflags");
	has_cflags = in_kernel_tree(u);
	for (i = 0; i < (size_t)u->args->argc; i++) {
		if (!kbuild_flag(u->args->argv[i]))
			continue;
		e = klp_tdata__add(d, "cflags");
		err |= e ? klp_tdata__set(e, "flag", u->args->argv[i]) : -ENOMEM;
		has_cflags = true;
	}
	err |= klp_tdata__set_bool(d, "has_cflags", has_cflags);
	klp_tdata__set_list(d, "funcs");
	for (i = 0; i < u->nr_funcs; i++) {
		e = klp_tdata__add(d, "funcs");
		if (!e)
			return -ENOMEM;
		err |= klp_tdata__set(e, "old_name", u->funcs[i].symbol);
		err |= klp_tdata__set(e, "new_name", u->funcs[i].new_name);
		err |= klp_tdata__set(e, "reason", u->funcs[i].reason);
	}
	klp_tdata__set_list(d, "externs");
	for (i = 0; i < ex->nr_externs; i++) {
		e = klp_tdata__add(d, "externs");
		if (!e)
			return -ENOMEM;
		err |= klp_tdata__set(e, "name", ex->externs[i].name);
		err |= klp_tdata__set(e, "object", ex->externs[i].object);
		err |= klp_tdata__setf(e, "pos", "%lu", ex->externs[i].pos);
	}

	/*
	 * The patch's header (KLP_PREP_EXTERN, the prototypes) goes after
	 * the last #include before the first declaration or function: a
	 * unit may #include more further down.
	 */
	for (i = 0; i < ex->nr_items; i++) {
		enum klp_item_kind k = ex->items[i].kind;

		if (k == KLP_ITEM_INCLUDE)
			last_include = i;
		else if (k != KLP_ITEM_MACRO && k != KLP_ITEM_TYPE)
			break;
	}
	klp_tdata__set_list(d, "items");
	for (i = 0; i < ex->nr_items; i++) {
		const struct klp_item *it = &ex->items[i], *prev = i ? &ex->items[i - 1] : NULL;
		bool blank = false;

		if (prev) {
			bool consecutive = prev->text &&
				it->line == prev->line + count_newlines(prev->text) + 1;
			bool funcs = it->kind == KLP_ITEM_FUNC || it->kind == KLP_ITEM_PATCHED ||
				     prev->kind == KLP_ITEM_FUNC || prev->kind == KLP_ITEM_PATCHED;

			blank = !(prev->kind == KLP_ITEM_EXTERN && it->kind == KLP_ITEM_EXTERN) &&
				!(prev->kind == KLP_ITEM_INCLUDE && it->kind == KLP_ITEM_INCLUDE) &&
				!(consecutive && !funcs);
		}
		e = klp_tdata__add(d, "items");
		if (!e)
			return -ENOMEM;
		err |= klp_tdata__set_bool(e, "blank", blank);
		if (it->kind == KLP_ITEM_EXTERN) {
			char *decl = gen_spell_extern(g, it->ext);

			err |= decl ? klp_tdata__set(e, "extern", decl) : -ENOMEM;
			free(decl);
		} else {
			err |= klp_tdata__set(e, "text", it->text);
		}
		if (i == last_include)
			err |= klp_tdata__set_bool(e, "own_header", true);
	}
	if (last_include == (size_t)-1)
		err |= klp_tdata__set_bool(d, "own_header_first", true);
	return err ? -ENOMEM : 0;
}

/* A position, "" when 0 (unique): templates leave it out then. */
static int sympos_value(struct klp_tdata *d, unsigned long pos)
{
	return pos ? klp_tdata__setf(d, "sympos", "%lu", pos) : klp_tdata__set(d, "sympos", "");
}

static int new_sympos_value(struct klp_tdata *d, unsigned long pos)
{
	return pos ? klp_tdata__setf(d, "new_sympos", "%lu", pos) :
		     klp_tdata__set(d, "new_sympos", "");
}

/* What the unit template needs of the patch as a whole. */
static int unit_root_names(struct gen *g, struct klp_tdata *d)
{
	int err = 0;

	err |= klp_tdata__set(d, "name", g->name);
	err |= klp_tdata__setf(d, "header", "livepatch_%s.h", g->name);
	err |= klp_tdata__set(d, "prefix", g->prefix);
	return err ? -ENOMEM : 0;
}

static int fill_data(struct gen *g, struct klp_tdata *root)
{
	struct klp_tdata *obj = NULL, *e, *s;
	size_t i, k, j, o;
	int err = 0;

	err |= klp_tdata__set(root, "name", g->name);
	err |= klp_tdata__setf(root, "module", "livepatch-%s", g->name);
	err |= klp_tdata__setf(root, "main_c", "livepatch_%s.c", g->name);
	err |= klp_tdata__setf(root, "main_o", "livepatch_%s.o", g->name);
	err |= klp_tdata__setf(root, "header", "livepatch_%s.h", g->name);
	{
		char *guard, *p;

		if (asprintf(&guard, "_LIVEPATCH_%s_H", g->name) < 0)
			return -ENOMEM;
		for (p = guard; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 'a' - 'A';
		err |= klp_tdata__set(root, "guard", guard);
		free(guard);
	}
	err |= klp_tdata__set_bool(root, "replace", g->opts->replace);
	{
		/* The first unit's license; a header takes the C comment. */
		const char *spdx = "// SPDX-License-Identifier: GPL-2.0";

		for (i = 0; i < g->nr_units; i++)
			if (g->units[i].spdx) {
				spdx = g->units[i].spdx;
				break;
			}
		err |= klp_tdata__set(root, "spdx", spdx);
		if (!strncmp(spdx, "// ", 3))
			err |= klp_tdata__setf(root, "spdx_h", "/* %s */", spdx + 3);
		else
			err |= klp_tdata__set(root, "spdx_h", spdx);
	}
	{
		const char *base = NULL;

		if (g->opts->diff) {
			base = strrchr(g->opts->diff, '/');
			base = base ? base + 1 : g->opts->diff;
		}
		err |= klp_tdata__set(root, "fix", base ? base : "patched files");
	}

	klp_tdata__set_list(root, "overrides");
	for (i = 0; i < g->nr_overrides; i++) {
		struct klp_tdata *o = klp_tdata__add(root, "overrides");

		err |= o ? klp_tdata__set(o, "text", g->overrides[i]) : -ENOMEM;
	}
	klp_tdata__set_list(root, "units");
	klp_tdata__set_list(root, "objects");
	klp_tdata__set_list(root, "prototypes");
	klp_tdata__set_list(root, "tags");
	klp_tdata__set_list(root, "funcs");
	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];

		if (!u->ex)
			continue;
		e = klp_tdata__add(root, "units");
		if (!e)
			return -ENOMEM;
		err = unit_data(g, u, e);
		if (err)
			return err;
		for (k = 0; k < u->ex->nr_patched; k++) {
			e = klp_tdata__add(root, "prototypes");
			if (!e)
				return -ENOMEM;
			err |= klp_tdata__set(e, "prototype", u->ex->patched[k].prototype);
			err |= klp_tdata__set(e, "path", u->path);
		}
		for (k = 0; k < u->ex->nr_tags; k++) {
			bool dup = false;

			for (j = 0; j < i && !dup; j++)
				dup = g->units[j].ex &&
				      gen_strv_has(g->units[j].ex->tags, g->units[j].ex->nr_tags,
					       u->ex->tags[k]);
			for (j = 0; j < k && !dup; j++)
				dup = !strcmp(u->ex->tags[j], u->ex->tags[k]);
			if (dup)
				continue;
			e = klp_tdata__add(root, "tags");
			if (!e)
				return -ENOMEM;
			err |= klp_tdata__set(e, "tag", u->ex->tags[k]);
		}
	}

	{
		bool subs = false;

		for (i = 0; i < g->nr_units; i++)
			for (k = 0; k < g->units[i].nr_funcs; k++)
				subs |= g->units[i].funcs[k].nr_subs > 0 && !g->opts->no_stack_only;
		subs |= g->opts->nr_new_side > 0;
		err |= klp_tdata__set_bool(root, "has_stack_only", subs);
	}
	{
		bool in_tree = false;

		for (i = 0; i < g->nr_units; i++)
			in_tree |= in_kernel_tree(&g->units[i]);
		err |= klp_tdata__set_bool(root, "has_in_tree", in_tree);
	}
	{
		bool tags = false;

		for (i = 0; i < g->nr_units; i++)
			tags |= g->units[i].ex && g->units[i].ex->nr_tags;
		err |= klp_tdata__set_bool(root, "has_tags", tags);
	}
	{
		bool per_cpu = false;

		for (i = 0; i < g->nr_units; i++)
			for (k = 0; g->units[i].ex && k < g->units[i].ex->nr_externs; k++)
				per_cpu |= g->units[i].ex->externs[k].per_cpu;
		err |= klp_tdata__set_bool(root, "has_per_cpu", per_cpu);
	}
	err |= header_roots(g, root);
	{
		bool syscall = false;

		for (i = 0; i < g->nr_units; i++)
			for (k = 0; g->units[i].ex && k < g->units[i].ex->nr_items; k++)
				syscall |= g->units[i].ex->items[k].text &&
					   strstr(g->units[i].ex->items[k].text, "SYSCALL_DEFINE");
		err |= klp_tdata__set_bool(root, "has_syscall", syscall);
	}

	klp_tdata__set_list(root, "callbacks");
	err |= klp_tdata__set_bool(root, "has_callbacks_file", g->callbacks_text != NULL);
	/* One klp_object per object with functions, vmlinux first. */
	for (o = 0; o < g->res->nr_objs; o++) {
		const struct klp_generate_object *go = &g->res->objs[o];
		char *ident = strdup(go->name), *p;

		obj = klp_tdata__add(root, "objects");
		if (!obj || !ident) {
			free(ident);
			return -ENOMEM;
		}
		for (p = ident; *p; p++)
			if (*p == '-')
				*p = '_';
		err |= klp_tdata__set(obj, "object", go->name);
		err |= klp_tdata__set(obj, "ident", ident);
		err |= klp_tdata__set_bool(obj, "is_vmlinux", !strcmp(go->name, "vmlinux"));
		free(ident);
		if (!err)
			err = gen_callbacks_object(g, root, obj, go->name);
		for (k = 0; k < go->nr_funcs; k++) {
			const struct klp_generate_func *f = &go->funcs[k];

			e = klp_tdata__add(obj, "funcs");
			if (!e)
				return -ENOMEM;
			err |= klp_tdata__set(e, "old_name", f->old_name);
			err |= klp_tdata__set(e, "new_name", f->new_name);
			err |= sympos_value(e, f->old_sympos);
			err |= klp_tdata__set(e, "reason", f->reason);
			err |= klp_tdata__set(e, "path", f->unit);
			klp_tdata__set_list(e, "subfuncs");
			klp_tdata__set_list(e, "covered");
			for (j = 0; j < f->nr_parts; j++) {
				const struct klp_generate_part *sp = &f->parts[j];

				if (sp->covered) {
					s = klp_tdata__add(e, "covered");
					if (!s)
						return -ENOMEM;
					err |= klp_tdata__set(s, "old_name", sp->old_name);
					err |= klp_tdata__set(s, "why", sp->why ? sp->why : "");
					err |= klp_tdata__set(s, "cover", sp->cover ? sp->cover : "");
					continue;
				}
				s = klp_tdata__add(e, "subfuncs");
				if (!s)
					return -ENOMEM;
				err |= klp_tdata__set(s, "old_name", sp->old_name ? sp->old_name : "");
				err |= sympos_value(s, sp->old_sympos);
				err |= klp_tdata__set(s, "why", sp->why ? sp->why : "");
				/* The new side: klp-prep build's to fill. */
				err |= klp_tdata__set(s, "new_name", sp->new_name ? sp->new_name : "");
				err |= new_sympos_value(s, sp->new_sympos);
			}
			/* SUSE's patched_funcs.csv: OBJ OLD[,POS] NEW */
			e = klp_tdata__add(root, "funcs");
			if (!e)
				return -ENOMEM;
			err |= klp_tdata__set(e, "object", go->name);
			err |= klp_tdata__set(e, "old_name", f->old_name);
			err |= klp_tdata__set(e, "new_name", f->new_name);
			err |= sympos_value(e, f->old_sympos);
		}
	}
	return err ? -ENOMEM : 0;
}

/* Render template @tmpl with @d into the output as @outname. */
static int render_to(struct gen *g, const char *tmpl, const struct klp_tdata *d,
		     const char *outname)
{
	size_t len;
	char *text;
	int err = klp_template__render_file(gen_templates_dir(g), tmpl, d, &text, &len);

	if (err)
		return err;
	err = gen_output_write(g, outname, text, len);
	free(text);
	return err;
}

int gen_render(struct gen *g)
{
	struct klp_tdata *root = klp_tdata__new();
	char *name = NULL;
	size_t i;
	int err;

	if (!root)
		return -ENOMEM;
	err = gen_callbacks_load(g);
	if (!err)
		err = fill_data(g, root);
	if (!err)
		err = gen_output_tmpdir(g);
	if (!err)
		err = asprintf(&name, "livepatch_%s.c", g->name) < 0 ? -ENOMEM : 0;
	if (!err)
		err = render_to(g, "livepatch.c.tmpl", root, name);
	free(name);
	name = NULL;
	if (!err)
		err = asprintf(&name, "livepatch_%s.h", g->name) < 0 ? -ENOMEM : 0;
	if (!err)
		err = render_to(g, "livepatch.h.tmpl", root, name);
	free(name);
	name = NULL;
	if (!err)
		err = render_to(g, "Kbuild.tmpl", root, "Kbuild");
	if (!err)
		err = gen_callbacks_write(g);
	if (!err)
		err = render_to(g, "patched_funcs.csv.tmpl", root, "patched_funcs.csv");
	for (i = 0; !err && i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];
		struct klp_tdata *d;

		if (!u->ex)
			continue;
		d = klp_tdata__new();
		err = d ? unit_data(g, u, d) : -ENOMEM;
		if (!err)
			err = unit_root_names(g, d);
		if (!err)
			err = asprintf(&name, "%s.c", u->flat) < 0 ? -ENOMEM : 0;
		if (!err)
			err = render_to(g, "unit.c.tmpl", d, name);
		free(name);
		name = NULL;
		klp_tdata__free(d);
	}
	for (i = 0; !err && i < g->nr_headers; i++) {
		err = asprintf(&name, "klp-tree/%s", g->headers[i].path) < 0 ? -ENOMEM : 0;
		if (!err)
			err = gen_output_write(g, name, g->headers[i].patched,
					       g->headers[i].patched_size);
		free(name);
		name = NULL;
	}
	klp_tdata__free(root);
	return err;
}
