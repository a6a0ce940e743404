// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * build.c - klp-prep build: from a fix to a verified livepatch module
 *
 * klp_build() runs the steps of build.h in order.  The work directory
 * holds, per step, its log (NN-STEP.log) and outputs:
 *
 *   args		the arguments, so that --resume refuses other ones
 *   done		the number of steps completed
 *   compdb/		a compile database made by the compdb step
 *   src/		the module source (generate, then regenerate), and
 *			the module make builds in it
 *   old-side.tsv	the table of the first build: the old side
 *   new-side.tsv	the pairs the regenerate step renders
 *   first-build.ko	the module of the first build (no new side), not
 *			converted: for comparison only, never to load as is
 *
 * The module is installed only after it verified, through a temporary
 * file renamed into place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "command.h"
#include "compdb.h"
#include "diff.h"
#include "shipped.h"
#include "source_file.h"
#include "install_dir.h"
#include "generate.h"
#include <klp_prep/object.h>
#include "verify.h"

#include "log.h"

#ifndef KLP_PLUGIN_INSTALL_PATH
#define KLP_PLUGIN_INSTALL_PATH ""
#endif
#ifndef KLP_PLUGIN_BUILD_PATH
#define KLP_PLUGIN_BUILD_PATH ""
#endif

struct build;

struct step {
	const char *name;
	int (*fn)(struct build *b);
};

struct build {
	const struct klp_build_opts *o;
	char *work;			/* absolute */
	char *src;			/* WORK/src */
	char *compdb;			/* the directory given to generate */
	char *name;			/* the patch's name (livepatch_NAME.c) */
	char *ko;			/* WORK/src/livepatch-NAME.ko */
	const char *plugin;
	const char *prefix;
	char *log;			/* the current step's log */
	struct klp_generate_subfunc *new_side;
	size_t nr_new_side;
	char *new_side_strings;		/* what new_side points into */
	/* -k a distribution's headers: its kernel and the fix's units */
	struct klp_shipped *shipped;
	char **units;			/* "fs/proc/version.o" */
	char **unit_records;		/* their proven objects in the cache */
	size_t nr_units;
	bool stock;			/* struct klp_func has no stack_only */
};

/* A step's one-line result, as progress of the step "build". */
__attribute__((format(printf, 2, 3)))
static void report(struct build *b, const char *fmt, ...)
{
	struct klp_progress p = { .step = "build" };
	char *line;
	va_list ap;
	int n;

	(void)b;
	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	p.item = line;
	klp_report_progress(&p);
	free(line);
}

static char *path_in(const char *dir, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

static bool exists(const char *p)
{
	return !access(p, F_OK);
}

const char *klp_build_default_plugin(void)
{
	static char beside[PATH_MAX];
	const char *env = getenv("KLP_PREP_PLUGIN");

	if (env && *env)
		return env;
	if (klp_installed_path("lib/klp-prep/klp_partition.so", beside, sizeof(beside)) &&
	    !access(beside, R_OK))
		return beside;
	if (*KLP_PLUGIN_INSTALL_PATH && !access(KLP_PLUGIN_INSTALL_PATH, R_OK))
		return KLP_PLUGIN_INSTALL_PATH;
	if (*KLP_PLUGIN_BUILD_PATH && !access(KLP_PLUGIN_BUILD_PATH, R_OK))
		return KLP_PLUGIN_BUILD_PATH;
	return NULL;
}

/* ---- running commands ------------------------------------------------------- */

/* Run @argv with stdout and stderr appended to the step's log. */
static int run(struct build *b, char *const argv[])
{
	int status = klp_run_command(argv, NULL, b->log, NULL, 0);

	if (!status)
		return 0;
	if (status < 0 && status != -ENOENT)
		return status;		/* not started: logged, or -ENOMEM */
	/* A command that could not be run exits 127, as in the shell. */
	log_err("error: '%s' failed (exit status %d); its output: %s\n", argv[0],
		status < 0 ? 127 : status, b->log);
	return -ECHILD;
}

/* The last @n lines of the step's log with "error" in them, as notes. */
static void show_errors(struct build *b, int n)
{
	char line[1024];
	char *keep[8] = { 0 };
	int k = 0, i;
	FILE *f = fopen(b->log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "error") || strstr(line, "Error")) {
			line[strcspn(line, "\n")] = '\0';
			free(keep[k % n]);
			keep[k++ % n] = strdup(line);
		}
	fclose(f);
	for (i = 0; i < n; i++) {
		char *l = keep[(k + i) % n];

		if (l)
			log_err("%s: note: %s\n", b->log, l);
		free(l);
	}
}

static int make_module(struct build *b)
{
	char *m = NULL, *kc = NULL;
	size_t i;
	int err;

	if (asprintf(&m, "M=%s", b->src) < 0 || asprintf(&kc, "KCFLAGS=-fplugin=%s", b->plugin) < 0) {
		free(m);
		return -ENOMEM;
	}
	/*
	 * An out-of-tree module's units include their own headers by
	 * "name.h", found beside the source; the generated copy is
	 * elsewhere, so the module's directory goes on the include path.
	 */
	for (i = 0; i < b->o->nr_module_dirs; i++) {
		char *abs = realpath(b->o->module_dirs[i], NULL), *n;

		if (asprintf(&n, "%s -I%s", kc, abs ? abs : b->o->module_dirs[i]) < 0)
			n = NULL;
		free(abs);
		free(kc);
		kc = n;
		if (!kc) {
			free(m);
			return -ENOMEM;
		}
	}
	{
		char *argv[] = { "make", "-C", (char *)b->o->gen.build_dir, m, kc, "modules", NULL,
				 NULL };
		char *srctree = NULL;

		/* A distribution's headers: the units' own headers are in its source. */
		if (b->shipped) {
			const char *tree = klp_shipped_source_tree(b->shipped);

			if (!tree || asprintf(&srctree, "KLP_PREP_SRCTREE=%s", tree) < 0) {
				free(m);
				free(kc);
				return tree ? -ENOMEM : -EINVAL;
			}
			argv[6] = srctree;
		}
		err = run(b, argv);
		free(srctree);
	}
	free(m);
	free(kc);
	if (err) {
		show_errors(b, 8);
		return err;
	}
	if (!exists(b->ko)) {
		log_err("%s: error: make succeeded but did not make it (log: %s)\n", b->ko, b->log);
		return -ENOENT;
	}
	return 0;
}

