// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shipped.c - records for a distribution's kernel, proven against it
 *
 * Debian's packages, as this reads them (see shipped.h for the cache):
 *   linux-headers-R	/lib/modules/R/build -> /usr/src/linux-headers-R:
 *			.config, include/generated, .kernelvariables, a
 *			Makefile of one line including ...-common/Makefile
 *			(the source's top Makefile: the kernel's version)
 *   linux-image-R-dbg	/usr/lib/debug/boot/vmlinux-R, and each module
 *			unstripped: /usr/lib/debug/lib/modules/R/kernel/
 *			DIR/NAME.ko (uncompressed, .symtab and .rela.text)
 *   linux-source-S	/usr/src/linux-source-S.tar.xz
 * The compiles run "make -C OBJ M=SRC/TOP CC=... KCFLAGS=-fplugin=...
 * REST.o": kbuild then takes srctree from OBJ's Makefile and every
 * per-directory flag from the source's Makefiles.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <klp_prep/code_compare.h>
#include <klp_prep/log.h>
#include <klp_prep/object.h>

#include "build.h"
#include "command.h"
#include "source_file.h"
#include "shipped.h"

#include "log.h"

struct klp_shipped {
	struct klp_shipped_opts o;
	char *release;			/* "6.1.0-57-cloud-amd64" */
	char *headers;			/* the build dir, resolved */
	char *vmlinux;
	char *modules;			/* the -dbg package's modules: DIR/NAME.ko */
	char *version;			/* "6.1.192", from the headers */
	char *series;			/* "6.1" */
	char *source;			/* tarball or directory */
	char *cc;			/* "gcc-12" */
	char *cc_text;			/* CONFIG_CC_VERSION_TEXT */
	char *common;			/* the top Makefile's directory */
	bool link_objtool;		/* objtool runs on vmlinux.o */
	const char *plugin;
	char *cache;
	char *dir;			/* CACHE/RELEASE */
	char *src_tree;			/* the unpacked source */
	char *obj;			/* CACHE/RELEASE/obj */
	char *log;			/* CACHE/RELEASE/make.log */
};

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : p;
}

static bool exists(const char *p)
{
	return !access(p, F_OK);
}

/* The value of "NAME = value" or "NAME=value" at a line's start in @text. */
static char *make_var(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, name, len)) {
			const char *v = p + len, *end;

			v += strspn(v, " \t");
			if (*v == '=') {
				v++;
				v += strspn(v, " \t\"");
				end = v + strcspn(v, "\"\n");
				return strndup(v, (size_t)(end - v));
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* ---- running commands ------------------------------------------------------- */

static int mkdir_p(const char *path)
{
	char *p = strdup(path), *s;
	int err = 0;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; !err; s++) {
		bool end = !*s;

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			err = -errno;
		if (end)
			break;
		*s = '/';
	}
	if (err)
		log_err("%s: error: cannot create it: %s\n", path, strerror(-err));
	free(p);
	return err;
}

/* rm -rf, for a directory of this cache only. */
static void remove_tree(const char *path, const char *log)
{
	char *argv[] = { "rm", "-rf", (char *)path, NULL };

	klp_run_command(argv, NULL, log, NULL, 0);
}

/* Write @text to @path through a temporary file renamed into place. */
static int write_atomic(const char *path, const char *text)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	FILE *f;
	int err = 0;

	if (!tmp)
		return -ENOMEM;
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0)
		err = -errno;
	if (f && fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		log_err("%s: error: cannot write it: %s\n", path, strerror(-err));
		unlink(tmp);
	}
	free(tmp);
	return err;
}

/* ---- finding the release's packages ----------------------------------------- */

/*
 * The STT_FILE group of @shipped (vmlinux or a module) that holds the
 * local functions of @obj, a unit rebuilt apart from it: the rule its
 * proof against @shipped used (klp_objfile__files_holding()).  0 when
 * no one group does.
 */
static unsigned int group_of_unit(const struct klp_objfile *shipped,
				  const struct klp_objfile *obj)
{
	const struct klp_elf *elf = klp_objfile__elf(obj);
	const char *base = klp_elf__nr_files(elf) ? klp_elf__file_name(elf, 1) : NULL;
	const struct klp_symbol *sym;
	const char **names = calloc(klp_objfile__nr_symbols(obj) + 1, sizeof(*names));
	unsigned int files[2] = { 0 };
	size_t i, n = 0, fit = 0;

	if (names && base) {
		klp_objfile__for_each_symbol(obj, i, sym)
			if (sym->bind == STB_LOCAL)
				names[n++] = sym->name;
		if (n)
			fit = klp_objfile__files_holding(shipped, base, names, n, files, 2);
	}
	free(names);
	return fit == 1 ? files[0] : 0;
}

int klp_shipped_add_object(struct klp_affected *a, const char *name, bool module,
			   const struct klp_objfile *shipped,
			   struct klp_objfile *const *units, const char *const *unit_names,
			   size_t nr_units)
{
	const struct klp_unit **recs = NULL;
	unsigned int *groups = NULL;
	const struct klp_symbol *sym;
	const struct klp_unit *unit;
	size_t nr = 0, i, k;
	int id = 0, err = 0;

	for (i = 0; !err && i < nr_units; i++) {
		unsigned int group = group_of_unit(shipped, units[i]);

		if (!group) {
			log_err("%s: error: its local functions fit no one STT_FILE group of %s: "
				"old_sympos cannot be counted\n", unit_names[i],
				klp_objfile__path(shipped));
			err = -EINVAL;
			break;
		}
		klp_objfile__for_each_unit(units[i], k, unit) {
			const struct klp_unit **nu = realloc(recs, (nr + 1) * sizeof(*nu));
			unsigned int *ng = realloc(groups, (nr + 1) * sizeof(*ng));

			if (nu)
				recs = nu;
			if (ng)
				groups = ng;
			if (!nu || !ng) {
				err = -ENOMEM;
				break;
			}
			recs[nr] = unit;
			groups[nr++] = group;
		}
	}
	if (!err)
		id = klp_affected__add_object(a, name, module ? KLP_AFFECTED_MODULE
							      : KLP_AFFECTED_VMLINUX,
					      KLP_AFFECTED_FROM_PLUGIN, recs, nr);
	err = err ? err : id < 0 ? id : 0;
	klp_objfile__for_each_symbol(shipped, i, sym) {
		int u = sym->bind == STB_LOCAL ? -2 : -1;

		if (err)
			break;
		for (k = 0; u == -2 && k < nr; k++)
			if (sym->file && groups[k] == sym->file)
				u = (int)k;
		err = klp_affected__add_symbol(a, id, sym->name, sym->value, u);
	}
	free(recs);
	free(groups);
	return err ? err : id;
}

