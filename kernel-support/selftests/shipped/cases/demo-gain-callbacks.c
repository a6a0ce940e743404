// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Callbacks of livepatch-demo-gain (klp-prep build --callbacks), the way
 * a fix that needs state beside the running kernel's keeps it: a shadow
 * variable made when the patch applies to klp_demo, read when it is
 * disabled, freed when it is gone.  Each step says so in the kernel log
 * (suite/test-6-lp-demo.sh reads it).
 */
#include <linux/livepatch.h>
#include <linux/printk.h>

#define DEMO_SHADOW_ID 1

/* What the shadow variable hangs on: any address the patch owns. */
static int demo_anchor;

int klp_prep_pre_patch_klp_demo(struct klp_object *obj)
{
	int *seen = klp_shadow_alloc(&demo_anchor, DEMO_SHADOW_ID, sizeof(*seen),
				     GFP_KERNEL, NULL, NULL);

	if (!seen)
		return -ENOMEM;
	*seen = 42;
	pr_info("livepatch-demo-gain: pre_patch %s: shadow %d\n", obj->name, *seen);
	return 0;
}

void klp_prep_pre_unpatch_klp_demo(struct klp_object *obj)
{
	int *seen = klp_shadow_get(&demo_anchor, DEMO_SHADOW_ID);

	pr_info("livepatch-demo-gain: pre_unpatch %s: shadow %d\n", obj->name, seen ? *seen : -1);
}

void klp_prep_post_unpatch_klp_demo(struct klp_object *obj)
{
	klp_shadow_free(&demo_anchor, DEMO_SHADOW_ID, NULL);
	pr_info("livepatch-demo-gain: post_unpatch %s: shadow freed\n", obj->name);
}