/* ---- files of the work directory ------------------------------------------- */

static int tsv_line(FILE *f, const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *v = fields[i] ? fields[i] : "-";

		fputs(i ? "\t" : "", f);
		/* A field is one: no tab or newline of its own. */
		for (; *v; v++)
			fputc(*v == '\t' || *v == '\n' ? ' ' : *v, f);
	}
	return fputc('\n', f) == EOF ? -EIO : 0;
}

/* Write @path through a temporary file. */
static FILE *open_tmp(const char *path, char **tmp)
{
	int fd;

	if (asprintf(tmp, "%s.tmp-XXXXXX", path) < 0)
		return NULL;
	fd = mkstemp(*tmp);
	return fd < 0 ? NULL : fdopen(fd, "w");
}

static int close_tmp(FILE *f, char *tmp, const char *path, int err)
{
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

static int write_small(const char *path, const char *text)
{
	char *tmp;
	FILE *f = open_tmp(path, &tmp);

	if (!f)
		return -errno;
	fputs(text, f);
	return close_tmp(f, tmp, path, 0);
}

/*
 * Read WORK/@name, which step @step wrote: *@fields gets @nr_fields
 * fields per line ("-" is NULL), pointing into *@text.
 */
static int read_tsv(struct build *b, const char *name, const char *step, size_t nr_fields,
		    char ***fields, size_t *nr_lines, char **text)
{
	char *p = path_in(b->work, name), *s, **v;
	size_t n = 0, k, i;

	*fields = NULL;
	*nr_lines = 0;
	*text = p ? klp_read_text_file(p) : NULL;
	if (!*text) {
		if (p)
			log_err("%s: error: %s (resume from the %s step)\n", p, strerror(errno),
				step);
		free(p);
		return p ? -ENOENT : -ENOMEM;
	}
	free(p);
	for (s = *text; *s; s++)
		n += *s == '\n' || !s[1];
	v = calloc(n * nr_fields + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	s = *text;
	for (k = 0; k < n; k++)
		for (i = 0; i < nr_fields; i++) {
			char *f = s;

			s += strcspn(s, i + 1 < nr_fields ? "\t\n" : "\n");
			if (*s)
				*s++ = '\0';
			v[k * nr_fields + i] = strcmp(f, "-") ? f : NULL;
		}
	*fields = v;
	*nr_lines = n;
	return 0;
}

/* ---- steps ------------------------------------------------------------------------ */

/* The compile database the compdb step chose, when it ran earlier. */
static int resumed_compdb(struct build *b)
{
	char *own = path_in(b->work, "compdb/compile_commands.json");

	if (!own)
		return -ENOMEM;
	if (b->o->gen.compdb_dir)
		b->compdb = strdup(b->o->gen.compdb_dir);
	else if (exists(own))
		b->compdb = path_in(b->work, "compdb");
	else
		b->compdb = strdup(b->o->gen.build_dir);
	free(own);
	return b->compdb ? 0 : -ENOMEM;
}

/*
 * A distribution's kernel: the fix's units rebuilt with the plugin and
 * proven against the shipped vmlinux, or a module's unit against the
 * module's -dbg .ko (or taken from the cache), and the commands they
 * were compiled with, for libclang.
 */
static int shipped_compdb(struct build *b)
{
	char *out;
	int err, proof;

	b->compdb = path_in(b->work, "compdb");
	out = b->compdb ? path_in(b->compdb, "compile_commands.json") : NULL;
	if (!out)
		return -ENOMEM;
	mkdir(b->compdb, 0755);
	/* Made first: the compiles leave the .cmd files the database is made of. */
	proof = klp_shipped_make_records(b->shipped, (const char *const *)b->units, b->nr_units);
	err = proof < 0 ? proof : 0;
	if (!err)
		err = klp_shipped_write_compdb(b->shipped, (const char *const *)b->units,
					       b->nr_units, b->o->module_dirs,
					       b->o->nr_module_dirs, out);
	if (!err && proof == KLP_SHIPPED_DIFFERS) {
		log_err("%s: error: the rebuilt code of the fix's units differs from the "
			"shipped code (above): their records would not describe the "
			"running kernel\n", klp_shipped_release(b->shipped));
		err = KLP_BUILD_UNSAFE;
	}
	if (!err)
		report(b, "compdb: %s (the commands the units were rebuilt with; their records "
		       "proven against the shipped %s)", out, klp_shipped_release(b->shipped));
	free(out);
	return err;
}

static int step_compdb(struct build *b)
{
	char *json, *src = NULL, *out = NULL, *script = NULL;
	const char **argv;
	size_t i, n = 0;
	int err;

	if (b->shipped)
		return shipped_compdb(b);
	if (b->o->gen.compdb_dir) {
		b->compdb = strdup(b->o->gen.compdb_dir);
		report(b, "compdb: %s (given)", b->compdb);
		return b->compdb ? 0 : -ENOMEM;
	}
	json = path_in(b->o->gen.build_dir, "compile_commands.json");
	if (json && exists(json) && !b->o->nr_module_dirs) {
		free(json);
		b->compdb = strdup(b->o->gen.build_dir);
		report(b, "compdb: %s/compile_commands.json (the kernel's)", b->o->gen.build_dir);
		return b->compdb ? 0 : -ENOMEM;
	}
	free(json);
	/* The kernel's own script, over the build and the modules. */
	src = path_in(b->o->gen.build_dir, "source");
	script = src ? path_in(src, "scripts/clang-tools/gen_compile_commands.py") : NULL;
	if (!script || !exists(script)) {
		free(script);
		free(src);
		src = NULL;
		script = path_in(b->o->gen.build_dir, "scripts/clang-tools/gen_compile_commands.py");
	}
	if (!script || !exists(script)) {
		log_err("%s: error: no compile_commands.json and no "
			"scripts/clang-tools/gen_compile_commands.py to make one; pass --compdb\n",
			b->o->gen.build_dir);
		free(script);
		free(src);
		return -EINVAL;
	}
	b->compdb = path_in(b->work, "compdb");
	out = b->compdb ? path_in(b->compdb, "compile_commands.json") : NULL;
	argv = calloc(8 + b->o->nr_module_dirs, sizeof(*argv));
	if (!out || !argv) {
		err = -ENOMEM;
		goto out;
	}
	mkdir(b->compdb, 0755);
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "-d";
	argv[n++] = b->o->gen.build_dir;
	argv[n++] = "-o";
	argv[n++] = out;
	argv[n++] = b->o->gen.build_dir;
	for (i = 0; i < b->o->nr_module_dirs; i++)
		argv[n++] = b->o->module_dirs[i];
	err = run(b, (char *const *)argv);
	if (!err)
		report(b, "compdb: %s (gen_compile_commands.py over the kernel build%s)", out,
		       b->o->nr_module_dirs ? " and the modules" : "");
out:
	free(argv);
	free(out);
	free(script);
	free(src);
	return err;
}

/* The patch's name (livepatch_NAME.c) and the module make builds. */
static int set_name(struct build *b, const char *name)
{
	free(b->name);
	free(b->ko);
	b->ko = NULL;
	b->name = strdup(name);
	if (!b->name || asprintf(&b->ko, "%s/livepatch-%s.ko", b->src, b->name) < 0) {
		b->ko = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Resumed after the generate step: the name it saved. */
static int load_name(struct build *b)
{
	char **fields, *text;
	size_t n;
	int err = read_tsv(b, "name", "generate", 1, &fields, &n, &text);

	if (!err && (n != 1 || !fields[0])) {
		log_err("%s/name: error: malformed\n", b->work);
		err = -EINVAL;
	}
	if (!err)
		err = set_name(b, fields[0]);
	free(fields);
	free(text);
	return err;
}

/*
 * What the later steps need of what generate wrote, saved so that a
 * resumed run has it too: the name, and per patched function its reason.
 */
static int save_generated(struct build *b, const struct klp_generate_result *r)
{
	char *p = path_in(b->work, "patched.tsv"), *np = path_in(b->work, "name"), *tmp = NULL;
	char *line = NULL;
	FILE *f = NULL;
	size_t i, k;
	int err = p && np ? set_name(b, r->name) : -ENOMEM;

	if (!err && asprintf(&line, "%s\n", r->name) < 0)
		err = -ENOMEM;
	if (!err)
		err = write_small(np, line);
	if (!err && !(f = open_tmp(p, &tmp)))
		err = -errno;
	for (i = 0; !err && i < r->nr_objs; i++)
		for (k = 0; !err && k < r->objs[i].nr_funcs; k++) {
			const struct klp_generate_func *fn = &r->objs[i].funcs[k];
			char pos[32];
			const char *fl[] = { r->objs[i].name, fn->old_name, pos, fn->new_name,
					     fn->reason };

			snprintf(pos, sizeof(pos), "%lu", fn->old_sympos);
			err = tsv_line(f, fl, 5);
		}
	if (f)
		err = close_tmp(f, tmp, p, err);
	if (err)
		log_err("%s: error: %s\n", p ? p : b->work, strerror(-err));
	free(line);
	free(np);
	free(p);
	return err;
}

/* The reason generate gave for patching @old_name,@sympos of @object. */
static char *reason_of(struct build *b, const char *object, const char *old_name,
		       unsigned long sympos)
{
	char **fields, *text, *why = NULL;
	size_t n, k;

	if (read_tsv(b, "patched.tsv", "generate", 5, &fields, &n, &text))
		return NULL;
	for (k = 0; k < n && !why; k++) {
		char **f = &fields[k * 5];

		if (f[0] && f[1] && f[2] && f[4] && !strcmp(f[0], object) &&
		    !strcmp(f[1], old_name) && strtoul(f[2], NULL, 10) == sympos)
			why = strdup(f[4]);
	}
	free(fields);
	free(text);
	return why;
}

static int generate(struct build *b, bool with_new_side, struct klp_generate_result **r)
{
	struct klp_generate_opts g = b->o->gen;
	int err;

	/* The compile database the compdb step chose; WORK/src, replaced. */
	g.compdb_dir = b->compdb;
	g.output = b->src;
	g.force = true;
	g.replace = b->o->gen.replace || b->o->nr_replaces;
	g.new_side = with_new_side ? b->new_side : NULL;
	g.nr_new_side = with_new_side ? b->nr_new_side : 0;
	if (b->shipped) {
		g.vmlinux = klp_shipped_vmlinux(b->shipped);
		g.rebuilt_units = (const char *const *)b->unit_records;
		g.nr_rebuilt_units = b->nr_units;
		g.modules_dir = klp_shipped_modules(b->shipped);
	}
	g.no_stack_only = b->stock;
	err = klp_generate(&g, r);
	if (!err)
		err = save_generated(b, *r);
	return err;
}

static int step_generate(struct build *b)
{
	struct klp_generate_result *r = NULL;
	int err = generate(b, false, &r);
	char ext[1024] = "";
	size_t used = 0, i;

	if (err)
		goto out;
	/* The symbols the extraction externalized: KLP_PREP_EXTERN uses. */
	for (i = 0; i < r->nr_externs; i++) {
		const struct klp_generate_extern *e = &r->externs[i];
		int l = snprintf(NULL, 0, "%s.%s,%lu", e->object, e->symbol, e->pos);

		if (used + l + 4 < sizeof(ext))
			used += snprintf(ext + used, sizeof(ext) - used, "%s%s.%s,%lu",
					 used ? ", " : "", e->object, e->symbol, e->pos);
	}
	report(b, "generate: %s (livepatch_%s.c); %zu externalized symbol%s%s%s%s", b->src, b->name,
	       r->nr_externs, r->nr_externs == 1 ? "" : "s", r->nr_externs ? " (" : "", ext,
	       r->nr_externs ? ")" : "");
out:
	klp_generate_result__free(r);
	return err;
}

static int copy_file(const char *from, const char *to);

static int step_build(struct build *b)
{
	char *first = path_in(b->work, "first-build.ko");
	int err = first ? make_module(b) : -ENOMEM;

	/* Kept to compare with: the table without its new side. */
	if (!err)
		err = copy_file(b->ko, first);
	if (!err)
		report(b, "build: %s (with %s)", b->ko, b->plugin);
	free(first);
	return err;
}

/* "klpp_foo.part.3" -> "foo.part.": what a part is, not its number. */
static char *part_key(const char *name, const char *prefix)
{
	char *k, *o;
	const char *s = name;

	if (prefix && !strncmp(s, prefix, strlen(prefix)))
		s += strlen(prefix);
	k = o = strdup(s);
	if (!k)
		return NULL;
	while (*s) {
		if (o > k && o[-1] == '.' && *s >= '0' && *s <= '9') {
			while (*s >= '0' && *s <= '9')
				s++;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return k;
}

static int step_new_side(struct build *b)
{
	struct klp_lp_table *t = NULL;
	struct klp_objfile *ko = NULL;
	const char **parents = NULL;
	size_t nr_parents = 0, i, k, j, pairs = 0, old_only = 0, new_only = 0;
	char *np = path_in(b->work, "new-side.tsv"), *op = path_in(b->work, "old-side.tsv");
	char *ntmp = NULL, *otmp = NULL;
	FILE *nf = NULL, *of = NULL;
	int err;

	if (!np || !op) {
		err = -ENOMEM;
		goto out;
	}
	err = klp_lp_table__read(b->ko, &t);
	if (err)
		goto out;
	ko = klp_objfile__open(b->ko, 0);
	if (!ko) {
		err = -errno ? -errno : -EINVAL;
		goto out;
	}
	if (!klp_objfile__has_records(ko)) {
		log_err("%s: error: no .klp_prep.partition section: built without the plugin "
			"(%s)?\n", b->ko, b->plugin);
		err = -EINVAL;
		goto out;
	}
	err = klp_lp_table__new_funcs(t, &parents, &nr_parents);
	if (err)
		goto out;
	nf = open_tmp(np, &ntmp);
	of = open_tmp(op, &otmp);
	if (!nf || !of) {
		err = -errno;
		log_err("%s: error: %s\n", b->work, strerror(errno));
		goto out;
	}
	for (i = 0; !err && i < t->nr_objs; i++) {
		const struct klp_lp_object *o = &t->objs[i];

		for (k = 0; !err && k < o->nr_funcs; k++) {
			const struct klp_lp_func *p = &o->funcs[k];
			struct klp_lp_part *parts = NULL;
			size_t nr = 0, first = k + 1, end, m;
			bool *used;
			char ppos[32], line[2048];
			size_t ll = 0;

			if (p->stack_only)
				continue;
			for (end = first; end < o->nr_funcs && o->funcs[end].stack_only; end++)
				;
			snprintf(ppos, sizeof(ppos), "%lu", p->old_sympos);
			/* The old side, as generate made it. */
			for (j = first; j < end; j++) {
				char pos[32];
				const char *f[] = { o->name, p->old_name, ppos, o->funcs[j].old_name, pos };

				snprintf(pos, sizeof(pos), "%lu", o->funcs[j].old_sympos);
				err |= tsv_line(of, f, 5);
			}
			err = klp_lp_new_parts(ko, p->new_func, parents, nr_parents, &parts, &nr);
			if (err == -ENOENT) {
				log_err("%s: error: no partition records of '%s'\n", b->ko, p->new_func);
				err = -EINVAL;
			}
			if (err)
				break;
			if (b->stock) {
				/* No stack_only entry: verify proves the parts covered. */
				ll = snprintf(line, sizeof(line), "new-side: %s:", p->new_func);
				for (j = 0; j < nr && ll < sizeof(line); j++)
					ll += snprintf(line + ll, sizeof(line) - ll, " %s (%s %s)%s",
						       parts[j].name, parts[j].kind, p->new_func,
						       j + 1 < nr ? ";" : "");
				if (!nr)
					snprintf(line + ll, sizeof(line) - ll, " no parts");
				report(b, "%s", line);
				new_only += nr;
				klp_lp_parts__free(parts, nr);
				continue;
			}
			used = calloc(end - first + 1, sizeof(*used));
			if (!used) {
				klp_lp_parts__free(parts, nr);
				err = -ENOMEM;
				break;
			}
			ll = snprintf(line, sizeof(line), "new-side: %s:", p->new_func);
			/* Pair each new part with the first old one of its kind. */
			for (j = 0; !err && j < nr; j++) {
				char *nk = part_key(parts[j].name, b->prefix), *ok;
				char opos[32], npos[32], why[512];
				const char *old = NULL;

				for (m = first; nk && !old && m < end; m++) {
					if (used[m - first] || !o->funcs[m].old_name)
						continue;
					ok = part_key(o->funcs[m].old_name, NULL);
					if (ok && !strcmp(ok, nk)) {
						used[m - first] = true;
						old = o->funcs[m].old_name;
						snprintf(opos, sizeof(opos), "%lu", o->funcs[m].old_sympos);
					}
					free(ok);
				}
				free(nk);
				snprintf(npos, sizeof(npos), "%lu", parts[j].sympos);
				snprintf(why, sizeof(why), "%s %s, in the new code only",
					 parts[j].kind, p->new_func);
				{
					const char *f[] = { o->name, p->old_name, ppos, old,
							    old ? opos : "0", parts[j].name, npos,
							    old ? NULL : why };

					err = tsv_line(nf, f, 8);
				}
				if (old)
					pairs++;
				else
					new_only++;
				if (ll < sizeof(line))
					ll += snprintf(line + ll, sizeof(line) - ll, " %s <- %s;",
						       parts[j].name, old ? old : "(none: old_name NULL)");
			}
			for (m = first; m < end; m++)
				if (!used[m - first]) {
					old_only++;
					if (ll < sizeof(line))
						ll += snprintf(line + ll, sizeof(line) - ll,
							       " (none: new_name NULL) <- %s;",
							       o->funcs[m].old_name);
				}
			if (!nr && first == end && ll < sizeof(line))
				snprintf(line + ll, sizeof(line) - ll, " no parts on either side");
			else if (ll && ll < sizeof(line) && line[ll - 1] == ';')
				line[ll - 1] = '\0';
			report(b, "%s", line);
			free(used);
			klp_lp_parts__free(parts, nr);
		}
	}
	err = close_tmp(of, otmp, op, err);
	of = NULL;
	err = close_tmp(nf, ntmp, np, err);
	nf = NULL;
	if (!err && b->stock)
		report(b, "new-side: %zu part%s of the new code, to be covered by patched callers",
		       new_only, new_only == 1 ? "" : "s");
	else if (!err)
		report(b, "new-side: %zu pair%s, %zu old side only, %zu new side only", pairs,
		       pairs == 1 ? "" : "s", old_only, new_only);
out:
	if (of)
		close_tmp(of, otmp, op, -EIO);
	if (nf)
		close_tmp(nf, ntmp, np, -EIO);
	free(parents);
	klp_objfile__free(ko);
	klp_lp_table__free(t);
	free(np);
	free(op);
	return err;
}

/* Read new-side.tsv into b->new_side. */
static int load_new_side(struct build *b)
{
	char **fields;
	size_t n, k;
	int err;

	free(b->new_side);
	free(b->new_side_strings);
	b->new_side = NULL;
	b->nr_new_side = 0;
	err = read_tsv(b, "new-side.tsv", "new-side", 8, &fields, &n, &b->new_side_strings);
	if (err)
		return err;
	b->new_side = calloc(n + 1, sizeof(*b->new_side));
	if (!b->new_side) {
		free(fields);
		return -ENOMEM;
	}
	b->nr_new_side = n;
	for (k = 0; !err && k < n; k++) {
		char **f = &fields[k * 8];

		b->new_side[k] = (struct klp_generate_subfunc) {
			.object = f[0], .parent = f[1],
			.parent_sympos = f[2] ? strtoul(f[2], NULL, 10) : 0,
			.old_name = f[3], .old_sympos = f[4] ? strtoul(f[4], NULL, 10) : 0,
			.new_name = f[5], .new_sympos = f[6] ? strtoul(f[6], NULL, 10) : 0,
			.why = f[7],
		};
		if (!f[0] || !f[1] || !f[5]) {
			log_err("%s/new-side.tsv:%zu: error: malformed\n", b->work, k + 1);
			err = -EINVAL;
		}
	}
	free(fields);
	return err;
}

static int step_regenerate(struct build *b)
{
	struct klp_generate_result *r = NULL;
	int err = load_new_side(b);

	if (!err)
		err = generate(b, true, &r);
	if (!err)
		report(b, "regenerate: %s: %zu stack_only entr%s with a new side", b->src,
		       b->nr_new_side, b->nr_new_side == 1 ? "y" : "ies");
	klp_generate_result__free(r);
	return err;
}

static int step_rebuild(struct build *b)
{
	int err = make_module(b);

	if (!err)
		report(b, "rebuild: %s", b->ko);
	return err;
}

static int step_convert(struct build *b)
{
	unsigned int syms = 0, relocs = 0;
	int err = klp_generate_convert_module(b->ko, &syms, &relocs);

	if (!err)
		report(b, "convert: %u livepatch symbol%s, %u relocation%s in .klp.rela sections",
		       syms, syms == 1 ? "" : "s", relocs, relocs == 1 ? "" : "s");
	return err;
}

/* The final table's old side must be the first build's, entry by entry. */
static int same_old_side(struct build *b, const struct klp_lp_table *t)
{
	char *p = path_in(b->work, "old-side.tsv"), *want = NULL, *got = NULL;
	size_t wl = 0, gl = 0, i, k;
	FILE *f, *m;
	int err = 0;

	if (!p)
		return -ENOMEM;
	f = fopen(p, "r");
	m = open_memstream(&got, &gl);
	if (!f || !m) {
		log_err("%s: error: %s\n", p, strerror(errno));
		err = -ENOENT;
		goto out;
	}
	{
		FILE *w = open_memstream(&want, &wl);
		char buf[4096];
		size_t n;

		if (!w) {
			err = -ENOMEM;
			goto out;
		}
		while ((n = fread(buf, 1, sizeof(buf), f)))
			fwrite(buf, 1, n, w);
		fclose(w);
	}
	for (i = 0; i < t->nr_objs; i++) {
		const struct klp_lp_object *o = &t->objs[i];
		const struct klp_lp_func *parent = NULL;

		for (k = 0; k < o->nr_funcs; k++) {
			char ppos[32], pos[32];

			if (!o->funcs[k].stack_only) {
				parent = &o->funcs[k];
				continue;
			}
			if (!o->funcs[k].old_name || !parent)
				continue;
			snprintf(ppos, sizeof(ppos), "%lu", parent->old_sympos);
			snprintf(pos, sizeof(pos), "%lu", o->funcs[k].old_sympos);
			{
				const char *fl[] = { o->name, parent->old_name, ppos,
						     o->funcs[k].old_name, pos };

				tsv_line(m, fl, 5);
			}
		}
	}
	fclose(m);
	m = NULL;
	if (wl != gl || memcmp(want, got, gl)) {
		log_err("%s: error: the old side of the stack_only entries changed between "
			"the first build and this one (%s has the first)\n", b->ko, p);
		err = -EBADMSG;
	}
out:
	if (f)
		fclose(f);
	if (m)
		fclose(m);
	free(want);
	free(got);
	free(p);
	return err;
}

/* A livepatch this one replaces or is stacked on: its table must hold. */
static int verify_other(struct build *b, const char *ko, bool replaced)
{
	struct klp_verify_result r;
	int err = klp_verify_module_stock(ko, b->stock ? KLP_VERIFY_STOCK : KLP_VERIFY_STACK_ONLY,
					  &r);

	if (err == -EBADMSG) {
		log_err("%s: error: %s; the kernel would not hold a task in them when %s it: "
			"rebuild it with klp-prep build\n", ko, b->stock ?
			"the parts of its new code are not covered by its own patched callers" :
			"its stack_only entries do not match its own code",
			replaced ? "replacing" : "stacking on");
		return KLP_BUILD_UNSAFE;
	}
	if (err)
		return err;
	report(b, "verify: %s %s: %zu function%s, %zu part%s of its new code; the kernel checks "
	       "them through the func_stack%s%s", replaced ? "replaces" : "stacked on", ko,
	       r.patched, r.patched == 1 ? "" : "s", r.pairs + r.new_only + r.covered,
	       r.pairs + r.new_only + r.covered == 1 ? "" : "s",
	       replaced ? " and the nops of the replace" : "",
	       b->stock ? " (covered by its patched callers)" : "");
	return 0;
}

static int step_verify(struct build *b)
{
	struct klp_verify_result r;
	struct klp_lp_table *t = NULL;
	bool replace = b->o->gen.replace || b->o->nr_replaces;
	size_t i, k;
	/* Parts the author let escape (--no-cover, --allow-unsafe) are counted, not held. */
	bool uncovered = b->o->gen.no_cover || (b->o->gen.allow_unsafe & KLP_ALLOW_UNCOVERED_PARTS);
	int err = klp_verify_module_stock(b->ko, !b->stock ? KLP_VERIFY_STACK_ONLY :
					  uncovered ? KLP_VERIFY_STOCK_UNCOVERED :
					  KLP_VERIFY_STOCK, &r);

	if (err == -EBADMSG) {
		log_err("%s: error: %zu mismatch%s between the klp_func table and the module's "
			"own records and symbols\n", b->ko, r.errors, r.errors == 1 ? "" : "es");
		return b->stock ? KLP_BUILD_UNSAFE : err;
	}
	if (err)
		return err;
	err = klp_lp_table__read(b->ko, &t);
	if (!err)
		err = same_old_side(b, t);
	if (!err && t->replace != replace) {
		log_err("%s: error: klp_patch.replace is %d, want %d\n", b->ko, t->replace, replace);
		err = -EBADMSG;
	}
	/* What the table holds, one line per patched function. */
	for (i = 0; !err && t && i < t->nr_objs; i++) {
		const struct klp_lp_object *o = &t->objs[i];

		for (k = 0; k < o->nr_funcs; k++) {
			const struct klp_lp_func *f = &o->funcs[k];
			char *why;

			if (f->stack_only)
				continue;
			why = reason_of(b, o->name, f->old_name, f->old_sympos);
			report(b, "patched: %s:%s%s%.0lu -> %s%s%s%s", o->name, f->old_name,
			       f->old_sympos ? "," : "", f->old_sympos, f->new_func,
			       why ? " (" : "", why ? why : "", why ? ")" : "");
			free(why);
		}
	}
	klp_lp_table__free(t);
	for (i = 0; !err && i < b->o->nr_replaces; i++)
		err = verify_other(b, b->o->replaces[i], true);
	for (i = 0; !err && i < b->o->nr_stacked_on; i++)
		err = verify_other(b, b->o->stacked_on[i], false);
	if (!err && b->stock) {
		report(b, "verify: %zu patched function%s; no stack_only (a stock kernel): %zu "
		       "part%s of the new code covered by patched callers%s; the table matches "
		       "the module's records%s", r.patched, r.patched == 1 ? "" : "s", r.covered,
		       r.covered == 1 ? "" : "s", r.new_only ? ", others let escape" : "",
		       replace ? "; atomic replace" : "");
		if (r.new_only)
			log_warn("%s: warning: %zu part%s of the new code not covered (--no-cover, "
				 "--allow-unsafe): a task in one escapes the stack check\n", b->ko,
				 r.new_only, r.new_only == 1 ? "" : "s");
	} else if (!err) {
		report(b, "verify: %zu patched function%s; stack_only: %zu pair%s, %zu old side only, "
		       "%zu new side only; the table matches the module's records%s", r.patched,
		       r.patched == 1 ? "" : "s", r.pairs, r.pairs == 1 ? "" : "s", r.old_only,
		       r.new_only, replace ? "; atomic replace" : "");
	}
	return err;
}

/* Copy @from to @to through a temporary file renamed into place. */
static int copy_file(const char *from, const char *to)
{
	char *tmp = NULL, buf[65536];
	int in = -1, fd = -1, err = 0;
	ssize_t n;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", to) < 0)
		return -ENOMEM;
	in = open(from, O_RDONLY);
	fd = mkstemp(tmp);
	if (in < 0 || fd < 0) {
		err = -errno;
		log_err("%s: error: %s\n", in < 0 ? from : tmp, strerror(errno));
		goto out;
	}
	/*
	 * A full disk shows as a short write first and ENOSPC only on the
	 * next one: write the rest until the error comes, so the message
	 * says what it is (not a stale errno).
	 */
	while (!err && (n = read(in, buf, sizeof(buf))) > 0) {
		const char *p = buf;

		while (n > 0) {
			ssize_t w = write(fd, p, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				err = w < 0 ? -errno : -EIO;
				break;
			}
			p += w;
			n -= w;
		}
	}
	if (n < 0)
		err = -errno;
	if (!err && (fchmod(fd, 0644) || fsync(fd)))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	fd = -1;
	if (!err && rename(tmp, to))
		err = -errno;
	if (err)
		log_err("%s: error: %s\n", to, strerror(-err));
out:
	if (in >= 0)
		close(in);
	if (fd >= 0)
		close(fd);
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

static int step_install(struct build *b)
{
	char *out = NULL;
	int err;

	if (b->o->output)
		out = strdup(b->o->output);
	else if (asprintf(&out, "livepatch-%s.ko", b->name) < 0)
		out = NULL;
	if (!out)
		return -ENOMEM;
	if (exists(out) && !b->o->force) {
		log_err("%s: error: exists; pass --force to replace it\n", out);
		free(out);
		return -EEXIST;
	}
	err = copy_file(b->ko, out);
	if (!err)
		report(b, "install: %s", out);
	free(out);
	return err;
}

static const struct step steps[] = {
	{ "compdb", step_compdb },
	{ "generate", step_generate },
	{ "build", step_build },
	{ "new-side", step_new_side },
	{ "regenerate", step_regenerate },
	{ "rebuild", step_rebuild },
	{ "convert", step_convert },
	{ "verify", step_verify },
	{ "install", step_install },
};
#define NR_STEPS (sizeof(steps) / sizeof(steps[0]))

/* ---- the work directory ------------------------------------------------------ */

static void args_add(FILE *f, const char *key, const char *v)
{
	char *abs = v ? realpath(v, NULL) : NULL;

	fprintf(f, "%s=%s\n", key, abs ? abs : v ? v : "");
	free(abs);
}

static char *args_text(const struct klp_build_opts *o)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	args_add(f, "kernel", o->gen.build_dir);
	args_add(f, "compdb", o->gen.compdb_dir);
	for (i = 0; i < o->nr_module_dirs; i++)
		args_add(f, "module-dir", o->module_dirs[i]);
	args_add(f, "diff", o->gen.diff);
	for (i = 0; i < o->gen.nr_patched; i++)
		fprintf(f, "patched=%s\n", o->gen.patched[i]);
	for (i = 0; i < o->gen.nr_functions; i++)
		fprintf(f, "function=%s\n", o->gen.functions[i]);
	fprintf(f, "strip=%d\nname=%s\nprefix=%s\n", o->gen.strip, o->gen.name ? o->gen.name : "",
		o->gen.prefix ? o->gen.prefix : "");
	args_add(f, "templates", o->gen.templates);
	args_add(f, "plugin", o->plugin);
	/* Only when given, so that older work directories resume. */
	if (o->vmlinux)
		args_add(f, "vmlinux", o->vmlinux);
	if (o->source)
		args_add(f, "source", o->source);
	if (o->cache)
		args_add(f, "cache", o->cache);
	fprintf(f, "replace=%d\n", o->gen.replace);
	/* Only when given, so that older work directories resume. */
	if (o->gen.allow_unsafe)
		fprintf(f, "allow-unsafe=%u\n", o->gen.allow_unsafe);
	for (i = 0; i < o->nr_replaces; i++)
		args_add(f, "replaces", o->replaces[i]);
	for (i = 0; i < o->nr_stacked_on; i++)
		args_add(f, "stacked-on", o->stacked_on[i]);
	fclose(f);
	return text;
}

/* The default work directory: klp-build-NAME, NAME from --name or the diff. */
static char *default_work(const struct klp_build_opts *o)
{
	const char *base = o->gen.name;
	char *w, *dot;

	if (!base && o->gen.diff) {
		base = strrchr(o->gen.diff, '/');
		base = base ? base + 1 : o->gen.diff;
	}
	if (asprintf(&w, "klp-build-%s", base ? base : "patched") < 0)
		return NULL;
	dot = strrchr(w, '.');
	if (dot && (!strcmp(dot, ".diff") || !strcmp(dot, ".patch")))
		*dot = '\0';
	return w;
}

/* Make or reopen the work directory; the number of steps already done. */
static int open_work(struct build *b, size_t *done)
{
	const struct klp_build_opts *o = b->o;
	char *dir = o->work_dir ? strdup(o->work_dir) : default_work(o);
	char *args = args_text(o), *ap = NULL, *dp = NULL, *old = NULL;
	int err = 0;

	*done = 0;
	if (!dir || !args) {
		err = -ENOMEM;
		goto out;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		err = -errno;
		log_err("%s: error: cannot make the work directory: %s\n", dir, strerror(errno));
		goto out;
	}
	b->work = realpath(dir, NULL);
	if (!b->work) {
		err = -errno;
		goto out;
	}
	b->src = path_in(b->work, "src");
	ap = path_in(b->work, "args");
	dp = path_in(b->work, "done");
	if (!b->src || !ap || !dp) {
		err = -ENOMEM;
		goto out;
	}
	old = klp_read_text_file(ap);
	if (o->resume) {
		char *d = klp_read_text_file(dp);

		if (!old) {
			log_err("%s: error: nothing to resume here (no %s)\n", b->work, ap);
			err = -EINVAL;
		} else if (strcmp(old, args)) {
			log_err("%s: error: --resume with other arguments than the run it would "
				"resume (%s has those); run without --resume to start over\n",
				b->work, ap);
			err = -EINVAL;
		}
		*done = d ? strtoul(d, NULL, 10) : 0;
		free(d);
		if (*done > NR_STEPS)
			*done = 0;
		goto out;
	}
	unlink(dp);
	err = write_small(ap, args);
out:
	free(dir);
	free(args);
	free(ap);
	free(dp);
	free(old);
	return err;
}

static int mark_done(struct build *b, size_t n)
{
	char *dp = path_in(b->work, "done"), num[32];
	int err;

	if (!dp)
		return -ENOMEM;
	snprintf(num, sizeof(num), "%zu\n", n);
	err = write_small(dp, num);
	free(dp);
	return err;
}

/*
 * Is -k a distribution kernel's headers (shipped.h), or the place of
 * headers not installed (/lib/modules/R/build: say which packages)?
 */
static bool shipped_kernel(const char *build_dir)
{
	return klp_shipped_is_headers(build_dir) ||
	       (access(build_dir, F_OK) && strstr(build_dir, "/lib/modules/"));
}

static int check_input(const struct klp_build_opts *o)
{
	size_t i;

	if (!o->gen.build_dir || !*o->gen.build_dir) {
		log_err("error: no kernel build directory\n");
		return -EINVAL;
	}
	if (!shipped_kernel(o->gen.build_dir)) {
		char *v = path_in(o->gen.build_dir, "vmlinux"), *s = path_in(o->gen.build_dir, "Module.symvers");
		bool ok = v && s && exists(v) && exists(s);

		if (!ok)
			log_err("%s: error: not a built kernel (no vmlinux or Module.symvers)\n",
				o->gen.build_dir);
		free(v);
		free(s);
		if (!ok)
			return -EINVAL;
	}
	if (!o->gen.diff && !o->gen.nr_patched) {
		log_err("error: no fix: a diff, or patched files with their functions\n");
		return -EINVAL;
	}
	if (o->gen.diff && access(o->gen.diff, R_OK)) {
		log_err("%s: error: %s\n", o->gen.diff, strerror(errno));
		return -EINVAL;
	}
	for (i = 0; i < o->nr_replaces; i++)
		if (access(o->replaces[i], R_OK)) {
			log_err("%s: error: %s\n", o->replaces[i], strerror(errno));
			return -EINVAL;
		}
	for (i = 0; i < o->nr_stacked_on; i++)
		if (access(o->stacked_on[i], R_OK)) {
			log_err("%s: error: %s\n", o->stacked_on[i], strerror(errno));
			return -EINVAL;
		}
	return 0;
}

/* Is @path (as the fix names it) a file of one of the -m modules? */
static bool in_module_dir(struct build *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->o->nr_module_dirs; i++) {
		char *p = path_in(b->o->module_dirs[i], path);
		bool there = p && exists(p);

		free(p);
		if (there)
			return true;
	}
	return false;
}

/* The units the fix changes, "DIR/NAME.o", as the source tree names them. */
static int fix_units(struct build *b)
{
	const struct klp_generate_opts *g = &b->o->gen;
	struct klp_diff *d = NULL;
	size_t i, n = g->diff ? 0 : g->nr_patched;
	int err = 0;

	if (g->diff) {
		err = klp_diff__parse_file(g->diff, g->strip < 0 ? 1 : g->strip, &d);
		if (err)
			return err == -ENOMEM ? err : -EINVAL;
		n = d->nr_files;
	}
	b->units = calloc(n + 1, sizeof(*b->units));
	b->unit_records = calloc(n + 1, sizeof(*b->unit_records));
	for (i = 0; !err && i < n; i++) {
		const char *path = d ? d->files[i].new_path : g->patched[i];
		size_t len = d ? (path ? strlen(path) : 0) : strcspn(path, "=");
		char *u;

		if (!b->units || !b->unit_records) {
			err = -ENOMEM;
			break;
		}
		u = klp_shipped_unit_of(path, len);
		if (!u && errno == ENOMEM) {
			err = -ENOMEM;
			break;
		}
		/* generate says what is wrong with a file that is not a .c unit;
		 * an out-of-tree module's unit has its own records (-m) */
		if (!u || in_module_dir(b, u)) {
			free(u);
			continue;
		}
		b->units[b->nr_units] = u;
		b->unit_records[b->nr_units] = klp_shipped_unit_path(b->shipped, u);
		if (!b->unit_records[b->nr_units++])
			err = -ENOMEM;
	}
	klp_diff__free(d);
	return err;
}

/* -k names a distribution's headers: find its packages and the fix's units. */
static int open_shipped(struct build *b)
{
	struct klp_shipped_opts so = {
		.build_dir = b->o->gen.build_dir, .vmlinux = b->o->vmlinux,
		.source = b->o->source, .cache = b->o->cache, .plugin = b->plugin,
	};
	int err = klp_shipped_open(&so, &b->shipped);

	if (err)
		return err == -ENOMEM ? err : -EINVAL;
	err = klp_shipped_has_stack_only(b->shipped);
	if (err < 0)
		return -EINVAL;
	b->stock = !err;
	return fix_units(b);
}

int klp_build(const struct klp_build_opts *o)
{
	struct build b = { .o = o };
	size_t done = 0, i;
	int err;

	b.prefix = o->gen.prefix ? o->gen.prefix : "klpp_";
	err = check_input(o);
	if (err)
		return err;
	b.plugin = o->plugin ? o->plugin : klp_build_default_plugin();
	if (!b.plugin || access(b.plugin, R_OK)) {
		log_err("%s: error: no partition plugin to build the module with; pass "
			"--plugin or set KLP_PREP_PLUGIN\n", b.plugin ? b.plugin : "klp_partition.so");
		return -EINVAL;
	}
	if (shipped_kernel(o->gen.build_dir)) {
		err = open_shipped(&b);
		if (err)
			goto out;
	}
	if (o->stack_only != KLP_STACK_ONLY_AUTO)
		b.stock = o->stack_only == KLP_STACK_ONLY_NO;
	err = open_work(&b, &done);
	if (err)
		goto out;
	report(&b, "work: %s%s", b.work, done ? " (resumed)" : "");
	for (i = 0; !err && i < NR_STEPS; i++) {
		char logname[64];

		free(b.log);
		snprintf(logname, sizeof(logname), "%02zu-%s.log", i + 1, steps[i].name);
		b.log = path_in(b.work, logname);
		if (!b.log) {
			err = -ENOMEM;
			break;
		}
		if (i < done)
			continue;
		/* Resumed: what the steps that ran found, from their outputs. */
		if (i == done && done) {
			report(&b, "resume: from step %s", steps[i].name);
			err = resumed_compdb(&b);
			if (!err && i > 1)
				err = load_name(&b);
			if (err)
				break;
		}
		unlink(b.log);
		err = steps[i].fn(&b);
		if (err == KLP_BUILD_UNSAFE) {
			log_err("error: step %s: the fix cannot be livepatched safely as it is; "
				"logs are in %s\n", steps[i].name, b.work);
			break;
		}
		if (err) {
			log_err("error: step %s failed; logs and intermediate files are in %s; "
				"fix the cause and run again with --resume\n", steps[i].name, b.work);
			break;
		}
		err = mark_done(&b, i + 1);
	}
out:
	free(b.work);
	free(b.src);
	free(b.compdb);
	free(b.name);
	free(b.ko);
	free(b.log);
	free(b.new_side);
	free(b.new_side_strings);
	klp_shipped_free(b.shipped);
	for (i = 0; i < b.nr_units; i++) {
		free(b.units[i]);
		free(b.unit_records[i]);
	}
	free(b.units);
	free(b.unit_records);
	return err;
}
