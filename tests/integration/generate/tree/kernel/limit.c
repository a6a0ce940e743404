// SPDX-License-Identifier: GPL-2.0
/* The header's calc_clamp() inlined here and in lib/clamp_user.c. */
#include <linux/kernel.h>
#include <linux/calc_clamp.h>

noinline int calc_limit(int x)
{
	return calc_clamp(x) + 1;
}

/* No ftrace hook (notrace): a fix to it patches its two callers instead. */
static noinline __attribute__((__no_instrument_function__)) int limit_step(int x)
{
	return x * 3;
}

noinline int limit_one(int x)
{
	return limit_step(x) + 1;
}

noinline int limit_two(int x)
{
	return limit_step(x) - 1;
}

noinline int limit_slow(int x)
{
	return calc_slow(x) * 2;
}
