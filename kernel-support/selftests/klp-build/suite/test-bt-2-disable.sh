#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Disabling: the kthread waits in klpp_klp_demo_work.cold, the
# livepatch's own cold part, which only the module's records name
# (new_name, filled in by klp-prep build); disabling stalls until it
# leaves, then klp_demo_work() returns 1 again.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

target_load
lp_enable_wait livepatch-demo
wait_for $P/work 10
expect "work patched" "$(cat $P/work)" 10
hold hold_work
lp_disable_nowait livepatch-demo
stalled livepatch-demo 1
release hold_work
done_after_release livepatch-demo
wait_gone "$(lp_dir livepatch-demo)"
wait_for $P/work 1
expect "work unpatched" "$(cat $P/work)" 1
rmmod livepatch_demo || fail "rmmod livepatch_demo"
target_unload
