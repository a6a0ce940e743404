#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Atomic replace: the replace waits for a task in the outgoing patch's new
# cold part, both when the incoming patch patches the function again and
# when it no longer touches it (a nop); and it waits for a task in the
# original's cold part of a function that only the incoming patch patches.

. "$(dirname "${BASH_SOURCE[0]}")/so-functions.sh"

MOD_TARGET=test_klp_so_mod
MOD_LIVEPATCH=test_klp_so_lp
MOD_REPLACE=test_klp_so_lp2

setup_config

start_test "replace waits for the outgoing patch's .cold part"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH replace=1
so_wait_param $MOD_TARGET result 10
so_hold $MOD_LIVEPATCH
load_lp_nowait $MOD_REPLACE replace=1
so_expect_stall $MOD_REPLACE 0 "klpp_test_klp_so_func.cold of $MOD_LIVEPATCH"
so_release $MOD_LIVEPATCH
so_wait_done $MOD_REPLACE
so_wait_param $MOD_TARGET result 20
unload_lp $MOD_LIVEPATCH
disable_lp $MOD_REPLACE
unload_lp $MOD_REPLACE
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_TARGET)
$(so_load_line $MOD_LIVEPATCH replace=1)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 1 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
$(so_load_line $MOD_REPLACE replace=1)
livepatch: enabling patch '$MOD_REPLACE'
livepatch: '$MOD_REPLACE': initializing patching transition
livepatch: '$MOD_REPLACE': starting patching transition
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
livepatch: '$MOD_REPLACE': completing patching transition
livepatch: '$MOD_REPLACE': patching complete
% rmmod $MOD_LIVEPATCH
% echo 0 > /sys/kernel/livepatch/$MOD_REPLACE/enabled
livepatch: '$MOD_REPLACE': initializing unpatching transition
livepatch: '$MOD_REPLACE': starting unpatching transition
livepatch: '$MOD_REPLACE': completing unpatching transition
livepatch: '$MOD_REPLACE': unpatching complete
% rmmod $MOD_REPLACE
% rmmod $MOD_TARGET"
so_report
SO_REPORT=""

start_test "replace that drops the function waits for the outgoing .cold part"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH replace=1
so_wait_param $MOD_TARGET result 10
so_hold $MOD_LIVEPATCH
load_lp_nowait $MOD_REPLACE replace=1 funcs=other
so_expect_stall $MOD_REPLACE 0 "klpp_test_klp_so_func.cold of $MOD_LIVEPATCH"
so_release $MOD_LIVEPATCH
so_wait_done $MOD_REPLACE
so_wait_param $MOD_TARGET result 1
so_wait_param $MOD_TARGET other_result 20
unload_lp $MOD_LIVEPATCH
disable_lp $MOD_REPLACE
unload_lp $MOD_REPLACE
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_TARGET)
$(so_load_line $MOD_LIVEPATCH replace=1)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 1 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
$(so_load_line $MOD_REPLACE replace=1 funcs=other)
livepatch: enabling patch '$MOD_REPLACE'
livepatch: '$MOD_REPLACE': initializing patching transition
livepatch: '$MOD_REPLACE': starting patching transition
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
livepatch: '$MOD_REPLACE': completing patching transition
livepatch: '$MOD_REPLACE': patching complete
% rmmod $MOD_LIVEPATCH
% echo 0 > /sys/kernel/livepatch/$MOD_REPLACE/enabled
livepatch: '$MOD_REPLACE': initializing unpatching transition
livepatch: '$MOD_REPLACE': starting unpatching transition
livepatch: '$MOD_REPLACE': completing unpatching transition
livepatch: '$MOD_REPLACE': unpatching complete
% rmmod $MOD_REPLACE
% rmmod $MOD_TARGET"
so_report
SO_REPORT=""

start_test "replace waits for the original's .cold part of a newly patched function"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH replace=1 funcs=other
so_wait_param $MOD_TARGET other_result 10
so_hold $MOD_TARGET
load_lp_nowait $MOD_REPLACE replace=1
so_expect_stall $MOD_REPLACE 0 test_klp_so_func.cold
so_release $MOD_TARGET
so_wait_done $MOD_REPLACE
so_wait_param $MOD_TARGET result 20
so_wait_param $MOD_TARGET other_result 1
unload_lp $MOD_LIVEPATCH
disable_lp $MOD_REPLACE
unload_lp $MOD_REPLACE
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_TARGET)
$(so_load_line $MOD_LIVEPATCH replace=1 funcs=other)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 1 > /sys/module/$MOD_TARGET/parameters/hold_cold
$(so_load_line $MOD_REPLACE replace=1)
livepatch: enabling patch '$MOD_REPLACE'
livepatch: '$MOD_REPLACE': initializing patching transition
livepatch: '$MOD_REPLACE': starting patching transition
% echo 0 > /sys/module/$MOD_TARGET/parameters/hold_cold
livepatch: '$MOD_REPLACE': completing patching transition
livepatch: '$MOD_REPLACE': patching complete
% rmmod $MOD_LIVEPATCH
% echo 0 > /sys/kernel/livepatch/$MOD_REPLACE/enabled
livepatch: '$MOD_REPLACE': initializing unpatching transition
livepatch: '$MOD_REPLACE': starting unpatching transition
livepatch: '$MOD_REPLACE': completing unpatching transition
livepatch: '$MOD_REPLACE': unpatching complete
% rmmod $MOD_REPLACE
% rmmod $MOD_TARGET"
so_report

exit 0
