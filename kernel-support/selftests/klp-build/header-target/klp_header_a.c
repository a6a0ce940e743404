// SPDX-License-Identifier: GPL-2.0
/*
 * klp_header_a.c - the first unit of the klp-header test module:
 * /sys/module/klp_header/parameters/a reads klp_header_scale(41)
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "klp_header.h"

static noinline int klp_header_get_a(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_header_scale(41));
}

static const struct kernel_param_ops klp_header_a_ops = {
	.get = klp_header_get_a,
};
module_param_cb(a, &klp_header_a_ops, NULL, 0444);

MODULE_DESCRIPTION("klp-prep: a header's static inline, inlined into two units");
MODULE_LICENSE("GPL");
