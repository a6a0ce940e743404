#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dwarf_kernel.sh - klp-prep affected on real kernel units, held against
# DWARF's inlined-subroutine tree.
#
# Usage: dwarf_kernel.sh AFFECTED_DWARF PLUGIN WORK_DIR [UNIT.o...]
#
# The harness kernel (kernel-support/harness/build-kernel.sh) is built
# with the plugin but without -g.  This recompiles a few of its units with
# their own kbuild command lines (from .UNIT.o.cmd) plus -g, into WORK_DIR
# (the build directory is not touched), links them into one file so that
# DWARF and symbols have addresses, and runs affected_dwarf on it: every
# function DWARF shows holding inlined code of a changed function must be
# in klp-prep's answer.
#
# The kernel build directory: $KLP_KERNEL_BUILD, else the newest complete
# harness build under ${KLP_PREP_CACHE:-/var/cache/klp-prep}/6.12/ whose
# objects carry records.  Exit 77 (skipped) when there is none.
set -uo pipefail

CHECK=${1:?affected_dwarf}
PLUGIN=${2:?klp_partition.so}
WORK=${3:?work dir}
shift 3
UNITS=("$@")
CACHE=${KLP_PREP_CACHE:-/var/cache/klp-prep}

find_build() {
	local d
	if [ -n "${KLP_KERNEL_BUILD:-}" ]; then
		echo "$KLP_KERNEL_BUILD"
		return
	fi
	for d in $(ls -dt "$CACHE"/6.12/*/ 2>/dev/null); do
		if [ -f "$d/complete" ] && [ -d "$d/build" ] &&
		   grep -q -- "-fplugin=" "$d/build/kernel/.fork.o.cmd" 2>/dev/null; then
			echo "${d%/}/build"
			return
		fi
	done
}

BUILD=$(find_build)
if [ -z "$BUILD" ] || [ ! -d "$BUILD" ]; then
	echo "skipped: no harness kernel build with the plugin (set KLP_KERNEL_BUILD)"
	exit 77
fi
if [ ${#UNITS[@]} -eq 0 ]; then
	UNITS=(fs/proc/cmdline.o kernel/fork.o kernel/printk/printk.o
	       kernel/livepatch/core.o kernel/livepatch/transition.o
	       fs/namei.o mm/memory.o kernel/sched/core.o)
fi

rm -rf "$WORK" && mkdir -p "$WORK" || exit 99
used=()
for u in "${UNITS[@]}"; do
	cmdfile="$BUILD/$(dirname "$u")/.$(basename "$u").cmd"
	[ -f "$cmdfile" ] || continue
	# "savedcmd_X := gcc ... -c -o X X.c; objtool ...": the compiler part.
	cmd=$(head -n 1 "$cmdfile" | sed -e 's/^savedcmd_[^ ]* := //' -e 's/;.*$//')
	out="$WORK/$(echo "$u" | tr / _)"
	cmd=$(sed -e "s| -Wp,-MMD,[^ ]*| -Wp,-MMD,$WORK/dep.d|" \
		  -e "s| -o $u | -o $out |" <<<"$cmd")
	# The build's own plugin when it has one, else ours.
	grep -q -- "-fplugin=" <<<"$cmd" || cmd="$cmd -fplugin=$PLUGIN"
	if ! (cd "$BUILD" && eval "$cmd -g") >"$out.log" 2>&1; then
		echo "warning: $u: recompiling with -g failed:" >&2
		tail -3 "$out.log" >&2
		continue
	fi
	used+=("$out")
done
if [ ${#used[@]} -lt 2 ]; then
	echo "FAIL: fewer than two kernel units could be recompiled with -g"
	exit 1
fi
echo "units: ${used[*]##*/}"
ld -o "$WORK/linked" -e 0 --unresolved-symbols=ignore-all --no-warn-rwx-segments \
	"${used[@]}" 2>"$WORK/ld.log" ||
	ld -o "$WORK/linked" -e 0 --unresolved-symbols=ignore-all "${used[@]}" 2>"$WORK/ld.log" ||
	{ echo "FAIL: ld"; cat "$WORK/ld.log"; exit 1; }
# Real kernel units inline hundreds of header functions: demand many.
exec "$CHECK" "$WORK/linked" 50
