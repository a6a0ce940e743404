#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# (c) The new code references a static variable of the running module:
# it must read the running instance (set here at run time), not a copy
# holding the initial value (42), through a livepatch relocation.
. "$(dirname "${BASH_SOURCE[0]}")/gen-functions.sh"

P=/sys/module/klp_gen_target/parameters
insmod ./klp_gen_target.ko || { echo "FAIL: insmod klp_gen_target.ko"; exit 1; }
echo 1234 >$P/secret
expect "secret before" "$(cat $P/secret)" 1234
load_lp livepatch-target_static
expect "secret patched" "$(cat $P/secret)" 12340
echo 7 >$P/secret
expect "secret patched, set to 7" "$(cat $P/secret)" 70
unload_lp livepatch-target_static
expect "secret unpatched" "$(cat $P/secret)" 7
rmmod klp_gen_target
