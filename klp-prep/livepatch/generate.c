// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate.c - klp-prep generate: from a fix to a livepatch module source
 *
 * Passes, in order (klp_generate()):
 *   check_output	refuse to clobber an existing output without --force
 *   load_build		compile database, vmlinux symbols and exports, records
 *   load_fix		the fix's units: original and patched text, ranges
 *   parse_units	libclang, on the patched text
 *   find_patched	what to patch: klp-prep affected's closure on the
 *			records, or (no records) the changed functions
 *   extract_units	extract.h, per unit, with the symbols as the oracle
 *   render		the templates, into a temporary directory
 *   install		rename it into place
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <klp_prep/affected.h>
#include "compdb.h"
#include "diff.h"
#include "extract.h"
#include "generate.h"
#include <klp_prep/index.h>
#include "template.h"

#include "extract_log.h"
#include "generate_internal.h"
#include "source_file.h"

/* A subfunction of a patched function: a stack_only entry (old side). */
struct gen_subfunc {
	char *symbol;
	unsigned long sympos;
	char *why;			/* "cold part of foo" */
};

struct gen_func {
	char *origin;			/* source name */
	char *symbol;			/* old_name */
	char *new_name;			/* from the extraction (klpp_NAME, or
					 * a macro-made name) */
	unsigned long sympos;
	char *reason;
	struct gen_subfunc *subs;
	size_t nr_subs;
};

struct gen_unit {
	char *path;			/* in the tree: "fs/proc/cmdline.c" */
	char *flat;			/* "fs_proc_cmdline" */
	char *display;
	struct klp_compile_args *args;
	char *orig;			/* original text */
	size_t orig_size;
	char *patched;
	size_t patched_size;
	struct klp_line_range *old_ranges, *new_ranges;
	size_t nr_old_ranges, nr_new_ranges;
	char **changed;			/* changed functions (names) */
	size_t nr_changed;
	struct gen_func *funcs;		/* to patch */
	size_t nr_funcs;
	struct klp_tu *tu;
	struct klp_extract *ex;
	char *spdx;			/* the unit's SPDX line, or NULL */
	size_t obj;			/* into gen->objs */
	bool records;			/* its object has its records */
};

/* An object the fix patches: vmlinux (always objs[0]) or a module. */
struct gen_object {
	char *name;			/* as the livepatch core names it */
	char *path;			/* vmlinux or the .ko */
	struct gen_symtab *st;
};

struct gen {
	const struct klp_generate_opts *opts;
	char *name;
	const char *prefix;
	struct klp_compdb *db;
	struct gen_object *objs;
	size_t nr_objs;
	struct klp_index *ix;		/* records, NULL without */
	struct klp_affected *aff;
	struct gen_unit *units;
	size_t nr_units;
	unsigned int unsafe;		/* refusals */
	char **overrides;		/* refusals --allow-unsafe let through */
	size_t nr_overrides;
};

static int gen_err_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int gen_err_input(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	klp_gen_err("%s", s ? s : "error\n");
	free(s);
	return -EINVAL;
}

/* ---- templates location ------------------------------------------------ */

