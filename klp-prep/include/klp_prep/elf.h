/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elf.h - one ELF file: its sections, every symbol of .symtab, and the
 * relocations that apply to a section
 *
 * The one place of the library that opens ELF files: every
 * reader above it (struct klp_objfile, the -fdump-ipa-clones reader,
 * generate, verify, the post-link writer) asks this model.  A struct
 * klp_elf owns everything reachable from it; pointers stay valid until
 * klp_elf__close().
 *
 * Local symbols are grouped by the STT_FILE symbol before them, as the
 * assembler and the linker lay them out: group n (from 1) holds the local
 * symbols after the n-th STT_FILE symbol; globals, which follow the
 * locals of the last file, belong to no group (0).
 */
#ifndef KLP_PREP_ELF_H
#define KLP_PREP_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klp_prep/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct klp_elf;
struct Elf;			/* libelf's, for the in-place writer */
struct Elf_Scn;

struct klp_section {
	const char *name;
	unsigned int index;
	uint32_t type;			/* SHT_* */
	uint64_t flags;			/* SHF_* */
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
};

/* A symbol of .symtab. */
struct klp_symbol {
	const char *name;
	uint64_t value;			/* st_value: section offset in ET_REL */
	uint64_t size;
	const char *section;		/* name of its section, NULL if none */
	unsigned int shndx;		/* section index (SHN_XINDEX resolved) */
	unsigned int sym_index;		/* index in .symtab */
	unsigned char type;		/* STT_* */
	unsigned char bind;		/* STB_* */
	unsigned char visibility;	/* STV_* */
	unsigned int file;		/* file group of a local symbol, 0 = none */
};

/* A relocation, with its symbol. */
struct klp_reloc {
	uint64_t offset;		/* in the section it applies to */
	uint32_t type;			/* R_* */
	int64_t addend;			/* 0 for SHT_REL */
	unsigned int sym_index;
	const struct klp_symbol *sym;	/* NULL when out of .symtab */
};

/* Flags of klp_elf__open(). */
#define KLP_ELF_RDWR		(1u << 0)	/* for klp_elf__write() */
#define KLP_ELF_NO_SYMBOLS	(1u << 1)	/* sections only */

/*
 * Open @path.  Read-only unless KLP_ELF_RDWR.  Returns NULL with errno
 * set on error, after logging a message that names the file: ENOENT and
 * the like from open(), EISDIR, ENOEXEC for a file that is not ELF (an
 * archive, truncated or corrupt ELF), ENOTSUP, ENOMEM.
 */
KLP_API struct klp_elf *klp_elf__open(const char *path, unsigned int flags);
KLP_API void klp_elf__close(struct klp_elf *elf);

KLP_API const char *klp_elf__path(const struct klp_elf *elf);
KLP_API unsigned int klp_elf__type(const struct klp_elf *elf);	/* ET_* */
KLP_API unsigned int klp_elf__machine(const struct klp_elf *elf);	/* EM_* */
KLP_API unsigned int klp_elf__class(const struct klp_elf *elf);	/* ELFCLASS* */

/* ---- sections --------------------------------------------------------- */

/* Sections by index; index 0 is the null section. */
KLP_API size_t klp_elf__nr_sections(const struct klp_elf *elf);
KLP_API const struct klp_section *klp_elf__section(const struct klp_elf *elf,
						   size_t index);
KLP_API const struct klp_section *
klp_elf__find_section_by_name(const struct klp_elf *elf, const char *name);

#define klp_elf__for_each_section(elf, i, sec)				\
	for ((i) = 1;							\
	     (i) < klp_elf__nr_sections(elf) &&				\
	     ((sec) = klp_elf__section(elf, i));				\
	     (i)++)

/*
 * A section's bytes: converted to the host's layout (elf_getdata), or as
 * they are in the file (elf_rawdata).  NULL with *size 0 for an empty or
 * SHT_NOBITS section; NULL after logging on error.
 */
KLP_API const void *klp_elf__section_data(const struct klp_elf *elf,
					  const struct klp_section *sec,
					  size_t *size);
KLP_API const void *klp_elf__section_rawdata(const struct klp_elf *elf,
					     const struct klp_section *sec,
					     size_t *size);

