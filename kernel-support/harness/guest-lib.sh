# SPDX-License-Identifier: GPL-2.0-or-later
#
# guest-lib.sh - what every suite's guest scripts wait for and compare,
# installed by run-tests.sh as /klp-tests/guest-lib.sh (busybox sh and
# bash alike).  The sourcing script defines fail MESSAGE: it knows what
# to print and clean up.

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok: $1: $2"
}

# wait_for FILE VALUE: up to 30 s (a transition waits for every task)
wait_for() {
	local i=0
	while [ "$(cat "$1" 2>/dev/null)" != "$2" ]; do
		i=$((i + 1))
		[ $i -le 150 ] || fail "$1 is '$(cat "$1" 2>/dev/null)' after 30 s, want '$2'"
		sleep 0.2
	done
}

# wait_gone PATH: up to 30 s (a disabled livepatch's sysfs directory)
wait_gone() {
	local i=0
	while [ -e "$1" ]; do
		i=$((i + 1))
		[ $i -le 150 ] || fail "$1 still there after 30 s"
		sleep 0.2
	done
}
