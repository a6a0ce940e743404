/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klp_demo.h - the cold helper of the klp-demo module
 *
 * klp_demo_wait() is cold: GCC moves every path that calls it out of its
 * caller into the caller's .cold part.  The attribute is spelled out
 * because the kernel's __cold is empty with GCC < 14 on x86.  It is a
 * static function of this header so that a livepatch compiled from the
 * module's source gets a copy of its own, cold as this one (the
 * declarations klp-prep writes for symbols of the running module carry
 * the type, not the attributes).
 */
#ifndef KLP_DEMO_H
#define KLP_DEMO_H

#include <linux/compiler.h>
#include <linux/delay.h>

/* Wait while *@hold is set, with *@in_cold set meanwhile. */
static noinline __attribute__((__cold__)) int klp_demo_wait(int x, int *hold, int *in_cold)
{
	WRITE_ONCE(*in_cold, 1);
	while (READ_ONCE(*hold))
		msleep(20);
	WRITE_ONCE(*in_cold, 0);
	return x;
}

#endif /* KLP_DEMO_H */
