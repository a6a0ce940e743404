#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Controls: the scenarios of test-so-enable.sh and test-so-disable.sh with
# a livepatch that has no stack_only entry, as every livepatch has without
# this support.  The transition completes although a task is still inside
# a .cold part of the code being left, and once released the task runs
# that code after the transition was reported complete: the old function
# after enabling, the disabled livepatch's function after disabling (had
# the livepatch module been removed meanwhile, the task would have
# returned into freed memory).  The tests pass when they see exactly that
# escape, which shows that the stalls of the other tests come from the
# stack_only entries.

. "$(dirname "${BASH_SOURCE[0]}")/so-functions.sh"

MOD_TARGET=test_klp_so_mod
MOD_LIVEPATCH=test_klp_so_lp

setup_config

start_test "without stack_only entries enabling misses the original's .cold part"

load_mod $MOD_TARGET
so_hold $MOD_TARGET
start=$(so_now)
load_lp $MOD_LIVEPATCH funcs=target-nocheck
so_note "  $MOD_LIVEPATCH: transition completed $(so_elapsed "$start" "$(so_now)")s after loading, with the worker still in test_klp_so_func.cold"
so_expect_param $MOD_TARGET in_cold 1
[[ $(so_patch_state) == "-1" ]] ||
	die "the worker has patch state $(so_patch_state) after the transition"
so_release $MOD_TARGET
so_wait_param $MOD_TARGET in_cold 0
# the old code ran after the patch had been reported as fully applied
so_wait_param $MOD_TARGET cold_result 1
so_note "  the released call returned 1: it finished in the original code after the transition had completed"
so_wait_param $MOD_TARGET result 10
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_TARGET)
% echo 1 > /sys/module/$MOD_TARGET/parameters/hold_cold
$(so_load_line $MOD_LIVEPATCH funcs=target-nocheck)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > /sys/module/$MOD_TARGET/parameters/hold_cold
% echo 0 > /sys/kernel/livepatch/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"
so_report
SO_REPORT=""

start_test "without stack_only entries disabling misses the livepatch's .cold part"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH funcs=target-nocheck
so_wait_param $MOD_TARGET result 10
so_hold $MOD_LIVEPATCH
start=$(so_now)
disable_lp $MOD_LIVEPATCH
so_note "  $MOD_LIVEPATCH: unpatching completed $(so_elapsed "$start" "$(so_now)")s after disabling, with the worker still in klpp_test_klp_so_func.cold"
so_expect_param $MOD_LIVEPATCH in_cold 1
so_release $MOD_LIVEPATCH
# the disabled livepatch's code ran on after the patch was removed
so_wait_param $MOD_LIVEPATCH in_cold 0
so_note "  the released worker left klpp_test_klp_so_func.cold after the unpatching had completed"
so_wait_param $MOD_TARGET result 1
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_TARGET)
$(so_load_line $MOD_LIVEPATCH funcs=target-nocheck)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 1 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
% echo 0 > /sys/kernel/livepatch/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"
so_report

exit 0
