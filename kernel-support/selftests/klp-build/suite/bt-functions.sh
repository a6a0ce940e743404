#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers of klp-prep build's end-to-end tests, run in the harness guest.
# The modules sit beside the scripts: klp_demo.ko (the target,
# examples/klp-demo) and the livepatches klp-prep build made from diffs
# on the host (run.sh).  Each test prints "ok: ..." lines, and numbers
# ("stalled 3.0 s") that run.sh collects.

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

P=/sys/module/klp_demo/parameters
# How long a stalled transition is watched (below the core's 15 s
# SIGNALS_TIMEOUT, after which it would signal the task).
STALL=${STALL:-3}

fail() {
	echo "FAIL: $*"
	dmesg | tail -15
	cleanup
	exit 1
}

# After a failure: leave nothing behind for the tests after this one.
cleanup() {
	local d m
	for m in hold_work hold_gain hold_lose; do
		[ -w "$P/$m" ] && echo 0 >"$P/$m"
	done
	for d in /sys/kernel/livepatch/livepatch_*; do
		[ -d "$d" ] || continue
		[ "$(cat "$d/enabled")" = 1 ] && echo 0 >"$d/enabled"
	done
	sleep 2
	for m in $(lsmod | awk '/^livepatch_/ { print $1 }'); do
		rmmod "$m"
	done
	lsmod | grep -q '^klp_demo ' && rmmod klp_demo
	lsmod | grep -q '^klp_header ' && rmmod klp_header
}

. /klp-tests/guest-lib.sh	# expect, wait_for, wait_gone

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

target_load() {
	insmod ./klp_demo.ko || fail "insmod klp_demo.ko"
	wait_for $P/work 1
	PID=$(cat $P/pid)
}

target_unload() {
	rmmod klp_demo || fail "rmmod klp_demo"
}

# hold PARAM: make the kthread wait in the cold path that tests PARAM
hold() {
	echo 1 >"$P/$1"
	wait_for $P/in_cold 1
	echo "ok: the kthread waits in a cold path ($1)"
}

release() {
	RELEASED=$(now)
	echo 0 >"$P/$1"
}

# lp_insmod NAME: load a livepatch, do not wait for its transition
lp_insmod() {
	insmod "./$1.ko" || fail "insmod $1.ko"
	STARTED=$(now)
}

lp_dir() { echo "/sys/kernel/livepatch/${1//-/_}"; }

# stalled NAME WANT_PATCH_STATE: the transition of livepatch NAME is still
# pending after $STALL seconds, with the kthread on the old side
stalled() {
	local d
	d=$(lp_dir "$1")
	sleep "$STALL"
	expect "$1 transition after $STALL s" "$(cat "$d/transition")" 1
	expect "kthread's patch_state while it waits" "$(cat /proc/$PID/patch_state)" "$2"
	echo "stalled: $1 for $(secs "$STARTED" "$(now)") s while the kthread waited"
}

# done_after_release NAME: the transition completes once released (a
# disabled or replaced livepatch's directory goes away)
done_after_release() {
	local d i
	d=$(lp_dir "$1")
	for i in $(seq 1 150); do
		[ -d "$d" ] && [ "$(cat "$d/transition" 2>/dev/null)" != 0 ] || break
		sleep 0.2
	done
	[ -d "$d" ] && [ "$(cat "$d/transition" 2>/dev/null)" != 0 ] &&
		fail "$1: the transition did not complete within 30 s of the release"
	echo "completed: $1 $(secs "$RELEASED" "$(now)") s after the release"
}

lp_enable_wait() {
	lp_insmod "$1"
	wait_for "$(lp_dir "$1")/enabled" 1
	wait_for "$(lp_dir "$1")/transition" 0
}

# lp_disable_nowait NAME
lp_disable_nowait() {
	echo 0 >"$(lp_dir "$1")/enabled" || fail "disable $1"
	STARTED=$(now)
}

lp_remove() {
	local d
	d=$(lp_dir "$1")
	if [ -d "$d" ]; then
		[ "$(cat "$d/enabled")" = 1 ] && echo 0 >"$d/enabled"
		wait_gone "$d"
	fi
	rmmod "${1//-/_}" || fail "rmmod $1"
}
