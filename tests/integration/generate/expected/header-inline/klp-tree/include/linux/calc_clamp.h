/* SPDX-License-Identifier: GPL-2.0 */
/* A static inline function of a header that two units inline. */
#ifndef _LINUX_CALC_CLAMP_H
#define _LINUX_CALC_CLAMP_H

#define CALC_CLAMP_MAX 100

static inline int calc_clamp(int x)
{
	return x >= CALC_CLAMP_MAX ? CALC_CLAMP_MAX - 1 : x;
}

/* Static, out of line, no ftrace hook: its callers are patched. */
static __attribute__((__noinline__, __no_instrument_function__, __unused__)) int calc_slow(int x)
{
	return x + 7;
}

#endif
