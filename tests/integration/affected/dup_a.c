// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One of two units with a static function of the same name (helper), as
 * the kernel has hundreds.  Changing b's must leave a's alone, and
 * old_sympos must pick b's symbol as the livepatch core counts:
 * vmlinux by address, a module by .symtab order.
 */
extern int work(int);
extern void report(int) __attribute__((cold));

static __attribute__((noinline)) int helper(int x)
{
	if (__builtin_expect(x == 99, 0)) { report(x); report(x + 2); }
	return work(x) + work(x + 1) + work(x * 3);
}

int a_entry(int x)
{
	return helper(x) + 1;
}
