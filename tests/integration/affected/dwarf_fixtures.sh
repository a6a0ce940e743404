#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin fixtures with -g, linked into one file, held against DWARF.
# Usage: dwarf_fixtures.sh AFFECTED_DWARF PLUGIN FIXTURES_DIR WORK_DIR
set -euo pipefail
CHECK=$1 PLUGIN=$2 FIXTURES=$3 WORK=$4
CC=${CC:-gcc-12}
KFLAGS="-O2 -g -fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -mfentry -pg"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
for f in inline_chain part_split isra constprop combo inline_vanish cold_split; do
	$CC $KFLAGS -fplugin="$PLUGIN" -c "$FIXTURES/$f.c" -o "$f.o"
done
ld -o linked -e 0 --unresolved-symbols=ignore-all ./*.o
# inline_chain alone has add_one, twice, level2, level3, big_body, split_me...
exec "$CHECK" linked 5
