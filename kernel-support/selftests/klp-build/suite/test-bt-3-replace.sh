#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Atomic replace: the kthread waits in the first livepatch's cold part
# (klpp_klp_demo_work.cold of livepatch-demo); the second cumulative
# livepatch (cases/work2.diff, built with --replaces livepatch-demo.ko)
# replaces it only once the kthread leaves: the kernel checks the
# outgoing patch's new side through the func_stack.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

target_load
lp_enable_wait livepatch-demo
wait_for $P/work 10
hold hold_work
lp_insmod livepatch-work2
stalled livepatch-work2 0
expect "livepatch-demo still there while the replace stalls" \
	"$([ -d "$(lp_dir livepatch-demo)" ] && echo yes)" yes
release hold_work
done_after_release livepatch-work2
wait_for $P/work 20
expect "work after the replace" "$(cat $P/work)" 20
wait_gone "$(lp_dir livepatch-demo)"
rmmod livepatch_demo || fail "rmmod livepatch_demo"
lp_remove livepatch-work2
wait_for $P/work 1
expect "work unpatched" "$(cat $P/work)" 1
target_unload
