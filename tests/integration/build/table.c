// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table.c - a livepatch table as the templates make it, compiled in user
 * space, for klp-prep verify
 *
 * struct klp_func has the kernel-support series' external fields at their
 * offsets (include/klp_kernel_abi.h, checked below) and an internal part
 * of another size than the kernel's (the reader must find the size itself).  klpp_foo() has a .cold part (its
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

#include <klp_kernel_abi.h>

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

/* The external fields where the patched kernel has them (the reader's view). */
#define AT(type, field, abi) \
	_Static_assert(offsetof(struct type, field) == abi && \
		       sizeof(((struct type *)0)->field) == abi##_SIZE, #type "." #field)
AT(klp_func, old_name, KLP_FUNC_OLD_NAME);
AT(klp_func, new_func, KLP_FUNC_NEW_FUNC);
AT(klp_func, old_sympos, KLP_FUNC_OLD_SYMPOS);
AT(klp_func, stack_only, KLP_FUNC_STACK_ONLY);
AT(klp_func, new_name, KLP_FUNC_NEW_NAME);
AT(klp_func, new_sympos, KLP_FUNC_NEW_SYMPOS);
_Static_assert(offsetof(struct klp_func, internal) == KLP_FUNC_EXTERNAL_SIZE, "klp_func.internal");
AT(klp_object, name, KLP_OBJECT_NAME);
AT(klp_object, funcs, KLP_OBJECT_FUNCS);
AT(klp_patch, objs, KLP_PATCH_OBJS);
AT(klp_patch, replace, KLP_PATCH_REPLACE);

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
