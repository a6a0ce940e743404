// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_load.c - what klp_generate() starts from: the kernel build
 * (compile database, the objects' symbols, the partition records) and
 * the fix (per unit: original and patched text, the changed lines),
 * parsed by libclang
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <klp_prep/index.h>
#include <klp_prep/object.h>
#include "compdb.h"
#include "diff.h"
#include "extract.h"
#include "generate.h"

#include "log.h"
#include "generate_internal.h"
#include "header_change.h"
#include "shipped.h"
#include "source_file.h"

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


bool gen_same_unit(const char *a, const char *b)
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

int gen_load_build(struct gen *g)
{
	const char *dir = g->opts->build_dir;
	char *vmlinux = NULL, *symvers = NULL;
	int err;

	if (!dir)
		return gen_err_input("error: no kernel build directory given\n");
	err = klp_compdb__open(g->opts->compdb_dir ? g->opts->compdb_dir : dir, &g->db);
	if (err)
		return err == -ENOMEM ? err : -EINVAL;
	if ((g->opts->vmlinux ? !(vmlinux = strdup(g->opts->vmlinux)) :
				asprintf(&vmlinux, "%s/vmlinux", dir) < 0) ||
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
 * else vmlinux.  @path: the unit in the tree, @display: for messages.
 * A module's .ko that is not there: an error, or (!@must_exist) -ENOENT.
 */
static int object_of(struct gen *g, const struct klp_compile_args *args, const char *path,
		     const char *display, bool must_exist, size_t *obj)
{
	const char *modname = NULL;
	bool module = false;
	char *name, *p, *ko = NULL, *dir;
	size_t i;
	int k, err = 0;

	for (k = 0; k < args->argc; k++) {
		const char *a = args->argv[k];

		if (!strcmp(a, "-DMODULE"))
			module = true;
		else if (!strncmp(a, "-DKBUILD_MODNAME=", 17))
			modname = a + 17;
	}
	*obj = 0;
	if (!module)
		return 0;
	if (!modname) {
		log_err("%s: error: compiled for a module without -DKBUILD_MODNAME\n",
			display);
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
			*obj = i;
			free(name);
			return 0;
		}
	/*
	 * Out of tree, the .ko is beside the source; in tree, under O=, or
	 * for a distribution's kernel among its -dbg package's modules.
	 */
	dir = strdup(args->file);
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
	if (ko && access(ko, R_OK) && g->opts->modules_dir) {
		free(ko);
		/* logged when it is not there */
		ko = klp_shipped_find_module(g->opts->modules_dir, name);
		err = ko ? add_object(g, name, ko, true, NULL) : -EINVAL;
		*obj = g->nr_objs - 1;
		free(name);
		free(ko);
		return err;
	}
	if (ko && access(ko, R_OK)) {
		char *rel = strdup(path);

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
	if (access(ko, R_OK) && !must_exist) {
		err = -ENOENT;
	} else if (access(ko, R_OK)) {
		log_err("%s: error: it is part of module %s, but %s is not there; "
			"build the module first\n", display, name, ko);
		err = -EINVAL;
	} else {
		err = add_object(g, name, ko, true, NULL);
		*obj = g->nr_objs - 1;
	}
	free(name);
	free(ko);
	return err;
}

static int unit_object(struct gen *g, struct gen_unit *u)
{
	return object_of(g, u->args, u->path, u->display, true, &u->obj);
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
			if (o->units[k]->source && gen_same_unit(o->units[k]->source, u->path))
				return true;
	}
	return false;
}

static int keep_objfile(struct gen *g, struct klp_objfile *obj)
{
	struct klp_objfile **v = realloc(g->unit_objs, (g->nr_unit_objs + 1) * sizeof(*v));

	if (!v) {
		klp_objfile__free(obj);
		return -ENOMEM;
	}
	g->unit_objs = v;
	v[g->nr_unit_objs++] = obj;
	return 0;
}

/* The object of the fix's unit @unit: vmlinux (0) unless unit_object() said. */
static size_t object_of_rebuilt(const struct gen *g, const struct klp_unit *unit)
{
	size_t i;

	for (i = 0; unit->source && i < g->nr_units; i++)
		if (gen_same_unit(unit->source, g->units[i].path))
			return g->units[i].obj;
	return 0;
}

/*
 * The rebuilt units of object @obj (vmlinux, or a module of the fix's
 * units) into g->aff, with the object's symbols from its shipped file
 * (klp_shipped_add_object()).  @files: opts->rebuilt_units, open.
 */
static int add_rebuilt_object(struct gen *g, size_t obj, struct klp_objfile *const *files,
			      size_t nr_files)
{
	struct gen_object *go = &g->objs[obj];
	struct klp_objfile *shipped = klp_objfile__open(go->path, 0);
	struct klp_objfile **mine = calloc(nr_files + 1, sizeof(*mine));
	const char **names = calloc(nr_files + 1, sizeof(*names));
	size_t nr = 0, i;
	int err = shipped ? 0 : errno == ENOMEM ? -ENOMEM : -EINVAL;

	if (!err)
		err = keep_objfile(g, shipped);
	if (!err && (!mine || !names))
		err = -ENOMEM;
	for (i = 0; !err && i < nr_files; i++) {
		if (!klp_objfile__nr_units(files[i]) ||
		    object_of_rebuilt(g, klp_objfile__unit(files[i], 0)) != obj)
			continue;
		mine[nr] = files[i];
		names[nr++] = g->opts->rebuilt_units[i];
	}
	if (!err) {
		int id = klp_shipped_add_object(g->aff, go->name, obj != 0, shipped,
						mine, names, nr);

		err = id < 0 ? (id == -ENOMEM ? id : -EINVAL) : 0;
	}
	go->rebuilt = !err;
	free(mine);
	free(names);
	return err;
}

/*
 * A kernel built without the plugin: the records of the fix's units
 * from opts->rebuilt_units, rebuilt apart from the kernel and proven
 * against it; vmlinux first, then each module one of them belongs to.
 */
static int load_rebuilt_units(struct gen *g)
{
	const struct klp_generate_opts *o = g->opts;
	struct klp_objfile **files = calloc(o->nr_rebuilt_units + 1, sizeof(*files));
	size_t i, k;
	int err = files ? 0 : -ENOMEM;

	for (i = 0; !err && i < o->nr_rebuilt_units; i++) {
		files[i] = klp_objfile__open(o->rebuilt_units[i], 0);
		if (!files[i]) {
			err = errno == ENOMEM ? -ENOMEM : -EINVAL;
			break;
		}
		err = keep_objfile(g, files[i]);
		if (!err && !klp_objfile__has_records(files[i]))
			err = gen_err_input("%s: error: no partition records in it\n",
					    o->rebuilt_units[i]);
	}
	g->aff = err ? NULL : klp_affected__new();
	if (!err && !g->aff)
		err = -ENOMEM;
	/* an out-of-tree module (-m) keeps its own records: not rebuilt */
	for (i = 0; !err && i < g->nr_objs; i++) {
		bool used = !i;

		for (k = 0; !used && k < o->nr_rebuilt_units; k++)
			used = klp_objfile__nr_units(files[k]) &&
			       object_of_rebuilt(g, klp_objfile__unit(files[k], 0)) == i;
		if (used)
			err = add_rebuilt_object(g, i, files, o->nr_rebuilt_units);
	}
	free(files);
	return err;
}

/* Are the records of @u among those load_rebuilt_units() took? */
static bool unit_rebuilt(const struct gen *g, const struct gen_unit *u)
{
	size_t i, k;

	for (i = 0; i < g->nr_unit_objs; i++)
		for (k = 0; k < klp_objfile__nr_units(g->unit_objs[i]); k++) {
			const struct klp_unit *unit = klp_objfile__unit(g->unit_objs[i], k);

			if (unit->source && gen_same_unit(unit->source, u->path))
				return true;
		}
	return false;
}

char *gen_tree_path(const struct gen *g, const char *file)
{
	const struct gen_header *h = g->nr_headers ? &g->headers[0] : NULL;
	size_t nf = h ? strlen(h->file) : 0, np = h ? strlen(h->path) : 0;

	if (h && nf > np && !strncmp(file, h->file, nf - np))
		return strdup(file + nf - np);
	return strdup(file);
}

/*
 * A header's inline code may be in any object: with a changed header,
 * every module the build compiled joins vmlinux in the records read.
 */
static int add_module_objects(struct gen *g)
{
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < klp_compdb__nr(g->db); i++) {
		struct klp_compile_args *args;
		char *path;
		size_t obj;

		err = klp_compdb__args_at(g->db, i, &args);
		if (err)
			break;
		path = gen_tree_path(g, args->file);
		err = path ? object_of(g, args, path, path, false, &obj) : -ENOMEM;
		if (err == -ENOENT) {
			/* 6.12's scripts/module-common.c is part of every module */
			log_info("%s: its module is not in the build; not searched for "
				 "the changed headers' code\n", path);
			err = 0;
		}
		free(path);
		klp_compile_args__free(args);
		free(args);
	}
	return err;
}

/* The partition records of every object, when built with the plugin. */
int gen_load_records(struct gen *g)
{
	struct klp_index_options io = { .cache = "" };
	const char **paths;
	size_t i, n;
	int err;

	for (i = 0; i < g->nr_units; i++) {
		err = unit_object(g, &g->units[i]);
		if (err)
			return err;
	}
	if (g->nr_headers && !g->opts->nr_rebuilt_units && !g->opts->rebuilt_units) {
		err = add_module_objects(g);
		if (err)
			return err;
	}
	if (g->opts->nr_rebuilt_units) {
		err = load_rebuilt_units(g);
		if (err)
			return err;
	}
	paths = calloc(g->nr_objs, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	/* vmlinux has none when its units' records came apart from it */
	for (i = g->opts->rebuilt_units ? 1 : 0, n = 0; i < g->nr_objs; i++)
		if (!g->objs[i].rebuilt)
			paths[n++] = g->objs[i].path;
	if (!n || klp_index__open_files(paths, n, &io, &g->ix))
		g->ix = NULL;
	free(paths);
	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];

		u->records = (g->ix && unit_has_records(g, u)) || unit_rebuilt(g, u);
		if (!u->records)
			log_warn("%s: warning: no partition records of it in %s (built without "
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

bool gen_is_header(const char *p)
{
	size_t n = strlen(p);

	return n > 2 && !strcmp(p + n - 2, ".h");
}

/*
 * A header the fix changes.  Comments and whitespace are no change
 * (*@comments_only); a struct or union whose definition changes, or a
 * variable whose type or initializer does, is refused as in a unit
 * (exit 3: every unit that includes the header keeps the old one);
 * anything else is code (a static inline function, a macro): kept in
 * g->headers for the closure over every unit that inlined it.
 */
static int load_header(struct gen *g, struct klp_diff_file *f, bool *comments_only)
{
	const struct klp_generate_opts *o = g->opts;
	struct klp_header_change *c = NULL;
	struct gen_header *h;
	char *path = NULL, *orig = NULL, *patched = NULL;
	size_t orig_size = 0, patched_size = 0, nr = 0, i;
	bool same = false;
	int err;

	*comments_only = false;
	err = klp_compdb__tree_file(g->db, f->new_path, &path);
	if (err == -ENOENT)
		return gen_err_input("%s: error: the fix changes %s, which is not found beside "
				     "the build's sources: the units that include it cannot be "
				     "parsed with the change; give the build of the kernel "
				     "source the fix is for\n", o->diff, f->new_path);
	if (!err)
		err = klp_gen_read_source(path, &orig, &orig_size);
	if (!err) {
		err = klp_diff_file__apply(f, orig, orig_size, &patched, &patched_size);
		if (err == -EILSEQ)
			err = gen_err_input("%s: error: the fix does not apply to %s "
					    "(the build's source)\n", o->diff, path);
	}
	if (!err)
		err = klp_header__compare(orig, orig_size, patched, patched_size, &same,
					  &c, &nr);
	if (!err && same) {
		*comments_only = true;
		log_info("%s: the fix changes only comments and whitespace: no change to the code\n",
			 f->new_path);
	}
	for (i = 0; !err && i < nr; i++)
		err = gen_data_change(g, f->new_path, c[i].line, c[i].record, c[i].tag,
				      c[i].name);
	klp_header_changes__free(c, nr);
	if (!err && !same) {
		h = realloc(g->headers, (g->nr_headers + 1) * sizeof(*h));
		if (h) {
			g->headers = h;
			h = &h[g->nr_headers++];
			memset(h, 0, sizeof(*h));
			h->path = strdup(f->new_path);
			h->file = path;
			h->patched = patched;
			h->patched_size = patched_size;
			path = patched = NULL;
			h->old_ranges = malloc((f->nr_old_ranges + 1) * sizeof(*h->old_ranges));
			if (h->old_ranges)
				memcpy(h->old_ranges, f->old_ranges,
				       f->nr_old_ranges * sizeof(*h->old_ranges));
			h->nr_old_ranges = f->nr_old_ranges;
			h->nr_data_changes = nr;
		}
		if (!h || !h->path || !h->old_ranges)
			err = -ENOMEM;
	}
	free(path);
	free(orig);
	free(patched);
	return err == -ENOMEM || err == -EINVAL ? err : err ? -EINVAL : 0;
}

int gen_load_fix(struct gen *g)
{
	const struct klp_generate_opts *o = g->opts;
	struct klp_diff *d = NULL;
	bool comments = false;	/* a header changed in comments only */
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
			if (gen_is_header(f->new_path)) {
				bool same;

				err = load_header(g, f, &same);
				comments |= !err && same;
				continue;
			}
			if (!is_c_file(f->new_path)) {
				err = gen_err_input("%s: error: %s is neither a .c file nor a "
						    "header: a livepatch is built from C "
						    "(assembly and build files cannot be "
						    "patched); leave it out of the fix\n",
						    o->diff, f->new_path);
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
		if (!err && g->unsafe)
			err = KLP_GENERATE_UNSAFE;
		else if (!err && comments && !g->nr_units && !g->nr_headers) {
			log_err("%s: error: the fix changes only comments and whitespace; "
				"nothing a livepatch can replace\n", o->diff);
			g->unsafe++;
			err = KLP_GENERATE_UNSAFE;
		}
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

/* Parse @u's patched text, with the fix's headers patched. */
static int parse_unit(struct gen *g, struct gen_unit *u)
{
	struct klp_unsaved_file *hs = calloc(g->nr_headers + 1, sizeof(*hs));
	struct klp_parse_opts po = {
		.file = u->args->file,
		.display_name = u->display,
		.argv = (const char *const *)u->args->argv,
		.argc = u->args->argc,
		.contents = u->patched,
		.size = u->patched_size,
		.headers = hs,
		.nr_headers = g->nr_headers,
	};
	size_t i;
	int err;

	if (!hs)
		return -ENOMEM;
	for (i = 0; i < g->nr_headers; i++) {
		hs[i].path = g->headers[i].file;
		hs[i].contents = g->headers[i].patched;
		hs[i].size = g->headers[i].patched_size;
	}
	err = klp_tu__parse(&po, &u->tu);
	free(hs);
	return err == -ENOMEM || !err ? err : -EINVAL;
}

int gen_parse_units(struct gen *g)
{
	size_t i;
	int err;

	for (i = 0; i < g->nr_units; i++) {
		err = parse_unit(g, &g->units[i]);
		if (err)
			return err;
	}
	return 0;
}

int gen_add_unchanged_unit(struct gen *g, const char *unit, struct gen_unit **out)
{
	struct klp_compile_args *args;
	struct gen_unit *u;
	char *path;
	int err;

	*out = NULL;
	/* The records name it as the compiler was given it: "../kernel/x.c" under O=. */
	while (!strncmp(unit, "../", 3) || !strncmp(unit, "./", 2))
		unit += unit[1] == '/' ? 2 : 3;
	err = klp_compdb__find(g->db, unit, &args);
	if (err)
		return err == -ENOMEM ? err : -EINVAL;
	path = gen_tree_path(g, args->file);
	klp_compile_args__free(args);
	free(args);
	if (!path)
		return -ENOMEM;
	u = add_unit(g, path);
	free(path);
	if (!u)
		return -ENOMEM;
	err = unit_sources(g, u);
	if (!err) {
		u->patched = malloc(u->orig_size + 1);
		if (!u->patched)
			return -ENOMEM;
		memcpy(u->patched, u->orig, u->orig_size + 1);
		u->patched_size = u->orig_size;
		u->unchanged = true;
		u->records = true;
		err = unit_object(g, u);
	}
	if (!err)
		err = parse_unit(g, u);
	if (!err)
		*out = u;
	return err;
}
