#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The hold the stock-kernel livepatch tests stand on: hold-cold keeps a
# task asleep with a return address in __io_uring_register.cold, a .cold
# part of vmlinux, under __x64_sys_io_uring_register (klp-prep coverage:
# the part is covered by __x64_sys_io_uring_register and
# __ia32_sys_io_uring_register), for as long as the test wants; released,
# the task's system call completes and it exits.  No livepatch here.
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

hold_start
echo "its stack:"
sed 's/^/  /' "/proc/$HOLD_PID/stack"
expect "the held task's state" "$(awk '{ print $3 }' "/proc/$HOLD_PID/stat")" S
sleep 2
hold_frames "$HOLD_PID" | grep -Fqx "$HOLD_FUNC" || fail "the task left $HOLD_FUNC unreleased"
echo "ok: still in $HOLD_FUNC 2 s later"
pid=$HOLD_PID
hold_release
[ -d "/proc/$pid" ] && fail "task $pid is still there after its release"
echo "ok: task $pid is gone"
