// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_harness_section.c - a module whose object carries a hand-made
 * .klp_prep.partition section, as klp-prep's plugin would emit it, to
 * check that the module link keeps it (patch 0001's module.lds.S entry)
 * without the plugin.  Loading it shows the section does not disturb the
 * module loader.
 */
#include <linux/module.h>
#include <linux/init.h>

/* One zero byte: a valid, empty partition section. */
asm(".pushsection .klp_prep.partition,\"\",@progbits\n\t"
    ".byte 0\n\t"
    ".popsection");

static int __init klp_harness_section_init(void)
{
	pr_info("klp_harness_section: loaded\n");
	return 0;
}

static void __exit klp_harness_section_exit(void)
{
}

module_init(klp_harness_section_init);
module_exit(klp_harness_section_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-prep harness self-test module");
