/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * object.h - an ELF file with its partition records and function symbols
 *
 * A struct klp_objfile is one ELF file of any kind that carries the
 * .klp_prep.partition section: a relocatable object, an `ld -r` output, a
 * linked executable, a kernel module or vmlinux.  Opening it decodes every
 * block of the section (one struct klp_unit per compilation unit) and loads
 * the function symbols of .symtab (struct klp_symbol, klp_prep/elf.h).
 * The object owns everything reachable from it; pointers stay valid until
 * klp_objfile__free().
 *
 * Local symbols are grouped by the STT_FILE symbol before them, as the
 * assembler and the linker lay them out: two `static void foo(void)` of
 * different units are told apart by their file group, which is also how a
 * unit is tied to its symbols (klp_objfile__unit_file()).
 */
#ifndef KLP_PREP_OBJECT_H
#define KLP_PREP_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klp_prep/elf.h>
#include <klp_prep/export.h>
#include <klp_prep/records.h>

#ifdef __cplusplus
extern "C" {
#endif

struct klp_objfile;

/* Flags of klp_objfile__open(). */
#define KLP_OPEN_NO_SYMBOLS	(1u << 0)	/* records only */

/*
 * Open @path and read its records and symbols.  A file without the
 * section is not an error (klp_objfile__has_records() says so), a section
 * that cannot be decoded is.  Returns NULL with errno set on error, after
 * logging a message that names the file: ENOENT and the like from open(),
 * EISDIR, ENOEXEC for a file that is not ELF (or is truncated or corrupt ELF),
 * EBADMSG for a corrupt section, EPROTONOSUPPORT for an unknown format
 * version, ENOMEM.
 */
KLP_API struct klp_objfile *klp_objfile__open(const char *path,
					    unsigned int flags);
KLP_API void klp_objfile__free(struct klp_objfile *obj);

KLP_API const char *klp_objfile__path(const struct klp_objfile *obj);
/* The ELF file below: every symbol, sections, relocations. */
KLP_API const struct klp_elf *klp_objfile__elf(const struct klp_objfile *obj);
/* ET_REL, ET_EXEC, ET_DYN. */
KLP_API unsigned int klp_objfile__elf_type(const struct klp_objfile *obj);

/*
 * False when the file has no .klp_prep.partition section: its code was
 * compiled without -fplugin=.../klp_partition.so.
 */
KLP_API bool klp_objfile__has_records(const struct klp_objfile *obj);

/* Units in section order (blocks of several sections follow each other). */
KLP_API size_t klp_objfile__nr_units(const struct klp_objfile *obj);
KLP_API const struct klp_unit *klp_objfile__unit(const struct klp_objfile *obj,
						size_t i);

#define klp_objfile__for_each_unit(obj, i, unit)				\
	for ((i) = 0;							\
	     (i) < klp_objfile__nr_units(obj) &&				\
	     ((unit) = klp_objfile__unit(obj, i));			\
	     (i)++)

/*
 * Function symbols (defined STT_FUNC and STT_GNU_IFUNC) in .symtab order,
 * a view of klp_objfile__elf()'s; false if the file has no .symtab.
 */
KLP_API bool klp_objfile__has_symtab(const struct klp_objfile *obj);
KLP_API size_t klp_objfile__nr_symbols(const struct klp_objfile *obj);
KLP_API const struct klp_symbol *
klp_objfile__symbol(const struct klp_objfile *obj, size_t i);

#define klp_objfile__for_each_symbol(obj, i, sym)			\
	for ((i) = 0;							\
	     (i) < klp_objfile__nr_symbols(obj) &&			\
	     ((sym) = klp_objfile__symbol(obj, i));			\
	     (i)++)

/*
 * The function symbols named @name, in .symtab order: the first, and the
 * next after @sym.  Static names repeat across units of linked files.
 */
KLP_API const struct klp_symbol *
klp_objfile__find_symbol_by_name(const struct klp_objfile *obj,
				const char *name);
KLP_API const struct klp_symbol *
klp_objfile__next_symbol_by_name(const struct klp_objfile *obj,
				const struct klp_symbol *sym);

#define klp_objfile__for_each_symbol_by_name(obj, name, sym)		\
	for ((sym) = klp_objfile__find_symbol_by_name(obj, name); (sym);	\
	     (sym) = klp_objfile__next_symbol_by_name(obj, sym))

/*
 * File groups: group n (from 1) holds the local symbols after the n-th
 * STT_FILE symbol of .symtab; klp_objfile__file_name() gives that
 * symbol's name (a basename, e.g. "fork.c"), NULL for 0 or out of range.
 */
KLP_API size_t klp_objfile__nr_files(const struct klp_objfile *obj);
KLP_API const char *klp_objfile__file_name(const struct klp_objfile *obj,
					  unsigned int file);

/*
 * The file group of unit @i's local symbols, tied by content, never by
 * rank (GNU ld need not write the groups in link order): the one group
 * named after the basename of the unit's source that holds every local
 * function symbol the unit emitted (.cold parts included), once the
 * groups other units own that way are set aside; a group is never tied
 * to two units.  A unit without local symbols takes the one group of its
 * basename left, or one without local function symbols.  0 when it
 * cannot be told: the unit's symbols fit several groups, or none.
 */
KLP_API unsigned int klp_objfile__unit_file(const struct klp_objfile *obj,
					   size_t i);

/*
 * For a unit read from another file (a unit rebuilt from source, held
 * against the vmlinux it was linked into): the file groups of @obj named
 * @base that hold every one of the @nr_names local function symbols
 * @names, by the same content rule as klp_objfile__unit_file().  Returns
 * how many fit and stores the first @max_files of them in @files.
 */
KLP_API size_t klp_objfile__files_holding(const struct klp_objfile *obj,
					  const char *base,
					  const char *const *names,
					  size_t nr_names, unsigned int *files,
					  size_t max_files);

/* The origin of a FUNC or INLINE record, and FUNC-by-symbol lookups. */
static inline const struct klp_origin *
klp_unit__origin(const struct klp_unit *unit, unsigned int i)
{
	return i < unit->nr_origins ? &unit->origins[i] : NULL;
}

/* The FUNC record of @unit whose symbol (or cold_symbol) is @name. */
KLP_API const struct klp_func_record *klp_unit__find_func(const struct klp_unit *unit,
						   const char *name);
KLP_API const struct klp_func_record *
klp_unit__find_func_by_cold(const struct klp_unit *unit, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_OBJECT_H */
