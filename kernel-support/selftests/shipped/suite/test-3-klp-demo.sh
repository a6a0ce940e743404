#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# examples/klp-demo built against the shipped headers loads (its vermagic
# is the shipped kernel's), its kthread runs, and it unloads.
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

P=/sys/module/klp_demo/parameters
insmod ./klp_demo.ko || fail "insmod klp_demo.ko"
wait_for $P/work 1
expect "klp_demo_work(0)" "$(cat $P/work)" 1
expect "klp_demo_gain(0)" "$(cat $P/gain)" 2
expect "klp_demo_lose(0)" "$(cat $P/lose)" 3
# O: out of tree; E: unsigned (module signing is not enforced)
echo "ok: klp_demo's taint flags: $(cat /sys/module/klp_demo/taint)"
no_version_refusals
rmmod klp_demo || fail "rmmod klp_demo"
