/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_internal.h - what the symbol and DWARF checks share */
#ifndef KLP_LIB_CHECK_INTERNAL_H
#define KLP_LIB_CHECK_INTERNAL_H

#include <klp_prep/check.h>

struct klp_checker {
	const struct klp_objfile *obj;
	klp_mismatch_fn_t fn;
	void *ctx;
	int nr_mismatches;
	struct klp_check_stats stats;
	bool *file_has_unit;		/* by file group: some unit matches */
};

__attribute__((format(printf, 5, 6)))
void klp_checker__report(struct klp_checker *c, enum klp_check_source source,
			 const char *symbol, const struct klp_unit *unit,
			 const char *fmt, ...);

bool klp_checker__unit_may_own(const struct klp_checker *c, size_t i,
			       const struct klp_symbol *sym);

const struct klp_symbol *klp_checker__find_symbol(const struct klp_checker *c,
						  size_t i, const char *name,
						  bool local);

/* dwarf_check.c: 0 also when the file has no DWARF (stats->dwarf false). */
int klp_checker__check_dwarf(struct klp_checker *c);

#endif /* KLP_LIB_CHECK_INTERNAL_H */