const char *klp_generate_default_templates(void)
{
	static char buf[PATH_MAX + 64];
	const char *env = getenv("KLP_PREP_TEMPLATES");
	char exe[PATH_MAX];
	ssize_t n;
	struct stat sb;

	if (env && *env)
		return env;
	/* Installed: BINDIR/../share/klp-prep/templates. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, sizeof(buf), "%s/../share/klp-prep/templates", exe);
			if (!stat(buf, &sb) && S_ISDIR(sb.st_mode))
				return buf;
		}
	}
#ifdef KLP_PREP_SOURCE_TEMPLATES
	return KLP_PREP_SOURCE_TEMPLATES;
#else
	return "/usr/share/klp-prep/templates";
#endif
}

/* ---- small helpers ------------------------------------------------------ */

static char *flat_name(const char *path)
{
	char *s = strdup(path), *p, *dot;

	if (!s)
		return NULL;
	dot = strrchr(s, '.');
	if (dot)
		*dot = '\0';
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			*p = '_';
	return s;
}

/* The livepatch's name: a C identifier fragment. */
static char *patch_name(const struct klp_generate_opts *o)
{
	const char *src = o->name;
	char *s, *p;

	if (!src && o->diff) {
		const char *slash = strrchr(o->diff, '/');

		src = slash ? slash + 1 : o->diff;
	}
	if (!src)
		src = "patch";
	s = strdup(src);
	if (!s)
		return NULL;
	if (!o->name) {
		/* "0001-proc-fix.patch" -> "0001_proc_fix" */
		p = strrchr(s, '.');
		if (p && p != s && (!strcmp(p, ".patch") || !strcmp(p, ".diff")))
			*p = '\0';
	}
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			*p = '_';
	return s;
}

static int strv_push(char ***v, size_t *n, const char *s)
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

static bool strv_has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Does path @a end with the tree path @b at a '/' (or equal it)? */
static bool same_unit(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	while (!strncmp(a, "./", 2))
		a += 2, na -= 2;
	while (!strncmp(b, "./", 2))
		b += 2, nb -= 2;
	if (na == nb)
		return !strcmp(a, b);
	if (na > nb)
		return !strcmp(a + na - nb, b) && a[na - nb - 1] == '/';
	return !strcmp(b + nb - na, a) && b[nb - na - 1] == '/';
}

/* ---- passes ------------------------------------------------------------- */

static int check_output(struct gen *g)
{
	struct stat sb;

	if (!g->opts->output || !*g->opts->output)
		return gen_err_input("error: no output directory given\n");
	if (!stat(g->opts->output, &sb) && !g->opts->force) {
		klp_gen_err("%s: error: exists; pass --force to replace it\n", g->opts->output);
		return -EEXIST;
	}
	return 0;
}

static int add_object(struct gen *g, const char *name, const char *path,
		      bool is_module, const char *symvers)
{
	struct gen_object *o = realloc(g->objs, (g->nr_objs + 1) * sizeof(*o));
	int err;

	if (!o)
		return -ENOMEM;
	g->objs = o;
	o = &g->objs[g->nr_objs];
	memset(o, 0, sizeof(*o));
	o->name = strdup(name);
	o->path = strdup(path);
	if (!o->name || !o->path) {
		free(o->name);
		free(o->path);
		return -ENOMEM;
	}
	g->nr_objs++;
	err = gen_symtab__open(path, name, is_module, symvers, &o->st);
	return err == -ENOMEM ? err : err ? -EINVAL : 0;
}

static int load_build(struct gen *g)
{
	const char *dir = g->opts->build_dir;
	char *vmlinux = NULL, *symvers = NULL;
	int err;

	if (!dir)
		return gen_err_input("error: no kernel build directory given\n");
	err = klp_compdb__open(g->opts->compdb_dir ? g->opts->compdb_dir : dir, &g->db);
	if (err)
		return err == -ENOMEM ? err : -EINVAL;
	if (asprintf(&vmlinux, "%s/vmlinux", dir) < 0 ||
	    asprintf(&symvers, "%s/Module.symvers", dir) < 0) {
		free(vmlinux);
		return -ENOMEM;
	}
	err = add_object(g, "vmlinux", vmlinux, false, symvers);
	free(vmlinux);
	free(symvers);
	return err;
}

/*
 * The object a unit was linked into: a module when it was compiled with
 * -DMODULE (its name from KBUILD_MODNAME, the .ko beside its object),
 * else vmlinux.
 */
static int unit_object(struct gen *g, struct gen_unit *u)
{
	const char *modname = NULL;
	bool module = false;
	char *name, *p, *ko = NULL, *dir;
	size_t i;
	int k, err = 0;

	for (k = 0; k < u->args->argc; k++) {
		const char *a = u->args->argv[k];

		if (!strcmp(a, "-DMODULE"))
			module = true;
		else if (!strncmp(a, "-DKBUILD_MODNAME=", 17))
			modname = a + 17;
	}
	u->obj = 0;
	if (!module)
		return 0;
	if (!modname) {
		klp_gen_err("%s: error: compiled for a module without -DKBUILD_MODNAME\n",
			    u->display);
		return -EINVAL;
	}
	name = strdup(modname + (*modname == '"' ? 1 : 0));
	if (!name)
		return -ENOMEM;
	p = strchr(name, '"');
	if (p)
		*p = '\0';
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	for (i = 0; i < g->nr_objs; i++)
		if (!strcmp(g->objs[i].name, name)) {
			u->obj = i;
			free(name);
			return 0;
		}
	/* Out of tree, the .ko is beside the source; in tree, under O=. */
	dir = strdup(u->args->file);
	if (!dir) {
		free(name);
		return -ENOMEM;
	}
	p = strrchr(dir, '/');
	if (p)
		*p = '\0';
	if (asprintf(&ko, "%s/%s.ko", dir, name) < 0)
		ko = NULL;
	free(dir);
	if (ko && access(ko, R_OK)) {
		char *rel = strdup(u->path);

		free(ko);
		ko = NULL;
		if (rel) {
			p = strrchr(rel, '/');
			if (p)
				*p = '\0';
			if (asprintf(&ko, "%s/%s/%s.ko", g->opts->build_dir, p ? rel : ".", name) < 0)
				ko = NULL;
			free(rel);
		}
	}
	if (!ko) {
		free(name);
		return -ENOMEM;
	}
	if (access(ko, R_OK)) {
		klp_gen_err("%s: error: it is part of module %s, but %s is not there; "
			    "build the module first\n", u->display, name, ko);
		err = -EINVAL;
	} else {
		err = add_object(g, name, ko, true, NULL);
		u->obj = g->nr_objs - 1;
	}
	free(name);
	free(ko);
	return err;
}

/* Does @ix hold records of unit @u in @u's object? */
static bool unit_has_records(const struct gen *g, const struct gen_unit *u)
{
	size_t i, k;

	for (i = 0; i < klp_index__nr_objects(g->ix); i++) {
		const struct klp_index_object *o = klp_index__object(g->ix, i);

		if (strcmp(o->path, g->objs[u->obj].path) && strcmp(o->name, g->objs[u->obj].name))
			continue;
		for (k = 0; k < o->nr_units; k++)
			if (o->units[k]->source && same_unit(o->units[k]->source, u->path))
				return true;
	}
	return false;
}

/* The partition records of every object, when built with the plugin. */
static int load_records(struct gen *g)
{
	struct klp_index_options io = { .cache = "" };
	const char **paths;
	size_t i;
	int err;

	for (i = 0; i < g->nr_units; i++) {
		err = unit_object(g, &g->units[i]);
		if (err)
			return err;
	}
	paths = calloc(g->nr_objs, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (i = 0; i < g->nr_objs; i++)
		paths[i] = g->objs[i].path;
	if (klp_index__open_files(paths, g->nr_objs, &io, &g->ix))
		g->ix = NULL;
	free(paths);
	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];

		u->records = g->ix && unit_has_records(g, u);
		if (!u->records)
			klp_gen_warn("%s: warning: no partition records of it in %s (built without "
				     "the klp-prep plugin): only the changed functions are patched, "
				     "callers that inlined them are not found, .cold parts come "
				     "from the symbol table\n", u->display, g->objs[u->obj].path);
	}
	return 0;
}

