#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-format-header-copy.sh [REPO] - the kernel-support series carries a
# copy of include/klp_partition.h as include/linux/klp_partition.h (patch
# 0001 of each series, for the kernel's linker scripts).  Fail if any copy
# differs from the project's header, byte for byte.
set -euo pipefail

REPO=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HEADER=$REPO/include/klp_partition.h
FILE=include/linux/klp_partition.h
fail=0 n=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

for series in "$REPO"/kernel-support/patches/*/series; do
	dir=$(dirname "$series")
	first=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$series" | grep -v '^$' | head -1)
	p=$dir/$first
	if [ -z "$first" ] || [ ! -f "$p" ]; then
		echo "FAIL: $series: no first patch (expected 0001-kbuild-keep-the-klp_prep-partition-section.patch)"
		fail=1
		continue
	fi
	# the added lines of the header's file diff, without the '+'
	awk -v file="diff --git a/$FILE b/$FILE" '
		$0 == file { in_file = 1; next }
		in_file && (/^diff --git / || /^-- $/) { exit }
		in_file && /^@@ / { in_hunk = 1; next }
		in_hunk && /^\+/ { print substr($0, 2) }' "$p" >"$tmp"
	n=$((n + 1))
	if [ ! -s "$tmp" ]; then
		echo "FAIL: $p does not add $FILE"
		fail=1
	elif ! cmp -s "$tmp" "$HEADER"; then
		echo "FAIL: $p: its $FILE differs from include/klp_partition.h:"
		diff -u --label "$p:$FILE" --label include/klp_partition.h "$tmp" "$HEADER" | head -30 || true
		echo "      run kernel-support/harness/refresh-header-patch.sh and commit the patches"
		fail=1
	else
		echo "ok: $p carries an identical $FILE"
	fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no kernel-support series found under $REPO/kernel-support/patches"; fail=1; }
exit "$fail"
