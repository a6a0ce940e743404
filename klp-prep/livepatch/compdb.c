// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * compdb.c - compile_commands.json through libclang, filtered for parsing
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <clang-c/CXCompilationDatabase.h>

#include "compdb.h"

#include "log.h"

struct klp_compdb {
	char *build_dir;
	CXCompilationDatabase db;
	CXCompileCommands all;
	unsigned int nr;
	char **files;		/* getFilename of each command */
};

/*
 * Options kept with their argument, joined ("-DX", "-I./include") or
 * separate ("-D X", "-include file").  path: the argument is a path,
 * made absolute so the parse does not depend on the current directory.
 */
static const struct {
	const char *name;
	bool path;
} arg_options[] = {
	/* Longest first where one is a prefix of another (-include, -I). */
	{ "-isystem", true },
	{ "-include", true },
	{ "-imacros", true },
	{ "-iquote", true },
	{ "-idirafter", true },
	{ "-D", false },
	{ "-U", false },
	{ "-I", true },
};

/*
 * Flags kept as they are: they define macros the sources test
 * (__OPTIMIZE__, __CHAR_UNSIGNED__, __STDC_HOSTED__, __SSE__, __PIE__...)
 * or pick the target.  Entries ending in '*' are prefixes.
 */
static const char *const plain_flags[] = {
	"-nostdinc", "-std=*", "--target=*", "-m64", "-m32", "-mx32",
	"-O*", "-ffreestanding", "-funsigned-char", "-fsigned-char",
	"-fshort-wchar", "-fno-PIE", "-fno-pie", "-fno-PIC", "-fno-pic",
	"-mno-sse", "-mno-sse2", "-mno-mmx", "-mno-3dnow", "-mno-avx",
	"-mcmodel=*",
};

/* Flags that take the next argument, which must be dropped with them. */
static const char *const dropped_with_arg[] = {
	"-o", "-MF", "-MT", "-MQ", "-Xassembler", "-Xlinker", "-x",
	"-target",
};

static bool flag_matches(const char *pattern, const char *arg)
{
	size_t n = strlen(pattern);

	if (pattern[n - 1] == '*')
		return strncmp(pattern, arg, n - 1) == 0;
	return strcmp(pattern, arg) == 0;
}

static char *absolute_path(const char *path, const char *directory)
{
	char *out;

	if (path[0] == '/' || !directory || !directory[0])
		return strdup(path);
	if (path[0] == '.' && path[1] == '/')
		path += 2;
	if (asprintf(&out, "%s/%s", directory, path) < 0)
		return NULL;
	return out;
}

static int push(struct klp_compile_args *out, char *arg)
{
	char **argv;

	if (!arg)
		return -ENOMEM;
	argv = realloc(out->argv, (out->argc + 2) * sizeof(*argv));
	if (!argv) {
		free(arg);
		return -ENOMEM;
	}
	out->argv = argv;
	argv[out->argc++] = arg;
	argv[out->argc] = NULL;
	return 0;
}

/* Push an option of arg_options[] and its (maybe absolute) argument. */
static int push_option(struct klp_compile_args *out, const char *name,
		       bool path, const char *value, const char *directory)
{
	char *v, *joined;
	int err;

	v = path ? absolute_path(value, directory) : strdup(value);
	if (!v)
		return -ENOMEM;
	/* -D/-U/-I stay joined; the long ones take a separate argument. */
	if (name[2] == '\0') {
		err = asprintf(&joined, "%s%s", name, v) < 0 ? -ENOMEM : 0;
		free(v);
		return err ? err : push(out, joined);
	}
	err = push(out, strdup(name));
	if (err) {
		free(v);
		return err;
	}
	return push(out, v);
}

int klp_compile_args__filter(const char *const *argv, int argc,
			     const char *directory,
			     struct klp_compile_args *out)
{
	int i, err = 0;
	size_t k;

