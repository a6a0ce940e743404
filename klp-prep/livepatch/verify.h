/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify.h - a built livepatch module's klp_func tables, read back from
 * the .ko, and held against the module's own records and symbols
 *
 * The table is read the way the livepatch core will see it: the funcs
 * arrays that the klp_object array (`objs`) points to, each entry's
 * pointers through the relocations of the array (old_name and new_name
 * into string sections, new_func to a function symbol), the numbers
 * (old_sympos, stack_only, new_sympos) from the section bytes.  Field
 * offsets are those of struct klp_func with the kernel-support series
 * (kernel-support/patches/NN-livepatch-Check-compiler-split-parts...):
 * old_name 0, new_func 8, old_sympos 16, stack_only 24, new_name 32,
 * new_sympos 40; the size of the whole struct (its internal part depends
 * on the kernel's configuration) is found from the arrays themselves.
 *
 * The new side of a patched function (what the compiler split off the
 * new function in this module) is, from the module's partition records:
 * its .cold part, and every clone it calls (CALL records: .part, .isra,
 * .constprop bodies; the code a task may be in without the new function
 * on its stack, after a tail call above all) with their .cold parts,
 * recursively.  klp-prep build fills the table with exactly that set and
 * klp_verify_module() checks that it is there, nothing more, nothing less.
 */
#ifndef KLP_PREP_VERIFY_H
#define KLP_PREP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include <klp_prep/object.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One struct klp_func entry of a built module. */
struct klp_lp_func {
	char *old_name;			/* NULL */
	unsigned long old_sympos;
	char *new_func;			/* the symbol it points to, or NULL */
	bool stack_only;
	char *new_name;			/* NULL */
	unsigned long new_sympos;
};

/* One klp_object: the object it patches and its funcs array. */
struct klp_lp_object {
	char *name;			/* "vmlinux" or the module's name */
	char *array;			/* the funcs array's symbol */
	struct klp_lp_func *funcs;
	size_t nr_funcs;
};

struct klp_lp_table {
	char *path;
	struct klp_lp_object *objs;
	size_t nr_objs;
	bool replace;			/* klp_patch.replace */
	size_t func_size;		/* sizeof(struct klp_func) found */
};

/* Read @ko's tables.  Returns 0 or -errno (logged, naming the file). */
int klp_lp_table__read(const char *ko, struct klp_lp_table **out);
void klp_lp_table__free(struct klp_lp_table *t);

/* Counts over every object of @t. */
size_t klp_lp_table__nr_patched(const struct klp_lp_table *t);
size_t klp_lp_table__nr_stack_only(const struct klp_lp_table *t);

/*
 * The new functions of @t's patched entries (pointing into @t), what the
 * parts are split off: *@funcs is malloc'd.  Returns 0 or -ENOMEM.
 */
int klp_lp_table__new_funcs(const struct klp_lp_table *t, const char ***funcs, size_t *nr);

/* A part of a new function: a symbol of the module. */
struct klp_lp_part {
	char *name;
	unsigned long sympos;		/* among the module's symbols, 0: unique */
	const char *kind;		/* "cold part of", "clone called by", ... */
};

/*
 * The parts the compiler split off function @func of module @ko, by its
 * records (see above); @exclude (may be NULL) names functions that are
 * not parts even when called as clones (the other patched functions).
 * -ENOENT when @ko has no FUNC record of @func (compiled without the
 * plugin), -ENOMEM.
 */
int klp_lp_new_parts(const struct klp_objfile *ko, const char *func,
		     const char *const *exclude, size_t nr_exclude,
		     struct klp_lp_part **parts, size_t *nr_parts);
void klp_lp_parts__free(struct klp_lp_part *parts, size_t nr);

/*
 * The symbol @name at position @sympos (0: the only one) among the
 * symbols of @ko of that name in .symtab order, as the livepatch core
 * looks up a new_name in the module (module_kallsyms_on_each_symbol());
 * NULL when there is none, or several and @sympos is 0.
 */
const struct klp_symbol *klp_lp_find_symbol(const struct klp_objfile *ko,
					    const char *name,
					    unsigned long sympos);

struct klp_verify_result {
	size_t patched;			/* patched functions */
	size_t pairs;			/* stack_only entries with both sides */
	size_t old_only, new_only;	/* with one side */
	size_t errors;			/* mismatches (each logged) */
	size_t covered;			/* a stock table's new parts, each
					 * covered by patched callers */
};

/*
 * Hold @ko's table against its own records and symbols: every entry well
 * formed; every new_name resolves, at its new_sympos, to a part of the
 * entry's parent; every part of every new function is named by exactly
 * one entry of that parent.  Returns 0 when all holds, -EBADMSG when
 * something does not (res->errors, each logged as an error), other
 * -errno when the module cannot be read.
 */
int klp_verify_module(const char *ko, struct klp_verify_result *res);

/*
 * The same for a module built for a stock kernel (its struct klp_func
 * has no stack_only, @kernel KLP_VERIFY_STOCK): the table has no stack_only entry, and each
 * part of a new function must be covered instead: every function whose
 * frame can be above it in the module's own code is a new function of
 * the table (coverage.h), so the stock check holds a task in it when the
 * patch is disabled or replaced.  A part entered only from the kernel
 * (its new function called from nowhere in the module) is an error.
 */
enum klp_verify_kernel {
	KLP_VERIFY_STACK_ONLY,		/* the kernel-support series */
	KLP_VERIFY_STOCK,		/* none: parts must be covered */
	KLP_VERIFY_STOCK_UNCOVERED,	/* none, and the parts left to escape
					 * (--no-cover): counted in new_only */
};

int klp_verify_module_stock(const char *ko, enum klp_verify_kernel kernel,
			    struct klp_verify_result *res);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_VERIFY_H */