const char *klp_shipped_default_cache(void)
{
	static char buf[PATH_MAX];
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/klp-prep/shipped", xdg);
	else
		snprintf(buf, sizeof(buf), "%s/.cache/klp-prep/shipped",
			 home && *home ? home : "/tmp");
	return buf;
}

/* RELEASE from /lib/modules/RELEASE/build, for a hint when it is missing. */
static char *release_of_path(const char *build_dir)
{
	const char *p = strstr(build_dir, "/lib/modules/");
	const char *end;

	if (!p)
		return NULL;
	p += strlen("/lib/modules/");
	end = strchr(p, '/');
	return end ? strndup(p, (size_t)(end - p)) : NULL;
}

/* The release, version and compiler, as the headers package says. */
static int read_headers(struct klp_shipped *s)
{
	char *path, *text, *common = NULL;
	int err = -EINVAL;

	path = xasprintf("%s/include/generated/utsrelease.h", s->headers);
	text = path ? klp_read_text_file(path) : NULL;
	if (text) {
		char *q = strchr(text, '"');

		if (q && strchr(q + 1, '"'))
			s->release = strndup(q + 1, (size_t)(strchr(q + 1, '"') - q - 1));
	}
	free(text);
	if (!s->release) {
		log_err("%s: error: not a kernel's headers: no UTS_RELEASE\n", s->headers);
		free(path);
		return -EINVAL;
	}
	free(path);

	/* the flavour's one-line Makefile includes the source's top Makefile */
	path = xasprintf("%s/Makefile", s->headers);
	text = path ? klp_read_text_file(path) : NULL;
	if (text && !strncmp(text, "include ", 8)) {
		common = strndup(text + 8, strcspn(text + 8, "\n"));
		free(text);
		text = common ? klp_read_text_file(common) : NULL;
	}
	if (text) {
		char *v = make_var(text, "VERSION"), *pl = make_var(text, "PATCHLEVEL"),
		     *sl = make_var(text, "SUBLEVEL");

		if (v && pl && sl) {
			s->version = xasprintf("%s.%s.%s", v, pl, sl);
			s->series = xasprintf("%s.%s", v, pl);
		}
		free(v);
		free(pl);
		free(sl);
	}
	free(text);
	if (!s->version) {
		log_err("%s: error: no kernel version (VERSION, PATCHLEVEL, SUBLEVEL) in %s\n",
			s->headers, common ? common : path);
		goto out;
	}

	free(path);
	path = xasprintf("%s/.config", s->headers);
	text = path ? klp_read_text_file(path) : NULL;
	if (text) {
		char *ibt = make_var(text, "CONFIG_X86_KERNEL_IBT");
		char *lto = make_var(text, "CONFIG_LTO_CLANG");
		char *x86_64 = make_var(text, "CONFIG_X86_64");

		s->cc_text = make_var(text, "CONFIG_CC_VERSION_TEXT");
		/* kbuild's delay-objtool: objtool runs on vmlinux.o, not per unit */
		s->link_objtool = (ibt && !strcmp(ibt, "y")) || (lto && !strcmp(lto, "y"));
		if (!x86_64 || strcmp(x86_64, "y")) {
			log_err("%s: error: not an x86-64 kernel: the code comparison knows x86-64 only\n",
				path);
			err = -ENOTSUP;
		}
		free(ibt);
		free(lto);
		free(x86_64);
	}
	free(text);
	if (err == -ENOTSUP)
		goto out;
	if (!s->cc_text) {
		log_err("%s: error: no CONFIG_CC_VERSION_TEXT\n", path);
		goto out;
	}
	s->cc = strndup(s->cc_text, strcspn(s->cc_text, " "));
	err = s->cc ? 0 : -ENOMEM;
out:
	if (common && strrchr(common, '/'))
		s->common = strndup(common, (size_t)(strrchr(common, '/') - common));
	free(common);
	free(path);
	return err;
}

/* The compiler CONFIG_CC_VERSION_TEXT names, and no other. */
static int check_compiler(struct klp_shipped *s)
{
	char *argv[] = { s->cc, "--version", NULL };
	char line[512] = "";
	int ret = klp_run_command(argv, NULL, NULL, line, sizeof(line));

	if (ret == -ENOENT || (ret && !*line)) {
		log_err("%s: error: the kernel was built with \"%s\", and %s is not installed: apt-get install %s\n",
			s->headers, s->cc_text, s->cc,
			strstr(s->cc, "gcc-") ? strstr(s->cc, "gcc-") : s->cc);
		return -ENOENT;
	}
	if (ret < 0 || strcmp(line, s->cc_text)) {
		log_err("%s: error: the kernel was built with \"%s\", %s --version says \"%s\": its code cannot be reproduced with this compiler\n",
			s->headers, s->cc_text, s->cc, line);
		return -EINVAL;
	}
	return 0;
}

