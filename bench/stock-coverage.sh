#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/stock-coverage.sh - the figure of docs/stock-kernels.md: for
# every split-off part of a shipped kernel, whether a stock kernel's
# stack check can cover it by patching its callers too, how many callers
# that takes, and why not for the rest (klp-prep coverage --summary).
#
# Usage: bench/stock-coverage.sh [-V VMLINUX] [-k KLP_PREP] [-r RUNS]
#
# VMLINUX: a vmlinux with --emit-relocs relocations; default Debian 12's
# 6.1 cloud kernel from linux-image-6.1.0-57-cloud-amd64-dbg.  Prints the
# table at the default limits, then the counts with the limits lifted
# (which parts only a limit refuses), and the wall time of RUNS runs
# (default 3) with the machine's load.  A benchmark, not a test: it
# prints figures and never fails on them.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMLINUX=/usr/lib/debug/boot/vmlinux-6.1.0-57-cloud-amd64
KLP=""
RUNS=3
while getopts "V:k:r:h" opt; do
	case $opt in
	V) VMLINUX=$OPTARG ;;
	k) KLP=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	*) sed -n '/^# Usage:/,/^# prints/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
die() { echo "stock-coverage.sh: error: $*" >&2; exit 2; }

if [ -z "$KLP" ]; then
	for k in "$REPO/build/klp-prep/klp-prep" "$REPO"/../bw-*/klp-prep/klp-prep; do
		[ -x "$k" ] && KLP=$k && break
	done
fi
[ -x "$KLP" ] || die "klp-prep not built (cmake --build build), or give -k"
[ -r "$VMLINUX" ] || die "$VMLINUX: not readable (apt-get install linux-image-6.1.0-57-cloud-amd64-dbg)"

echo "== klp-prep coverage --summary, default limits"
"$KLP" coverage --vmlinux "$VMLINUX" --summary

echo
echo "== limits lifted: --max-depth 16 --max-callers 100000"
"$KLP" coverage --vmlinux "$VMLINUX" --summary --max-depth 16 --max-callers 100000 |
	sed -n '/^| kind *|  parts/,/^| all /p'

echo
echo "== wall time of $RUNS runs (graph and every part), load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
for i in $(seq "$RUNS"); do
	start=$(date +%s.%N)
	"$KLP" coverage --vmlinux "$VMLINUX" --summary > /dev/null
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" -v i="$i" 'BEGIN { printf "run %d: %.2f s\n", i, e - s }'
done
