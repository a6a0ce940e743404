#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-section.sh OBJDIR [MODULE.ko...] - check that a kernel built with
# a partition plugin kept the .klp_prep.partition section: vmlinux and
# every module of the build (modules.order) plus any MODULE.ko given carry
# it, non-allocated, and the build log has no orphan-section warning.
# Exit 0 when all hold; otherwise lists what lacks it and exits 1.
set -euo pipefail

obj=${1:?usage: check-section.sh OBJDIR [MODULE.ko...]}
shift
SECTION=.klp_prep.partition
bad=0

# prints the flags column of the section, or nothing if it is absent
# (awk reads to the end: exiting early would kill readelf with SIGPIPE
# once the section table outgrows the pipe, and pipefail end the script)
section_flags() {
	readelf -S -W "$1" 2>/dev/null | awk -v s="$SECTION" '
		{ sub(/^ *\[ *[0-9]+\] */, "") }
		$1 == s && !found { print "present" ((NF == 10) ? $7 : ""); found = 1 }'
}

check() {
	local f="$1" flags
	flags=$(section_flags "$f")
	case "$flags" in
	"")
		echo "harness: error: $f has no $SECTION section" >&2
		bad=1 ;;
	present*A*)
		echo "harness: error: $f has $SECTION as an allocated section (flags ${flags#present}); it must not be loaded" >&2
		bad=1 ;;
	esac
}

[ -f "$obj/vmlinux" ] || { echo "harness: error: $obj/vmlinux missing: not a complete kernel build" >&2; exit 1; }
check "$obj/vmlinux"
n=0
if [ -f "$obj/modules.order" ]; then
	while read -r m; do
		m=${m%.ko}; m=${m%.o}.ko
		m=${m#kernel/}
		[ -f "$obj/$m" ] || continue
		check "$obj/$m"
		n=$((n + 1))
	done <"$obj/modules.order"
fi
for m in "$@"; do
	check "$m"
	n=$((n + 1))
done
log=$(dirname "$obj")/build.log
if [ -f "$log" ] && grep -n "orphan section.*$SECTION" "$log" >&2; then
	echo "harness: error: the build warned about $SECTION as an orphan (above): the linker scripts lack the entry of patch 0001" >&2
	bad=1
fi
size=$(readelf -S -W "$obj/vmlinux" | awk -v s="$SECTION" '{ sub(/^ *\[ *[0-9]+\] */, "") } $1 == s { print $5 }')
size=$((16#${size:-0}))
if [ "$bad" = 0 ]; then
	echo "harness: $SECTION present in vmlinux ($size bytes) and in $n modules"
fi
exit "$bad"
