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
