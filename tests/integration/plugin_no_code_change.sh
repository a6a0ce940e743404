#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# plugin_no_code_change.sh PLUGIN GCC WORK_DIR DIR...
#
# The plugin must change no code: compile every C file of the DIRs with
# and without it, in several flag sets, and require
#   - the object with the plugin, minus .klp_prep.partition, to be
#     byte-identical to the object without it (every code, data, symbol,
#     relocation and debug section; if objcopy rewrites the object even as
#     a no-op, to the plain object passed through objcopy too);
#   - the assembler output to differ only by the .klp_prep.partition block.
# Fixture files (with a "klp-cflags:" line or the kernel-like default) are
# compiled with their flags; other files (the largest few of each other
# directory, KLP_NCC_LARGEST, default 4) as ordinary hosted C.
#
# With -g, GCC itself writes the command line, -fplugin=... included, into
# DW_AT_producer (-grecord-gcc-switches, the default): that string and the
# .debug_str offsets after it are the only difference GCC makes.  So -g
# builds use -gno-record-gcc-switches for the byte comparison, and one more
# build per fixture keeps the default and checks that the code, data,
# symbols and relocations are identical and the producers differ only by
# the -fplugin option.
set -eu

plugin=$1 gcc=$2 work=$3
shift 3

KERNEL="-fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -mfentry -pg"
repo=$(cd "$(dirname "$0")/../.." && pwd)
HOSTED="-I$repo/include -I$repo/klp-prep/include -I$repo/klp-prep/lib -I$repo/klp-prep/cli $(pkg-config --cflags libdw 2>/dev/null || true)"

rm -rf "$work"
mkdir -p "$work"
nr=0 failed=0

# compare SOURCE TAG FLAGS...
compare() {
	src=$1 tag=$2
	shift 2
	base=$work/$(basename "$src" .c).$tag
	if ! "$gcc" "$@" -c "$src" -o "$base.plain.o" 2>"$base.err"; then
		echo "skip: $src [$tag] does not compile without the plugin"
		return 0
	fi
	"$gcc" "$@" "-fplugin=$plugin" -c "$src" -o "$base.plugin.o"
	"$gcc" "$@" -S "$src" -o "$base.plain.s"
	"$gcc" "$@" "-fplugin=$plugin" -S "$src" -o "$base.plugin.s"
	nr=$((nr + 1))

	if ! objdump -h "$base.plugin.o" | grep -q ' \.klp_prep\.partition '; then
		echo "FAIL: $src [$tag]: no .klp_prep.partition section"
		failed=$((failed + 1))
		return 0
	fi
	objcopy --remove-section .klp_prep.partition "$base.plugin.o" "$base.stripped.o"
	# objcopy rewrites some objects even as a no-op (seen with ifuncs):
	# then compare with the plain object after the same rewriting.
	if ! cmp -s "$base.plain.o" "$base.stripped.o"; then
		objcopy "$base.plain.o" "$base.plain-rewritten.o"
		cmp -s "$base.plain-rewritten.o" "$base.stripped.o" &&
			cp "$base.plain-rewritten.o" "$base.plain.o"
	fi
	if ! cmp -s "$base.plain.o" "$base.stripped.o"; then
		echo "FAIL: $src [$tag]: objects differ outside .klp_prep.partition"
		for s in $(objdump -h "$base.plain.o" | awk '/^ *[0-9]+ /{ print $2 }'); do
			objcopy --dump-section "$s=$base.a" "$base.plain.o" /dev/null 2>/dev/null || true
			objcopy --dump-section "$s=$base.b" "$base.stripped.o" /dev/null 2>/dev/null || true
			cmp -s "$base.a" "$base.b" || echo "  section $s differs"
		done
		failed=$((failed + 1))
		return 0
	fi
	# The block is .pushsection ... .popsection; nothing else may change.
	sed '/^\t\.pushsection \.klp_prep\.partition/,/^\t\.popsection/d' \
		"$base.plugin.s" > "$base.plugin-stripped.s"
	if ! cmp -s "$base.plain.s" "$base.plugin-stripped.s"; then
		echo "FAIL: $src [$tag]: assembler output differs outside the block"
		diff "$base.plain.s" "$base.plugin-stripped.s" | head -20
		failed=$((failed + 1))
		return 0
	fi
	rm -f "$base".*
}

# compare_recorded_switches SOURCE FLAGS...: -g with the producer string.
compare_recorded_switches() {
	src=$1
	shift
	base=$work/$(basename "$src" .c).switches
	"$gcc" "$@" -g -c "$src" -o "$base.plain.o"
	"$gcc" "$@" -g "-fplugin=$plugin" -c "$src" -o "$base.plugin.o"
	nr=$((nr + 1))
	for o in plain plugin; do
		objdump -d -r -t "$base.$o.o" | sed 1,2d > "$base.$o.code"
		for s in $(objdump -h "$base.$o.o" | awk '/^ *[0-9]+ /{ print $2 }'); do
			case $s in .debug*|.klp_prep.partition) continue ;; esac
			objdump -s -j "$s" "$base.$o.o" | sed 1,2d
		done > "$base.$o.sections"
		readelf -p .debug_str "$base.$o.o" | sed -n 's/^.*\(GNU C[^ ]* .*\)$/\1/p' |
			sed "s| -fplugin=$plugin||" > "$base.$o.producer"
	done
	for what in code sections producer; do
		if ! cmp -s "$base.plain.$what" "$base.plugin.$what"; then
			echo "FAIL: $src [-g, recorded switches]: $what differ"
			diff "$base.plain.$what" "$base.plugin.$what" | head -10
			failed=$((failed + 1))
			return 0
		fi
	done
	if ! [ -s "$base.plain.producer" ]; then
		echo "FAIL: $src [-g, recorded switches]: no DW_AT_producer found"
		failed=$((failed + 1))
		return 0
	fi
	rm -f "$base".*
}

# Fixture directories: every file.  Other directories: their largest C
# files (real code, enough to exercise GCC, without making the test slow).
sources() {
	if [ "$(basename "$1")" = fixtures ]; then
		ls "$1"/*.c 2>/dev/null
	else
		ls -S "$1"/*.c 2>/dev/null | head -n "${KLP_NCC_LARGEST:-4}"
	fi
}

for dir in "$@"; do
	for src in $(sources "$dir"); do
		[ -e "$src" ] || continue
		flags=$(sed -n 's/^.*klp-cflags: *//p' "$src" | head -n 1)
		if [ -n "$flags" ] || [ "$(basename "$dir")" = fixtures ]; then
			[ -n "$flags" ] || flags=$KERNEL
			# shellcheck disable=SC2086
			compare "$src" kernel -O2 $flags
			# shellcheck disable=SC2086
			compare "$src" kernel-g -O2 -g -gno-record-gcc-switches $flags
			# shellcheck disable=SC2086
			compare_recorded_switches "$src" -O2 $flags
			# shellcheck disable=SC2086
			compare "$src" kernel-fs -O2 $flags -ffunction-sections -fdata-sections
		else
			# shellcheck disable=SC2086
			compare "$src" O2-g -O2 -g -gno-record-gcc-switches $HOSTED
			# shellcheck disable=SC2086
			compare "$src" O3-pic -O3 -fPIC -fno-semantic-interposition $HOSTED
		fi
	done
done

echo "plugin_no_code_change: $nr compilations compared, $failed differ"
[ "$nr" -gt 0 ] && [ "$failed" -eq 0 ]
