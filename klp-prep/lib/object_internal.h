/* SPDX-License-Identifier: GPL-2.0-or-later */
/* object_internal.h - struct klp_objfile, for the library's own modules */
#ifndef KLP_LIB_OBJECT_INTERNAL_H
#define KLP_LIB_OBJECT_INTERNAL_H

#include <stdbool.h>

#include <klp_prep/elf.h>
#include <klp_prep/object.h>

struct klp_objfile {
	char *path;
	struct klp_elf *elf;

	bool has_records;
	struct klp_unit **units;
	size_t nr_units;
	unsigned int *unit_files;	/* by unit: file group, 0 = unknown */

	bool symbols_skipped;		/* opened with KLP_OPEN_NO_SYMBOLS */
	/* Defined function symbols, .symtab order; in elf's symbols. */
	const struct klp_symbol **funcs;
	size_t nr_funcs;
};

#endif /* KLP_LIB_OBJECT_INTERNAL_H */
