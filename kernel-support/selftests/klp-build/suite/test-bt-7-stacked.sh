#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stacking: livepatch-stacked (cases/work2.diff, built --stacked-on
# livepatch-demo.ko, no replace) is enabled over livepatch-demo while the
# kthread waits in livepatch-demo's klpp_klp_demo_work.cold: the kernel
# checks the new side of the entry below on the func_stack, so enabling
# stalls until it leaves.  Disabling the top one goes back to the one
# below.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

target_load
lp_enable_wait livepatch-demo
wait_for $P/work 10
hold hold_work
lp_insmod livepatch-stacked
stalled livepatch-stacked 0
release hold_work
done_after_release livepatch-stacked
wait_for $P/work 20
expect "work with both" "$(cat $P/work)" 20
expect "livepatch-demo stays enabled" "$(cat "$(lp_dir livepatch-demo)/enabled")" 1
lp_remove livepatch-stacked
wait_for $P/work 10
expect "work with livepatch-demo only" "$(cat $P/work)" 10
lp_remove livepatch-demo
wait_for $P/work 1
expect "work unpatched" "$(cat $P/work)" 1
target_unload
