/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sympos.h - old_sympos, as the livepatch core counts it
 *
 * klp_find_object_symbol() takes the sympos-th symbol of a name in the
 * order it walks them: for vmlinux, kallsyms_on_each_match_symbol() visits
 * equal names in scripts/kallsyms.c's order (name, then address, then
 * `nm -n` order, i.e. .symtab order among equal addresses); for a module,
 * module_kallsyms_on_each_symbol() visits the module's .symtab in file
 * order.  A name held by one symbol has position 0; else the position
 * counts from 1.
 *
 * A struct klp_sympos_table holds one object's symbols in .symtab order
 * and sorts them into that walk: it is where every position of the
 * toolchain is counted.
 */
#ifndef KLP_PREP_SYMPOS_H
#define KLP_PREP_SYMPOS_H

#include <stddef.h>
#include <stdint.h>

#include <klp_prep/export.h>
#include <klp_prep/records.h>

#ifdef __cplusplus
extern "C" {
#endif

enum klp_sympos_order {
	KLP_SYMPOS_VMLINUX,	/* kallsyms: name, address, .symtab order */
	KLP_SYMPOS_MODULE,	/* name, .symtab order */
};

struct klp_sympos_table;

KLP_API struct klp_sympos_table *klp_sympos_table__new(enum klp_sympos_order order);
KLP_API void klp_sympos_table__free(struct klp_sympos_table *t);

/*
 * Add one symbol, in .symtab order (its index is the count before it);
 * @name is not copied.  Only before klp_sympos_table__sort().  0 or
 * -ENOMEM, -EBUSY after sorting.
 */
KLP_API int klp_sympos_table__add(struct klp_sympos_table *t, const char *name,
				  uint64_t value);
/* Sort into the walk order; after this, the table answers. */
KLP_API int klp_sympos_table__sort(struct klp_sympos_table *t);

KLP_API size_t klp_sympos_table__nr(const struct klp_sympos_table *t);

/*
 * The walk: klp_sympos_table__order() maps places in it to the symbols'
 * indexes (an array of klp_sympos_table__nr() of them).
 */
KLP_API const size_t *klp_sympos_table__order(const struct klp_sympos_table *t);
/* The first place whose name is not below @name (a lower bound). */
KLP_API size_t klp_sympos_table__lower_bound(const struct klp_sympos_table *t,
					     const char *name);
/* How many symbols are named @name; *@first: the place of the first. */
KLP_API size_t klp_sympos_table__named(const struct klp_sympos_table *t,
				       const char *name, size_t *first);

/* old_sympos of symbol @index: 0 when its name is unique. */
KLP_API unsigned long klp_sympos_table__sympos(const struct klp_sympos_table *t,
					       size_t index);
/*
 * The index of the symbol @name at position @sympos (0: the only one);
 * -1 when there is none, or several for 0.
 */
KLP_API long klp_sympos_table__find(const struct klp_sympos_table *t,
				    const char *name, unsigned long sympos);

/*
 * Without a symbol table: the position of @name as unit @unit's body,
 * counted over the emitted FUNC records (their symbols and .cold parts) of
 * @units in link order.  An estimate: the linker need not lay the units'
 * statics out in that order.
 */
KLP_API unsigned long klp_sympos__estimate(const struct klp_unit *const *units,
					   size_t nr_units, size_t unit,
					   const char *name);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_SYMPOS_H */
