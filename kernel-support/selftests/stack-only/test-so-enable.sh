#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Enabling: a task that sleeps in the .cold part of the function being
# patched (and nowhere in the function itself) keeps the transition
# pending, because the livepatch's stack_only entry names that part.

. "$(dirname "${BASH_SOURCE[0]}")/so-functions.sh"

MOD_TARGET=test_klp_so_mod
MOD_LIVEPATCH=test_klp_so_lp

setup_config

start_test "enable waits for a task in the original's .cold part"

load_mod $MOD_TARGET
so_wait_param $MOD_TARGET result 1
so_hold $MOD_TARGET
load_lp_nowait $MOD_LIVEPATCH
so_expect_stall $MOD_LIVEPATCH 0 test_klp_so_func.cold
so_release $MOD_TARGET
so_wait_done $MOD_LIVEPATCH
# the held call finished in the code it started in, then the worker moved on
so_expect_param $MOD_TARGET cold_result 1
so_wait_param $MOD_TARGET result 10
disable_lp $MOD_LIVEPATCH
so_wait_param $MOD_TARGET result 1
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_TARGET)
% echo 1 > /sys/module/$MOD_TARGET/parameters/hold_cold
$(so_load_line $MOD_LIVEPATCH)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% echo 0 > /sys/module/$MOD_TARGET/parameters/hold_cold
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > /sys/kernel/livepatch/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"
so_report

exit 0