/* The source package's version, as dpkg knows it ("6.1.192-3"), or NULL. */
static char *dpkg_version_of(const char *path)
{
	char *argv[] = { "dpkg-query", "-S", (char *)path, NULL };
	char line[512] = "", *pkg, *colon;
	char *argw[] = { "dpkg-query", "-W", "-f=${Version}", NULL, NULL };

	if (klp_run_command(argv, NULL, NULL, line, sizeof(line)) || !(colon = strchr(line, ':')))
		return NULL;
	pkg = strndup(line, (size_t)(colon - line));
	if (!pkg)
		return NULL;
	argw[3] = pkg;
	*line = '\0';
	if (klp_run_command(argw, NULL, NULL, line, sizeof(line)) || !*line) {
		free(pkg);
		return NULL;
	}
	free(pkg);
	return strdup(line);
}

static void append(char **text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **text, const char *fmt, ...)
{
	char *more = NULL, *both;
	va_list ap;
	int n;

	if (!*text)
		return;
	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	both = n < 0 ? NULL : xasprintf("%s%s", *text, more);
	free(more);
	free(*text);
	*text = both;
}

static void append_stat(char **text, const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		memset(&st, 0, sizeof(st));
	append(text, "%s %s %lld %lld\n", what, path, (long long)st.st_size,
	       (long long)st.st_mtime);
}

/*
 * The plugin by its bytes, not its path and time: the same plugin built
 * in two build trees (CI's, a user's) makes the same records, and two
 * trees must not empty each other's cache.
 */
static void append_content(char **text, const char *what, const char *path)
{
	uint64_t hash = 0xcbf29ce484222325ull;	/* FNV-1a */
	unsigned char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n, i;

	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (i = 0; i < n; i++)
			hash = (hash ^ buf[i]) * 0x100000001b3ull;
	if (f)
		fclose(f);
	append(text, "%s %016llx\n", what, f ? (unsigned long long)hash : 0ull);
}

/*
 * Empty CACHE/RELEASE when what it was made from changed: the headers,
 * the vmlinux, the source, the plugin, the compiler.
 */
static int open_release_dir(struct klp_shipped *s)
{
	char *identity = strdup(""), *path, *old;
	int err;

	append_stat(&identity, "headers", s->headers);
	path = xasprintf("%s/.config", s->headers);
	if (path)
		append_stat(&identity, "config", path);
	free(path);
	append_stat(&identity, "vmlinux", s->vmlinux);
	append_stat(&identity, "source", s->source);
	append_content(&identity, "plugin", s->plugin);
	append(&identity, "cc %s\n", s->cc_text);
	if (!identity)
		return -ENOMEM;
	err = mkdir_p(s->dir);
	path = xasprintf("%s/identity", s->dir);
	if (err || !path) {
		free(identity);
		free(path);
		return err ? err : -ENOMEM;
	}
	old = klp_read_text_file(path);
	if (old && strcmp(old, identity)) {
		char *units = xasprintf("%s/units", s->dir);
		char *obj = xasprintf("%s/obj", s->dir);

		pr_info(s->dir, "made from other packages or another plugin: emptied");
		if (units)
			remove_tree(units, NULL);
		if (obj)
			remove_tree(obj, NULL);
		free(units);
		free(obj);
	}
	err = (!old || strcmp(old, identity)) ? write_atomic(path, identity) : 0;
	free(old);
	free(path);
	free(identity);
	return err;
}

int klp_shipped_open(const struct klp_shipped_opts *opts, struct klp_shipped **out)
{
	struct klp_shipped *s = calloc(1, sizeof(*s));
	char resolved[PATH_MAX], *missing = strdup(""), *rel;
	const char *cache;
	int err = -ENOMEM;

	*out = NULL;
	if (!s || !missing)
		goto fail;
	s->o = *opts;
	if (!realpath(opts->build_dir, resolved) ||
	    !(s->headers = xasprintf("%s/.config", resolved)) ||
	    !exists(s->headers)) {
		rel = release_of_path(opts->build_dir);
		if (rel)
			log_err("%s: error: no kernel headers there: apt-get install linux-headers-%s linux-image-%s-dbg\n",
				opts->build_dir, rel, rel);
		else
			log_err("%s: error: no kernel headers there (-k takes /lib/modules/RELEASE/build)\n",
				opts->build_dir);
		free(rel);
		err = -ENOENT;
		goto fail;
	}
	free(s->headers);
	s->headers = strdup(resolved);
	if (!s->headers)
		goto fail;
	err = read_headers(s);
	if (err)
		goto fail;
	err = -ENOMEM;

	s->vmlinux = opts->vmlinux ? strdup(opts->vmlinux) :
		xasprintf("/usr/lib/debug/boot/vmlinux-%s", s->release);
	s->modules = xasprintf("/usr/lib/debug/lib/modules/%s/kernel", s->release);
	s->source = opts->source ? strdup(opts->source) :
		xasprintf("/usr/src/linux-source-%s.tar.xz", s->series);
	if (!s->vmlinux || !s->modules || !s->source)
		goto fail;
	if (!exists(s->vmlinux))
		append(&missing, " linux-image-%s-dbg", s->release);
	if (!opts->cache_only && !exists(s->source))
		append(&missing, " linux-source-%s", s->series);
	if (!missing)
		goto fail;
	if (*missing) {
		if (!exists(s->vmlinux))
			log_err("%s: error: no such file: the -dbg package's vmlinux\n", s->vmlinux);
		if (!opts->cache_only && !exists(s->source))
			log_err("%s: error: no such file: the kernel's source package\n", s->source);
		log_err("%s: note: apt-get install%s (or --vmlinux, --source)\n",
			s->release, missing);
		err = -ENOENT;
		goto fail;
	}

	cache = opts->cache ? opts->cache : klp_shipped_default_cache();
	s->cache = strdup(cache);
	s->dir = xasprintf("%s/%s", cache, s->release);
	s->obj = xasprintf("%s/obj", s->dir ? s->dir : "");
	s->log = xasprintf("%s/make.log", s->dir ? s->dir : "");
	if (!s->cache || !s->dir || !s->obj || !s->log)
		goto fail;
	if (!opts->cache_only) {
		s->plugin = opts->plugin ? opts->plugin : klp_build_default_plugin();
		if (!s->plugin || access(s->plugin, R_OK)) {
			log_err("%s: error: no klp_partition.so found (set KLP_PREP_PLUGIN, or install klp-prep)\n",
				"klp-prep");
			err = -ENOENT;
			goto fail;
		}
		err = check_compiler(s);
		if (err)
			goto fail;
		err = open_release_dir(s);
		if (err)
			goto fail;
	}
	free(missing);
	*out = s;
	return 0;
fail:
	if (err == -ENOMEM)
		log_err("klp-prep: error: out of memory\n");
	free(missing);
	klp_shipped_free(s);
	return err;
}