static struct gen_unit *add_unit(struct gen *g, const char *path)
{
	struct gen_unit *u = realloc(g->units, (g->nr_units + 1) * sizeof(*u));

	if (!u)
		return NULL;
	g->units = u;
	u = &g->units[g->nr_units++];
	memset(u, 0, sizeof(*u));
	u->path = strdup(path);
	u->flat = flat_name(path);
	u->display = strdup(path);
	if (!u->path || !u->flat || !u->display)
		return NULL;
	return u;
}

static int unit_sources(struct gen *g, struct gen_unit *u)
{
	int err = klp_compdb__find(g->db, u->path, &u->args);

	if (err)
		return err == -ENOMEM ? err : -EINVAL;
	err = klp_gen_read_source(u->args->file, &u->orig, &u->orig_size);
	if (err)
		return err == -ENOMEM ? err : -EINVAL;
	if (!strncmp(u->orig, "// SPDX-License-Identifier:", 27) ||
	    !strncmp(u->orig, "/* SPDX-License-Identifier:", 27)) {
		size_t n = strcspn(u->orig, "\n");

		u->spdx = strndup(u->orig, n);
		if (!u->spdx)
			return -ENOMEM;
	}
	return 0;
}

static bool is_c_file(const char *p)
{
	size_t n = strlen(p);

	return n > 2 && !strcmp(p + n - 2, ".c");
}

