// SPDX-License-Identifier: GPL-2.0
/*
 * klp_header_b.c - the second unit of the klp-header test module:
 * /sys/module/klp_header/parameters/b reads klp_header_scale(100)
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "klp_header.h"

static noinline int klp_header_get_b(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_header_scale(100));
}

static const struct kernel_param_ops klp_header_b_ops = {
	.get = klp_header_get_b,
};
module_param_cb(b, &klp_header_b_ops, NULL, 0444);

/*
 * No ftrace hook: a fix to klp_header_step() (cases/notrace.diff) patches
 * its caller klp_header_get_c() instead, which calls the livepatch's own
 * copy.  /sys/module/klp_header/parameters/c reads klp_header_step(21).
 */
static noinline notrace int klp_header_step(int x)
{
	return x * 2;
}

/* Read, not a constant: GCC would make klp_header_step.constprop.0 of it. */
static int klp_header_c_arg = 21;

static noinline int klp_header_get_c(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_header_step(READ_ONCE(klp_header_c_arg)));
}

static const struct kernel_param_ops klp_header_c_ops = {
	.get = klp_header_get_c,
};
module_param_cb(c, &klp_header_c_ops, NULL, 0444);
