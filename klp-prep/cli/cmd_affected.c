// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_affected.c - klp-prep affected: which functions a livepatch must
 * replace, and which subfunctions it must stack-check, when some change
 *
 * The algorithm, one pass per line: find the records (an index of a
 * kernel build directory, explicit ELF files, or -fdump-ipa-clones
 * dumps), mark the changes, close over inlining and cloning
 * (klp_prep/affected.h), print a tree of reasons or JSON for
 * `klp-prep generate` (docs/json-schema.md, section "affected").
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <klp_prep/affected.h>
#include <klp_prep/coverage.h>
#include <klp_prep/elf.h>
#include <klp_prep/index.h>
#include <klp_prep/ipa_clones.h>
#include <klp_prep/sympos.h>

#include "cli.h"
#include "json_writer.h"
#include "shipped.h"

static const char affected_usage[] =
"usage: klp-prep affected [OPTIONS] CHANGE... (BUILD_DIR | FILE...)\n"
"       klp-prep affected -k /lib/modules/RELEASE/build [--vmlinux PATH]\n"
"                         [--source PATH] [--cache DIR] [OPTIONS] CHANGE...\n"
"\n"
"Print the functions a livepatch must replace when the given functions\n"
"change: the changed ones, the callers that inlined them, the callers of\n"
"their ABI-changed clones (.isra/.constprop/.part), recursively; each with\n"
"its object (vmlinux or a module), old_sympos as the livepatch core counts\n"
"it, the reasons, and the subfunctions that must be stack_only entries.\n"
"\n"
"Records come from a kernel build directory (vmlinux and every *.ko below\n"
"it, through an index that later queries reuse), or from the given ELF\n"
"files (vmlinux, modules, objects).\n"
"\n"
"With -k, the kernel is a distribution's, built without the plugin: the\n"
"units of the changed files are rebuilt with it and proven against the\n"
"shipped vmlinux or module (as by 'klp-prep kernel-records', whose lines\n"
"go to stderr), and old_sympos is counted in the shipped binaries.  Each\n"
"change then names its file (-f FILE.c:NAME).\n"
"\n"
"changes (at least one):\n"
"  -f, --function [FILE:]NAME  a changed function; FILE tells apart static\n"
"                              functions of one name in several files\n"
"  -l, --lines FILE:FIRST[-LAST]\n"
"                              the functions whose definition overlaps\n"
"                              these lines (a diff's hunks)\n"
"options:\n"
"      --json          machine-readable output for klp-prep generate\n"
"      --ipa-clones DIR  read -fdump-ipa-clones dumps under DIR instead of\n"
"                      records (a kernel built without the plugin); objects\n"
"                      beside the dumps give the calls to clones\n"
"      --objects       also read *.o files of BUILD_DIR (for a vmlinux whose\n"
"                      link dropped the records)\n"
"      --cache FILE    the index file (default BUILD_DIR/.klp-prep/affected.idx);\n"
"                      with -k, the proven units' directory, as for\n"
"                      klp-prep kernel-records\n"
"  -k, --kernel DIR    a shipped kernel's headers (/lib/modules/RELEASE/build)\n"
"      --vmlinux PATH, --source PATH\n"
"                      with -k: as for klp-prep kernel-records\n"
"      --no-cache      read every object, keep no index\n"
"  -v                  more messages (-vv: also where each was raised)\n"
"  -h, --help          this text\n"
"\n"
"exit status: 0 ok, 2 bad usage or input (no such function, unreadable\n"
"file), 3 some function cannot be livepatched safely (reason printed).\n";

struct change {
	bool lines;
	const char *spec;
};

/* ---- -fdump-ipa-clones --------------------------------------------------- */

struct dumps {
	char **paths;
	size_t nr, cap;
};

static struct dumps *walk_dumps;