static int load_fix(struct gen *g)
{
	const struct klp_generate_opts *o = g->opts;
	struct klp_diff *d = NULL;
	size_t i;
	int err = 0;

	if (!!o->diff == !!o->nr_patched)
		return gen_err_input("error: give either a diff or patched files\n");

	if (o->diff) {
		err = klp_diff__parse_file(o->diff, o->strip < 0 ? 1 : o->strip, &d);
		if (err)
			return err == -ENOMEM ? err : -EINVAL;
		for (i = 0; i < d->nr_files && !err; i++) {
			struct klp_diff_file *f = &d->files[i];
			struct gen_unit *u;

			if (!f->old_path || !f->new_path) {
				err = gen_err_input("%s: error: %s is %s by the fix; a livepatch "
						    "cannot add or remove files\n", o->diff,
						    f->old_path ? f->old_path : f->new_path,
						    f->old_path ? "deleted" : "created");
				break;
			}
			if (!is_c_file(f->new_path)) {
				err = gen_err_input("%s: error: %s is not a .c file; changes to "
						    "headers are not supported yet (patch the "
						    "units that use the change)\n", o->diff, f->new_path);
				break;
			}
			u = add_unit(g, f->new_path);
			if (!u) {
				err = -ENOMEM;
				break;
			}
			err = unit_sources(g, u);
			if (!err)
				err = klp_diff_file__apply(f, u->orig, u->orig_size,
							   &u->patched, &u->patched_size);
			if (err == -EILSEQ)
				err = gen_err_input("%s: error: the fix does not apply to %s "
						    "(the build's source)\n", o->diff, u->args->file);
			if (err)
				break;
			u->old_ranges = malloc((f->nr_old_ranges + 1) * sizeof(*u->old_ranges));
			u->new_ranges = malloc((f->nr_new_ranges + 1) * sizeof(*u->new_ranges));
			if (!u->old_ranges || !u->new_ranges) {
				err = -ENOMEM;
				break;
			}
			memcpy(u->old_ranges, f->old_ranges, f->nr_old_ranges * sizeof(*u->old_ranges));
			memcpy(u->new_ranges, f->new_ranges, f->nr_new_ranges * sizeof(*u->new_ranges));
			u->nr_old_ranges = f->nr_old_ranges;
			u->nr_new_ranges = f->nr_new_ranges;
		}
		klp_diff__free(d);
		return err;
	}

	for (i = 0; i < o->nr_patched && !err; i++) {
		const char *eq = strchr(o->patched[i], '=');
		struct gen_unit *u;
		char *tree;

		if (!eq || eq == o->patched[i] || !eq[1])
			return gen_err_input("error: '%s': give patched files as TREE/PATH.c=FILE\n",
					     o->patched[i]);
		tree = strndup(o->patched[i], eq - o->patched[i]);
		if (!tree)
			return -ENOMEM;
		if (!is_c_file(tree)) {
			free(tree);
			return gen_err_input("error: '%s' is not a .c file\n", o->patched[i]);
		}
		u = add_unit(g, tree);
		free(tree);
		if (!u)
			return -ENOMEM;
		err = unit_sources(g, u);
		if (!err)
			err = klp_gen_read_source(eq + 1, &u->patched, &u->patched_size);
		if (err)
			return err == -ENOMEM ? err : -EINVAL;
		/* Without names, the changed lines tell, as a diff's would. */
		if (!o->nr_functions) {
			struct klp_diff *dt;

			err = klp_diff__from_texts(u->path, u->orig, u->orig_size, u->patched,
						   u->patched_size, &dt);
			if (err)
				return err == -ENOMEM ? err : -EINVAL;
			u->old_ranges = dt->files[0].old_ranges;
			u->new_ranges = dt->files[0].new_ranges;
			u->nr_old_ranges = dt->files[0].nr_old_ranges;
			u->nr_new_ranges = dt->files[0].nr_new_ranges;
			dt->files[0].old_ranges = dt->files[0].new_ranges = NULL;
			klp_diff__free(dt);
		}
	}
	return 0;
}

