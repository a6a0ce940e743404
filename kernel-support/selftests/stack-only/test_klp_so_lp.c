// SPDX-License-Identifier: GPL-2.0
/*
 * test_klp_so_lp.c - livepatch for test_klp_so_mod with stack_only entries
 *
 * Hand-written for now; klp-prep generates such tables.  The same source
 * is built as test_klp_so_lp (version 10) and test_klp_so_lp2 (version 20)
 * so that two patches can be stacked or replace each other.
 *
 * Parameters:
 *   funcs	(load time) which klp_func table to use:
 *		target		test_klp_so_func and its .cold pair
 *		target-nocheck	test_klp_so_func without the stack_only entry
 *				(the kernels before stack_only: the control)
 *		other		only test_klp_so_other (so that a replace turns
 *				test_klp_so_func into a nop)
 *		bad-old, bad-new, orphan
 *				tables the kernel must refuse
 *   replace	(load time) set klp_patch.replace
 *   hold_cold	write 1 to hold the next call of the new function in its
 *		own cold part (klpp_test_klp_so_func.cold), 0 to release it
 *   in_cold	1 while a task is held there
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/delay.h>

#ifndef KLP_HAVE_STACK_ONLY
#error "this kernel's livepatch core has no stack_only entries: apply klp-prep's kernel-support patches"
#endif

#ifndef KLP_SO_VERSION
#define KLP_SO_VERSION 10
#endif

#define KLP_SO_COLD __attribute__((__cold__)) noinline

static char *funcs = "target";
module_param(funcs, charp, 0444);
MODULE_PARM_DESC(funcs, "klp_func table: target, target-nocheck, other, bad-old, bad-new, orphan");
static bool replace;
module_param(replace, bool, 0444);
static bool hold_cold;
module_param(hold_cold, bool, 0644);
static int in_cold;
module_param(in_cold, int, 0444);

static KLP_SO_COLD int klpp_cold_wait(int x)
{
	WRITE_ONCE(in_cold, 1);
	while (READ_ONCE(hold_cold))
		msleep(20);
	WRITE_ONCE(in_cold, 0);
	return x;
}

int klpp_test_klp_so_func(int x);
int klpp_test_klp_so_other(int x);

/* The new test_klp_so_func(): it has a cold part of its own. */
noinline int klpp_test_klp_so_func(int x)
{
	if (unlikely(READ_ONCE(hold_cold)))
		x = klpp_cold_wait(x);
	return x + KLP_SO_VERSION;
}

noinline int klpp_test_klp_so_other(int x)
{
	return x + KLP_SO_VERSION;
}

static struct klp_func funcs_target[] = {
	{
		.old_name = "test_klp_so_func",
		.new_func = klpp_test_klp_so_func,
	},
	{
		.old_name = "test_klp_so_func.cold",
		.new_name = "klpp_test_klp_so_func.cold",
		.stack_only = true,
	}, { }
};

static struct klp_func funcs_target_nocheck[] = {
	{
		.old_name = "test_klp_so_func",
		.new_func = klpp_test_klp_so_func,
	}, { }
};

static struct klp_func funcs_other[] = {
	{
		.old_name = "test_klp_so_other",
		.new_func = klpp_test_klp_so_other,
	}, { }
};

static struct klp_func funcs_bad_old[] = {
	{
		.old_name = "test_klp_so_func",
		.new_func = klpp_test_klp_so_func,
	},
	{
		.old_name = "test_klp_so_func.cold.nonexistent",
		.new_name = "klpp_test_klp_so_func.cold",
		.stack_only = true,
	}, { }
};

static struct klp_func funcs_bad_new[] = {
	{
		.old_name = "test_klp_so_func",
		.new_func = klpp_test_klp_so_func,
	},
	{
		.old_name = "test_klp_so_func.cold",
		.new_name = "klpp_test_klp_so_func.cold.nonexistent",
		.stack_only = true,
	}, { }
};

static struct klp_func funcs_orphan[] = {
	{
		.old_name = "test_klp_so_func.cold",
		.new_name = "klpp_test_klp_so_func.cold",
		.stack_only = true,
	},
	{
		.old_name = "test_klp_so_func",
		.new_func = klpp_test_klp_so_func,
	}, { }
};

static const struct {
	const char *name;
	struct klp_func *funcs;
} tables[] = {
	{ "target", funcs_target },
	{ "target-nocheck", funcs_target_nocheck },
	{ "other", funcs_other },
	{ "bad-old", funcs_bad_old },
	{ "bad-new", funcs_bad_new },
	{ "orphan", funcs_orphan },
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_so_mod",
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_so_lp_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if (!strcmp(funcs, tables[i].name))
			objs[0].funcs = tables[i].funcs;
	if (!objs[0].funcs) {
		pr_err("unknown funcs table '%s'\n", funcs);
		return -EINVAL;
	}
	patch.replace = replace;

	return klp_enable_patch(&patch);
}

static void test_klp_so_lp_exit(void)
{
}

module_init(test_klp_so_lp_init);
module_exit(test_klp_so_lp_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_AUTHOR("klp-prep developers <dev@klp-prep.invalid>");
MODULE_DESCRIPTION("Livepatch test: stack_only entries for .cold parts");
