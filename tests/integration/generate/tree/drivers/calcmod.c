// SPDX-License-Identifier: GPL-2.0
/* A module: its statics are the module's, found in its .ko. */
#include <linux/kernel.h>

static int hits;

static inline int twice(int x)
{
	return x * 2;
}

noinline int calcmod_one(int x)
{
	hits++;
	return twice(x) + panic_timeout;
}

noinline int calcmod_two(int x)
{
	return twice(x) - hits;
}
