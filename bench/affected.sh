#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/affected.sh - klp-prep affected on a whole kernel build: records
# through the index, against the same question answered from
# -fdump-ipa-clones dumps of the same units.
#
# Usage: bench/affected.sh [-b BUILD_DIR] [-f [FILE:]FUNCTION]... [-w WORK_DIR]
#                          [-k KLP_PREP] [-j JOBS]
#
# BUILD_DIR: a kernel build (O= directory) made with the klp_partition
# plugin and kernel-support patch 0001; default $KLP_KERNEL_BUILD, else the
# newest complete harness build under ${KLP_PREP_CACHE:-/var/cache/klp-prep}.
# The dumps are made once into WORK_DIR (default /tmp/klp-affected-bench):
# every C unit of the build recompiled with its own kbuild command line,
# without the plugin, plus -fdump-ipa-clones, the object kept beside its
# dump.  Their making is timed and printed but is preparation, not part of
# the comparison (a SUSE build has the dumps already).
#
# Prints, per query: the index build (every object read, index written),
# a query that reuses the index, the same query from the dumps, and the
# ratios.  A benchmark, not a test: it prints figures and never fails on
# them.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${KLP_KERNEL_BUILD:-}
WORK=/tmp/klp-affected-bench
KLP=""
JOBS=$(nproc)
FUNCS=()
while getopts "b:f:w:k:j:h" opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	f) FUNCS+=("$OPTARG") ;;
	w) WORK=$OPTARG ;;
	k) KLP=$OPTARG ;;
	j) JOBS=$OPTARG ;;
	*) sed -n '/^# Usage:/,/^# Prints/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
