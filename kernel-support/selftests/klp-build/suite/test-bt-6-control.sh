#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Control: the same livepatch without the new side of its table (the
# module of klp-prep build's first build, converted: its stack_only entry
# names klp_demo_work.cold but not klpp_klp_demo_work.cold).  Disabling
# it completes while the kthread still waits in klpp_klp_demo_work.cold:
# the escape that the new side closes (test-bt-2-disable.sh).
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

target_load
insmod ./livepatch-demo-first.ko || fail "insmod livepatch-demo-first.ko"
D=/sys/kernel/livepatch/livepatch_demo
wait_for $D/transition 0
wait_for $P/work 10
hold hold_work
echo 0 >$D/enabled || fail "disable"
STARTED=$(now)
wait_gone $D
expect "in_cold when the unpatching completed" "$(cat $P/in_cold)" 1
echo "escaped: the disable completed $(secs "$STARTED" "$(now)") s after it started, with the kthread still in klpp_klp_demo_work.cold"
# The module stays until the kthread is out of its code.
release hold_work
wait_for $P/in_cold 0
wait_for $P/work 1
expect "work unpatched" "$(cat $P/work)" 1
rmmod livepatch_demo || fail "rmmod livepatch_demo"
target_unload
