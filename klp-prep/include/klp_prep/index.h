/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * index.h - the partition records of a whole kernel build, read once
 *
 * A kernel build holds vmlinux and a few thousand modules.  Reading their
 * records and symbol tables takes seconds; a second query should not pay
 * that again.  The index keeps, per object, its path, mtime and size, the
 * units (encoded as section blocks) and the function symbols with the
 * unit each local one belongs to (for old_sympos), in one file.  Opening
 * it re-reads only the objects whose mtime or size changed, drops the
 * ones that are gone and adds new ones, then writes it back.
 *
 * Object names are the livepatch core's: "vmlinux", or a module's name
 * (the .ko's basename, '-' as '_').
 */
#ifndef KLP_PREP_INDEX_H
#define KLP_PREP_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klp_prep/affected.h>
#include <klp_prep/export.h>
#include <klp_prep/records.h>

#ifdef __cplusplus
extern "C" {
#endif

struct klp_index;

struct klp_index_symbol {
	const char *name;
	uint64_t value;
	int unit;		/* the unit whose local symbol it is, -1 none,
				   -2 a unit not decoded (only_strings) */
};

struct klp_index_object {
	const char *path;	/* as found (relative to the build dir) */
	const char *name;	/* "vmlinux", module name, or the .o path */
	enum klp_affected_object_kind kind;
	bool is_object_file;	/* a *.o, not a linked object */
	struct klp_unit **units;
	size_t nr_units;
	struct klp_index_symbol *symbols;	/* .symtab order */
	size_t nr_symbols;
	uint64_t mtime_ns, size;
};

struct klp_index_options {
	/*
	 * Index file; NULL: BUILD_DIR/.klp-prep/affected.idx.  "" keeps
	 * no index (every object read every time).
	 */
	const char *cache;
	bool objects;		/* also *.o files (vmlinux without records) */
	/*
	 * NULL-terminated, or NULL for all: decode only the units whose
	 * string table holds one of these strings (as a whole string, or
	 * its end after a '/').  The closure never leaves a unit, so a
	 * query about function "foo" needs only the units that name "foo";
	 * the rest of a kernel is skipped undecoded.  Symbols of skipped
	 * units stay (old_sympos counts them), with unit -2.
	 */
	const char *const *only_strings;
};

struct klp_index_stats {
	size_t objects;		/* with records */
	size_t without_records;	/* ELF files that had none */
	size_t read;		/* read from ELF this time */
	size_t cached;		/* taken from the index file */
	size_t units;		/* decoded */
	size_t units_skipped;	/* not decoded: only_strings */
	bool written;		/* the index file was (re)written */
};

/*
 * Index the build directory @dir: vmlinux and every *.ko below it (and
 * *.o with opts->objects).  Returns 0 or -errno (logged, naming the file).
 */
KLP_API int klp_index__open_dir(const char *dir,
				const struct klp_index_options *opts,
				struct klp_index **out);

/* The given ELF files only, no index file. */
KLP_API int klp_index__open_files(const char *const *paths, size_t nr,
				  const struct klp_index_options *opts,
				  struct klp_index **out);

KLP_API void klp_index__free(struct klp_index *ix);

KLP_API size_t klp_index__nr_objects(const struct klp_index *ix);
KLP_API const struct klp_index_object *
klp_index__object(const struct klp_index *ix, size_t i);
KLP_API const struct klp_index_stats *klp_index__stats(const struct klp_index *ix);

/* Add every object (units and symbols) to @a. */
KLP_API int klp_index__add_to(const struct klp_index *ix,
			      struct klp_affected *a);

/* "foo-bar.ko" -> "foo_bar" (malloc'd). */
KLP_API char *klp_module_name(const char *ko_path);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_INDEX_H */