static int collect_dump(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	size_t l = strlen(path);
	static const char sfx[] = ".000i.ipa-clones";
	char **p;

	(void)st;
	(void)ftw;
	if (type != FTW_F || l < sizeof(sfx) ||
	    strcmp(path + l - (sizeof(sfx) - 1), sfx))
		return 0;
	if (walk_dumps->nr == walk_dumps->cap) {
		walk_dumps->cap = walk_dumps->cap ? walk_dumps->cap * 2 : 64;
		p = realloc(walk_dumps->paths, walk_dumps->cap * sizeof(*p));
		if (!p)
			return -1;
		walk_dumps->paths = p;
	}
	walk_dumps->paths[walk_dumps->nr] = strdup(path);
	if (!walk_dumps->paths[walk_dumps->nr])
		return -1;
	walk_dumps->nr++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct ipa_input {
	struct klp_ipa_dump **dumps;
	size_t nr;
	const struct klp_unit **units;
	size_t nr_calls_known;
};

static void ipa_input__free(struct ipa_input *in)
{
	size_t i;

	for (i = 0; i < in->nr; i++)
		klp_ipa_dump__free(in->dumps[i]);
	free(in->dumps);
	free(in->units);
}

/* Every dump under @dir, as units of one object named "vmlinux". */
static int read_dumps(const char *dir, struct ipa_input *in,
		      struct klp_affected *a)
{
	struct dumps found = { 0 };
	size_t i, malformed = 0, nulls = 0;
	int ret = 0;

	walk_dumps = &found;
	if (nftw(dir, collect_dump, 32, FTW_PHYS)) {
		fprintf(stderr, "%s: %s: error: cannot read the dumps: %s\n",
			klp_prog, dir, strerror(errno));
		ret = -EIO;
		goto out;
	}
	if (!found.nr) {
		fprintf(stderr, "%s: %s: error: no *.000i.ipa-clones dumps (build with KCFLAGS=-fdump-ipa-clones)\n",
			klp_prog, dir);
		ret = -ENOENT;
		goto out;
	}
	qsort(found.paths, found.nr, sizeof(char *), cmp_str);
	in->dumps = calloc(found.nr, sizeof(*in->dumps));
	in->units = calloc(found.nr, sizeof(*in->units));
	if (!in->dumps || !in->units) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < found.nr; i++) {
		struct klp_ipa_dump *d;
		char *objpath;

		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\r%s: reading dumps [%zu/%zu]\033[K",
				klp_prog, i + 1, found.nr);
		ret = klp_ipa_dump__read(found.paths[i], dir, &d);
		if (ret)
			goto out;
		in->dumps[in->nr] = d;
		in->units[in->nr++] = klp_ipa_dump__unit(d);
		objpath = klp_ipa_dump__object_path(found.paths[i]);
		if (objpath && !access(objpath, R_OK)) {
			if (!klp_ipa_dump__add_calls(d, objpath))
				in->nr_calls_known++;
		}
		free(objpath);
		malformed += klp_ipa_dump__stats(d)->malformed;
		nulls += klp_ipa_dump__stats(d)->null_names;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	if (malformed)
		fprintf(stderr, "%s: warning: %zu malformed dump lines skipped\n",
			klp_prog, malformed);
	if (klp_verbose && nulls)
		fprintf(stderr, "%s: %zu dump lines with (null) names skipped\n",
			klp_prog, nulls);
	ret = klp_affected__add_object(a, "vmlinux", KLP_AFFECTED_VMLINUX,
				       KLP_AFFECTED_FROM_IPA_CLONES,
				       in->units, in->nr);
	ret = ret < 0 ? ret : 0;
out:
	walk_dumps = NULL;
	for (i = 0; i < found.nr; i++)
		free(found.paths[i]);
	free(found.paths);
	return ret;
}

/* ---- text output --------------------------------------------------------- */

/*
 * Records name files as the compiler was given them: absolute paths in an
 * O= kernel build.  People read "fs/proc/cmdline.c"; the source tree's
 * directory is shown once.  (JSON keeps the paths as they are.)
 */
static char *src_prefix;
static char *tree_root;		/* BUILD_DIR/source of an O= build, with '/' */

static void find_src_prefix(const struct klp_affected *a)
{
	size_t i, l = 0;

	if (tree_root) {
		for (i = 0; i < klp_affected__nr_nodes(a); i++) {
			const char *u = klp_affected__node(a, i)->unit;

			if (u && strncmp(u, tree_root, strlen(tree_root)))
				break;
		}
		if (i == klp_affected__nr_nodes(a)) {
			src_prefix = strdup(tree_root);
			return;
		}
	}

	for (i = 0; i < klp_affected__nr_nodes(a); i++) {
		const char *u = klp_affected__node(a, i)->unit;

		if (!u || u[0] != '/')
			return;
		if (!src_prefix) {
			const char *slash = strrchr(u, '/');

			src_prefix = strndup(u, (size_t)(slash - u) + 1);
			if (!src_prefix)
				return;
			l = strlen(src_prefix);
			continue;
		}
		while (l && strncmp(u, src_prefix, l))
			l--;
		while (l && src_prefix[l - 1] != '/')
			l--;
		src_prefix[l] = 0;
	}
	/* One unit's directory is no tree: go up to where include/ would be. */
	if (src_prefix && klp_affected__nr_nodes(a)) {
		char *p = strstr(src_prefix, "/include/");

		if (p)
			p[1] = 0;
	}
	if (src_prefix && strlen(src_prefix) <= 1) {
		free(src_prefix);
		src_prefix = NULL;
	}
}

/* @s with every occurrence of the source prefix removed, into @buf. */
static const char *rel(const char *s, char *buf, size_t size)
{
	size_t l, o = 0;
	const char *p;

	if (!s || !src_prefix)
		return s;
	l = strlen(src_prefix);
	while ((p = strstr(s, src_prefix)) && o + (size_t)(p - s) < size) {
		memcpy(buf + o, s, (size_t)(p - s));
		o += (size_t)(p - s);
		s = p + l;
	}
	snprintf(buf + o, size - o, "%s", s);
	return buf;
}

static const char *state_text(const struct klp_affected_node *n)
{
	switch (n->state) {
	case KLP_NODE_PATCH:
		return "patch";
	case KLP_NODE_CLONE:
		return "clone: cannot be replaced from source, its callers are patched";
	case KLP_NODE_INLINED:
		return "no code of its own: its inliners are patched";
	case KLP_NODE_UNPATCHABLE:
		return "CANNOT BE PATCHED SAFELY";
	}
	return "?";
}

static void print_subfuncs(const struct klp_affected_node *n, int indent)
{
	size_t i;

	if (!n->nr_subfuncs)
		return;
	printf("%*sstack_only:", indent, "");
	for (i = 0; i < n->nr_subfuncs; i++) {
		const struct klp_affected_subfunc *s = &n->subfuncs[i];

		printf("%s %s", i ? "," : "", s->symbol);
		if (s->sympos)
			printf(",%lu", s->sympos);
		printf(" (%s%s)", klp_subfunc_kind_name(s->kind),
		       s->tail ? ", tail call" : "");
	}
	printf("\n");
}

static void print_node(const struct klp_affected *a,
		       const struct klp_affected_node *n, int depth,
		       unsigned char *printed)
{
	size_t i, me = 0;
	char buf[512], rbuf[512];
	int ind = 2 * depth;

	for (i = 0; i < klp_affected__nr_nodes(a); i++)
		if (klp_affected__node(a, i) == n)
			me = i;
	if (printed[me]) {
		printf("%*s%s (see above)\n", ind, "", n->symbol);
		return;
	}
	printed[me] = 1;
	printf("%*s%s  [%s, %s] %s", ind, "", n->symbol, n->object,
	       n->unit ? rel(n->unit, rbuf, sizeof(rbuf)) : "?", state_text(n));
	if (n->state == KLP_NODE_PATCH)
		printf(", old_sympos %lu%s", n->sympos,
		       n->sympos_estimated ? " (estimated)" : "");
	printf("\n");
	for (i = 0; i < n->nr_reasons; i++)
		printf("%*s  %s %s\n", ind, "", i ? "also:" : "why: ",
		       rel(klp_affected_reason__format(n, &n->reasons[i], buf,
						       sizeof(buf)), rbuf, sizeof(rbuf)));
	if (n->state == KLP_NODE_UNPATCHABLE)
		printf("%*s  reason: %s\n", ind, "", n->unpatchable);
	print_subfuncs(n, ind + 2);
	for (i = 0; i < klp_affected__nr_nodes(a); i++) {
		const struct klp_affected_node *c = klp_affected__node(a, i);

		if (c->nr_reasons && c->reasons[0].from == n)
			print_node(a, c, depth + 1, printed);
	}
}

static void print_text(const struct klp_affected *a)
{
	size_t i, nr = klp_affected__nr_nodes(a);
	unsigned char *printed = calloc(nr + 1, 1);
	char rbuf[512];

	find_src_prefix(a);
	if (src_prefix)
		printf("source: %s\n", src_prefix);
	for (i = 0; i < klp_affected__nr_changes(a); i++)
		printf("changed: %s\n", rel(klp_affected__change(a, i), rbuf,
					     sizeof(rbuf)));
	printf("\n");
	for (i = 0; printed && i < nr; i++) {
		const struct klp_affected_node *n = klp_affected__node(a, i);

		if (!n->nr_reasons || !n->reasons[0].from)
			print_node(a, n, 0, printed);
	}
	free(printed);

	printf("\n%zu function(s) to patch:\n", klp_affected__count(a, KLP_NODE_PATCH));
	for (i = 0; i < nr; i++) {
		const struct klp_affected_node *n = klp_affected__node(a, i);

		if (n->state != KLP_NODE_PATCH)
			continue;
		printf("  %-10s %s,%lu\n", n->object, n->symbol, n->sympos);
		print_subfuncs(n, 13);
	}
	if (klp_affected__count(a, KLP_NODE_UNPATCHABLE)) {
		printf("\n%zu function(s) cannot be livepatched safely:\n",
		       klp_affected__count(a, KLP_NODE_UNPATCHABLE));
		for (i = 0; i < nr; i++) {
			const struct klp_affected_node *n = klp_affected__node(a, i);

			if (n->state == KLP_NODE_UNPATCHABLE)
				printf("  %-10s %s: %s\n", n->object, n->symbol,
				       n->unpatchable);
		}
	}
	for (i = 0; i < klp_affected__nr_notes(a); i++)
		printf("%snote: %s\n", i ? "" : "\n", klp_affected__note(a, i));
	free(src_prefix);
	src_prefix = NULL;
}

/* ---- JSON output --------------------------------------------------------- */

static size_t node_id(const struct klp_affected *a,
		      const struct klp_affected_node *n)
{
	size_t i;

	for (i = 0; i < klp_affected__nr_nodes(a); i++)
		if (klp_affected__node(a, i) == n)
			return i;
	return 0;
}

static void json_node(struct json_writer *w, const struct klp_affected *a,
		      const struct klp_affected_node *n)
{
	const struct klp_affected_node *c;
	char buf[512];
	size_t i, depth;

	json_begin_object(w);
	json_key(w, "id");
	json_uint(w, node_id(a, n));
	json_key(w, "symbol");
	json_string(w, n->symbol);
	json_key(w, "object");
	json_string(w, n->object);
	json_key(w, "state");
	json_string(w, klp_node_state_name(n->state));
	json_key(w, "sympos");
	json_uint(w, n->sympos);
	json_key(w, "sympos_estimated");
	json_bool(w, n->sympos_estimated);
	json_key(w, "origin");
	json_string(w, n->origin);
	json_key(w, "file");
	json_string(w, n->file);
	json_key(w, "line");
	json_uint(w, n->line);
	json_key(w, "unit");
	json_string(w, n->unit);
	json_key(w, "section");
	json_string(w, n->section);
	json_key(w, "unpatchable");
	json_string(w, n->unpatchable);
	json_key(w, "reasons");
	json_begin_array(w);
	for (i = 0; i < n->nr_reasons; i++) {
		const struct klp_affected_reason *r = &n->reasons[i];

		json_begin_object(w);
		json_key(w, "kind");
		json_string(w, klp_reason_kind_name(r->kind));
		json_key(w, "what");
		json_string(w, r->what);
		json_key(w, "file");
		json_string(w, r->file);
		json_key(w, "line");
		json_uint(w, r->line);
		json_key(w, "via");
		json_string(w, r->via);
		json_key(w, "tail");
		json_bool(w, r->kind == KLP_REASON_CALLS &&
			     (r->flags & KLP_CALL_F_TAIL));
		json_key(w, "from");
		if (r->from)
			json_uint(w, node_id(a, r->from));
		else
			json_null(w);
		json_key(w, "text");
		json_string(w, klp_affected_reason__format(n, r, buf, sizeof(buf)));
		json_end_object(w);
	}
	json_end_array(w);
	/* The primary chain back to a change, outermost first. */
	json_key(w, "chain");
	json_begin_array(w);
	for (c = n, depth = 0; c && c->nr_reasons && depth < 256; depth++) {
		const struct klp_affected_reason *r = &c->reasons[0];

		json_string(w, klp_affected_reason__format(c, r, buf, sizeof(buf)));
		/* The root: a change the user named. */
		if (!r->from && r->kind != KLP_REASON_CHANGED) {
			snprintf(buf, sizeof(buf), "%s: changed", r->what);
			json_string(w, buf);
		}
		c = r->from;
	}
	json_end_array(w);
	json_key(w, "stack_only");
	json_begin_array(w);
	for (i = 0; i < n->nr_subfuncs; i++) {
		const struct klp_affected_subfunc *s = &n->subfuncs[i];

		json_begin_object(w);
		json_key(w, "symbol");
		json_string(w, s->symbol);
		json_key(w, "sympos");
		json_uint(w, s->sympos);
		json_key(w, "kind");
		json_string(w, klp_subfunc_kind_name(s->kind));
		json_key(w, "tail");
		json_bool(w, s->tail);
		json_key(w, "parent");
		json_string(w, s->parent);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

struct stock_cover;
static void json_cover(struct json_writer *w, const struct stock_cover *sc);

static void print_json(const struct klp_affected *a, bool ipa, int status,
		       const struct stock_cover *sc)
{
	static const enum klp_affected_node_state groups[] = {
		KLP_NODE_PATCH, KLP_NODE_UNPATCHABLE, KLP_NODE_CLONE,
		KLP_NODE_INLINED,
	};
	static const char *const group_keys[] = {
		"functions", "unpatchable", "clones", "inlined",
	};
	struct json_writer w;
	size_t g, i;

	json_init(&w, stdout);
	json_begin_object(&w);
	json_key(&w, "affected");
	json_begin_object(&w);
	json_key(&w, "version");
	json_uint(&w, 1);
	json_key(&w, "source");
	json_string(&w, ipa ? "ipa-clones" : "plugin");
	json_key(&w, "status");
	json_uint(&w, (uint64_t)status);
	json_key(&w, "changes");
	json_begin_array(&w);
	for (i = 0; i < klp_affected__nr_changes(a); i++)
		json_string(&w, klp_affected__change(a, i));
	json_end_array(&w);
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		json_key(&w, group_keys[g]);
		json_begin_array(&w);
		for (i = 0; i < klp_affected__nr_nodes(a); i++) {
			const struct klp_affected_node *n = klp_affected__node(a, i);

			if (n->state == groups[g])
				json_node(&w, a, n);
		}
		json_end_array(&w);
	}
	json_key(&w, "notes");
	json_begin_array(&w);
	for (i = 0; i < klp_affected__nr_notes(a); i++)
		json_string(&w, klp_affected__note(a, i));
	json_end_array(&w);
	if (sc)
		json_cover(&w, sc);
	json_end_object(&w);
	json_end_object(&w);
	json_finish(&w);
}

/* ---- a shipped kernel (-k) ------------------------------------------------ */

/* "fs/proc/version.c" of a change: "fs/proc/version.o"; NULL if none. */
static char *unit_of_change(const struct change *c)
{
	const char *colon = strrchr(c->spec, ':');

	return colon ? klp_shipped_unit_of(c->spec, (size_t)(colon - c->spec)) : NULL;
}

struct shipped_input {
	struct klp_shipped *s;
	char **units, **modules, **targets;
	struct klp_objfile **files;	/* the proven units, then the binaries */
	size_t nr, nr_files;
};

static void shipped_input__free(struct shipped_input *in)
{
	size_t i;

	for (i = 0; i < in->nr; i++) {
		free(in->units[i]);
		free(in->modules[i]);
		free(in->targets[i]);
	}
	for (i = 0; i < in->nr_files; i++)
		klp_objfile__free(in->files[i]);
	free(in->units);
	free(in->modules);
	free(in->targets);
	free(in->files);
	klp_shipped_free(in->s);
}

/*
 * Object @module (NULL: vmlinux) of the shipped kernel into @a: the
 * proven units of it, and its shipped binary's symbols.
 */
static int add_shipped_object(struct klp_affected *a, struct shipped_input *in,
			      const char *module, const char *binary)
{
	struct klp_objfile **mine = calloc(in->nr + 1, sizeof(*mine));
	const char **names = calloc(in->nr + 1, sizeof(*names));
	struct klp_objfile *shipped;
	size_t n = 0, i;
	int ret = -ENOMEM;

	if (!mine || !names)
		goto out;
	for (i = 0; i < in->nr; i++)
		if (module ? in->modules[i] && !strcmp(in->modules[i], module) : !in->modules[i]) {
			mine[n] = in->files[i];
			names[n++] = in->units[i];
		}
	ret = -EINVAL;
	shipped = klp_objfile__open(binary, 0);
	if (!shipped)
		goto out;	/* the library said why */
	in->files[in->nr_files++] = shipped;
	ret = klp_shipped_add_object(a, module ? module : "vmlinux", module != NULL, shipped,
				     mine, names, n);
out:
	free(mine);
	free(names);
	return ret < 0 ? ret : 0;
}

/*
 * The records of the changed files' units of a shipped kernel, proven
 * (kernel-records), into @a: vmlinux first, then each module one of them
 * belongs to.  kernel-records' lines go to stderr: stdout is the answer.
 */
static int add_shipped(struct klp_affected *a, const struct klp_shipped_opts *so,
		       const struct change *changes, size_t nr_changes,
		       struct shipped_input *in)
{
	size_t i, k;
	int saved, ret;

	in->units = calloc(nr_changes + 1, sizeof(*in->units));
	in->modules = calloc(nr_changes + 1, sizeof(*in->modules));
	in->targets = calloc(nr_changes + 1, sizeof(*in->targets));
	in->files = calloc(2 * nr_changes + 2, sizeof(*in->files));
	if (!in->units || !in->modules || !in->targets || !in->files)
		return KLP_EXIT_INTERNAL;
	for (i = 0; i < nr_changes; i++) {
		char *u = unit_of_change(&changes[i]);

		if (!u) {
			fprintf(stderr, "%s: %s: error: with -k, a change names its .c file "
				"(-f FILE.c:NAME, -l FILE.c:LINES)\n", klp_prog, changes[i].spec);
			return KLP_EXIT_USAGE;
		}
		for (k = 0; k < in->nr && strcmp(in->units[k], u); k++)
			;
		if (k < in->nr)
			free(u);
		else
			in->units[in->nr++] = u;
	}
	if (klp_shipped_open(so, &in->s))
		return KLP_EXIT_USAGE;	/* the library said why */
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		return KLP_EXIT_INTERNAL;
	ret = klp_shipped_make_records(in->s, (const char *const *)in->units, in->nr);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	if (ret)
		return ret == KLP_SHIPPED_DIFFERS ? KLP_EXIT_UNSAFE : KLP_EXIT_USAGE;
	for (i = 0; i < in->nr; i++) {
		char *path = klp_shipped_unit_path(in->s, in->units[i]);

		if (!path)
			return KLP_EXIT_INTERNAL;
		in->files[in->nr_files] = klp_objfile__open(path, 0);
		free(path);
		if (!in->files[in->nr_files])
			return KLP_EXIT_USAGE;
		in->nr_files++;
		if (klp_shipped_unit_target(in->s, in->units[i], &in->modules[i],
					    &in->targets[i]))
			return KLP_EXIT_USAGE;
	}
	/* vmlinux first (the livepatch core's object 0), then each module once */
	if (add_shipped_object(a, in, NULL, klp_shipped_vmlinux(in->s)))
		return KLP_EXIT_USAGE;
	for (i = 0; i < in->nr; i++) {
		if (!in->modules[i])
			continue;
		for (k = 0; k < i && !(in->modules[k] && !strcmp(in->modules[k], in->modules[i])); k++)
			;
		if (k == i && add_shipped_object(a, in, in->modules[i], in->targets[i]))
			return KLP_EXIT_USAGE;
	}
	return KLP_EXIT_OK;
}

/* @path inside the source tree @tree: "kernel/reboot.c" */
static const char *in_tree(const char *path, const char *tree)
{
	size_t n = tree ? strlen(tree) : 0;

	if (!path)
		return klp_prog;
	return n && !strncmp(path, tree, n) && path[n] == '/' ? path + n + 1 : path;
}

/*
 * A stock kernel's struct klp_func has no stack_only: each part split off
 * a function to patch is covered instead by patching every caller whose
 * frame can be above it (coverage.h), as klp-prep build does, or cannot
 * be.  The answers, for the output; the graphs stay open for their names.
 */
struct stock_part {
	const struct klp_affected_node *node;
	const struct klp_affected_subfunc *sub;
	struct klp_coverage_result r;
	bool analysed;
};

struct stock_cover {
	bool active;			/* the kernel lacks the series */
	struct stock_part *parts;
	size_t nr;
	struct klp_elf **elfs;		/* per object, with their graphs */
	struct klp_coverage **covs;
	char **objects;
	size_t nr_objects;
};

static void stock_cover__free(struct stock_cover *sc)
{
	size_t i;

	for (i = 0; i < sc->nr; i++)
		klp_coverage_result__fini(&sc->parts[i].r);
	for (i = 0; i < sc->nr_objects; i++) {
		klp_coverage__free(sc->covs[i]);
		klp_elf__close(sc->elfs[i]);
		free(sc->objects[i]);
	}
	free(sc->parts);
	free(sc->elfs);
	free(sc->covs);
	free(sc->objects);
}

/* The graph of shipped object @object (vmlinux or a module), or NULL. */
static struct klp_coverage *object_graph(struct stock_cover *sc, const struct shipped_input *in,
					 const char *object, struct klp_elf **elf)
{
	size_t i;
	char *path;

	for (i = 0; i < sc->nr_objects; i++)
		if (!strcmp(sc->objects[i], object)) {
			*elf = sc->elfs[i];
			return sc->covs[i];
		}
	sc->elfs = realloc(sc->elfs, (sc->nr_objects + 1) * sizeof(*sc->elfs));
	sc->covs = realloc(sc->covs, (sc->nr_objects + 1) * sizeof(*sc->covs));
	sc->objects = realloc(sc->objects, (sc->nr_objects + 1) * sizeof(*sc->objects));
	if (!sc->elfs || !sc->covs || !sc->objects)
		return NULL;
	path = strcmp(object, "vmlinux") ?
	       klp_shipped_find_module(klp_shipped_modules(in->s), object) :
	       strdup(klp_shipped_vmlinux(in->s));
	sc->elfs[sc->nr_objects] = path ? klp_elf__open(path, 0) : NULL;
	free(path);
	sc->covs[sc->nr_objects] = sc->elfs[sc->nr_objects] ?
				   klp_coverage__new(sc->elfs[sc->nr_objects]) : NULL;
	sc->objects[sc->nr_objects] = strdup(object);
	*elf = sc->elfs[sc->nr_objects];
	return sc->covs[sc->nr_objects++];
}

/*
 * Part @name at position @sympos (0: the only one), counted by sympos.c
 * over the file's function symbols of that name, as affected counted it.
 */
static const struct klp_symbol *part_symbol(const struct klp_elf *elf, const char *name,
					    unsigned long sympos)
{
	struct klp_sympos_table *t = klp_sympos_table__new(klp_elf__type(elf) == ET_EXEC ?
							   KLP_SYMPOS_VMLINUX :
							   KLP_SYMPOS_MODULE);
	const struct klp_symbol *sym, **v = NULL, **nv;
	size_t n = 0;
	long i = -1;

	klp_elf__for_each_symbol_by_name(elf, name, sym) {
		if (!t || sym->type != STT_FUNC || sym->shndx == SHN_UNDEF)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || klp_sympos_table__add(t, sym->name, sym->value)) {
			v = nv ? nv : v;
			n = 0;
			break;
		}
		v = nv;
		v[n++] = sym;
	}
	if (n && !klp_sympos_table__sort(t))
		i = klp_sympos_table__find(t, name, sympos);
	sym = i >= 0 ? v[i] : NULL;
	klp_sympos_table__free(t);
	free(v);
	return sym;
}

/* How many functions to patch have a part that cannot be covered. */
static size_t cover_split_parts(const struct klp_affected *a, const struct shipped_input *in,
				struct stock_cover *sc)
{
	const char *tree = klp_shipped_source_tree(in->s);
	size_t i, k, j, refused = 0;

	if (klp_shipped_has_stack_only(in->s) != 0)
		return 0;	/* the series is there, or no header (logged) */
	sc->active = true;
	for (i = 0; i < klp_affected__nr_nodes(a); i++) {
		const struct klp_affected_node *n = klp_affected__node(a, i);
		bool bad = false;

		if (n->state != KLP_NODE_PATCH || !n->nr_subfuncs)
			continue;
		for (k = 0; k < n->nr_subfuncs; k++) {
			const struct klp_affected_subfunc *sf = &n->subfuncs[k];
			struct stock_part *p;
			struct klp_coverage *cov;
			struct klp_elf *elf = NULL;
			const struct klp_symbol *sym;

			p = realloc(sc->parts, (sc->nr + 1) * sizeof(*p));
			if (!p)
				return refused + 1;
			sc->parts = p;
			p = &p[sc->nr++];
			memset(p, 0, sizeof(*p));
			p->node = n;
			p->sub = sf;
			cov = object_graph(sc, in, n->object, &elf);
			sym = elf ? part_symbol(elf, sf->symbol, sf->sympos) : NULL;
			if (!cov || !sym || klp_coverage__analyse(cov, sym, NULL, &p->r)) {
				fprintf(stderr, "%s: error: '%s' (%s of %s) cannot be covered on a "
					"kernel without stack_only: %s's callers cannot be read\n",
					in_tree(n->unit, tree), sf->symbol,
					klp_subfunc_kind_name(sf->kind), n->symbol, n->object);
				bad = true;
				continue;
			}
			p->analysed = true;
			for (j = 0; j < p->r.nr_problems; j++) {
				const struct klp_coverage_problem *pr = &p->r.problems[j];

				fprintf(stderr, "%s: error: '%s' (%s of %s) cannot be covered on a "
					"kernel without stack_only: '%s' is %s%s%s%s; install the "
					"kernel-support series, or accept that a task in it escapes "
					"the stack check with --allow-unsafe=%s (klp-prep build)\n",
					in_tree(n->unit, tree), sf->symbol,
					klp_subfunc_kind_name(sf->kind), n->symbol,
					pr->function ? pr->function : sf->symbol,
					klp_coverage_problem_name(pr->kind),
					pr->site_symbol ? " (at " : "",
					pr->site_symbol ? pr->site_symbol : "",
					pr->site_symbol ? ")" : "",
					klp_coverage_problem_name(pr->kind));
			}
			bad |= !p->r.coverable;
		}
		refused += bad;
	}
	return refused;
}

static void print_cover_text(const struct stock_cover *sc)
{
	size_t i, k;

	for (i = 0; i < sc->nr; i++) {
		const struct stock_part *p = &sc->parts[i];

		if (!p->analysed || !p->r.coverable)
			continue;
		printf("stock kernel: %s (%s of %s) covered by %zu caller%s%s\n", p->sub->symbol,
		       klp_subfunc_kind_name(p->sub->kind), p->node->symbol, p->r.nr_callers,
		       p->r.nr_callers == 1 ? "" : "s", p->r.nr_callers ? ":" : "");
		for (k = 0; k < p->r.nr_callers; k++)
			printf("  patch %s too (covers %s: %s)\n", p->r.callers[k].name,
			       p->sub->symbol, p->r.callers[k].chain);
	}
}

static void json_cover(struct json_writer *w, const struct stock_cover *sc)
{
	size_t i, k;

	if (!sc->active)
		return;
	json_key(w, "stock_cover");
	json_begin_array(w);
	for (i = 0; i < sc->nr; i++) {
		const struct stock_part *p = &sc->parts[i];

		json_begin_object(w);
		json_key(w, "function");
		json_string(w, p->node->symbol);
		json_key(w, "part");
		json_string(w, p->sub->symbol);
		json_key(w, "coverable");
		json_bool(w, p->analysed && p->r.coverable);
		json_key(w, "callers");
		json_begin_array(w);
		for (k = 0; k < p->r.nr_callers; k++) {
			json_begin_object(w);
			json_key(w, "name");
			json_string(w, p->r.callers[k].name);
			json_key(w, "chain");
			json_string(w, p->r.callers[k].chain);
			json_end_object(w);
		}
		json_end_array(w);
		json_key(w, "problems");
		json_begin_array(w);
		for (k = 0; k < p->r.nr_problems; k++) {
			json_begin_object(w);
			json_key(w, "kind");
			json_string(w, klp_coverage_problem_name(p->r.problems[k].kind));
			json_key(w, "function");
			json_string(w, p->r.problems[k].function ? p->r.problems[k].function :
				    p->sub->symbol);
			json_end_object(w);
		}
		json_end_array(w);
		json_end_object(w);
	}
	json_end_array(w);
}

/* ---- the command --------------------------------------------------------- */

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int cmd_affected(int argc, char **argv)
{
	static const struct option options[] = {
		{ "function", required_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "ipa-clones", required_argument, NULL, 'I' },
		{ "objects", no_argument, NULL, 'O' },
		{ "cache", required_argument, NULL, 'C' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "source", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct klp_index_options iopts = { 0 };
	struct klp_shipped_opts sopts = { 0 };
	struct shipped_input shipped = { 0 };
	struct stock_cover cover = { 0 };
	struct change *changes = NULL;
	struct ipa_input ipa = { 0 };
	struct klp_index *ix = NULL;
	struct klp_affected *a = NULL;
	const char *ipa_dir = NULL;
	const char **only = NULL;
	char **only_files = NULL;
	size_t nr_only_files = 0;
	size_t nr_changes = 0, unsafe, i;
	bool json = false;
	int status = KLP_EXIT_USAGE, opt, ret;

	changes = calloc((size_t)argc + 1, sizeof(*changes));
	only_files = calloc((size_t)argc + 1, sizeof(*only_files));
	if (!changes || !only_files) {
		free(changes);
		free(only_files);
		return KLP_EXIT_USAGE;
	}
	while ((opt = getopt_long(argc, argv, "f:l:k:hv", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
		case 'l':
			changes[nr_changes].lines = opt == 'l';
			changes[nr_changes++].spec = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'I':
			ipa_dir = optarg;
			break;
		case 'O':
			iopts.objects = true;
			break;
		case 'C':
			iopts.cache = optarg;
			break;
		case 'N':
			iopts.cache = "";
			break;
		case 'k':
			sopts.build_dir = optarg;
			break;
		case 'V':
			sopts.vmlinux = optarg;
			break;
		case 'S':
			sopts.source = optarg;
			break;
		case 'v':
			klp_verbose++;
			break;
		case 'h':
			fputs(affected_usage, stdout);
			free(changes);
			free(only_files);
			return KLP_EXIT_OK;
		default:
			fputs(affected_usage, stderr);
			free(changes);
			free(only_files);
			return KLP_EXIT_USAGE;
		}
	}
	if (!nr_changes) {
		usage_error("affected: no change given (--function or --lines); see 'klp-prep affected --help'");
		goto out;
	}
	if (sopts.build_dir && (optind < argc || ipa_dir)) {
		usage_error("affected: -k takes no BUILD_DIR, FILE or --ipa-clones; see 'klp-prep affected --help'");
		goto out;
	}
	if (optind >= argc && !ipa_dir && !sopts.build_dir) {
		usage_error("affected: no BUILD_DIR or FILE given; see 'klp-prep affected --help'");
		goto out;
	}
	a = klp_affected__new();
	only = calloc(nr_changes + 1, sizeof(*only));
	if (!a || !only)
		goto out;
	/*
	 * The closure never leaves a unit: decode only the units whose
	 * strings name a changed function (or the file of a line range).
	 */
	for (i = 0; i < nr_changes; i++) {
		const char *spec = changes[i].spec, *colon = strrchr(spec, ':');

		if (!changes[i].lines) {
			only[i] = colon ? colon + 1 : spec;
		} else {
			char *file = colon ? strndup(spec, (size_t)(colon - spec)) : NULL;
			const char *base;

			if (!file) {
				only[i] = spec;	/* bad, reported below */
				continue;
			}
			base = strrchr(file, '/');
			only_files[nr_only_files] = strdup(base ? base + 1 : file);
			only[i] = only_files[nr_only_files++];
			free(file);
		}
	}
	iopts.only_strings = only;

	/* The records. */
	if (sopts.build_dir) {
		sopts.cache = iopts.cache && *iopts.cache ? iopts.cache : NULL;
		status = add_shipped(a, &sopts, changes, nr_changes, &shipped);
		if (status != KLP_EXIT_OK)
			goto out;
		status = KLP_EXIT_USAGE;
	} else if (ipa_dir) {
		if (read_dumps(ipa_dir, &ipa, a))
			goto out;
	} else if (optind == argc - 1 && is_dir(argv[optind])) {
		char *link, *real;

		if (klp_index__open_dir(argv[optind], &iopts, &ix))
			goto out;
		/* kbuild's O= directory links to its source tree. */
		if (asprintf(&link, "%s/source", argv[optind]) >= 0) {
			real = realpath(link, NULL);
			if (real && asprintf(&tree_root, "%s/", real) < 0)
				tree_root = NULL;
			free(real);
			free(link);
		}
	} else {
		if (klp_index__open_files((const char *const *)argv + optind,
					  (size_t)(argc - optind), &iopts, &ix))
			goto out;
	}
	if (ix) {
		const struct klp_index_stats *st = klp_index__stats(ix);

		if (!st->objects) {
			fprintf(stderr, "%s: error: no records in %s: build with -fplugin=<path>/klp_partition.so (and kernel-support patch 0001 for vmlinux), or use --objects or --ipa-clones\n",
				klp_prog, argv[optind]);
			goto out;
		}
		if (klp_verbose)
			fprintf(stderr, "%s: %zu objects with records (%zu units decoded, %zu not naming the change), %zu read, %zu from the index, %zu without records%s\n",
				klp_prog, st->objects, st->units, st->units_skipped,
				st->read, st->cached, st->without_records,
				st->written ? "; index written" : "");
		if (klp_index__add_to(ix, a))
			goto out;
	}

	/* The changes. */
	for (i = 0; i < nr_changes; i++) {
		ret = changes[i].lines ?
		      klp_affected__change_lines_spec(a, changes[i].spec) :
		      klp_affected__change_function(a, changes[i].spec);
		if (ret)
			goto out;
	}

	/* The closure. */
	if (klp_affected__compute(a)) {
		fprintf(stderr, "%s: error: out of memory\n", klp_prog);
		goto out;
	}
	unsafe = klp_affected__count(a, KLP_NODE_UNPATCHABLE);
	if (shipped.s)
		unsafe += cover_split_parts(a, &shipped, &cover);
	status = unsafe ? KLP_EXIT_UNSAFE : KLP_EXIT_OK;
	if (json) {
		print_json(a, ipa_dir != NULL, status, &cover);
	} else {
		print_text(a);
		print_cover_text(&cover);
	}
	if (status == KLP_EXIT_UNSAFE)
		fprintf(stderr, "%s: error: %zu function(s) cannot be livepatched safely (see above)\n",
			klp_prog, unsafe);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: error writing the output: %s\n", klp_prog,
			strerror(errno));
		status = KLP_EXIT_USAGE;
	}
out:
	stock_cover__free(&cover);
	klp_affected__free(a);
	shipped_input__free(&shipped);
	klp_index__free(ix);
	ipa_input__free(&ipa);
	free(changes);
	for (i = 0; i < nr_only_files; i++)
		free(only_files[i]);
	free(only_files);
	free(only);
	free(tree_root);
	tree_root = NULL;
	return status;
}
