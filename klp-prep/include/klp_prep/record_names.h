/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * record_names.h - the words klp-prep uses for record flags and enums
 *
 * One spelling for the text dump, the JSON dump and messages, so that a
 * build system matching "cold_split" in JSON matches what a person reads.
 */
#ifndef KLP_PREP_RECORD_NAMES_H
#define KLP_PREP_RECORD_NAMES_H

#include <stddef.h>

#include <klp_prep/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum klp_flag_set {
	KLP_FLAGS_UNIT,
	KLP_FLAGS_ORIGIN,
	KLP_FLAGS_FUNC,
	KLP_FLAGS_INLINE,
	KLP_FLAGS_CALL,
};

/* The name of flag bit @bit (0..31) of @set; NULL if this klp-prep has none. */
KLP_API const char *klp_flag__name(enum klp_flag_set set, unsigned int bit);

/*
 * @flags as names joined by @sep ("emitted,cold_split"); unknown bits as
 * "bitN".  Returns @buf ("" for no flags).
 */
KLP_API char *klp_flags__format(enum klp_flag_set set, unsigned int flags,
				const char *sep, char *buf, size_t size);

/* "removed", "split", "constant"; NULL for an unknown change. */
KLP_API const char *klp_param_change__name(unsigned int change);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_RECORD_NAMES_H */
