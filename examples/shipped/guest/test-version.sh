#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# In the shipped kernel booted by run-tests.sh --shipped: the livepatch
# of examples/shipped/version.diff loads, /proc/version shows its line,
# and disabling it brings the shipped /proc/version back.
cd "$(dirname "$0")" || exit 1
LP=/sys/kernel/livepatch/livepatch_shipped_version
LINE="livepatched by klp-prep: examples/shipped/version.diff"

fail() {
	echo "FAIL: $*"
	dmesg | tail -15
	exit 1
}

. /klp-tests/guest-lib.sh	# expect, wait_for, wait_gone

echo "guest: uname -r: $(uname -r), $(grep -c '^processor' /proc/cpuinfo) CPUs"
before=$(cat /proc/version)
echo "guest: /proc/version before:"
echo "$before" | sed 's/^/    /'
grep -qF "$LINE" /proc/version && fail "/proc/version has the livepatch's line before the livepatch"

insmod ./livepatch-shipped-version.ko || fail "insmod livepatch-shipped-version.ko"
wait_for $LP/enabled 1
wait_for $LP/transition 0
echo "guest: livepatch-shipped-version loaded and enabled (tainted $(cat /proc/sys/kernel/tainted))"
after=$(cat /proc/version)
echo "guest: /proc/version livepatched:"
echo "$after" | sed 's/^/    /'
[ "$after" = "$before
$LINE" ] || fail "/proc/version livepatched is not the shipped one plus '$LINE'"

echo 0 >$LP/enabled || fail "echo 0 > $LP/enabled"
i=0
while [ -e $LP ]; do
	i=$((i + 1))
	[ $i -le 150 ] || fail "$LP still there 30 s after the disable"
	sleep 0.2
done
rmmod livepatch_shipped_version || fail "rmmod livepatch_shipped_version"
disabled=$(cat /proc/version)
echo "guest: /proc/version after the livepatch was disabled and unloaded:"
echo "$disabled" | sed 's/^/    /'
[ "$disabled" = "$before" ] || fail "/proc/version after the disable is not the shipped one"
echo "guest: ok: the change showed, and the disable reverted it"
