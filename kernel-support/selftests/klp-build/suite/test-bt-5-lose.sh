#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The new code loses the cold part: klp_demo_lose.cold is in the old
# code only (a stack_only entry with new_name NULL).  Enabling stalls
# while the kthread waits in it, then klp_demo_lose() returns 30.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

target_load
expect "lose before" "$(cat $P/lose)" 3
hold hold_lose
lp_insmod livepatch-lose
stalled livepatch-lose 0
release hold_lose
done_after_release livepatch-lose
wait_for $P/lose 30
expect "lose patched" "$(cat $P/lose)" 30
lp_remove livepatch-lose
wait_for $P/lose 3
expect "lose unpatched" "$(cat $P/lose)" 3
target_unload
