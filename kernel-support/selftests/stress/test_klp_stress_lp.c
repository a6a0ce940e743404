// SPDX-License-Identifier: GPL-2.0
/*
 * test_klp_stress_lp.c - livepatch of the stress test (version 10; built
 * again as test_klp_stress_lp2, version 20, for atomic replace)
 *
 * The new test_klp_stress_func() has a cold part of its own, where
 * workers sleep or spin at random as in the original; its stack_only entry pairs
 * the two .cold parts.  Calls that finish in this module's code count in
 * the target's test_klp_stress_calls[VERSION / 10]; the post_patch and
 * post_unpatch callbacks mark the counts when a transition completes (see
 * test_klp_stress_mod.c).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

#include "test_klp_stress.h"

#ifndef KLP_HAVE_STACK_ONLY
#error "this kernel's livepatch core has no stack_only entries: apply klp-prep's kernel-support patches"
#endif

#ifndef KLP_STRESS_VERSION
#define KLP_STRESS_VERSION 10
#endif

static bool replace;
module_param(replace, bool, 0444);

extern unsigned int test_klp_stress_calls[3];
void test_klp_stress_mark(void);

static KLP_STRESS_COLD int klpp_cold_stay(int x, unsigned int r)
{
	test_klp_stress_stay(r);
	return x;
}

int klpp_test_klp_stress_func(int x, unsigned int r);

noinline int klpp_test_klp_stress_func(int x, unsigned int r)
{
	if (unlikely(r % 4 == 1))
		x = klpp_cold_stay(x, r);
	WRITE_ONCE(test_klp_stress_calls[KLP_STRESS_VERSION / 10],
		   READ_ONCE(test_klp_stress_calls[KLP_STRESS_VERSION / 10]) + 1);
	return x + KLP_STRESS_VERSION;
}

static struct klp_func funcs[] = {
	{
		.old_name = "test_klp_stress_func",
		.new_func = klpp_test_klp_stress_func,
	},
	{
		.old_name = "test_klp_stress_func.cold",
		.new_name = "klpp_test_klp_stress_func.cold",
		.stack_only = true,
	}, { }
};

static void mark_done(struct klp_object *obj)
{
	test_klp_stress_mark();
}

static struct klp_object objs[] = {
	{
		.name = "test_klp_stress_mod",
		.funcs = funcs,
		.callbacks = {
			.post_patch = mark_done,
			.post_unpatch = mark_done,
		},
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_stress_lp_init(void)
{
	patch.replace = replace;
	return klp_enable_patch(&patch);
}

static void test_klp_stress_lp_exit(void)
{
}

module_init(test_klp_stress_lp_init);
module_exit(test_klp_stress_lp_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_AUTHOR("klp-prep developers <dev@klp-prep.invalid>");
MODULE_DESCRIPTION("Livepatch stress test: a patch with stack_only entries");
