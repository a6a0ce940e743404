#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-copy.sh - check that kernel-support/stack_only/stack_only.h, which
# the CMocka test tests/unit/test_stack_ranges.c compiles, is byte for byte
# the kernel/livepatch/stack_only.h that each kernel-support series adds,
# so that the unit test tests the code the kernel runs, and that the patch
# adds the struct klp_func fields the test's struct declares.
#
# Usage: check-copy.sh [REPO_DIR]
set -eu

REPO=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
COPY=$REPO/kernel-support/stack_only/stack_only.h
TARGET=kernel/livepatch/stack_only.h
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

found=0
fail=0
for p in "$REPO"/kernel-support/patches/*/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -f "$p" ] || continue
	grep -q "^+++ b/$TARGET\$" "$p" || continue
	if ! grep -q "^--- /dev/null\$" "$p"; then
		echo "check-copy: $p modifies $TARGET instead of creating it" >&2
		fail=1
		continue
	fi
	# The new file's only hunk: every line after its @@ header starts
	# with '+', up to the next non-'+' line.
	awk -v t="+++ b/$TARGET" '
		$0 == t { f = 1; next }
		f == 1 && /^@@ / { f = 2; next }
		f == 2 && /^\+/ { print substr($0, 2); next }
		f == 2 { exit }
	' "$p" > "$tmp"
	found=$((found + 1))
	# The fields the patch adds to struct klp_func, which the unit test's
	# struct klp_func declares alike.
	for field in 'bool stack_only;' 'const char \*new_name;' \
		     'unsigned long new_sympos;' 'struct klp_func \*parent;' \
		     'struct klp_func \*subfuncs;' 'unsigned int nr_subfuncs;'; do
		if ! grep -q "^+	$field\$" "$p"; then
			echo "check-copy: $p does not add '$field' to struct klp_func as tests/unit/test_stack_ranges.c assumes" >&2
			fail=1
		fi
	done
	if cmp -s "$tmp" "$COPY"; then
		echo "check-copy: $p: $TARGET identical to the copy"
	else
		echo "check-copy: $p: $TARGET differs from $COPY:" >&2
		diff -u "$COPY" "$tmp" >&2 || true
		fail=1
	fi
done

if [ "$found" -eq 0 ]; then
	echo "check-copy: no kernel-support patch creates $TARGET" >&2
	exit 1
fi
exit $fail
