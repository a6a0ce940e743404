/* SPDX-License-Identifier: GPL-2.0-or-later */
/* array.h - growing the library's malloc'd arrays */
#ifndef KLP_LIB_ARRAY_H
#define KLP_LIB_ARRAY_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/*
 * Make room for @need elements of @size bytes in *@p, which has room for
 * *@cap: doubling, so that appending one at a time stays linear.
 * Returns 0 or -ENOMEM (*@p and *@cap unchanged).
 */
static inline int array_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *q;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	if (n > (size_t)-1 / size)
		return -ENOMEM;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

#endif /* KLP_LIB_ARRAY_H */