static int parse_units(struct gen *g)
{
	size_t i;
	int err;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];
		struct klp_parse_opts po = {
			.file = u->args->file,
			.display_name = u->display,
			.argv = (const char *const *)u->args->argv,
			.argc = u->args->argc,
			.contents = u->patched,
			.size = u->patched_size,
		};

		err = klp_tu__parse(&po, &u->tu);
		if (err)
			return err == -ENOMEM ? err : -EINVAL;
	}
	return 0;
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
			bool mine = file && same_unit(u->path, file);

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
		if (!strv_has(u->changed, u->nr_changed, spec)) {
			err = strv_push(&u->changed, &u->nr_changed, spec);
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
static char *tree_relative(const struct gen_unit *u, const char *text)
{
	size_t nf = strlen(u->args->file), np = strlen(u->path), nr;
	char *root, *out, *p;

	if (nf <= np)
		return strdup(text);
	nr = nf - np;
	root = strndup(u->args->file, nr);
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

static int add_func(struct gen_unit *u, const char *origin, const char *symbol,
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

static int add_sub(struct gen_func *f, const char *symbol, unsigned long sympos,
		   const char *why)
{
	struct gen_subfunc *s = realloc(f->subs, (f->nr_subs + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	f->subs = s;
	s = &s[f->nr_subs++];
	s->symbol = strdup(symbol);
	s->sympos = sympos;
	s->why = strdup(why);
	return s->symbol && s->why ? 0 : -ENOMEM;
}

/* With records: klp-prep affected's closure. */
/* ---- refusals and their overrides (--allow-unsafe) --------------------- */

int klp_generate_parse_allow(const char *kinds, unsigned int *flags)
{
	static const struct { const char *name; unsigned int flag; } names[] = {
		{ "type", KLP_ALLOW_TYPE }, { "data", KLP_ALLOW_DATA },
		{ "init", KLP_ALLOW_INIT }, { "notrace", KLP_ALLOW_NOTRACE },
		{ "all", KLP_ALLOW_TYPE | KLP_ALLOW_DATA | KLP_ALLOW_INIT | KLP_ALLOW_NOTRACE },
	};
	const char *p = kinds;

	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && !strncmp(p, names[i].name, n))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return gen_err_input("error: --allow-unsafe: unknown kind '%.*s' "
					     "(type, data, init, notrace or all)\n", (int)n, p);
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

static int add_override(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Note an override: warned now, a comment in livepatch_NAME.c later. */
static int add_override(struct gen *g, const char *fmt, ...)
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
	klp_gen_warn("warning: --allow-unsafe: %s\n", v[g->nr_overrides]);
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
		bool whole = false, record = d[i].kind == KLP_DATA_RECORD;
		unsigned int allow = record ? KLP_ALLOW_TYPE : KLP_ALLOW_DATA;
		const char *what = record ? "the layout of" : "the type or initializer of";

		for (r = 0; r < u->nr_new_ranges; r++)
			if (u->new_ranges[r].first <= d[i].first &&
			    u->new_ranges[r].last >= d[i].last)
				whole = true;
		if (whole && *d[i].name && !text_has_ident(u->orig, u->orig_size, d[i].name))
			continue;	/* new: the module's own */
		if (g->opts->allow_unsafe & allow) {
			err = add_override(g, "%s:%u: the fix changes %s %s%s %s (kind %s); "
					   "the running kernel keeps the old one", u->display,
					   d[i].first, what, d[i].tag, record ? "" : " variable",
					   *d[i].name ? d[i].name : "(anonymous)",
					   record ? "type" : "data");
			continue;
		}
		if (record)
			klp_gen_err("%s:%u: error: the fix changes the definition of %s %s: "
				    "unchanged functions and the running kernel's data keep the "
				    "old layout, so old and new code would disagree on it; keep "
				    "the layout and put new fields in a shadow variable "
				    "(klp_shadow_alloc), or pass --allow-unsafe=type if the "
				    "layout provably stays the same\n", u->display, d[i].first,
				    d[i].tag, *d[i].name ? d[i].name : "(anonymous)");
		else
			klp_gen_err("%s:%u: error: the fix changes %s variable '%s': a livepatch "
				    "cannot change data, the running kernel keeps its old type "
				    "and value; use a shadow variable (klp_shadow_*) for new "
				    "state, set the value from a pre-patch callback "
				    "(klp_callbacks), or pass --allow-unsafe=data if the "
				    "change only matters at boot\n", u->display, d[i].first,
				    d[i].tag, d[i].name);
		g->unsafe++;
	}
	klp_data_decls_free(d, n);
	return err;
}

static int affected_closure(struct gen *g)
{
	size_t i, k, n;
	char buf[512];
	int err;

	g->aff = klp_affected__new();
	if (!g->aff)
		return -ENOMEM;
	err = klp_index__add_to(g->ix, g->aff);
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
				klp_gen_info("%s: '%s' has no code in the original build\n",
					     u->display, u->changed[k]);
				err = 0;
			}
			if (err)
				return err == -ENOMEM ? err : -EINVAL;
		}
	}
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
			char *where = g->nr_units ? tree_relative(&g->units[0],
								  nd->file ? nd->file : nd->unit)
						  : NULL;

			err = add_override(g, "'%s' (%s:%u) left out of the patch: %s",
					   nd->symbol, where ? where : nd->file ? nd->file : nd->unit,
					   nd->line, nd->unpatchable);
			free(where);
			if (err)
				return err;
			continue;
		}
		if (nd->state == KLP_NODE_UNPATCHABLE) {
			char *where = g->nr_units ? tree_relative(&g->units[0],
								  nd->file ? nd->file : nd->unit)
						  : NULL;

			unsigned int kind = unpatchable_allow(nd->unpatchable);
			bool chain = nd->nr_reasons && nd->reasons[0].kind != KLP_REASON_CHANGED;
			char *because = chain && g->nr_units ?
				tree_relative(&g->units[0], klp_affected_reason__format(
						nd, &nd->reasons[0], buf, sizeof(buf))) : NULL;

			/* Why it is in the set, and what the author can do. */
			klp_gen_err("%s:%u: error: '%s' cannot be livepatched safely: %s%s%s%s\n",
				    where ? where : nd->file ? nd->file : nd->unit, nd->line,
				    nd->symbol, nd->unpatchable ? nd->unpatchable : "?",
				    because ? "; it must be patched because " : "",
				    because ? because : "",
				    kind == KLP_ALLOW_INIT ?
				    "; if the fix only matters while the kernel boots or unloads, "
				    "leave it out with --allow-unsafe=init, else patch the code that "
				    "runs later" :
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
			if (nd->unit && g->units[i].records && same_unit(nd->unit, g->units[i].path))
				u = &g->units[i];
		if (!u) {
			klp_gen_err("%s: error: '%s' must be patched too (%s), but its unit is not "
				    "part of the fix; klp-prep generate does not extract from "
				    "unchanged units yet\n", nd->unit ? nd->unit : "?", nd->symbol,
				    nd->nr_reasons ? klp_affected_reason__format(nd, &nd->reasons[0],
										buf, sizeof(buf)) : "?");
			g->unsafe++;
			continue;
		}
		if (strcmp(nd->object, g->objs[u->obj].name)) {
			klp_gen_err("%s: error: '%s' is in %s, but the unit was linked into %s\n",
				    u->display, nd->symbol, nd->object, g->objs[u->obj].name);
			g->unsafe++;
			continue;
		}
		err = add_func(u, nd->origin, nd->symbol, nd->sympos,
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
			err = rel ? add_sub(f, sf->symbol, sf->sympos, rel) : -ENOMEM;
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
				klp_gen_err("%s: error: '%s' has no symbol in %s (inlined or "
					    "cloned); without partition records its callers cannot "
					    "be found: rebuild the kernel with the klp-prep plugin\n",
					    u->display, name, g->objs[u->obj].name);
				g->unsafe++;
				continue;
			}
			snprintf(cname, sizeof(cname), "%s: changed (%s)", name, u->path);
			err = add_func(u, name, name, gen_symtab__sympos(st, s), cname, &f);
			snprintf(cname, sizeof(cname), "%s.cold", name);
			cold = err ? NULL : gen_unit_oracle__local(&uo, cname, STT_FUNC);
			if (cold)
				err = add_sub(f, cname, gen_symtab__sympos(st, cold), "cold of ");
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

static int find_patched(struct gen *g)
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
		if (!err && !g->opts->nr_functions)
			err = check_data(g, u);
		if (err)
			return err;
		if (!u->nr_changed) {
			klp_gen_err("%s: error: the fix changes no function of it (only "
				    "declarations, data or macros?); nothing a livepatch can replace\n",
				    u->display);
			g->unsafe++;
		}
	}
	if (g->unsafe)
		return KLP_GENERATE_UNSAFE;
	/* Units with records: klp-prep affected; the others: symbols. */
	err = 0;
	for (i = 0; i < g->nr_units; i++)
		if (g->units[i].records) {
			err = affected_closure(g);
			break;
		}
	if (!err)
		err = symbol_closure(g);
	if (err)
		return err;
	return g->unsafe ? KLP_GENERATE_UNSAFE : 0;
}

static const char *templates_dir(const struct gen *g)
{
	return g->opts->templates ? g->opts->templates : klp_generate_default_templates();
}

/* One externalized declaration, as templates/extern.tmpl spells it. */
static char *spell_extern(void *ctx, const struct klp_extern *e)
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
	    !klp_tdata__set(d, "type", e->type))
		err = klp_template__render_file(templates_dir(g), "extern.tmpl", d, &text, &len);
	klp_tdata__free(d);
	if (err)
		return NULL;
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	return text;
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

