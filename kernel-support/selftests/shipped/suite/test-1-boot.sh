#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The shipped kernel booted as asked: its release, every CPU online, and
# the livepatch core there.
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

expect "uname -r" "$(uname -r)" "$RELEASE"
cpus=$(cat ./cpus)
expect "CPUs online" "$(cat /sys/devices/system/cpu/online)" "0-$((cpus - 1))"
[ -d /sys/kernel/livepatch ] || fail "no /sys/kernel/livepatch: the kernel has no livepatch core"
echo "ok: /sys/kernel/livepatch exists"
echo "ok: tainted $(cat /proc/sys/kernel/tainted) at boot"
