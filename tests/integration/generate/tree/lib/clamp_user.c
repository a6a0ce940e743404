// SPDX-License-Identifier: GPL-2.0
/* Another unit that inlines the header's calc_clamp(). */
#include <linux/kernel.h>
#include <linux/calc_clamp.h>

int other_limit(int x)
{
	return calc_clamp(x * 2);
}
