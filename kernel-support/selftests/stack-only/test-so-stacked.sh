#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stacked patches on one function: enabling the second patch waits for a
# task in the first patch's cold part (the code that runs underneath), and
# disabling the second waits for a task in its own cold part.

. "$(dirname "${BASH_SOURCE[0]}")/so-functions.sh"

MOD_TARGET=test_klp_so_mod
MOD_LIVEPATCH=test_klp_so_lp
MOD_LIVEPATCH2=test_klp_so_lp2

setup_config

start_test "stacked patches wait for each other's .cold parts"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
so_wait_param $MOD_TARGET result 10
so_hold $MOD_LIVEPATCH
load_lp_nowait $MOD_LIVEPATCH2
so_expect_stall $MOD_LIVEPATCH2 0 "klpp_test_klp_so_func.cold of $MOD_LIVEPATCH"
so_release $MOD_LIVEPATCH
so_wait_done $MOD_LIVEPATCH2
so_wait_param $MOD_TARGET result 20
so_hold $MOD_LIVEPATCH2
so_disable_nowait $MOD_LIVEPATCH2
so_expect_stall $MOD_LIVEPATCH2 1 "klpp_test_klp_so_func.cold of $MOD_LIVEPATCH2"
so_release $MOD_LIVEPATCH2
so_wait_gone $MOD_LIVEPATCH2
so_wait_param $MOD_TARGET result 10
unload_lp $MOD_LIVEPATCH2
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_TARGET)
$(so_load_line $MOD_LIVEPATCH)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 1 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
$(so_load_line $MOD_LIVEPATCH2)
livepatch: enabling patch '$MOD_LIVEPATCH2'
livepatch: '$MOD_LIVEPATCH2': initializing patching transition
livepatch: '$MOD_LIVEPATCH2': starting patching transition
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
livepatch: '$MOD_LIVEPATCH2': completing patching transition
livepatch: '$MOD_LIVEPATCH2': patching complete
% echo 1 > /sys/module/$MOD_LIVEPATCH2/parameters/hold_cold
% echo 0 > /sys/kernel/livepatch/$MOD_LIVEPATCH2/enabled
livepatch: '$MOD_LIVEPATCH2': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH2': starting unpatching transition
% echo 0 > /sys/module/$MOD_LIVEPATCH2/parameters/hold_cold
livepatch: '$MOD_LIVEPATCH2': completing unpatching transition
livepatch: '$MOD_LIVEPATCH2': unpatching complete
% rmmod $MOD_LIVEPATCH2
% echo 0 > /sys/kernel/livepatch/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"
so_report

exit 0
