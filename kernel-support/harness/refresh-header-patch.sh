#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# refresh-header-patch.sh [PATCH...] - rewrite the include/linux/
# klp_partition.h part of patch 0001 of every kernel-support series (or of
# the PATCHes given) from include/klp_partition.h, the project's one
# definition of the section format.  Run it after changing that header;
# tests/kernel/check-format-header-copy.sh fails until you do.
set -euo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HARNESS_DIR/../.." && pwd)
HEADER=$REPO_DIR/include/klp_partition.h
FILE=include/linux/klp_partition.h

[ -f "$HEADER" ] || { echo "harness: error: $HEADER missing" >&2; exit 1; }
if [ $# -eq 0 ]; then
	set -- "$REPO_DIR"/kernel-support/patches/*/0001-*.patch
fi

hunk() {
	local n
	n=$(wc -l <"$HEADER")
	[ -z "$(tail -c1 "$HEADER")" ] || n=$((n + 1))
	echo "diff --git a/$FILE b/$FILE"
	echo "new file mode 100644"
	echo "--- /dev/null"
	echo "+++ b/$FILE"
	echo "@@ -0,0 +1,$n @@"
	sed 's/^/+/' "$HEADER"
	[ -z "$(tail -c1 "$HEADER")" ] || printf '\n\\ No newline at end of file\n'
}

for p in "$@"; do
	[ -f "$p" ] || { echo "harness: error: $p not found" >&2; exit 1; }
	grep -qx "diff --git a/$FILE b/$FILE" "$p" || {
		echo "harness: error: $p has no $FILE part to refresh" >&2
		exit 1
	}
	tmp=$(mktemp "$p.XXXXXX")
	hunk >"$tmp.hunk"
	# copy the patch, replacing the header's file diff (up to the next
	# file diff or the signature separator) with the fresh one
	awk -v file="diff --git a/$FILE b/$FILE" -v hunkfile="$tmp.hunk" '
		$0 == file { skip = 1
			while ((getline l < hunkfile) > 0) print l
			next }
		skip && (/^diff --git / || /^-- $/) { skip = 0 }
		!skip { print }' "$p" >"$tmp"
	rm -f "$tmp.hunk"
	if cmp -s "$tmp" "$p"; then
		rm -f "$tmp"
		echo "harness: $p: already up to date"
	else
		cat "$tmp" >"$p"	# keeps the file's mode
		rm -f "$tmp"
		echo "harness: $p: refreshed $FILE from include/klp_partition.h"
	fi
done
