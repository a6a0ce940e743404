#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# An out-of-tree module built against the shipped headers
# (examples/klp-demo): livepatch-demo-gain (cases/demo-gain.diff) makes
# klp_demo_gain() return twenty more; disabled, it returns 2 again.  Its
# callbacks (cases/demo-gain-callbacks.c, klp-prep build --callbacks) run
# for klp_demo: a shadow variable made before patching, read before
# unpatching, freed after.
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

lp_need livepatch-demo-gain
P=/sys/module/klp_demo/parameters
insmod ./klp_demo.ko || fail "insmod klp_demo.ko"
wait_for $P/gain 2
lp_enable livepatch-demo-gain
wait_for $P/gain 20
expect "klp_demo_gain(0), patched" "$(cat $P/gain)" 20
expect "klp_demo_work(0), not patched" "$(cat $P/work)" 1
lp_disable livepatch-demo-gain
wait_for $P/gain 2
expect "klp_demo_gain(0) after the disable" "$(cat $P/gain)" 2
for line in "pre_patch klp_demo: shadow 42" "pre_unpatch klp_demo: shadow 42" \
	"post_unpatch klp_demo: shadow freed"; do
	dmesg | grep -q "livepatch-demo-gain: $line\$" || fail "no '$line' in the kernel log"
	echo "ok: callback: $line"
done
rmmod klp_demo || fail "rmmod klp_demo"
