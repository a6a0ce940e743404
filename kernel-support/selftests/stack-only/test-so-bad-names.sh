#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A stack_only entry whose old_name or new_name does not resolve, or that
# follows no patched function, makes enabling fail with a message naming it.

. "$(dirname "${BASH_SOURCE[0]}")/so-functions.sh"

MOD_TARGET=test_klp_so_mod
MOD_LIVEPATCH=test_klp_so_lp

setup_config

start_test "unresolvable stack_only names fail enabling"

load_mod $MOD_TARGET
load_failing_mod $MOD_LIVEPATCH funcs=bad-old
load_failing_mod $MOD_LIVEPATCH funcs=bad-new
load_failing_mod $MOD_LIVEPATCH funcs=orphan
so_expect_param $MOD_TARGET result 1
unload_mod $MOD_TARGET

check_result "$(so_load_line $MOD_TARGET)
$(so_load_line $MOD_LIVEPATCH funcs=bad-old)
livepatch: symbol 'test_klp_so_func.cold.nonexistent' not found in symbol table
livepatch: stack_only old_name 'test_klp_so_func.cold.nonexistent' of 'test_klp_so_func' not found in object '$MOD_TARGET'
$(so_load_error $MOD_LIVEPATCH)
$(so_load_line $MOD_LIVEPATCH funcs=bad-new)
livepatch: symbol 'klpp_test_klp_so_func.cold.nonexistent' not found in symbol table
livepatch: stack_only new_name 'klpp_test_klp_so_func.cold.nonexistent' of 'test_klp_so_func' not found in livepatch module '$MOD_LIVEPATCH'
$(so_load_error $MOD_LIVEPATCH)
$(so_load_line $MOD_LIVEPATCH funcs=orphan)
livepatch: stack_only entry 'test_klp_so_func.cold' in object '$MOD_TARGET' does not follow the function it belongs to
$(so_load_error $MOD_LIVEPATCH)
% rmmod $MOD_TARGET"

exit 0
