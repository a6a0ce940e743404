// SPDX-License-Identifier: GPL-2.0
/*
 * lib/nofentry.c - compiled without -pg -mfentry, as the kernel builds
 * some units (CFLAGS_REMOVE_x.o = $(CC_FLAGS_FTRACE)): no function here
 * has an ftrace hook.
 */
#include <linux/kernel.h>

noinline int nf_func(int x)
{
	return x * 5 + 1;
}
