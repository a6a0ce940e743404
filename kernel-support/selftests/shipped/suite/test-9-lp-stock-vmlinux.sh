#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The split-part hole on a stock kernel, closed for a vmlinux function.
#
# hold-cold keeps a task asleep in __io_uring_register.cold (a userfault
# in its copy_from_user()), under __x64_sys_io_uring_register.  The
# livepatch of __io_uring_register() that klp-prep build made here
# (livepatch-io) also patches both system call wrappers, "covers
# __io_uring_register.cold".  Shown in the guest:
#
#   control   livepatch-io-nocover (--no-cover) enables and disables with
#             the task inside the old .cold part: the escape
#   enable    livepatch-io stays in transition while the task is in
#             __io_uring_register.cold, completes once it leaves
#
# The disable is not shown: GCC compiled the module's copy so that its
# .cold part runs below a frame no klp_func names, which klp-prep build
# refuses; the livepatch is built with --allow-unsafe=uncovered for this
# test (cases/io-uring-register.diff).
#
# Each stall is checked for 3 s: after 15 s the livepatch core signals
# the task, and a task in a userfault then spins (functions.sh).
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

lp_need livepatch-io livepatch-io-nocover

# -- the control: nothing covers the .cold part, the task escapes -------------
hold_start
insmod ./livepatch-io-nocover.ko || fail "insmod livepatch-io-nocover.ko"
wait_for "$(lp_dir livepatch-io-nocover)/transition" 0
hold_frames "$HOLD_PID" | grep -Fqx "$HOLD_FUNC" ||
	fail "control: the task left $HOLD_FUNC before the enable completed"
echo "ok: control: enabled while task $HOLD_PID was in $HOLD_FUNC (the escape)"
echo 0 >"$(lp_dir livepatch-io-nocover)/enabled"
wait_gone "$(lp_dir livepatch-io-nocover)"
hold_frames "$HOLD_PID" | grep -Fqx "$HOLD_FUNC" ||
	fail "control: the task left $HOLD_FUNC before the disable completed"
echo "ok: control: disabled while task $HOLD_PID was in $HOLD_FUNC"
rmmod livepatch_io_nocover || fail "rmmod livepatch_io_nocover"
hold_release

# -- enable: held in the old .cold part ------------------------------------------
hold_start
pid=$HOLD_PID
insmod ./livepatch-io.ko || fail "insmod livepatch-io.ko"
lp_stalls livepatch-io "$pid" 0 "$HOLD_FUNC"
hold_release
wait_for "$(lp_dir livepatch-io)/transition" 0
echo "ok: livepatch-io enabled once task $pid left $HOLD_FUNC"

# -- disable: the new side is not covered (cases/io-uring-register.diff) -------
echo 0 >"$(lp_dir livepatch-io)/enabled"
wait_gone "$(lp_dir livepatch-io)"
rmmod livepatch_io || fail "rmmod livepatch_io"
echo "ok: livepatch-io disabled"