static int extract_units(struct gen *g)
{
	size_t i, k;
	int err = 0;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];
		struct gen_unit_oracle uo;
		struct klp_extract_opts eo = {
			.prefix = g->prefix,
			.spell_extern = spell_extern,
			.spell_ctx = g,
		};
		const char **names;
		char **new_names = NULL;

		if (!u->nr_funcs)
			continue;
		names = calloc(u->nr_funcs, sizeof(*names));
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

/* ---- render -------------------------------------------------------------- */

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
			char *decl = spell_extern(g, it->ext);

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

/* What the unit template needs of the patch as a whole. */
static int new_sympos_value(struct klp_tdata *d, unsigned long pos)
{
	return pos ? klp_tdata__setf(d, "new_sympos", "%lu", pos) :
		     klp_tdata__set(d, "new_sympos", "");
}

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
				      strv_has(g->units[j].ex->tags, g->units[j].ex->nr_tags,
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
				subs |= g->units[i].funcs[k].nr_subs > 0;
		subs |= g->opts->nr_new_side > 0;
		err |= klp_tdata__set_bool(root, "has_stack_only", subs);
	}
	{
		bool tags = false;

		for (i = 0; i < g->nr_units; i++)
			tags |= g->units[i].ex && g->units[i].ex->nr_tags;
		err |= klp_tdata__set_bool(root, "has_tags", tags);
	}

	/* One klp_object per object with functions, vmlinux first. */
	for (o = 0; o < g->nr_objs; o++) {
		const struct gen_object *go = &g->objs[o];

		obj = NULL;
		for (i = 0; i < g->nr_units; i++) {
			struct gen_unit *u = &g->units[i];

			if (u->obj != o)
				continue;
			for (k = 0; k < u->nr_funcs; k++) {
				const struct gen_func *f = &u->funcs[k];
				char *ident, *p;

				if (!obj) {
					obj = klp_tdata__add(root, "objects");
					if (!obj || !(ident = strdup(go->name)))
						return -ENOMEM;
					for (p = ident; *p; p++)
						if (*p == '-')
							*p = '_';
					err |= klp_tdata__set(obj, "object", go->name);
					err |= klp_tdata__set(obj, "ident", ident);
					err |= klp_tdata__set_bool(obj, "is_vmlinux", o == 0);
					free(ident);
				}
				e = klp_tdata__add(obj, "funcs");
				if (!e)
					return -ENOMEM;
				err |= klp_tdata__set(e, "old_name", f->symbol);
				err |= klp_tdata__set(e, "new_name", f->new_name);
				err |= sympos_value(e, f->sympos);
				err |= klp_tdata__set(e, "reason", f->reason);
				err |= klp_tdata__set(e, "path", u->path);
				klp_tdata__set_list(e, "subfuncs");
				for (j = 0; j < f->nr_subs; j++) {
					const struct klp_generate_subfunc *ns =
						new_side_of(g, go->name, f, f->subs[j].symbol,
							    f->subs[j].sympos);

					s = klp_tdata__add(e, "subfuncs");
					if (!s)
						return -ENOMEM;
					err |= klp_tdata__set(s, "old_name", f->subs[j].symbol);
					err |= sympos_value(s, f->subs[j].sympos);
					err |= klp_tdata__set(s, "why", f->subs[j].why);
					/* The new side: klp-prep build's to fill. */
					err |= klp_tdata__set(s, "new_name", ns ? ns->new_name : "");
					err |= new_sympos_value(s, ns ? ns->new_sympos : 0);
				}
				/* Parts only the new code has: no old side. */
				for (j = 0; j < g->opts->nr_new_side; j++) {
					const struct klp_generate_subfunc *ns = &g->opts->new_side[j];

					if (ns->old_name || !new_side_parent(ns, go->name, f))
						continue;
					s = klp_tdata__add(e, "subfuncs");
					if (!s)
						return -ENOMEM;
					err |= klp_tdata__set(s, "old_name", "");
					err |= klp_tdata__set(s, "sympos", "");
					err |= klp_tdata__set(s, "why", ns->why ? ns->why : "");
					err |= klp_tdata__set(s, "new_name", ns->new_name);
					err |= new_sympos_value(s, ns->new_sympos);
				}
				/* SUSE's patched_funcs.csv: OBJ OLD[,POS] NEW */
				e = klp_tdata__add(root, "funcs");
				if (!e)
					return -ENOMEM;
				err |= klp_tdata__set(e, "object", go->name);
				err |= klp_tdata__set(e, "old_name", f->symbol);
				err |= klp_tdata__set(e, "new_name", f->new_name);
				err |= sympos_value(e, f->sympos);
			}
		}
	}
	return err ? -ENOMEM : 0;
}

