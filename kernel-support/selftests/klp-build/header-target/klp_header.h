/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klp_header.h - a static inline function that two units inline
 *
 * klp_header_scale() has no code of its own in klp_header.ko: GCC
 * inlines it into a getter of each unit.  A fix to it (cases/header.diff)
 * changes the module only through those two callers, in two units the
 * fix itself does not touch.
 */
#ifndef KLP_HEADER_H
#define KLP_HEADER_H

static __always_inline int klp_header_scale(int x)
{
	return x + 1;
}

#endif /* KLP_HEADER_H */
