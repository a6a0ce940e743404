#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers of klp-prep generate's end-to-end tests, run in the harness
# guest; the modules (built and converted on the host) sit beside them.

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

# expect WHAT GOT WANT
expect() {
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: got '$2', want '$3'"
		exit 1
	fi
	echo "ok: $1: $2"
}

# wait_sysfs FILE VALUE: up to 30 s
wait_sysfs() {
	local i
	for i in $(seq 1 60); do
		[ "$(cat "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.5
	done
	echo "FAIL: $1 is '$(cat "$1" 2>/dev/null)' after 30 s, want '$2'"
	exit 1
}

# load_lp NAME: insmod NAME.ko, wait for the transition to complete
load_lp() {
	local mod=${1//-/_}
	insmod "./$1.ko" || { echo "FAIL: insmod $1.ko"; dmesg | tail -20; exit 1; }
	wait_sysfs "/sys/kernel/livepatch/$mod/enabled" 1
	wait_sysfs "/sys/kernel/livepatch/$mod/transition" 0
}

# unload_lp NAME: disable, wait for the unpatching, rmmod
unload_lp() {
	local mod=${1//-/_} i
	echo 0 >"/sys/kernel/livepatch/$mod/enabled"
	for i in $(seq 1 60); do
		[ -d "/sys/kernel/livepatch/$mod" ] || break
		sleep 0.5
	done
	[ -d "/sys/kernel/livepatch/$mod" ] && { echo "FAIL: $mod still enabled"; exit 1; }
	rmmod "$mod"
}
