#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-layout.sh REPO CC CACHE_DIR [SOURCE_DIR] - hold include/klp_kernel_abi.h
# against the kernel's struct klp_func, klp_object and klp_patch with each
# kernel-support series applied: include/linux/livepatch.h out of
# SOURCE_DIR/linux-source-VER.tar.xz (default /usr/src; packages
# linux-source-VER, scripts/install-deps.sh), the series' hunks for that
# file applied with --fuzz=0, compiled with layout.c by CC.
#
# Exit 0 when every series holds, 1 on a mismatch or a patch that does not
# apply, 77 (skip) when a series' tarball is not installed and nothing failed.
set -uo pipefail

REPO=$1 CC=$2 CACHE=$3 SOURCE_DIR=${4:-/usr/src}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FILE=include/linux/livepatch.h
fail=0 missing=0 checked=0

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$CACHE" || exit 1

# The tarball's livepatch.h, cached: xz has to decompress most of the
# archive to reach it (about 16 s per tarball).  The key is the tarball's
# size and time, so an upgraded package is read again.
extract() {
	local ver=$1 tarball=$2 out=$CACHE/livepatch-$1.h key
	key=$(stat -c '%s %Y' "$tarball") || return 1
	if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
		echo "$out"
		return 0
	fi
	if ! tar -xJf "$tarball" --wildcards "*/$FILE" -O >"$out.tmp" || [ ! -s "$out.tmp" ]; then
		echo "FAIL $ver: no $FILE in $tarball" >&2
		rm -f "$out.tmp"
		return 1
	fi
	mv "$out.tmp" "$out" && echo "$key" >"$out.key" && echo "$out"
}

# The hunks of patch $1 for $FILE, as a patch of its own.
file_diff() {
	awk -v start="diff --git a/$FILE b/$FILE" '
		$0 == start { on = 1 }
		on && $0 != start && (/^diff --git / || /^-- $/) { exit }
		on { print }' "$1"
}

for series in "$REPO"/kernel-support/patches/*/series; do
	dir=$(dirname "$series")
	ver=$(basename "$dir")
	tarball=$SOURCE_DIR/linux-source-$ver.tar.xz
	if [ ! -f "$tarball" ]; then
		echo "SKIP $ver: $tarball is not installed (package linux-source-$ver, scripts/install-deps.sh)"
		missing=$((missing + 1))
		continue
	fi
	header=$(extract "$ver" "$tarball") || { fail=1; continue; }
	src=$tmp/src-$ver
	mkdir -p "$src/include/linux" && cp "$header" "$src/$FILE" || exit 1

	applied=0
	for p in $(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$series" | grep -v '^$'); do
		file_diff "$dir/$p" >"$tmp/hunks"
		[ -s "$tmp/hunks" ] || continue
		if ! patch -d "$src" -p1 --fuzz=0 --no-backup-if-mismatch -s <"$tmp/hunks"; then
			echo "FAIL $ver: $p does not apply to $FILE of $tarball"
			fail=1
			continue 2
		fi
		applied=$((applied + 1))
	done
	if [ "$applied" = 0 ]; then
		echo "FAIL $ver: no patch of $series changes $FILE"
		fail=1
		continue
	fi

	# Its other includes, empty: kernel_stubs.h stands for them.
	stubs=$tmp/stubs-$ver
	for inc in $(sed -n 's/^#include <\(.*\)>.*/\1/p' "$src/$FILE"); do
		mkdir -p "$stubs/$(dirname "$inc")" && : >"$stubs/$inc" || exit 1
	done
	# Stubs small and large: see layout.c.
	for stub in "1 1" "4096 64"; do
		set -- $stub
		if ! "$CC" -std=gnu11 -fsyntax-only -Wall -Werror \
			-DSTUB_SIZE="$1" -DSTUB_ALIGN="$2" \
			-I "$src/include" -I "$stubs" -I "$REPO/include" \
			-include "$HERE/kernel_stubs.h" "$HERE/layout.c"; then
			echo "FAIL $ver: include/klp_kernel_abi.h does not match struct klp_func, klp_object or klp_patch of $FILE with the $ver series applied (stubs of $1 bytes)"
			fail=1
			continue 2
		fi
	done
	echo "ok $ver: include/klp_kernel_abi.h matches $FILE with the $ver series applied ($applied patch(es) to it)"
	checked=$((checked + 1))
done

[ "$checked" -gt 0 ] || [ "$missing" -gt 0 ] || [ "$fail" != 0 ] ||
	{ echo "FAIL: no kernel-support series under $REPO/kernel-support/patches"; fail=1; }
[ "$fail" = 0 ] || exit 1
[ "$missing" = 0 ] || exit 77
exit 0