void klp_shipped_free(struct klp_shipped *s)
{
	if (!s)
		return;
	free(s->release);
	free(s->headers);
	free(s->vmlinux);
	free(s->modules);
	free(s->version);
	free(s->series);
	free(s->source);
	free(s->cc);
	free(s->cc_text);
	free(s->common);
	free(s->cache);
	free(s->dir);
	free(s->src_tree);
	free(s->obj);
	free(s->log);
	free(s);
}

const char *klp_shipped_release(const struct klp_shipped *s)
{
	return s->release;
}

const char *klp_shipped_vmlinux(const struct klp_shipped *s)
{
	return s->vmlinux;
}

const char *klp_shipped_modules(const struct klp_shipped *s)
{
	return s->modules;
}

char *klp_shipped_unit_of(const char *path, size_t len)
{
	char *unit;

	if (len < 3 || strncmp(path + len - 2, ".c", 2)) {
		errno = EINVAL;
		return NULL;
	}
	unit = strndup(path, len);
	if (unit)
		unit[len - 1] = 'o';
	return unit;
}

void klp_shipped_refuse_split_part(const char *where, const char *function,
				   const char *part, const char *kind)
{
	log_err("%s: error: '%s' cannot be livepatched on this kernel: its split part '%s'%s%s%s "
		"needs a stack_only entry, and the kernel lacks the kernel-support series (its "
		"struct klp_func has no stack_only: <linux/livepatch.h> does not define "
		"KLP_HAVE_STACK_ONLY); patching its callers instead is not done yet\n",
		where, function, part, kind ? " (" : "", kind ? kind : "", kind ? ")" : "");
}

char *klp_shipped_unit_path(const struct klp_shipped *s, const char *unit)
{
	return xasprintf("%s/units/%s", s->dir, unit);
}

/* The walk of klp_shipped_find_module(): nftw() has no context argument. */
static struct {
	const char *name;
	char *found;
} find;

/* kbuild's module names have '_' where the file names may have '-'. */
static bool same_module_name(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return false;
	return !a[len];
}

static int find_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t len = strlen(base);

	(void)st;
	if (type != FTW_F || len < 4 || strcmp(base + len - 3, ".ko") ||
	    !same_module_name(find.name, base, len - 3))
		return 0;
	find.found = strdup(path);
	return 1;
}

char *klp_shipped_find_module(const char *dir, const char *name)
{
	find.name = name;
	find.found = NULL;
	if (nftw(dir, find_entry, 16, FTW_PHYS) < 0)
		log_err("%s: error: %s\n", dir, strerror(errno));
	else if (!find.found)
		log_err("%s: error: no %s.ko under it: is the -dbg package the kernel's?\n",
			dir, name);
	return find.found;
}

/* A proven module unit's module name, beside it: UNIT.module. */
static char *module_note_path(const struct klp_shipped *s, const char *unit)
{
	return xasprintf("%s/units/%s.module", s->dir, unit);
}

int klp_shipped_unit_target(const struct klp_shipped *s, const char *unit, char **module,
			    char **target)
{
	char *note = module_note_path(s, unit);
	char *text = note ? klp_read_text_file(note) : NULL;

	*module = NULL;
	*target = NULL;
	free(note);
	if (!note)
		return -ENOMEM;
	if (!text) {
		*target = strdup(s->vmlinux);
		return *target ? 0 : -ENOMEM;
	}
	text[strcspn(text, "\n")] = '\0';
	*module = text;
	*target = klp_shipped_find_module(s->modules, text);
	return *target ? 0 : -ENOENT;
}

/* ---- the source tree and the kbuild directory ------------------------------- */

/* VERSION.PATCHLEVEL.SUBLEVEL of a source tree's top Makefile. */
static char *tree_version(const char *tree)
{
	char *path = xasprintf("%s/Makefile", tree), *text, *v, *pl, *sl, *ver = NULL;

	text = path ? klp_read_text_file(path) : NULL;
	free(path);
	if (!text)
		return NULL;
	v = make_var(text, "VERSION");
	pl = make_var(text, "PATCHLEVEL");
	sl = make_var(text, "SUBLEVEL");
	if (v && pl && sl)
		ver = xasprintf("%s.%s.%s", v, pl, sl);
	free(v);
	free(pl);
	free(sl);
	free(text);
	return ver;
}

static void progress(const char *step, const char *item)
{
	struct klp_progress p = { .step = step, .item = item };

	klp_report_progress(&p);
}

/*
 * The source tree: the directory given, or the tarball unpacked once
 * into CACHE/src/NAME_KEY/ (KEY: the package version, else size and
 * mtime), through a temporary directory renamed into place.
 */
