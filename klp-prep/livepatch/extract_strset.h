/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * extract_strset.h - a set of strings (open addressing), for the
 * extraction's "seen" sets of USRs and macro names
 */
#ifndef KLP_PREP_EXTRACT_STRSET_H
#define KLP_PREP_EXTRACT_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **slots;
	size_t cap, nr;
};

/* 1 if added, 0 if present, -ENOMEM. */
int strset_add(struct strset *s, const char *str);
bool strset_has(const struct strset *s, const char *str);
void strset_free(struct strset *s);

#endif /* KLP_PREP_EXTRACT_STRSET_H */
