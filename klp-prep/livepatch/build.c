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
#include <dirent.h>
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
#include "generate.h"
#include <klp_prep/object.h>
#include "verify.h"

#include "extract_log.h"

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
};

__attribute__((format(printf, 2, 3)))
static void report(struct build *b, const char *fmt, ...)
{
	char *line;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->o->report)
		b->o->report(b->o->report_ctx, line);
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
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return env;
	/* installed: PREFIX/bin/klp-prep and PREFIX/lib/klp-prep/klp_partition.so */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(beside, sizeof(beside), "%s/../lib/klp-prep/klp_partition.so",
				     exe) < (int)sizeof(beside) && !access(beside, R_OK))
				return beside;
		}
	}
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
	int status, fd, i;
	pid_t pid;
	FILE *lf = fopen(b->log, "a");

	if (lf) {
		fputs("$", lf);
		for (i = 0; argv[i]; i++)
			fprintf(lf, " %s", argv[i]);
		fputc('\n', lf);
		fclose(lf);
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		fd = open(b->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	klp_gen_err("error: '%s' failed (%s %d); its output: %s\n", argv[0],
		    WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), b->log);
	return -ECHILD;
}

/* The last @n lines of the step's log with "error" in them, to stderr. */
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
			free(keep[k % n]);
			keep[k++ % n] = strdup(line);
		}
	fclose(f);
	for (i = 0; i < n; i++) {
		char *l = keep[(k + i) % n];

		if (l)
			fprintf(stderr, "  %s", l);
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
		char *argv[] = { "make", "-C", (char *)b->o->build_dir, m, kc, "modules", NULL };

		err = run(b, argv);
	}
	free(m);
	free(kc);
	if (err) {
		show_errors(b, 8);
		return err;
	}
	if (!exists(b->ko)) {
		klp_gen_err("%s: error: make succeeded but did not make it (log: %s)\n", b->ko, b->log);
		return -ENOENT;
	}
	return 0;
}

/* ---- steps ------------------------------------------------------------------------ */

/* The compile database the compdb step chose, when it ran earlier. */
static int resumed_compdb(struct build *b)
{
	char *own = path_in(b->work, "compdb/compile_commands.json");

	if (!own)
		return -ENOMEM;
	if (b->o->compdb_dir)
		b->compdb = strdup(b->o->compdb_dir);
	else if (exists(own))
		b->compdb = path_in(b->work, "compdb");
	else
		b->compdb = strdup(b->o->build_dir);
	free(own);
	return b->compdb ? 0 : -ENOMEM;
}