static int open_source(struct klp_shipped *s)
{
	struct stat st;
	char *key, *name, *dir = NULL, *tmp = NULL, *ver = NULL, *dot;
	int err = -ENOMEM;

	if (stat(s->source, &st)) {
		err = -errno;
		log_err("%s: error: %s\n", s->source, strerror(errno));
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		s->src_tree = realpath(s->source, NULL);
		if (!s->src_tree)
			return -ENOMEM;
		goto check;
	}
	key = dpkg_version_of(s->source);
	if (key && strncmp(key, s->version, strlen(s->version))) {
		log_err("%s: error: version %s, the kernel is %s: install the source package of the kernel's version\n",
			s->source, key, s->version);
		free(key);
		return -EINVAL;
	}
	if (!key)
		key = xasprintf("%lld-%lld", (long long)st.st_size, (long long)st.st_mtime);
	name = strdup(strrchr(s->source, '/') ? strrchr(s->source, '/') + 1 : s->source);
	if (!key || !name)
		goto out;
	dot = strstr(name, ".tar");
	if (dot)
		*dot = '\0';
	dir = xasprintf("%s/src/%s_%s", s->cache, name, key);
	if (!dir)
		goto out;
	if (!exists(dir)) {
		char *argv[] = { "tar", "-x", "-f", s->source, "-C", NULL, NULL };

		tmp = xasprintf("%s.tmp.%d", dir, (int)getpid());
		if (!tmp)
			goto out;
		err = mkdir_p(tmp);
		if (err)
			goto out;
		argv[5] = tmp;
		progress("source", "unpacking the kernel source (once per version)");
		pr_info(s->source, "unpacking into %s", dir);
		err = klp_run_command(argv, NULL, s->log, NULL, 0);
		if (err || rename(tmp, dir)) {
			err = err > 0 ? -EIO : err ? err : -errno;
			log_err("%s: error: cannot unpack it into %s (see %s)\n",
				s->source, dir, s->log);
			remove_tree(tmp, NULL);
			goto out;
		}
	}
	/* the tarball's one top directory */
	s->src_tree = xasprintf("%s/%s", dir, name);
	if (!s->src_tree)
		goto out;
	err = 0;
out:
	free(key);
	free(name);
	free(dir);
	free(tmp);
	if (err)
		return err;
check:
	ver = tree_version(s->src_tree);
	if (!ver || strcmp(ver, s->version)) {
		log_err("%s: error: the source is version %s, the kernel %s: install the source package of the kernel's version\n",
			s->src_tree, ver ? ver : "(none)", s->version);
		free(ver);
		return -EINVAL;
	}
	free(ver);
	return 0;
}

/* The headers' prebuilt scripts/ or tools/, linked by absolute path. */
static int relink(const char *obj, const char *headers, const char *name)
{
	char *from = xasprintf("%s/%s", headers, name), *to = xasprintf("%s/%s", obj, name);
	char *target = from ? realpath(from, NULL) : NULL;
	int err = 0;

	if (!target || !to) {
		log_err("%s: error: cannot resolve it\n", from ? from : name);
		err = -ENOENT;
	} else if ((unlink(to) && errno != ENOENT) || symlink(target, to)) {
		err = -errno;
		log_err("%s: error: %s\n", to, strerror(errno));
	}
	free(from);
	free(to);
	free(target);
	return err;
}

/*
 * CACHE/RELEASE/obj: the headers' flavour directory (generated headers,
 * .config, .kernelvariables), its Makefile including the source tree's.
 */
static int make_objdir(struct klp_shipped *s)
{
	char *tmp, *mk = NULL, *text = NULL;
	char *argv[] = { "cp", "-a", s->headers, NULL, NULL };
	int err = -ENOMEM;

	if (exists(s->obj))
		return 0;
	tmp = xasprintf("%s.tmp.%d", s->obj, (int)getpid());
	if (!tmp)
		return -ENOMEM;
	remove_tree(tmp, NULL);
	argv[3] = tmp;
	err = klp_run_command(argv, NULL, s->log, NULL, 0);
	if (err) {
		log_err("%s: error: cannot copy %s (see %s)\n", tmp, s->headers, s->log);
		err = err > 0 ? -EIO : err;
		goto out;
	}
	err = relink(tmp, s->headers, "scripts");
	if (!err)
		err = relink(tmp, s->headers, "tools");
	if (err)
		goto out;
	mk = xasprintf("%s/Makefile", tmp);
	text = xasprintf("include %s/Makefile\n", s->src_tree);
	err = mk && text ? write_atomic(mk, text) : -ENOMEM;
	if (!err && rename(tmp, s->obj)) {
		err = -errno;
		log_err("%s: error: %s\n", s->obj, strerror(errno));
	}
out:
	if (err)
		remove_tree(tmp, NULL);
	free(tmp);
	free(mk);
	free(text);
	return err;
}

/* ---- compiling and proving ---------------------------------------------------- */

static bool valid_unit(const char *unit)
{
	size_t len = strlen(unit);

	return len > 2 && !strcmp(unit + len - 2, ".o") && *unit != '/' &&
	       strchr(unit, '/') && !strstr(unit, "..");
}

static int compile(struct klp_shipped *s, const char *unit)
{
	const char *slash = strchr(unit, '/');
	char *top;

	/*
	 * M= the top directory with a Makefile or Kbuild (arch/ has none:
	 * arch/x86/Kbuild), so that kbuild descends from there.
	 */
	for (;;) {
		char *mk = xasprintf("%s/%.*s/Makefile", s->src_tree, (int)(slash - unit), unit);
		char *kb = xasprintf("%s/%.*s/Kbuild", s->src_tree, (int)(slash - unit), unit);
		bool found = mk && kb && (exists(mk) || exists(kb));

		free(mk);
		free(kb);
		if (found || !strchr(slash + 1, '/'))
			break;
		slash = strchr(slash + 1, '/');
	}
	top = strndup(unit, (size_t)(slash - unit));
	char *c = xasprintf("-C%s", s->obj);
	char *m = top ? xasprintf("M=%s/%s", s->src_tree, top) : NULL;
	char *cc = xasprintf("CC=%s", s->cc);
	char *kcflags = xasprintf("KCFLAGS=-fplugin=%s%s%s", s->plugin,
				  s->o.extra_cflags ? " " : "",
				  s->o.extra_cflags ? s->o.extra_cflags : "");
	char *argv[] = { "make", "-s", c, m, cc, kcflags, (char *)slash + 1, NULL };
	int ret = -ENOMEM;

	if (c && m && cc && kcflags)
		ret = klp_run_command(argv, NULL, s->log, NULL, 0);
	if (ret > 0) {
		log_err("%s: error: make failed (status %d): see %s\n", unit, ret, s->log);
		ret = -EIO;
	}
	free(top);
	free(c);
	free(m);
	free(cc);
	free(kcflags);
	return ret;
}

