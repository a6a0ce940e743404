/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbol_name.h - what GCC's suffixes in a symbol name say
 *
 * GCC names a clone or split part after its origin plus one suffix per
 * transformation, in the order they happened: foo.constprop.0.isra.0 is
 * an IPA-SRA clone of an IPA-CP clone of foo; ".cold" ends the name of a
 * cold part.  The records carry the same steps (struct klp_step), so a
 * name can be held against its record.
 */
#ifndef KLP_PREP_SYMBOL_NAME_H
#define KLP_PREP_SYMBOL_NAME_H

#include <stdbool.h>
#include <stddef.h>

#include <klp_prep/export.h>
#include <klp_prep/records.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KLP_SYMBOL_NAME_MAX_STEPS	8

struct klp_symbol_name {
	size_t base_len;		/* symbol[0, base_len) is the origin */
	struct klp_step steps[KLP_SYMBOL_NAME_MAX_STEPS];
	unsigned int nr_steps;		/* in name order, without .cold */
	bool cold;			/* ends in .cold */
};

/*
 * Split @symbol into its origin's name and the GCC suffixes .part.N,
 * .isra.N, .constprop.N, .lto_priv.N, .localalias and a final .cold.
 * Returns true when there is at least one.
 */
KLP_API bool klp_symbol_name__parse(const char *symbol,
				    struct klp_symbol_name *name);

/* "part", "isra", ...; NULL for a kind this klp-prep does not know. */
KLP_API const char *klp_step__name(unsigned int kind);

/*
 * Write the kinds of @steps joined by '+' ("constprop+isra") into @buf;
 * unknown kinds as "step<N>".  Returns @buf ("" for no steps).
 */
KLP_API char *klp_steps__format(const struct klp_step *steps,
				unsigned int nr_steps, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_SYMBOL_NAME_H */
