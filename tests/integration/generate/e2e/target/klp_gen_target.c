// SPDX-License-Identifier: GPL-2.0
/*
 * klp_gen_target.c - the module klp-prep generate's end-to-end tests patch
 *
 * scale() is a static inline that GCC inlines into klp_gen_calc_one()
 * and klp_gen_calc_two(): a change to it must patch both.  secret is a
 * static variable the tests set at run time: patched code must read the
 * running module's instance, not a copy with its initial value.
 * Parameters: "input" (rw), "one" and "two" (read: the calc of input),
 * "secret" (write: sets it; read: klp_gen_report()).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int input = 10;
module_param(input, int, 0644);

static int secret = 42;

static inline int scale(int x)
{
	return x * 2;
}

noinline int klp_gen_calc_one(int x)
{
	return scale(x) + 1;
}

noinline int klp_gen_calc_two(int x)
{
	return scale(x) + 2;
}

noinline int klp_gen_report(void)
{
	return secret;
}

static int get_one(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_gen_calc_one(READ_ONCE(input)));
}

static int get_two(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_gen_calc_two(READ_ONCE(input)));
}

static int set_secret(const char *val, const struct kernel_param *kp)
{
	return kstrtoint(val, 0, &secret);
}

static int get_secret(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_gen_report());
}

static const struct kernel_param_ops one_ops = { .get = get_one };
static const struct kernel_param_ops two_ops = { .get = get_two };
static const struct kernel_param_ops secret_ops = {
	.set = set_secret,
	.get = get_secret,
};
module_param_cb(one, &one_ops, NULL, 0444);
module_param_cb(two, &two_ops, NULL, 0444);
module_param_cb(secret, &secret_ops, NULL, 0644);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-prep generate end-to-end target");
