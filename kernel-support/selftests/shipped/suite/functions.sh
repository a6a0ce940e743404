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
