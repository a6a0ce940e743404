/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * generate_internal.h - the original build's symbols, as generate asks
 * them: every symbol of vmlinux (data too, unlike klp_object, which reads
 * functions), grouped by STT_FILE, and the exports of Module.symvers
 */
#ifndef KLP_PREP_GENERATE_INTERNAL_H
#define KLP_PREP_GENERATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klp_prep/elf.h>
#include <klp_prep/sympos.h>

#include "extract.h"

#include "extract_strset.h"

struct gen_sym {
	const char *name;		/* in the symtab's struct klp_elf */
	uint64_t value;
	unsigned char type;		/* STT_* */
	unsigned char bind;		/* STB_* */
	unsigned int file;		/* STT_FILE group, 0 = none */
};

struct gen_symtab {
	char *path;
	char *object;			/* "vmlinux" or the module's name */
	bool is_module;			/* positions in .symtab order */
	struct klp_elf *elf;		/* the file; its STT_FILE groups */
	struct gen_sym *syms;		/* .symtab order, defined ones only */
	size_t nr;
	struct klp_sympos_table *sympos;	/* syms, for positions */
	const size_t *by_name;		/* indexes sorted by name, then address
					 * (vmlinux): the sympos walk */
	struct strset exports;		/* Module.symvers */
	bool have_exports;
};

/*
 * Read @path's .symtab and @symvers (may be NULL or missing: no exports).
 * @is_module: positions are counted in .symtab order, as
 * module_kallsyms_on_each_symbol() walks them, not by address.
 */
int gen_symtab__open(const char *path, const char *object, bool is_module,
		     const char *symvers, struct gen_symtab **out);
void gen_symtab__free(struct gen_symtab *st);

/* Symbols named @name: first index into by_name and the count. */
size_t gen_symtab__named(const struct gen_symtab *st, const char *name,
			 size_t *first);

/* The oracle for one unit (its basename picks the STT_FILE groups). */
struct gen_unit_oracle {
	struct klp_symbol_oracle oracle;
	const struct gen_symtab *st;	/* the unit's object */
	const struct gen_symtab *vmlinux;	/* for a module's unit: globals
					 * it does not define */
	const char *display;		/* the unit, for messages */
	char *basename;
	unsigned int *groups;
	size_t nr_groups;
	char candidates[256];		/* of an ambiguous static local */
};

int gen_unit_oracle__init(struct gen_unit_oracle *uo, const struct gen_symtab *st,
			  const struct gen_symtab *vmlinux, const char *unit_path,
			  const char *display);
void gen_unit_oracle__fini(struct gen_unit_oracle *uo);

/* The unit's local symbol @name of type @type (STT_*), or NULL. */
const struct gen_sym *gen_unit_oracle__local(const struct gen_unit_oracle *uo,
					     const char *name, int type);

/* The position of symbol @s among those of its name (0: unique). */
unsigned long gen_symtab__sympos(const struct gen_symtab *st,
				 const struct gen_sym *s);

#endif /* KLP_PREP_GENERATE_INTERNAL_H */