	out->argv = NULL;
	out->argc = 0;
	/* argv[0] is the compiler. */
	for (i = 1; i < argc && !err; i++) {
		const char *arg = argv[i];
		bool done = false;

		for (k = 0; k < sizeof(arg_options) / sizeof(arg_options[0]); k++) {
			const char *name = arg_options[k].name;
			size_t n = strlen(name);

			if (strncmp(arg, name, n))
				continue;
			if (arg[n]) {
				err = push_option(out, name, arg_options[k].path,
						  arg + n, directory);
			} else if (i + 1 < argc) {
				err = push_option(out, name, arg_options[k].path,
						  argv[++i], directory);
			}
			done = true;
			break;
		}
		if (done)
			continue;
		for (k = 0; k < sizeof(plain_flags) / sizeof(plain_flags[0]); k++) {
			if (flag_matches(plain_flags[k], arg)) {
				err = push(out, strdup(arg));
				done = true;
				break;
			}
		}
		if (done)
			continue;
		for (k = 0; k < sizeof(dropped_with_arg) / sizeof(dropped_with_arg[0]); k++) {
			if (!strcmp(dropped_with_arg[k], arg)) {
				i++;
				break;
			}
		}
		/* Everything else, the source file included, is dropped. */
	}
	if (err) {
		for (i = 0; i < out->argc; i++)
			free(out->argv[i]);
		free(out->argv);
		out->argv = NULL;
		out->argc = 0;
	}
	return err;
}

void klp_compile_args__free(struct klp_compile_args *args)
{
	int i;

	if (!args)
		return;
	for (i = 0; i < args->argc; i++)
		free(args->argv[i]);
	free(args->argv);
	free(args->file);
	free(args->directory);
	args->argv = NULL;
	args->file = args->directory = NULL;
	args->argc = 0;
}

int klp_compdb__open(const char *build_dir, struct klp_compdb **out)
{
	CXCompilationDatabase_Error cerr = CXCompilationDatabase_NoError;
	struct klp_compdb *db;
	unsigned int i;
	bool missing;
	char *json;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->build_dir = strdup(build_dir);
	if (!db->build_dir)
		goto nomem;
	/* libclang prints to stderr itself when the file is missing. */
	if (asprintf(&json, "%s/compile_commands.json", build_dir) < 0)
		goto nomem;
	missing = access(json, R_OK) != 0;
	free(json);
	if (!missing)
		db->db = clang_CompilationDatabase_fromDirectory(build_dir, &cerr);
	if (missing || cerr != CXCompilationDatabase_NoError || !db->db) {
		log_err("%s/compile_commands.json: error: cannot load the compilation database; "
			"make one with `scripts/clang-tools/gen_compile_commands.py -d %s` "
			"in the kernel source after a build\n", build_dir, build_dir);
		klp_compdb__free(db);
		return -ENOENT;
	}
	db->all = clang_CompilationDatabase_getAllCompileCommands(db->db);
	db->nr = clang_CompileCommands_getSize(db->all);
	db->files = calloc(db->nr ? db->nr : 1, sizeof(*db->files));
	if (!db->files)
		goto nomem;
	for (i = 0; i < db->nr; i++) {
		CXCompileCommand cmd = clang_CompileCommands_getCommand(db->all, i);
		CXString s = clang_CompileCommand_getFilename(cmd);

		db->files[i] = strdup(clang_getCString(s));
		clang_disposeString(s);
		if (!db->files[i])
			goto nomem;
	}
	*out = db;
	return 0;
nomem:
	klp_compdb__free(db);
	return -ENOMEM;
}

void klp_compdb__free(struct klp_compdb *db)
{
	unsigned int i;

	if (!db)
		return;
	if (db->files)
		for (i = 0; i < db->nr; i++)
			free(db->files[i]);
	free(db->files);
	if (db->all)
		clang_CompileCommands_dispose(db->all);
	if (db->db)
		clang_CompilationDatabase_dispose(db->db);
	free(db->build_dir);
	free(db);
}

/* Does absolute @path end in the relative @rel at a '/' boundary? */
static bool path_has_suffix(const char *path, const char *rel)
{
	size_t np = strlen(path), nr;

	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	nr = strlen(rel);
	if (nr > np)
		return false;
	if (strcmp(path + np - nr, rel))
		return false;
	return nr == np || path[np - nr - 1] == '/';
}

static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	return sa && sb && sa - a == sb - b && !strncmp(a, b, sa - a);
}

/* Sources enough to find the tree's root, even if some are generated. */
#define TREE_FILE_SOURCES 16