struct proof {
	const char *unit;
	char first_text[512];		/* the first difference, in words */
	bool seen_diff;
};

static void print_result(const struct klp_code_result *r, void *ctx)
{
	struct proof *p = ctx;

	if (r->verdict == KLP_CODE_MATCH || r->verdict == KLP_CODE_WEAK_OVERRIDDEN)
		return;
	if (r->verdict == KLP_CODE_DIFF)
		printf("%s: DIFF %s+%#llx (%s)\n", p->unit, r->function,
		       (unsigned long long)r->offset, r->why);
	else
		printf("%s: %s %s\n", p->unit, klp_code_verdict_name(r->verdict),
		       r->function);
	/* the first code difference, else the first function of one side only */
	if (r->verdict == KLP_CODE_DIFF && !p->seen_diff)
		*p->first_text = '\0';
	if (!*p->first_text) {
		p->seen_diff |= r->verdict == KLP_CODE_DIFF;
		if (r->verdict == KLP_CODE_DIFF)
			snprintf(p->first_text, sizeof(p->first_text),
				 "the rebuilt code differs from the shipped code at %s+%#llx",
				 r->function, (unsigned long long)r->offset);
		else if (r->verdict == KLP_CODE_ONLY_REBUILT)
			snprintf(p->first_text, sizeof(p->first_text),
				 "the rebuilt unit has %s, the shipped code has not",
				 r->function);
		else
			snprintf(p->first_text, sizeof(p->first_text),
				 "the shipped code has %s, the rebuilt unit has not",
				 r->function);
	}
}

/*
 * The link-time objtool step on a copy, where the kernel runs objtool on
 * vmlinux.o: its jump-label rewrite (a static branch's jmp becomes a
 * nop) is in the shipped code.
 */
static int link_objtool(struct klp_shipped *s, const char *copy, bool module)
{
	char *objtool = xasprintf("%s/tools/objtool/objtool", s->obj);
	char *argv[] = { objtool, "--hacks=jump_label", "--link",
			 module ? "--module" : (char *)copy, module ? (char *)copy : NULL, NULL };
	int ret = -ENOMEM;

	if (objtool)
		ret = klp_run_command(argv, "SRCARCH=x86", s->log, NULL, 0);
	if (ret) {
		log_err("%s: error: objtool failed (%d): see %s\n", copy, ret, s->log);
		ret = ret > 0 ? -EIO : ret;
	}
	free(objtool);
	return ret;
}

static int copy_to(const char *from, const char *to, const char *log)
{
	char *argv[] = { "cp", (char *)from, (char *)to, NULL };
	int ret = klp_run_command(argv, NULL, log, NULL, 0);

	if (ret) {
		log_err("%s: error: cannot copy it to %s\n", from, to);
		return ret > 0 ? -EIO : ret;
	}
	return 0;
}

static char *saved_command(const char *obj);

/*
 * The module kbuild compiled @built for, from the command it left: its
 * KBUILD_MODNAME ('-' as '_') when the command has -DMODULE, else NULL
 * (vmlinux).  *@objtool_linked: the command ran objtool --link itself
 * (a module of one unit, where objtool runs on vmlinux.o).
 */
static int unit_module(const char *built, char **module, bool *objtool_linked)
{
	char *cmd = saved_command(built), *name;
	size_t len;

	*module = NULL;
	*objtool_linked = false;
	if (!cmd) {
		log_err("%s: error: make left no command for it\n", built);
		return -EIO;
	}
	*objtool_linked = strstr(cmd, " --link");
	if (!strstr(cmd, " -DMODULE ")) {
		free(cmd);
		return 0;
	}
	name = strstr(cmd, "-DKBUILD_MODNAME=");
	if (name) {
		name += strlen("-DKBUILD_MODNAME=");
		name += strspn(name, "'\"\\");
		len = strcspn(name, "'\"\\ ");
		*module = len ? strndup(name, len) : NULL;
	}
	free(cmd);
	if (!*module) {
		log_err("%s: error: compiled for a module without -DKBUILD_MODNAME\n", built);
		return -EIO;
	}
	for (name = *module; *name; name++)
		if (*name == '-')
			*name = '_';
	return 0;
}

/*
 * Compile, prove and cache one unit: 0, KLP_SHIPPED_DIFFERS or -errno.
 * Proven against the shipped vmlinux (*@vmlinux, opened on first use),
 * or for a unit of a module against the module's .ko from the -dbg
 * package, its name then noted beside the unit (UNIT.module).
 */
