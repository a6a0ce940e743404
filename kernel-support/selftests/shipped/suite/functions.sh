#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers of the shipped-kernel tests, run in the harness guest booted
# from a distribution's vmlinuz (run-tests.sh --shipped).  Beside the
# scripts: klp_demo.ko (examples/klp-demo built against the shipped
# headers), the livepatches klp-prep build made on the host (run.sh),
# NAME.skip for each one it could not make (the reason), and "release"
# and "cpus", what the host booted.  The shipped binfmt_misc.ko is in
# /lib/modules (modprobe).

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

RELEASE=$(cat ./release)
BINFMT=/proc/sys/fs/binfmt_misc

fail() {
	echo "FAIL: $*"
	dmesg | tail -15
	exit 1
}

# exit status 4: the harness reports the test as skipped
skip() {
	echo "SKIP: $*"
	exit 4
}

. /klp-tests/guest-lib.sh	# expect, wait_for, wait_gone

# The kernel refused nothing for its version: a module built against the
# wrong headers fails with "version magic" or "disagrees about version".
no_version_refusals() {
	if dmesg | grep -E 'version magic|disagrees about version of symbol'; then
		fail "the kernel refused a module's version (above)"
	fi
	echo "ok: no version refusals in the kernel log"
}

lp_dir() { echo "/sys/kernel/livepatch/${1//-/_}"; }

# lp_need NAME...: each livepatch module was made on the host, else the
# test is skipped with the host's reason
lp_need() {
	local n
	for n in "$@"; do
		[ -f "./$n.ko" ] && continue
		skip "$n.ko: $(cat "./$n.skip" 2>/dev/null || echo "not made on the host")"
	done
}

# lp_enable NAME: load it and wait until its transition has completed
lp_enable() {
	insmod "./$1.ko" || fail "insmod $1.ko"
	wait_for "$(lp_dir "$1")/enabled" 1
	wait_for "$(lp_dir "$1")/transition" 0
	echo "ok: $1 enabled"
}

# lp_disable NAME: echo 0 > enabled, the livepatch goes away after the
# transition, and the module unloads
lp_disable() {
	echo 0 >"$(lp_dir "$1")/enabled" || fail "echo 0 > $(lp_dir "$1")/enabled"
	wait_gone "$(lp_dir "$1")"
	rmmod "${1//-/_}" || fail "rmmod ${1//-/_}"
	lsmod | grep -q "^${1//-/_} " && fail "${1//-/_} is still loaded"
	echo "ok: $1 disabled and unloaded"
}

# binfmt_up: the shipped binfmt_misc module loaded, its file system
# mounted, an entry "klptest" registered
binfmt_up() {
	modprobe binfmt_misc || fail "modprobe binfmt_misc"
	mount -t binfmt_misc binfmt_misc "$BINFMT" || fail "mount binfmt_misc"
	echo ':klptest:E::klptest::/bin/true:' >"$BINFMT/register" || fail "register a binfmt_misc entry"
	expect "binfmt_misc entry's first line" "$(head -1 "$BINFMT/klptest")" enabled
}

binfmt_down() {
	echo -1 >"$BINFMT/klptest" || fail "unregister the binfmt_misc entry"
	umount "$BINFMT" || fail "umount binfmt_misc"
	rmmod binfmt_misc || fail "rmmod binfmt_misc"
}

# The hold (../hold-cold.c, built by run.sh): a task asleep in
# __io_uring_register.cold, the .cold part of a vmlinux function, for as
# long as a test wants.  HOLD_FUNC is where it sleeps (a return address
# into the part), HOLD_CALLER the frame above it.
HOLD_FUNC=__io_uring_register.cold
HOLD_CALLER=__x64_sys_io_uring_register
HOLD_RELEASE=/tmp/hold-cold.release
HOLD_OUT=/tmp/hold-cold.out

# hold_frames PID: the function names of /proc/PID/stack, top first
hold_frames() {
	sed -n 's/^\[<[0-9a-f]*>\] \([^+]*\)+.*/\1/p' "/proc/$1/stack" 2>/dev/null
}

# hold_start: run hold-cold in the background, HOLD_PID its pid, and
# wait (up to 30 s) until its stack has the part with the caller above.
# It sets an EXIT trap to release the task, so that a failing test
# leaves nothing held for the next one.  A transition stalled on the task
# for more than 15 s makes it spin until released (../hold-cold.c).
hold_start() {
	local i=0
	[ -x ./hold-cold ] || skip "./hold-cold was not built on the host"
	rm -f "$HOLD_RELEASE"
	./hold-cold "$HOLD_RELEASE" >"$HOLD_OUT" 2>&1 &
	HOLD_PID=$!
	trap hold_release EXIT
	until hold_frames "$HOLD_PID" | grep -F -A1 -x "$HOLD_FUNC" | tail -1 |
		grep -Fqx "$HOLD_CALLER"; do
		i=$((i + 1))
		if [ $i -gt 150 ] || [ ! -d "/proc/$HOLD_PID" ]; then
			echo "hold-cold's output:"; cat "$HOLD_OUT"
			echo "its stack:"; cat "/proc/$HOLD_PID/stack" 2>/dev/null
			fail "hold-cold (pid $HOLD_PID) is not held in $HOLD_FUNC under $HOLD_CALLER"
		fi
		sleep 0.2
	done
	grep -qx 'hold-cold: held' "$HOLD_OUT" || fail "hold-cold did not say it is held: $(cat "$HOLD_OUT")"
	echo "ok: task $HOLD_PID held in $HOLD_FUNC, called from $HOLD_CALLER"
}

# hold_release: let the held task go and wait until it has ended (exit 0)
hold_release() {
	local rc
	[ -n "${HOLD_PID:-}" ] || return 0
	trap - EXIT
	touch "$HOLD_RELEASE"
	wait "$HOLD_PID"
	rc=$?
	HOLD_PID=""
	[ $rc -eq 0 ] || fail "hold-cold exited $rc: $(cat "$HOLD_OUT")"
	echo "ok: released, hold-cold ended: $(tail -1 "$HOLD_OUT")"
}

# lp_stalls LP PID STATE WHAT: for 3 s (at least 5 checks) LP stays in
# transition and task PID in patch state STATE (0 not yet switched, 1
# switched): the livepatch core's stack check holds it in WHAT.  Under
# the 15 s after which the core signals stalled tasks (hold-cold then
# spins, see above).
lp_stalls() {
	local lp polls=0 start state
	lp=$(lp_dir "$1")
	start=$(date +%s)
	while [ $polls -lt 5 ] || [ $(($(date +%s) - start)) -lt 3 ]; do
		[ "$(cat "$lp/transition")" = 1 ] ||
			fail "$1: the transition completed while task $2 was in $4"
		state=$(cat "/proc/$2/patch_state")
		[ "$state" = "$3" ] || fail "task $2 switched (patch_state $state) while in $4"
		polls=$((polls + 1))
		sleep 0.2
	done
	echo "ok: $1 stayed in transition for $(($(date +%s) - start)) s ($polls checks) while task $2 was in $4"
}