/* ---- symbols ---------------------------------------------------------- */

/*
 * Every entry of .symtab, by index (0 is the null symbol): functions,
 * objects, sections, files, undefined ones.  False and 0 when the file
 * has no .symtab (or was opened with KLP_ELF_NO_SYMBOLS).
 */
KLP_API bool klp_elf__has_symtab(const struct klp_elf *elf);
KLP_API size_t klp_elf__nr_symbols(const struct klp_elf *elf);
KLP_API const struct klp_symbol *klp_elf__symbol(const struct klp_elf *elf,
						 size_t index);
/* The section index of .symtab, 0 if none. */
KLP_API unsigned int klp_elf__symtab_index(const struct klp_elf *elf);

#define klp_elf__for_each_symbol(elf, i, sym)				\
	for ((i) = 1;							\
	     (i) < klp_elf__nr_symbols(elf) &&				\
	     ((sym) = klp_elf__symbol(elf, i));				\
	     (i)++)

/*
 * The symbols named @name, in .symtab order: the first, and the next
 * after @sym.  Static names repeat across units of linked files.
 */
KLP_API const struct klp_symbol *
klp_elf__find_symbol_by_name(const struct klp_elf *elf, const char *name);
KLP_API const struct klp_symbol *
klp_elf__next_symbol_by_name(const struct klp_elf *elf,
			     const struct klp_symbol *sym);

#define klp_elf__for_each_symbol_by_name(elf, name, sym)		\
	for ((sym) = klp_elf__find_symbol_by_name(elf, name); (sym);	\
	     (sym) = klp_elf__next_symbol_by_name(elf, sym))

/* The first symbol of type @type (STT_*) defined at @shndx:@value, or NULL. */
KLP_API const struct klp_symbol *
klp_elf__find_symbol_at(const struct klp_elf *elf, unsigned int shndx,
			uint64_t value, unsigned char type);

/* File groups (see above): their number, and group @file's STT_FILE name. */
KLP_API size_t klp_elf__nr_files(const struct klp_elf *elf);
KLP_API const char *klp_elf__file_name(const struct klp_elf *elf,
				       unsigned int file);

/* ---- relocations ------------------------------------------------------ */

/*
 * The relocation sections (SHT_RELA, SHT_REL) that apply to section
 * @index, in section order: the first, and the next after @rsec.
 */
KLP_API const struct klp_section *
klp_elf__find_reloc_section(const struct klp_elf *elf, unsigned int index);
KLP_API const struct klp_section *
klp_elf__next_reloc_section(const struct klp_elf *elf,
			    const struct klp_section *rsec);

#define klp_elf__for_each_reloc_section(elf, index, rsec)		\
	for ((rsec) = klp_elf__find_reloc_section(elf, index); (rsec);	\
	     (rsec) = klp_elf__next_reloc_section(elf, rsec))

/* How many relocations @rsec holds, and the @i-th (false if unreadable). */
KLP_API size_t klp_elf__nr_relocs(const struct klp_elf *elf,
				  const struct klp_section *rsec);
KLP_API bool klp_elf__reloc(const struct klp_elf *elf,
			    const struct klp_section *rsec, size_t i,
			    struct klp_reloc *out);

#define klp_elf__for_each_reloc(elf, rsec, i, rel)			\
	for ((i) = 0; (i) < klp_elf__nr_relocs(elf, rsec); (i)++)	\
		if (klp_elf__reloc(elf, rsec, i, rel))

/* ---- the in-place writer ---------------------------------------------- */

/*
 * libelf's handles, for a writer's own section and symbol surgery on a
 * file opened with KLP_ELF_RDWR; the model above is what was read at
 * open and does not follow such changes.
 */
KLP_API struct Elf *klp_elf__libelf(struct klp_elf *elf);
KLP_API struct Elf_Scn *klp_elf__scn(struct klp_elf *elf, unsigned int index);

/*
 * Write the changes back (elf_update).  With @layout_changed (sections
 * added), the whole Elf is flagged dirty first, so that libelf builds a
 * fresh section header table instead of writing the one it read.
 */
KLP_API int klp_elf__write(struct klp_elf *elf, bool layout_changed);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_ELF_H */
