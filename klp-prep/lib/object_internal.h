/* SPDX-License-Identifier: GPL-2.0-or-later */
/* object_internal.h - struct klp_objfile, for the library's own modules */
#ifndef KLP_LIB_OBJECT_INTERNAL_H
#define KLP_LIB_OBJECT_INTERNAL_H

#include <stdbool.h>
#include <libelf.h>

#include <klp_prep/object.h>

struct klp_objfile {
	char *path;
	int fd;
	Elf *elf;
	unsigned int elf_type;

	size_t nr_sections;
	const char **section_names;	/* by section index; in elf's data */
	Elf_Scn *symtab;
	Elf_Scn *symtab_shndx;

	bool has_records;
	struct klp_unit **units;
	size_t nr_units;
	unsigned int *unit_files;	/* by unit: file group, 0 = unknown */

	bool symbols_skipped;		/* opened with KLP_OPEN_NO_SYMBOLS */
	bool has_symtab;
	struct klp_symbol *symbols;	/* function symbols, .symtab order */
	size_t nr_symbols;
	struct klp_symbol **by_name;	/* sorted by name, then .symtab index */
	size_t *name_rank;		/* by symbol: its place in by_name */
	const char **files;		/* STT_FILE names; [0] unused */
	size_t nr_files;
};

#endif /* KLP_LIB_OBJECT_INTERNAL_H */