static int write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char *path;
	FILE *f;
	int err = 0;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len) {
		err = -errno;
		klp_gen_err("%s: error: %s\n", path, strerror(errno));
	}
	if (f && fclose(f) && !err) {
		err = -errno;
		klp_gen_err("%s: error: %s\n", path, strerror(errno));
	}
	free(path);
	return err;
}

static int render_to(const char *tdir, const char *tmpl, const struct klp_tdata *d,
		     const char *outdir, const char *outname)
{
	size_t len;
	char *text;
	int err = klp_template__render_file(tdir, tmpl, d, &text, &len);

	if (err)
		return err;
	err = write_file(outdir, outname, text, len);
	free(text);
	return err;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int rm_rf(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
}

static int render(struct gen *g, char **tmpdir)
{
	const char *tdir = templates_dir(g);
	struct klp_tdata *root = klp_tdata__new();
	char *name = NULL;
	size_t i;
	int err;

	*tmpdir = NULL;
	if (!root)
		return -ENOMEM;
	err = fill_data(g, root);
	if (err)
		goto out;
	if (asprintf(tmpdir, "%s.tmp-XXXXXX", g->opts->output) < 0) {
		*tmpdir = NULL;
		err = -ENOMEM;
		goto out;
	}
	if (!mkdtemp(*tmpdir)) {
		err = -errno;
		klp_gen_err("%s: error: cannot make a temporary directory: %s\n", *tmpdir,
			    strerror(errno));
		free(*tmpdir);
		*tmpdir = NULL;
		goto out;
	}
	chmod(*tmpdir, 0755);
	err = asprintf(&name, "livepatch_%s.c", g->name) < 0 ? -ENOMEM : 0;
	if (!err)
		err = render_to(tdir, "livepatch.c.tmpl", root, *tmpdir, name);
	free(name);
	name = NULL;
	if (!err)
		err = asprintf(&name, "livepatch_%s.h", g->name) < 0 ? -ENOMEM : 0;
	if (!err)
		err = render_to(tdir, "livepatch.h.tmpl", root, *tmpdir, name);
	free(name);
	name = NULL;
	if (!err)
		err = render_to(tdir, "Kbuild.tmpl", root, *tmpdir, "Kbuild");
	if (!err)
		err = render_to(tdir, "patched_funcs.csv.tmpl", root, *tmpdir, "patched_funcs.csv");
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
			err = render_to(tdir, "unit.c.tmpl", d, *tmpdir, name);
		free(name);
		name = NULL;
		klp_tdata__free(d);
	}
out:
	klp_tdata__free(root);
	if (err && *tmpdir) {
		rm_rf(*tmpdir);
		free(*tmpdir);
		*tmpdir = NULL;
	}
	return err;
}

