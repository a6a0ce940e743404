// SPDX-License-Identifier: GPL-2.0-or-later
/* The other unit with a static helper; see dup_a.c.  helper: lines 8-12. */
extern int work(int);
extern void report(int) __attribute__((cold));

static inline int tiny(int x) { return x * 7 + 1; }

static __attribute__((noinline)) int helper(int x)
{
	if (__builtin_expect(x == 1234, 0)) { report(x); report(x + 1); }
	return work(x) + work(x - 1) + work(tiny(x));
}

int b_entry(int x)
{
	return helper(x) + tiny(x + 2);
}
