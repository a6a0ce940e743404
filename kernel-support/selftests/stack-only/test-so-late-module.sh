#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A livepatch loaded before the module it patches: the old side of its
# stack_only entries is resolved when the module comes (klp_module_coming),
# the new side when the patch is enabled.  The entries work for such a
# late module, and an old_name that does not resolve in it makes loading
# the module fail, as an unresolvable old_name does.

. "$(dirname "${BASH_SOURCE[0]}")/so-functions.sh"

MOD_TARGET=test_klp_so_mod
MOD_LIVEPATCH=test_klp_so_lp

setup_config

start_test "stack_only entries of a module loaded after the livepatch"

load_lp $MOD_LIVEPATCH
load_mod $MOD_TARGET
so_wait_param $MOD_TARGET result 10
so_hold $MOD_LIVEPATCH
so_disable_nowait $MOD_LIVEPATCH
so_expect_stall $MOD_LIVEPATCH 1 klpp_test_klp_so_func.cold
so_release $MOD_LIVEPATCH
so_wait_gone $MOD_LIVEPATCH
so_wait_param $MOD_TARGET result 1
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_LIVEPATCH)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
$(so_load_line $MOD_TARGET)
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
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
SO_REPORT=""

start_test "unresolvable old_name in a module loaded after the livepatch"

load_lp $MOD_LIVEPATCH funcs=bad-old
load_failing_mod $MOD_TARGET
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "$(so_load_line $MOD_LIVEPATCH funcs=bad-old)
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
$(so_load_line $MOD_TARGET)
livepatch: symbol 'test_klp_so_func.cold.nonexistent' not found in symbol table
livepatch: stack_only old_name 'test_klp_so_func.cold.nonexistent' of 'test_klp_so_func' not found in object '$MOD_TARGET'
livepatch: failed to initialize patch '$MOD_LIVEPATCH' for module '$MOD_TARGET' (-22)
livepatch: patch '$MOD_LIVEPATCH' failed for module '$MOD_TARGET', refusing to load module '$MOD_TARGET'
$(so_load_error $MOD_TARGET)
% echo 0 > /sys/kernel/livepatch/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH"

exit 0
