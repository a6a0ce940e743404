#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/generate.sh - klp-prep generate on three real kernel units of
# different size, against a bare libclang parse of the same unit with the
# same flags (the floor: generate parses each unit once, then extracts).
#
# Usage: bench/generate.sh [-b KERNEL_BUILD] [-k KLP_PREP_BUILD_DIR] [-w WORK_DIR]
#
# KERNEL_BUILD: a kernel O= directory (default $KLP_KERNEL_BUILD, else the
# newest complete harness build under ${KLP_PREP_CACHE:-/var/cache/klp-prep}).
# KLP_PREP_BUILD_DIR: the CMake build of klp-prep (default ./build).
# One run of each; prints per unit the lines of the unit, both times (CPU
# and wall) and the ratios.  A benchmark, not a test: it never fails on its figures.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KBUILD=${KLP_KERNEL_BUILD:-}
BUILD=$REPO/build
WORK=/tmp/klp-generate-bench
while getopts "b:k:w:h" opt; do
	case $opt in
	b) KBUILD=$OPTARG ;;
	k) BUILD=$OPTARG ;;
	w) WORK=$OPTARG ;;
	*) sed -n '/^# Usage:/,/^# One run/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
if [ -z "$KBUILD" ]; then
	CACHE=${KLP_PREP_CACHE:-/var/cache/klp-prep}
	stamp=$(ls -t "$CACHE"/6.12/*/complete 2>/dev/null | head -1) ||
		true
	[ -n "$stamp" ] || { echo "bench: no complete harness kernel build; give -b" >&2; exit 2; }
	KBUILD=$(dirname "$stamp")/build
fi
KLP=$BUILD/klp-prep/klp-prep
LIB=$BUILD/klp-prep/livepatch/libklp_livepatch.a
[ -x "$KLP" ] && [ -f "$LIB" ] || { echo "bench: build klp-prep first (cmake --build $BUILD)" >&2; exit 2; }
SRC=$(readlink -f "$KBUILD/source")

rm -rf "$WORK" && mkdir -p "$WORK/compdb"
python3 "$SRC/scripts/clang-tools/gen_compile_commands.py" -d "$KBUILD" \
	-o "$WORK/compdb/compile_commands.json" "$KBUILD"
cc -O2 -I"$REPO/klp-prep/include" -I"$REPO/klp-prep/livepatch" -I"$REPO/include" -I/usr/lib/llvm-14/include \
	"$REPO/bench/generate-parse.c" "$LIB" -L/usr/lib/llvm-14/lib -lclang \
	-Wl,-rpath,/usr/lib/llvm-14/lib -o "$WORK/generate-parse"

# cpu_wall CMD...: "CPU WALL" seconds of CMD (CPU = user + sys, steadier
# than wall time on a machine that builds kernels meanwhile).
cpu_wall() {
	local TIMEFORMAT='%U %S %R' t
	t=$( { time "$@" >/dev/null 2>"$WORK/last.log"; } 2>&1 ) ||
		{ cat "$WORK/last.log" >&2; return 1; }
	echo "$t" | awk '{printf "%.3f %.3f\n", $1 + $2, $3}'
}

# A small, a middle-sized and a large unit, each with a function to patch.
UNITS="fs/proc/cmdline.c:cmdline_proc_show kernel/sys.c:__sys_setuid kernel/sched/core.c:wake_up_process"

echo "kernel build: $KBUILD"
printf '%-22s %6s %21s %21s %13s\n' unit lines "generate cpu/wall" "parse cpu/wall" "ratio cpu/wall"
for spec in $UNITS; do
	unit=${spec%%:*}
	func=${spec##*:}
	read -r gcpu gwall < <(cpu_wall "$KLP" generate -k "$KBUILD" --compdb "$WORK/compdb" \
		-o "$WORK/out-${unit//\//_}" -p "$unit=$SRC/$unit" -f "$func") ||
		{ echo "bench: generate failed for $unit" >&2; exit 1; }
	read -r pcpu pwall < <(cpu_wall "$WORK/generate-parse" "$WORK/compdb" "$unit") ||
		{ echo "bench: the parse failed for $unit" >&2; exit 1; }
	printf '%-22s %6s %9.3fs/%9.3fs %9.3fs/%9.3fs %5.2fx/%5.2fx\n' "$unit" \
		"$(wc -l <"$SRC/$unit")" "$gcpu" "$gwall" "$pcpu" "$pwall" \
		"$(echo "$gcpu / $pcpu" | bc -l)" "$(echo "$gwall / $pwall" | bc -l)"
done
