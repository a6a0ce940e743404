#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# (b) A static inline inlined into two callers changes: the livepatch
# (from the records of the target module) patches both callers, and the
# behaviour changes through both.
. "$(dirname "${BASH_SOURCE[0]}")/gen-functions.sh"

P=/sys/module/klp_gen_target/parameters
insmod ./klp_gen_target.ko || { echo "FAIL: insmod klp_gen_target.ko"; exit 1; }
expect "one before" "$(cat $P/one)" 21
expect "two before" "$(cat $P/two)" 22
load_lp livepatch-target_inline
expect "one patched" "$(cat $P/one)" 31
expect "two patched" "$(cat $P/two)" 32
echo 5 >$P/input
expect "one patched, input 5" "$(cat $P/one)" 16
expect "two patched, input 5" "$(cat $P/two)" 17
unload_lp livepatch-target_inline
expect "one unpatched" "$(cat $P/one)" 11
expect "two unpatched" "$(cat $P/two)" 12
rmmod klp_gen_target