int klp_compdb__tree_file(const struct klp_compdb *db, const char *rel, char **path)
{
	unsigned int i;

	*path = NULL;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (rel[0] == '/')
		return -ENOENT;
	/*
	 * The tree's root is above its first sources; an out-of-tree
	 * module's files (its own header) are above the module's, which
	 * may come anywhere: then every source, once per directory.
	 */
	for (i = 0; i < db->nr; i++) {
		const char *src = db->files[i], *slash;

		if (i >= TREE_FILE_SOURCES && same_dir(src, db->files[i - 1]))
			continue;

		/* Shallowest first: "lib/x.h" is not tools/lib/x.h. */
		for (slash = strchr(src + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
			if (asprintf(path, "%.*s/%s", (int)(slash - src), src, rel) < 0) {
				*path = NULL;
				return -ENOMEM;
			}
			if (!access(*path, R_OK))
				return 0;
			free(*path);
			*path = NULL;
		}
	}
	return -ENOENT;
}

int klp_compdb__find(struct klp_compdb *db, const char *file,
		     struct klp_compile_args **out)
{
	unsigned int i, found = db->nr, ambiguous = db->nr;

	*out = NULL;
	/*
	 * A path relative to the tree matches at the tree's root, the
	 * shortest match: "mm/mmap.c" is not arch/x86/mm/mmap.c.  Matches of
	 * one length are ambiguous.
	 */
	for (i = 0; i < db->nr; i++) {
		bool match = file[0] == '/' ? !strcmp(db->files[i], file)
					    : path_has_suffix(db->files[i], file);
		size_t len = strlen(db->files[i]), best;

		if (!match)
			continue;
		if (found == db->nr) {
			found = i;
			ambiguous = db->nr;
			continue;
		}
		best = strlen(db->files[found]);
		if (len < best) {
			found = i;
			ambiguous = db->nr;
		} else if (len == best && strcmp(db->files[i], db->files[found])) {
			ambiguous = i;
		}
	}
	if (found != db->nr && ambiguous != db->nr) {
		log_err("%s: error: ambiguous: the compilation database compiles both %s and %s; "
			"give more of the path\n", file, db->files[found], db->files[ambiguous]);
		return -EEXIST;
	}
	if (found == db->nr) {
		log_err("%s: error: not compiled in the build %s (not in its compile_commands.json)\n",
			file, db->build_dir);
		return -ENOENT;
	}

	return klp_compdb__args_at(db, found, out);
}

unsigned int klp_compdb__nr(const struct klp_compdb *db)
{
	return db->nr;
}

const char *klp_compdb__file(const struct klp_compdb *db, unsigned int i)
{
	return i < db->nr ? db->files[i] : NULL;
}

int klp_compdb__args_at(struct klp_compdb *db, unsigned int found,
			struct klp_compile_args **out)
{
	struct klp_compile_args *args;
	CXCompileCommand cmd;
	const char **argv;
	unsigned int i, n;
	CXString s;
	int err;

	*out = NULL;
	if (found >= db->nr)
		return -ENOENT;
	cmd = clang_CompileCommands_getCommand(db->all, found);
	n = clang_CompileCommand_getNumArgs(cmd);
	args = calloc(1, sizeof(*args));
	argv = calloc(n + 1, sizeof(*argv));
	if (!args || !argv) {
		free(args);
		free(argv);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		s = clang_CompileCommand_getArg(cmd, i);
		argv[i] = strdup(clang_getCString(s));
		clang_disposeString(s);
	}
	s = clang_CompileCommand_getDirectory(cmd);
	args->directory = strdup(clang_getCString(s));
	clang_disposeString(s);
	args->file = strdup(db->files[found]);

	err = -ENOMEM;
	for (i = 0; i < n; i++)
		if (!argv[i])
			goto out;
	if (!args->directory || !args->file)
		goto out;
	err = klp_compile_args__filter(argv, (int)n, args->directory, args);
out:
	for (i = 0; i < n; i++)
		free((char *)argv[i]);
	free(argv);
	if (err) {
		klp_compile_args__free(args);
		free(args);
		return err;
	}
	*out = args;
	return 0;
}
