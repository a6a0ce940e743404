#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# plugin_dwarf_check.sh PLUGIN GCC KLP_PREP WORK_DIR FIXTURES_DIR
#
# Hold the plugin's records against what GCC wrote into DWARF for the same
# compilation: compile every fixture with -g and the plugin, and require
# `klp-prep check` (symbol table, DW_AT_abstract_origin of clones, the
# DW_TAG_inlined_subroutine tree) to find no mismatch.
set -eu

plugin=$1 gcc=$2 klp_prep=$3 work=$4 fixtures=$5
KERNEL="-fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -mfentry -pg"

rm -rf "$work"
mkdir -p "$work"
objects=""
for src in "$fixtures"/*.c; do
	flags=$(sed -n 's/^.*klp-cflags: *//p' "$src" | head -n 1)
	[ -n "$flags" ] || flags=$KERNEL
	obj=$work/$(basename "$src" .c).o
	# shellcheck disable=SC2086
	"$gcc" -O2 -g $flags "-fplugin=$plugin" -c "$src" -o "$obj"
	objects="$objects $obj"
done
# shellcheck disable=SC2086
"$klp_prep" check $objects