static int install(struct gen *g, const char *tmpdir)
{
	const char *out = g->opts->output;
	struct stat sb;
	char *old = NULL;
	int err = 0;

	if (!stat(out, &sb)) {
		if (!g->opts->force) {
			klp_gen_err("%s: error: appeared meanwhile; not replaced\n", out);
			return -EEXIST;
		}
		/*
		 * Swap both in one step, so that a run killed at any point
		 * leaves the old output or the new one in place, never none;
		 * the old one is then removed under the temporary name.  Only
		 * where the file system cannot exchange, move it aside first.
		 */
		if (!renameat2(AT_FDCWD, tmpdir, AT_FDCWD, out, RENAME_EXCHANGE)) {
			rm_rf(tmpdir);
			return 0;
		}
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
			err = -errno;
			klp_gen_err("%s: error: cannot replace it with %s: %s\n", out, tmpdir,
				    strerror(errno));
			return err;
		}
		if (asprintf(&old, "%s.old-%d", out, (int)getpid()) < 0)
			return -ENOMEM;
		if (rename(out, old)) {
			err = -errno;
			klp_gen_err("%s: error: cannot move it aside: %s\n", out, strerror(errno));
			free(old);
			return err;
		}
	}
	if (rename(tmpdir, out)) {
		err = -errno;
		klp_gen_err("%s: error: cannot rename %s to it: %s\n", out, tmpdir, strerror(errno));
		if (old)
			rename(old, out);
	} else if (old) {
		rm_rf(old);
	}
	free(old);
	return err;
}

static void gen_free(struct gen *g)
{
	size_t i, k, j;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];

		free(u->path);
		free(u->flat);
		free(u->display);
		klp_compile_args__free(u->args);
		free(u->args);
		free(u->orig);
		free(u->patched);
		free(u->old_ranges);
		free(u->new_ranges);
		klp_strv_free(u->changed, u->nr_changed);
		for (k = 0; k < u->nr_funcs; k++) {
			free(u->funcs[k].origin);
			free(u->funcs[k].symbol);
			free(u->funcs[k].new_name);
			free(u->funcs[k].reason);
			for (j = 0; j < u->funcs[k].nr_subs; j++) {
				free(u->funcs[k].subs[j].symbol);
				free(u->funcs[k].subs[j].why);
			}
			free(u->funcs[k].subs);
		}
		free(u->funcs);
		klp_extract__free(u->ex);
		klp_tu__free(u->tu);
		free(u->spdx);
	}
	free(g->units);
	klp_strv_free(g->overrides, g->nr_overrides);
	klp_affected__free(g->aff);
	klp_index__free(g->ix);
	for (i = 0; i < g->nr_objs; i++) {
		free(g->objs[i].name);
		free(g->objs[i].path);
		gen_symtab__free(g->objs[i].st);
	}
	free(g->objs);
	klp_compdb__free(g->db);
	free(g->name);
}

int klp_generate(const struct klp_generate_opts *opts)
{
	struct gen g = { .opts = opts };
	char *tmpdir = NULL;
	int err;

	g.prefix = opts->prefix ? opts->prefix : "klpp_";
	g.name = patch_name(opts);
	if (!g.name)
		return -ENOMEM;

	err = check_output(&g);
	if (!err)
		err = load_build(&g);
	if (!err)
		err = load_fix(&g);
	if (!err)
		err = load_records(&g);
	if (!err)
		err = parse_units(&g);
	if (!err)
		err = find_patched(&g);
	if (!err)
		err = extract_units(&g);
	if (!err)
		err = render(&g, &tmpdir);
	if (!err)
		err = install(&g, tmpdir);
	if (err && tmpdir)
		rm_rf(tmpdir);
	free(tmpdir);
	gen_free(&g);
	return err;
}
