#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Disabling: a task that sleeps in the livepatch's own cold part
# (klpp_test_klp_so_func.cold, named by new_name) keeps the unpatching
# transition pending.

. "$(dirname "${BASH_SOURCE[0]}")/so-functions.sh"

MOD_TARGET=test_klp_so_mod
MOD_LIVEPATCH=test_klp_so_lp

setup_config

start_test "disable waits for a task in the livepatch's .cold part"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
so_wait_param $MOD_TARGET result 10
so_hold $MOD_LIVEPATCH
so_disable_nowait $MOD_LIVEPATCH
so_expect_stall $MOD_LIVEPATCH 1 klpp_test_klp_so_func.cold
so_release $MOD_LIVEPATCH
so_wait_gone $MOD_LIVEPATCH
so_wait_param $MOD_TARGET result 1
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
% echo 0 > /sys/kernel/livepatch/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold_cold
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"
so_report

exit 0
