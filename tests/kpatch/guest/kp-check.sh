#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kp-check.sh NAME - in the harness guest: the livepatch livepatch-NAME.ko
# (made by klp-prep build from kpatch's NAME.patch) loads, its transition
# completes, it disables and unloads, and the kernel says nothing bad
# meanwhile.  With NAME-LOADED.test beside it (kpatch's check of the
# patched behaviour): the test fails before the load, passes while the
# livepatch is enabled, and fails again after it is disabled.
#
# Prints "ok: ..." per step, "FAIL: ..." and the end of dmesg on a failure.
# Exit 0 pass, 1 fail.

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
NAME=${1:?usage: kp-check.sh NAME}
MOD=livepatch-$NAME.ko
LP=livepatch_${NAME//-/_}
DIR=/sys/kernel/livepatch/$LP
TEST=./$NAME-LOADED.test

fail() {
	echo "FAIL: $NAME: $*"
	dmesg | tail -20
	# leave nothing behind for the next patch's check
	[ -d "$DIR" ] && [ "$(cat "$DIR/enabled")" = 1 ] && echo 0 >"$DIR/enabled"
	sleep 2
	lsmod | grep -q "^$LP " && rmmod "$LP"
	exit 1
}

. /klp-tests/guest-lib.sh	# expect, wait_for, wait_gone

# loaded_test WHEN WANT: WANT is passes or fails
loaded_test() {
	local got=fails

	[ -x "$TEST" ] || return 0
	"$TEST" >/dev/null 2>&1 && got=passes
	[ "$got" = "$2" ] || fail "$NAME-LOADED.test $got $1"
	echo "ok: $NAME-LOADED.test $got $1"
}

[ -f "$MOD" ] || fail "no $MOD"
# Only what the kernel says from here on counts.
MARK=$(dmesg | wc -l)

loaded_test "before the load" fails
insmod "./$MOD" || fail "insmod $MOD"
wait_for "$DIR/enabled" 1
wait_for "$DIR/transition" 0
echo "ok: $LP enabled, transition complete"
loaded_test "while enabled" passes
echo 0 >"$DIR/enabled" || fail "disable $LP"
wait_gone "$DIR"
rmmod "$LP" || fail "rmmod $LP"
echo "ok: $LP disabled and unloaded"
loaded_test "after the disable" fails

# Anything the kernel reports as wrong while the livepatch was in: a
# warning, a BUG, an oops, a lockdep splat, or livepatch's own errors
# (a symbol it could not resolve, a relocation it could not apply).
bad=$(dmesg | tail -n +"$((MARK + 1))" |
	grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|livepatch: .*(failed|not found|error)' |
	head -5)
[ -z "$bad" ] || fail "the kernel reported: $bad"
echo "ok: $NAME: no warning, oops or livepatch error in dmesg"
exit 0
