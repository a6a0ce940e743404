#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A header fix: klp_header_scale(), a static inline of klp_header.h,
# adds 1000 instead of 1 (cases/header.diff).  It has no code of its own;
# klp-prep build patched what inlined it, one getter in each of the
# module's two units, though the fix changes neither unit.  Both
# parameters show the fix while the livepatch is enabled, and neither
# after it is disabled.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

H=/sys/module/klp_header/parameters
insmod ./klp_header.ko || fail "insmod klp_header.ko"
expect "a (klp_header_a.c) before" "$(cat $H/a)" 42
expect "b (klp_header_b.c) before" "$(cat $H/b)" 101
lp_enable_wait livepatch-header
expect "a patched" "$(cat $H/a)" 1041
expect "b patched" "$(cat $H/b)" 1100
lp_remove livepatch-header
expect "a after disable" "$(cat $H/a)" 42
expect "b after disable" "$(cat $H/b)" 101
rmmod klp_header || fail "rmmod klp_header"
