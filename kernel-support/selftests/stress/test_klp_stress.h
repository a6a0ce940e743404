/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_klp_stress.h - what the stress target and its livepatches share
 *
 * A worker passes KLP_STRESS_SPIN in the random number it gives
 * test_klp_stress_func() when it spins: the cold part (the original's and
 * the livepatches' alike) then busy-waits on its CPU instead of sleeping,
 * so that transitions find it running there.
 */
#ifndef TEST_KLP_STRESS_H
#define TEST_KLP_STRESS_H

#include <linux/delay.h>

#define KLP_STRESS_SPIN 0x80000000u

/* The kernel's __cold is empty with GCC < 14 on x86: the attribute itself. */
#define KLP_STRESS_COLD __attribute__((__cold__)) noinline

/* Time spent inside a cold part: 1-40 ms asleep, or 20-219 us spinning. */
static inline void test_klp_stress_stay(unsigned int r)
{
	if (r & KLP_STRESS_SPIN)
		udelay(20 + (r >> 8) % 200);
	else
		msleep(1 + (r >> 8) % 40);
}

#endif