static int make_unit(struct klp_shipped *s, struct klp_objfile **vmlinux, const char *unit)
{
	char *built = xasprintf("%s/%s", s->src_tree, unit);
	char *cached = klp_shipped_unit_path(s, unit);
	char *tmp = cached ? xasprintf("%s.tmp.%d", cached, (int)getpid()) : NULL;
	char *note = cached ? module_note_path(s, unit) : NULL;
	struct proof proof = { .unit = unit };
	struct klp_code_stats st;
	struct klp_objfile *obj = NULL, *ko = NULL;
	const struct klp_objfile *shipped;
	char *slash, *module = NULL, *ko_path = NULL;
	const char *target;
	bool objtool_linked;
	int ret = -ENOMEM;

	if (!built || !cached || !tmp || !note)
		goto out;
	ret = compile(s, unit);
	if (!ret)
		ret = unit_module(built, &module, &objtool_linked);
	if (ret)
		goto out;
	if (module) {
		ko_path = klp_shipped_find_module(s->modules, module);
		ko = ko_path ? klp_objfile__open(ko_path, 0) : NULL;
		if (!ko) {
			ret = ko_path ? -errno : -ENOENT;
			goto out;
		}
	} else if (!*vmlinux) {
		*vmlinux = klp_objfile__open(s->vmlinux, 0);
		if (!*vmlinux) {
			ret = -errno;
			goto out;
		}
	}
	shipped = module ? ko : *vmlinux;
	target = module ? ko_path : s->vmlinux;
	slash = strrchr(tmp, '/');
	*slash = '\0';
	ret = mkdir_p(tmp);
	*slash = '/';
	if (!ret)
		ret = copy_to(built, tmp, s->log);
	/* a module of one unit ran objtool --link at its compile already */
	if (!ret && s->link_objtool && !objtool_linked)
		ret = link_objtool(s, tmp, !!module);
	if (ret)
		goto out;
	obj = klp_objfile__open(tmp, 0);
	if (!obj) {
		ret = -errno;
		goto out;
	}
	if (!klp_objfile__has_records(obj)) {
		log_err("%s: error: no records: was it compiled with the plugin? (see %s)\n",
			built, s->log);
		ret = -EIO;
		goto out;
	}
	ret = klp_code_compare(obj, shipped, print_result, &proof, &st);
	if (ret == -ESRCH) {
		/* logged: no shipped group, or several, fit its local functions */
		log_err("%s: error: cannot be proven: its functions cannot be paired with those of %s\n",
			unit, target);
		/* kbuild compiles a unit of neither obj-y nor obj-m as built-in */
		if (!module)
			log_err("%s: note: a unit the kernel builds neither into vmlinux nor into a module (its CONFIG_ option unset) has no shipped code\n",
				unit);
		ret = KLP_SHIPPED_DIFFERS;
		goto out;
	}
	if (ret < 0)
		goto out;
	if (ret > 0) {
		log_err("%s: error: cannot be proven: %s (%zu of %zu functions differ, in %s)\n",
			unit, proof.first_text, st.diff + st.only_rebuilt + st.only_shipped,
			st.match + st.diff + st.only_rebuilt + st.only_shipped, target);
		ret = KLP_SHIPPED_DIFFERS;
		goto out;
	}
	if (s->o.extra_cflags) {
		printf("%s: proven with --extra-cflags: %zu functions match; not cached\n",
		       unit, st.match);
		goto out;
	}
	/* the note first: a cached unit without one is a unit of vmlinux */
	if (module) {
		char *text = xasprintf("%s\n", module);

		ret = text ? write_atomic(note, text) : -ENOMEM;
		free(text);
		if (ret)
			goto out;
	} else {
		unlink(note);
	}
	if (rename(tmp, cached)) {
		ret = -errno;
		log_err("%s: error: %s\n", cached, strerror(errno));
		goto out;
	}
	printf("%s: proven: %zu functions match%s (%zu bytes, %zu in relocated fields)%s%s\n",
	       unit, st.match, st.weak_overridden ? ", weak ones overridden aside" : "",
	       st.bytes, st.masked, module ? "; module " : "", module ? module : "");
out:
	klp_objfile__free(obj);
	klp_objfile__free(ko);
	if (tmp)
		unlink(tmp);
	free(built);
	free(cached);
	free(tmp);
	free(note);
	free(module);
	free(ko_path);
	return ret;
}

int klp_shipped_make_records(struct klp_shipped *s, const char *const *units,
			     size_t nr_units)
{
	struct klp_objfile *vmlinux = NULL;
	struct klp_progress p = { .step = "compiling units", .total = nr_units };
	size_t i, nr_todo = 0;
	int err = 0, status = 0;
	bool *todo;

	for (i = 0; i < nr_units; i++) {
		if (!valid_unit(units[i])) {
			log_err("%s: error: not a unit of the source tree (DIR/NAME.o)\n", units[i]);
			return -EINVAL;
		}
	}
	todo = calloc(nr_units + 1, sizeof(*todo));
	if (!todo)
		return -ENOMEM;
	for (i = 0; i < nr_units; i++) {
		char *cached = klp_shipped_unit_path(s, units[i]);

		if (!cached) {
			free(todo);
			return -ENOMEM;
		}
		todo[i] = s->o.extra_cflags || !exists(cached);
		if (!todo[i])
			printf("%s: cached: %s\n", units[i], cached);
		nr_todo += todo[i];
		free(cached);
	}
	if (!nr_todo)
		goto out;
	err = open_source(s);
	if (!err)
		err = make_objdir(s);
	if (err)
		goto out;
	p.total = nr_todo;
	for (i = 0; i < nr_units; i++) {
		int ret;

		if (!todo[i])
			continue;
		p.item = units[i];
		klp_report_progress(&p);
		ret = make_unit(s, &vmlinux, units[i]);
		p.done++;
		if (ret < 0) {
			err = ret;
			break;
		}
		if (ret)
			status = ret;
	}
	p.item = NULL;
	klp_report_progress(&p);
out:
	klp_objfile__free(vmlinux);
	free(todo);
	fflush(stdout);
	return err ? err : status;
}

/* ---- what klp-prep build takes from here -------------------------------------- */

const char *klp_shipped_source_tree(struct klp_shipped *s)
{
	return s->src_tree || !open_source(s) ? s->src_tree : NULL;
}

/*
 * A kernel build leaves System.map beside its vmlinux; a headers package
 * has a .config and none (6.12's has a vmlinux: BTF only, no code).
 */
bool klp_shipped_is_headers(const char *build_dir)
{
	char *config = xasprintf("%s/.config", build_dir);
	char *map = xasprintf("%s/System.map", build_dir);
	bool headers = config && map && exists(config) && !exists(map);

	free(config);
	free(map);
	return headers;
}

