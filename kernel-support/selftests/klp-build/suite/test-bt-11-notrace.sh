#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A function without an ftrace hook: klp_header_step() (notrace) triples
# instead of doubling (cases/notrace.diff).  klp-prep build patched its
# caller klp_header_get_c() instead, whose copy calls the livepatch's own
# klp_header_step(); parameter c shows the fix while the livepatch is
# enabled, and not after it is disabled.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

H=/sys/module/klp_header/parameters
insmod ./klp_header.ko || fail "insmod klp_header.ko"
expect "c before" "$(cat $H/c)" 42
lp_enable_wait livepatch-notrace
expect "c patched" "$(cat $H/c)" 63
expect "a unchanged" "$(cat $H/a)" 42
lp_remove livepatch-notrace
expect "c after disable" "$(cat $H/c)" 42
rmmod klp_header || fail "rmmod klp_header"
