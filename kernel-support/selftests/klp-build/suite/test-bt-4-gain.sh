#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The new code gains a cold part: klp_demo_gain() has none, the fix
# (cases/gain.diff) gives klpp_klp_demo_gain one, named by a stack_only
# entry with old_name NULL.  Disabling stalls while the kthread waits in
# it.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

target_load
expect "gain before" "$(cat $P/gain)" 2
lp_enable_wait livepatch-gain
wait_for $P/gain 20
expect "gain patched" "$(cat $P/gain)" 20
hold hold_gain
lp_disable_nowait livepatch-gain
stalled livepatch-gain 1
release hold_gain
done_after_release livepatch-gain
wait_gone "$(lp_dir livepatch-gain)"
wait_for $P/gain 2
expect "gain unpatched" "$(cat $P/gain)" 2
rmmod livepatch_gain || fail "rmmod livepatch_gain"
target_unload
