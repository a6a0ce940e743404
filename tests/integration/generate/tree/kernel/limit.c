// SPDX-License-Identifier: GPL-2.0
/* The header's calc_clamp() inlined here and in lib/clamp_user.c. */
#include <linux/kernel.h>
#include <linux/calc_clamp.h>

noinline int calc_limit(int x)
{
	return calc_clamp(x) + 1;
}
