/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compdb.h - compile commands of a kernel build, as libclang needs them
 *
 * The kernel's scripts/clang-tools/gen_compile_commands.py writes a
 * compile_commands.json for a build directory.  klp-prep reads it through
 * libclang's compilation-database API and keeps, of each command, only the
 * flags that change what the preprocessor and the parser see: macros,
 * include paths, forced includes, the language standard and the target.
 * Everything else (GCC's optimisation, warning, plugin and code-generation
 * flags, many of which clang does not know) is dropped, so an unknown GCC
 * flag never breaks a parse.
 */
#ifndef KLP_PREP_COMPDB_H
#define KLP_PREP_COMPDB_H

#ifdef __cplusplus
extern "C" {
#endif

struct klp_compdb;

/* The parse arguments of one unit; free with klp_compile_args__free(). */
struct klp_compile_args {
	char *file;		/* the source, absolute */
	char *directory;	/* the directory the command ran in */
	char **argv;		/* filtered flags, relative paths made absolute */
	int argc;
};

/*
 * Open @build_dir/compile_commands.json.  Returns 0 or -ENOENT (no
 * database there; a message says how to make one), -ENOMEM.
 */
int klp_compdb__open(const char *build_dir, struct klp_compdb **db);
void klp_compdb__free(struct klp_compdb *db);

/*
 * The arguments for @file: an absolute path, or a path relative to the
 * kernel source tree (e.g. "fs/proc/cmdline.c", as a diff names it),
 * matched against the database's files by whole path components.
 * Returns 0, -ENOENT when no command compiles that file, -EEXIST when a
 * relative path matches several, -ENOMEM.
 */
int klp_compdb__find(struct klp_compdb *db, const char *file,
		     struct klp_compile_args **args);

/* The commands one by one: their number, source (absolute) and arguments. */
unsigned int klp_compdb__nr(const struct klp_compdb *db);
const char *klp_compdb__file(const struct klp_compdb *db, unsigned int i);
int klp_compdb__args_at(struct klp_compdb *db, unsigned int i,
			struct klp_compile_args **args);

/*
 * A file of the source tree that no command compiles (a header the fix
 * changes, "include/linux/list.h"): *@path, malloc'd, is @rel under the
 * shallowest directory above one of the database's sources where it
 * exists, the tree's (its first sources) before an out-of-tree
 * module's ("klp_demo.h").  Returns 0, -ENOENT (not logged: the caller
 * says what it needed the file for), -ENOMEM.
 */
int klp_compdb__tree_file(const struct klp_compdb *db, const char *rel, char **path);

/*
 * Filter one compiler command line (@argv[0] is the compiler, the source
 * file and -o are dropped).  Relative paths of kept options are made
 * absolute against @directory.  Exposed for the tests.
 */
int klp_compile_args__filter(const char *const *argv, int argc,
			     const char *directory,
			     struct klp_compile_args *out);

void klp_compile_args__free(struct klp_compile_args *args);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_COMPDB_H */
