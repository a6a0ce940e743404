#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-harness.sh VERSION [run-tests.sh options] - test the kernel
# harness itself on a real kernel: run the harness-suite (one passing, one
# failing, one skipping script; a module carrying a hand-made
# .klp_prep.partition section) and check that the harness reports each as
# it should, exits non-zero, and that the module link kept the section
# (non-allocated) without an orphan-section warning.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ver=${1:?usage: check-harness.sh VERSION [run-tests.sh options]}
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/klp-harness-check-$ver.XXXXXX")
out=$work/run-tests.out
fail=0

set +e
"$REPO/kernel-support/harness/run-tests.sh" --version "$ver" \
	--suite "$HERE/harness-suite" --work-dir "$work/run" "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e

expect() {
	if grep -qx -- "$1" "$out"; then
		echo "ok: '$1'"
	else
		echo "FAIL: expected the line '$1'"
		fail=1
	fi
}
expect "harness: PASS harness-suite/test-pass.sh"
expect "harness: FAIL harness-suite/test-fail.sh"
expect "harness: SKIP harness-suite/test-skip.sh"
# with a plugin, build/partition-section passes too
expect "$(grep -c '^harness: PASS ' "$out") passed, 1 failed"
[ "$rc" -ne 0 ] && echo "ok: run-tests.sh exited $rc" ||
	{ echo "FAIL: run-tests.sh exited 0 although a test failed"; fail=1; }

ko=$work/run/suites/harness-suite/klp_harness_section.ko
if [ ! -f "$ko" ]; then
	echo "FAIL: $ko was not built"
	fail=1
elif line=$(readelf -S -W "$ko" | grep -F ' .klp_prep.partition '); then
	flags=$(echo "$line" | sed 's/^ *\[ *[0-9]*\] *//' | awk '{ print (NF == 10) ? $7 : "" }')
	case "$flags" in
	*A*) echo "FAIL: the module's .klp_prep.partition is allocated (flags $flags)"; fail=1 ;;
	*) echo "ok: the module kept .klp_prep.partition, not allocated" ;;
	esac
else
	echo "FAIL: the module link dropped .klp_prep.partition"
	fail=1
fi
if grep -n 'orphan' "$work/run/build-harness-suite.log"; then
	echo "FAIL: orphan-section warnings in the module build"
	fail=1
fi
[ "$fail" = 0 ] && rm -rf "$work"
exit "$fail"