const char *klp_shipped_headers(const struct klp_shipped *s)
{
	return s->headers;
}

int klp_shipped_has_stack_only(const struct klp_shipped *s)
{
	const char *dirs[] = { s->headers, s->common };
	size_t i;

	/* the flavour's directory first: a copy of the header there wins */
	for (i = 0; i < 2; i++) {
		char *path = dirs[i] ? xasprintf("%s/include/linux/livepatch.h", dirs[i]) : NULL;
		char *text = path ? klp_read_text_file(path) : NULL;
		bool has;

		free(path);
		if (!text)
			continue;
		has = strstr(text, "#define KLP_HAVE_STACK_ONLY");
		free(text);
		return has;
	}
	log_err("%s: error: no include/linux/livepatch.h in the headers (nor in %s)\n",
		s->headers, s->common ? s->common : "their common directory");
	return -ENOENT;
}

/*
 * The command of the object @obj (absolute) from the .cmd file kbuild
 * left beside it: "cmd_OBJ := COMMAND", "savedcmd_OBJ := ..." since 6.2.
 * NULL when there is none.
 */
static char *saved_command(const char *obj)
{
	const char *slash = strrchr(obj, '/');
	char *cmd_file = xasprintf("%.*s/.%s.cmd", (int)(slash - obj), obj, slash + 1);
	char *text = cmd_file ? klp_read_text_file(cmd_file) : NULL, *line, *cmd = NULL;

	free(cmd_file);
	for (line = text; line && *line && !cmd; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *target = !strncmp(line, "cmd_", 4) ? line + 4 :
				     !strncmp(line, "savedcmd_", 9) ? line + 9 : NULL;
		size_t len = strlen(obj);

		if (target && !strncmp(target, obj, len) && !strncmp(target + len, " := ", 4))
			cmd = strndup(target + len + 4, strcspn(target + len + 4, "\n"));
	}
	free(text);
	return cmd;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void compdb_entry(FILE *f, bool *first, const char *dir, const char *file,
			 const char *cmd)
{
	fputs(*first ? "[\n" : ",\n", f);
	*first = false;
	fputs("  { \"directory\": ", f);
	json_string(f, dir);
	fputs(", \"file\": ", f);
	json_string(f, file);
	fputs(", \"command\": ", f);
	json_string(f, cmd);
	fputs(" }", f);
}

/* The walk of module_entries(): nftw() has no context argument. */
static struct {
	const struct klp_shipped *s;
	FILE *f;
	bool *first;
	int err;
} walk;

static int module_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t len = strlen(base);
	char *obj, *src, *cmd;

	(void)st;
	/* DIR/.NAME.o.cmd -> DIR/NAME.o, DIR/NAME.c */
	if (type != FTW_F || *base != '.' || len < 8 || strcmp(base + len - 6, ".o.cmd"))
		return 0;
	obj = xasprintf("%.*s%.*s", (int)ftw->base, path, (int)len - 5, base + 1);
	src = obj ? strdup(obj) : NULL;
	if (!obj || !src) {
		free(obj);
		walk.err = -ENOMEM;
		return 1;
	}
	src[strlen(src) - 1] = 'c';
	cmd = exists(src) ? saved_command(obj) : NULL;
	if (cmd)
		compdb_entry(walk.f, walk.first, walk.s->headers, src, cmd);
	free(obj);
	free(src);
	free(cmd);
	return 0;
}

/* The C units an out-of-tree module's build left .cmd files for, into @f. */
static int module_entries(const struct klp_shipped *s, FILE *f, bool *first, const char *mod_dir)
{
	char *abs = realpath(mod_dir, NULL);
	int ret;

	if (!abs) {
		log_err("%s: error: %s\n", mod_dir, strerror(errno));
		return -ENOENT;
	}
	walk.s = s;
	walk.f = f;
	walk.first = first;
	walk.err = 0;
	ret = nftw(abs, module_entry, 16, FTW_PHYS);
	free(abs);
	if (ret < 0) {
		log_err("%s: error: %s\n", mod_dir, strerror(errno));
		return -errno;
	}
	return walk.err;
}

int klp_shipped_write_compdb(struct klp_shipped *s, const char *const *units, size_t nr_units,
			     const char *const *module_dirs, size_t nr_module_dirs,
			     const char *path)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	bool first = true;
	FILE *f = NULL;
	size_t i;
	int err = tmp ? 0 : -ENOMEM;

	if (!err && !s->src_tree)
		err = open_source(s);
	if (!err)
		err = make_objdir(s);
	if (!err && !(f = fopen(tmp, "w"))) {
		err = -errno;
		log_err("%s: error: %s\n", tmp, strerror(errno));
	}
	for (i = 0; !err && i < nr_units; i++) {
		char *obj = xasprintf("%s/%s", s->src_tree, units[i]);
		char *src = obj ? strdup(obj) : NULL, *cmd = NULL;

		if (!obj || !src) {
			err = -ENOMEM;
		} else {
			src[strlen(src) - 1] = 'c';
			cmd = saved_command(obj);
			/* proven from an earlier tree: compile again for its command */
			if (!cmd && !(err = compile(s, units[i])))
				cmd = saved_command(obj);
			if (!err && !cmd) {
				log_err("%s: error: make left no command for it (see %s)\n", obj, s->log);
				err = -EIO;
			}
		}
		if (!err)
			compdb_entry(f, &first, s->obj, src, cmd);
		free(obj);
		free(src);
		free(cmd);
	}
	for (i = 0; !err && i < nr_module_dirs; i++)
		err = module_entries(s, f, &first, module_dirs[i]);
	if (f) {
		fputs(first ? "[]\n" : "\n]\n", f);
		if (fclose(f) && !err)
			err = -errno;
	}
	if (!err && rename(tmp, path)) {
		err = -errno;
		log_err("%s: error: %s\n", path, strerror(errno));
	}
	if (tmp)
		unlink(tmp);
	free(tmp);
	return err;
}
