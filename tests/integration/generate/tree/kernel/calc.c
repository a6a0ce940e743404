// SPDX-License-Identifier: GPL-2.0
/* A static helper inlined into two callers; unit state in statics. */
#define pr_fmt(fmt) "calc: " fmt

#include <linux/kernel.h>

#define SCALE_SHIFT 2

struct calc_state {
	int calls;
	int last;
};

static struct calc_state state;
static int counter;

static inline int scale(int x)
{
	return x << SCALE_SHIFT;
}

noinline int calc_a(int x)
{
	state.calls++;
	return scale(x) + 1;
}

noinline int calc_b(int x)
{
	state.last = x;
	return scale(x) - 1;
}

static noinline int bump(int by)
{
	counter += by;
	return counter;
}

int calc_bump(int by)
{
	return bump(by) + panic_timeout;
}

int calc_count(void)
{
	return counter;
}

static noinline __attribute__((__cold__)) void complain(int x)
{
	_printk("calc: bad %d\n", x);
}

int calc_check(int x)
{
	if (unlikely(x < 0)) {
		complain(x);
		state.last = x;
		return -1;
	}
	return x * 3;
}

int calc_ticks(void)
{
	static int ticks;

	return ++ticks;
}

int calc_seen_a(int x)
{
	static int seen;

	seen += x;
	return seen;
}

int calc_seen_b(int x)
{
	static int seen;

	seen -= x;
	return seen;
}

/* Functions whose names a macro makes, as SYSCALL_DEFINE does. */
#define CALC_DEFINE(name) noinline int calc_op_##name(int x)

CALC_DEFINE(twice)
{
	return x * 2;
}

/* lib/other.c has a static tweak() too. */
static noinline int tweak(int x)
{
	return x + 1;
}

int calc_tweak(int x)
{
	return tweak(x);
}