[ ${#FUNCS[@]} -gt 0 ] || FUNCS=(fs/proc/cmdline.c:cmdline_proc_show
				 include/linux/list.h:__list_del
				 kernel/fork.c:copy_process)

die() { echo "bench: error: $*" >&2; exit 2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }

if [ -z "$BUILD" ]; then
	for d in $(ls -dt "${KLP_PREP_CACHE:-/var/cache/klp-prep}"/6.12/*/ 2>/dev/null); do
		if [ -f "$d/complete" ] && grep -q -- "-fplugin=" "$d/build/kernel/.fork.o.cmd" 2>/dev/null; then
			BUILD=${d%/}/build
			break
		fi
	done
fi
if [ -z "$BUILD" ]; then
	# An unfinished build still has its objects: use them.
	for d in $(ls -dt "${KLP_PREP_CACHE:-/var/cache/klp-prep}"/6.12/*/ 2>/dev/null); do
		if grep -q -- "-fplugin=" "$d/build/kernel/.fork.o.cmd" 2>/dev/null; then
			BUILD=${d%/}/build
			break
		fi
	done
fi
[ -n "$BUILD" ] && [ -d "$BUILD" ] ||
	die "no kernel build with the plugin (kernel-support/harness/build-kernel.sh --plugin ...), or give -b"
if [ -z "$KLP" ]; then
	for k in "$REPO/build/klp-prep/klp-prep" /tmp/build-affected/klp-prep/klp-prep; do
		[ -x "$k" ] && KLP=$k && break
	done
fi
[ -x "$KLP" ] || die "klp-prep not built (cmake --build build), or give -k"

# vmlinux with records (kernel-support patch 0001 keeps them), else the objects.
OBJOPT=()
if [ ! -f "$BUILD/vmlinux" ] || ! "$KLP" dump "$BUILD/vmlinux" >/dev/null 2>&1; then
	OBJOPT=(--objects)
fi
echo "kernel build: $BUILD"
echo "klp-prep:     $KLP"
if [ ${#OBJOPT[@]} -eq 0 ]; then
	echo "objects:      vmlinux + $(find "$BUILD" -name '*.ko' | wc -l) modules"
else
	echo "objects:      $(find "$BUILD" -name '*.o' | wc -l) object files (no vmlinux with records: --objects)"
fi

# ---- the dumps: every C unit again, without the plugin ----------------------
DUMPS=$WORK/ipa
mkdir -p "$DUMPS"
mapfile -t CMDS < <(find "$BUILD" -name '.*.o.cmd' -newer "$BUILD/.config" 2>/dev/null |
	xargs grep -l -E '^savedcmd_[^ ]+\.o := gcc .* -c -o [^ ]+\.o [^ ]+\.c( |;|$)' 2>/dev/null | sort)
echo "C units:      ${#CMDS[@]}"
make_dump() { # CMDFILE
	local cmdfile=$1 obj out cmd
	cmd=$(head -n 1 "$cmdfile")
	obj=${cmd%% :=*}
	obj=${obj#savedcmd_}
	out=$DUMPS/$obj
	[ -f "$out" ] && [ "$out" -nt "$cmdfile" ] && return 0
	mkdir -p "$(dirname "$out")"
	cmd=$(sed -e 's/^savedcmd_[^ ]* := //' -e 's/;.*$//' \
		  -e "s| -Wp,-MMD,[^ ]*| -Wp,-MMD,$out.d|" \
		  -e 's| -fplugin[^ ]*||g' \
		  -e "s| -o $obj | -o $out |" <<<"$cmd")
	(cd "$BUILD" && eval "$cmd -fdump-ipa-clones") >"$out.log" 2>&1 ||
		echo "bench: warning: $obj: failed, see $out.log" >&2
}
export -f make_dump
export BUILD DUMPS
t0=$(now)
printf '%s\n' "${CMDS[@]}" | xargs -P "$JOBS" -I{} bash -c 'make_dump "$1"' _ {}
t1=$(now)
ndumps=$(find "$DUMPS" -name '*.000i.ipa-clones' | wc -l)
echo "dumps:        $ndumps (made or refreshed in $(secs "$t0" "$t1") s, preparation only)"
echo

# ---- the queries --------------------------------------------------------------
# Wall time is what a user waits; CPU time (user+sys) is steadier on a
# machine shared with kernel builds.  Both are printed.
TIMEFORMAT='%R %U %S'
timed() { # OUT ERR CMD...: prints "wall cpu"
	local out=$1 err=$2 t
	shift 2
	t=$({ time "$@" >"$out" 2>"$err"; } 2>&1) || true
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$t"
}
IDX=$WORK/affected.idx
printf '%-40s %15s %15s %15s %13s  %s\n' "query" "index wall/cpu" "query wall/cpu" "dumps wall/cpu" \
	"dumps/query" "to patch or refuse: records | dumps"
for f in "${FUNCS[@]}"; do
	rm -f "$IDX"
	read -r cw cc < <(timed "$WORK/cold.json" "$WORK/cold.err" \
		"$KLP" affected "${OBJOPT[@]}" --cache "$IDX" --json -f "$f" "$BUILD")
	read -r ww wc < <(timed "$WORK/warm.json" "$WORK/warm.err" \
		"$KLP" affected "${OBJOPT[@]}" --cache "$IDX" --json -f "$f" "$BUILD")
	read -r iw ic < <(timed "$WORK/ipa.json" "$WORK/ipa.err" \
		"$KLP" affected --ipa-clones "$DUMPS" --json -f "$f")
	# What must be dealt with: patched, or refused as unpatchable.
	sel='.affected | (.functions + .unpatchable)[] | .symbol'
	jq -r "$sel" "$WORK/warm.json" 2>/dev/null | sort -u >"$WORK/rec.list"
	jq -r "$sel" "$WORK/ipa.json" 2>/dev/null | sort -u >"$WORK/ipa.list"
	printf '%-40s %15s %15s %15s %6s/%-6s  %s | %s\n' "$f" "$cw/$cc" "$ww/$wc" "$iw/$ic" \
		"$(ratio "$iw" "$ww")" "$(ratio "$ic" "$wc")" \
		"$(wc -l <"$WORK/rec.list")" "$(wc -l <"$WORK/ipa.list")"
	if ! cmp -s "$WORK/rec.list" "$WORK/ipa.list"; then
		echo "    records only: $(comm -23 "$WORK/rec.list" "$WORK/ipa.list" | head -n 12 | tr '\n' ' ')"
		echo "    dumps only:   $(comm -13 "$WORK/rec.list" "$WORK/ipa.list" | head -n 12 | tr '\n' ' ')"
	fi
	[ -s "$WORK/warm.err" ] && grep -m1 "error" "$WORK/warm.err" | sed 's/^/    records: /' || true
	[ -s "$WORK/ipa.err" ] && grep -m1 "error" "$WORK/ipa.err" | sed 's/^/    dumps:   /' || true
done
echo
echo "index: the first query, every object read and the index written; query: the"
echo "same query reusing the index; dumps: from the dumps (and the objects beside"
echo "them, for emitted bodies, .cold parts and calls); dumps/query: wall/cpu ratios."
echo "index file: $(du -h "$IDX" | cut -f1) ($IDX)"
