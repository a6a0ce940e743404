#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Enabling: the kthread waits in klp_demo_work.cold (the original's cold
# part, named by old_name); loading the livepatch klp-prep build made
# from examples/klp-demo/fix.diff stalls until it leaves, then completes,
# and klp_demo_work() returns 10 instead of 1.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

target_load
hold hold_work
lp_insmod livepatch-demo
stalled livepatch-demo 0
expect "work while the transition stalls" "$(cat $P/work)" 1
release hold_work
done_after_release livepatch-demo
wait_for $P/work 10
expect "work patched" "$(cat $P/work)" 10
lp_remove livepatch-demo
wait_for $P/work 1
expect "work unpatched" "$(cat $P/work)" 1
target_unload