static int step_compdb(struct build *b)
{
	char *json, *src = NULL, *out = NULL, *script = NULL;
	const char **argv;
	size_t i, n = 0;
	int err;

	if (b->o->compdb_dir) {
		b->compdb = strdup(b->o->compdb_dir);
		report(b, "compdb: %s (given)", b->compdb);
		return b->compdb ? 0 : -ENOMEM;
	}
	json = path_in(b->o->build_dir, "compile_commands.json");
	if (json && exists(json) && !b->o->nr_module_dirs) {
		free(json);
		b->compdb = strdup(b->o->build_dir);
		report(b, "compdb: %s/compile_commands.json (the kernel's)", b->o->build_dir);
		return b->compdb ? 0 : -ENOMEM;
	}
	free(json);
	/* The kernel's own script, over the build and the modules. */
	src = path_in(b->o->build_dir, "source");
	script = src ? path_in(src, "scripts/clang-tools/gen_compile_commands.py") : NULL;
	if (!script || !exists(script)) {
		free(script);
		free(src);
		script = path_in(b->o->build_dir, "scripts/clang-tools/gen_compile_commands.py");
	}
	if (!script || !exists(script)) {
		klp_gen_err("%s: error: no compile_commands.json and no "
			    "scripts/clang-tools/gen_compile_commands.py to make one; pass --compdb\n",
			    b->o->build_dir);
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
	argv[n++] = b->o->build_dir;
	argv[n++] = "-o";
	argv[n++] = out;
	argv[n++] = b->o->build_dir;
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

/* The patch's name, from what generate wrote: livepatch_NAME.c. */
static int find_name(struct build *b)
{
	struct dirent *de;
	DIR *d = opendir(b->src);

	if (!d) {
		klp_gen_err("%s: error: %s\n", b->src, strerror(errno));
		return -ENOENT;
	}
	free(b->name);
	b->name = NULL;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (!strncmp(de->d_name, "livepatch_", 10) && l > 12 &&
		    !strcmp(de->d_name + l - 2, ".c") && !strstr(de->d_name, ".mod.c")) {
			b->name = strndup(de->d_name + 10, l - 12);
			break;
		}
	}
	closedir(d);
	if (!b->name) {
		klp_gen_err("%s: error: no livepatch_NAME.c in it\n", b->src);
		return -ENOENT;
	}
	free(b->ko);
	if (asprintf(&b->ko, "%s/livepatch-%s.ko", b->src, b->name) < 0) {
		b->ko = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int generate(struct build *b, bool with_new_side)
{
	struct klp_generate_opts g = {
		.build_dir = b->o->build_dir,
		.compdb_dir = b->compdb,
		.diff = b->o->diff,
		.strip = b->o->strip,
		.patched = b->o->patched,
		.nr_patched = b->o->nr_patched,
		.functions = b->o->functions,
		.nr_functions = b->o->nr_functions,
		.name = b->o->name,
		.prefix = b->o->prefix,
		.templates = b->o->templates,
		.output = b->src,
		.force = true,
		.replace = b->o->replace || b->o->nr_replaces,
		.new_side = with_new_side ? b->new_side : NULL,
		.nr_new_side = with_new_side ? b->nr_new_side : 0,
	};
	int err = klp_generate(&g, NULL);

	if (err)
		return err;
	return find_name(b);
}

/* The reason generate gave for patching @old_name (its comment). */
static char *reason_of(struct build *b, const char *old_name)
{
	char *c = NULL, *path, line[1024], prev[1024] = "", want[512];
	FILE *f;

	if (asprintf(&path, "%s/livepatch_%s.c", b->src, b->name) < 0)
		return NULL;
	f = fopen(path, "r");
	free(path);
	if (!f)
		return NULL;
	snprintf(want, sizeof(want), ".old_name = \"%s\",", old_name);
	while (!c && fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, "\t ");
		char *p = prev + strspn(prev, "\t ");

		if (!strncmp(s, want, strlen(want)) && !strncmp(p, "/* ", 3)) {
			char *end = strstr(p, " */");

			if (end)
				c = strndup(p + 3, end - p - 3);
		}
		memcpy(prev, line, sizeof(prev));
	}
	fclose(f);
	return c;
}

/* The symbols the extraction externalized: KLP_PREP_EXTERN uses. */
static void externs_of(struct build *b, size_t *nr, char *list, size_t size)
{
	struct dirent *de;
	DIR *d = opendir(b->src);
	size_t used = 0;

	*nr = 0;
	*list = '\0';
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char *path, line[1024];
		FILE *f;

		if (l < 3 || strcmp(de->d_name + l - 2, ".c") || strstr(de->d_name, ".mod.c"))
			continue;
		path = path_in(b->src, de->d_name);
		f = path ? fopen(path, "r") : NULL;
		free(path);
		while (f && fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "KLP_PREP_EXTERN("), *q, *e;

			if (!p || strstr(line, "#define") || !(q = strchr(p, '"')) ||
			    !(e = strchr(q + 1, '"')))
				continue;
			(*nr)++;
			if (used + (e - q) + 3 < size)
				used += snprintf(list + used, size - used, "%s%.*s", used ? ", " : "",
						 (int)(e - q - 1), q + 1);
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
}

static int step_generate(struct build *b)
{
	int err = generate(b, false);
	char ext[1024];
	size_t n;

	if (err)
		return err;
	externs_of(b, &n, ext, sizeof(ext));
	report(b, "generate: %s (livepatch_%s.c); %zu externalized symbol%s%s%s%s", b->src, b->name,
	       n, n == 1 ? "" : "s", n ? " (" : "", ext, n ? ")" : "");
	return 0;
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

static int tsv_line(FILE *f, const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "\t" : "", fields[i] ? fields[i] : "-");
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
		klp_gen_err("%s: error: no .klp_prep.partition section: built without the plugin "
			    "(%s)?\n", b->ko, b->plugin);
		err = -EINVAL;
		goto out;
	}
	for (i = 0; i < t->nr_objs; i++)
		for (k = 0; k < t->objs[i].nr_funcs; k++) {
			const char **n;

			if (t->objs[i].funcs[k].stack_only || !t->objs[i].funcs[k].new_func)
				continue;
			n = realloc(parents, (nr_parents + 1) * sizeof(*n));
			if (!n) {
				err = -ENOMEM;
				goto out;
			}
			parents = n;
			parents[nr_parents++] = t->objs[i].funcs[k].new_func;
		}
	nf = open_tmp(np, &ntmp);
	of = open_tmp(op, &otmp);
	if (!nf || !of) {
		err = -errno;
		klp_gen_err("%s: error: %s\n", b->work, strerror(errno));
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
				klp_gen_err("%s: error: no partition records of '%s'\n", b->ko, p->new_func);
				err = -EINVAL;
			}
			if (err)
				break;
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
	if (!err)
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
	char *p = path_in(b->work, "new-side.tsv"), *line = NULL, *s;
	size_t cap = 0, size = 0, n = 0, k;
	FILE *f;
	ssize_t l;

	if (!p)
		return -ENOMEM;
	f = fopen(p, "r");
	if (!f) {
		klp_gen_err("%s: error: %s (resume from the new-side step)\n", p, strerror(errno));
		free(p);
		return -ENOENT;
	}
	free(p);
	/* All of it in one buffer, the fields split in place. */
	free(b->new_side_strings);
	b->new_side_strings = NULL;
	while ((l = getline(&line, &cap, f)) > 0) {
		char *nb = realloc(b->new_side_strings, size + l + 1);

		if (!nb) {
			free(line);
			fclose(f);
			return -ENOMEM;
		}
		b->new_side_strings = nb;
		memcpy(nb + size, line, l + 1);
		size += l;
		n++;
	}
	free(line);
	fclose(f);
	free(b->new_side);
	b->new_side = calloc(n + 1, sizeof(*b->new_side));
	if (!b->new_side)
		return -ENOMEM;
	b->nr_new_side = n;
	s = b->new_side_strings;
	for (k = 0; k < n && s; k++) {
		char *fld[8];
		size_t i;

		for (i = 0; i < 8; i++) {
			fld[i] = s;
			s += strcspn(s, i < 7 ? "\t\n" : "\n");
			if (*s)
				*s++ = '\0';
		}
		for (i = 0; i < 8; i++)
			if (!strcmp(fld[i], "-"))
				fld[i] = NULL;
		b->new_side[k] = (struct klp_generate_subfunc) {
			.object = fld[0], .parent = fld[1],
			.parent_sympos = fld[2] ? strtoul(fld[2], NULL, 10) : 0,
			.old_name = fld[3], .old_sympos = fld[4] ? strtoul(fld[4], NULL, 10) : 0,
			.new_name = fld[5], .new_sympos = fld[6] ? strtoul(fld[6], NULL, 10) : 0,
			.why = fld[7],
		};
		if (!fld[0] || !fld[1] || !fld[5]) {
			klp_gen_err("%s/new-side.tsv:%zu: error: malformed\n", b->work, k + 1);
			return -EINVAL;
		}
	}
	return 0;
}

static int step_regenerate(struct build *b)
{
	int err = load_new_side(b);

	if (!err)
		err = generate(b, true);
	if (!err)
		report(b, "regenerate: %s: %zu stack_only entr%s with a new side", b->src,
		       b->nr_new_side, b->nr_new_side == 1 ? "y" : "ies");
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
		klp_gen_err("%s: error: %s\n", p, strerror(errno));
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
		klp_gen_err("%s: error: the old side of the stack_only entries changed between "
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
	int err = klp_verify_module(ko, &r);

	if (err == -EBADMSG) {
		klp_gen_err("%s: error: its stack_only entries do not match its own code; the "
			    "kernel would not check them when %s it: rebuild it with klp-prep "
			    "build\n", ko, replaced ? "replacing" : "stacking on");
		return KLP_BUILD_UNSAFE;
	}
	if (err)
		return err;
	report(b, "verify: %s %s: %zu function%s, %zu part%s of its new code; the kernel checks "
	       "them through the func_stack%s", replaced ? "replaces" : "stacked on", ko,
	       r.patched, r.patched == 1 ? "" : "s", r.pairs + r.new_only,
	       r.pairs + r.new_only == 1 ? "" : "s",
	       replaced ? " and the nops of the replace" : "");
	return 0;
}

static int step_verify(struct build *b)
{
	struct klp_verify_result r;
	struct klp_lp_table *t = NULL;
	bool replace = b->o->replace || b->o->nr_replaces;
	size_t i, k;
	int err = klp_verify_module(b->ko, &r);

	if (err == -EBADMSG) {
		klp_gen_err("%s: error: %zu mismatch%s between the klp_func table and the module's "
			    "own records and symbols\n", b->ko, r.errors, r.errors == 1 ? "" : "es");
		return err;
	}
	if (err)
		return err;
	err = klp_lp_table__read(b->ko, &t);
	if (!err)
		err = same_old_side(b, t);
	if (!err && t->replace != replace) {
		klp_gen_err("%s: error: klp_patch.replace is %d, want %d\n", b->ko, t->replace, replace);
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
			why = reason_of(b, f->old_name);
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
	if (!err)
		report(b, "verify: %zu patched function%s; stack_only: %zu pair%s, %zu old side only, "
		       "%zu new side only; the table matches the module's records%s", r.patched,
		       r.patched == 1 ? "" : "s", r.pairs, r.pairs == 1 ? "" : "s", r.old_only,
		       r.new_only, replace ? "; atomic replace" : "");
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
		klp_gen_err("%s: error: %s\n", in < 0 ? from : tmp, strerror(errno));
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
		klp_gen_err("%s: error: %s\n", to, strerror(-err));
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
		klp_gen_err("%s: error: exists; pass --force to replace it\n", out);
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
	args_add(f, "kernel", o->build_dir);
	args_add(f, "compdb", o->compdb_dir);
	for (i = 0; i < o->nr_module_dirs; i++)
		args_add(f, "module-dir", o->module_dirs[i]);
	args_add(f, "diff", o->diff);
	for (i = 0; i < o->nr_patched; i++)
		fprintf(f, "patched=%s\n", o->patched[i]);
	for (i = 0; i < o->nr_functions; i++)
		fprintf(f, "function=%s\n", o->functions[i]);
	fprintf(f, "strip=%d\nname=%s\nprefix=%s\n", o->strip, o->name ? o->name : "",
		o->prefix ? o->prefix : "");
	args_add(f, "templates", o->templates);
	args_add(f, "plugin", o->plugin);
	fprintf(f, "replace=%d\n", o->replace);
	for (i = 0; i < o->nr_replaces; i++)
		args_add(f, "replaces", o->replaces[i]);
	for (i = 0; i < o->nr_stacked_on; i++)
		args_add(f, "stacked-on", o->stacked_on[i]);
	fclose(f);
	return text;
}

static char *read_file(const char *path)
{
	char *t = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getdelim(&t, &cap, '\0', f) < 0) {
		free(t);
		t = NULL;
	}
	fclose(f);
	return t;
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

/* The default work directory: klp-build-NAME, NAME from --name or the diff. */
static char *default_work(const struct klp_build_opts *o)
{
	const char *base = o->name;
	char *w, *dot;

	if (!base && o->diff) {
		base = strrchr(o->diff, '/');
		base = base ? base + 1 : o->diff;
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
		klp_gen_err("%s: error: cannot make the work directory: %s\n", dir, strerror(errno));
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
	old = read_file(ap);
	if (o->resume) {
		char *d = read_file(dp);

		if (!old) {
			klp_gen_err("%s: error: nothing to resume here (no %s)\n", b->work, ap);
			err = -EINVAL;
		} else if (strcmp(old, args)) {
			klp_gen_err("%s: error: --resume with other arguments than the run it would "
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

static int check_input(const struct klp_build_opts *o)
{
	size_t i;

	if (!o->build_dir || !*o->build_dir) {
		klp_gen_err("error: no kernel build directory\n");
		return -EINVAL;
	}
	{
		char *v = path_in(o->build_dir, "vmlinux"), *s = path_in(o->build_dir, "Module.symvers");
		bool ok = v && s && exists(v) && exists(s);

		if (!ok)
			klp_gen_err("%s: error: not a built kernel (no vmlinux or Module.symvers)\n",
				    o->build_dir);
		free(v);
		free(s);
		if (!ok)
			return -EINVAL;
	}
	if (!o->diff && !o->nr_patched) {
		klp_gen_err("error: no fix: a diff, or patched files with their functions\n");
		return -EINVAL;
	}
	if (o->diff && access(o->diff, R_OK)) {
		klp_gen_err("%s: error: %s\n", o->diff, strerror(errno));
		return -EINVAL;
	}
	for (i = 0; i < o->nr_replaces; i++)
		if (access(o->replaces[i], R_OK)) {
			klp_gen_err("%s: error: %s\n", o->replaces[i], strerror(errno));
			return -EINVAL;
		}
	for (i = 0; i < o->nr_stacked_on; i++)
		if (access(o->stacked_on[i], R_OK)) {
			klp_gen_err("%s: error: %s\n", o->stacked_on[i], strerror(errno));
			return -EINVAL;
		}
	return 0;
}

int klp_build(const struct klp_build_opts *o)
{
	struct build b = { .o = o };
	size_t done = 0, i;
	int err;

	b.prefix = o->prefix ? o->prefix : "klpp_";
	err = check_input(o);
	if (err)
		return err;
	b.plugin = o->plugin ? o->plugin : klp_build_default_plugin();
	if (!b.plugin || access(b.plugin, R_OK)) {
		klp_gen_err("%s: error: no partition plugin to build the module with; pass "
			    "--plugin or set KLP_PREP_PLUGIN\n", b.plugin ? b.plugin : "klp_partition.so");
		return -EINVAL;
	}
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
				err = find_name(&b);
			if (err)
				break;
		}
		unlink(b.log);
		err = steps[i].fn(&b);
		if (err == KLP_BUILD_UNSAFE) {
			klp_gen_err("error: step %s: the fix cannot be livepatched safely as it is; "
				    "logs are in %s\n", steps[i].name, b.work);
			break;
		}
		if (err) {
			klp_gen_err("error: step %s failed; logs and intermediate files are in %s; "
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
	return err;
}
