// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table.c - a livepatch table as the templates make it, compiled in user
 * space, for klp-prep verify
 *
 * struct klp_func has the kernel-support series' external fields at their
 * offsets and an internal part of another size than the kernel's (the
 * reader must find the size itself).  klpp_foo() has a .cold part (its
 * cold callee); the table variants, by macro:
 *   PAIR	foo.cold <-> klpp_foo.cold		(right)
 *   NONE	no stack_only entry			(klpp_foo.cold unnamed)
 *   OLD_ONLY	foo.cold <-> NULL			(klpp_foo.cold unnamed)
 *   WRONG	foo.cold <-> klpp_bar.cold		(not a part of klpp_foo)
 *   TWICE	klpp_foo.cold named twice
 *   FIRST	a stack_only entry before any function
 */
#include <stdbool.h>
#include <stddef.h>

struct klp_func {
	const char *old_name;
	void *new_func;
	unsigned long old_sympos;
	bool stack_only;
	const char *new_name;
	unsigned long new_sympos;
	void *internal[13];
};

struct klp_object {
	const char *name;
	struct klp_func *funcs;
	void *internal[9];
};

struct klp_patch {
	void *mod;
	struct klp_object *objs;
	void *states;
	bool replace;
};

__attribute__((__cold__)) int wait_fn(int x);
extern int hold;

int klpp_foo(int x)
{
	if (__builtin_expect(hold, 0))
		x = wait_fn(x);
	return x + 10;
}

int klpp_bar(int x)
{
	if (__builtin_expect(hold, 0))
		x = wait_fn(x);
	return x + 20;
}

static struct klp_func calc_funcs[] = {
#ifdef FIRST
	{ .old_name = "foo.cold", .stack_only = true, },
#endif
	{ .old_name = "foo", .new_func = klpp_foo, },
#if defined(PAIR) || defined(TWICE)
	{ .old_name = "foo.cold", .new_name = "klpp_foo.cold", .stack_only = true, },
#endif
#ifdef TWICE
	{ .new_name = "klpp_foo.cold", .stack_only = true, },
#endif
#ifdef OLD_ONLY
	{ .old_name = "foo.cold", .stack_only = true, },
#endif
#ifdef WRONG
	{ .old_name = "foo.cold", .new_name = "klpp_bar.cold", .stack_only = true, },
#endif
	{ .old_name = "bar", .old_sympos = 2, .new_func = klpp_bar, },
	{ .old_name = "bar.cold", .old_sympos = 2, .new_name = "klpp_bar.cold",
	  .stack_only = true, },
	{ }
};

static struct klp_object objs[] = {
	{ .name = "calc", .funcs = calc_funcs, },
	{ }
};

static struct klp_patch patch = {
	.objs = objs,
	.replace = true,
};

void *keep = &patch;
