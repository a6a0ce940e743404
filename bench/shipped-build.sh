#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/shipped-build.sh - a one-function fix on a shipped distribution
# kernel: the time klp-prep build -k takes to a verified livepatch module,
# beside the kernel build a binary-diff tool needs before its first patch.
#
# Usage: bench/shipped-build.sh [-r RELEASE] [-d FIX.diff] [-k KLP_PREP]
#                               [-p PLUGIN] [-w WORK_DIR] [-j JOBS]
#                               [--no-full-build]
#
# RELEASE: default the 6.1 line of scripts/shipped-kernels; its headers,
# -dbg and linux-source packages must be installed (scripts/install-deps.sh).
# FIX: default kernel-support/selftests/shipped/cases/version.diff
# (version_proc_show(), one function of fs/proc/version.c).
#
#   (a) nothing cached: klp-prep build -k with a new, empty --cache
#       directory under WORK_DIR (default /var/tmp/klp-shipped-bench), so
#       the linux-source tarball is unpacked again (1.5 GB for 6.1), the
#       headers directory copied (the kbuild the units are compiled with)
#       and the unit compiled with the plugin and proven against the -dbg
#       vmlinux again.  What stays: the installed .deb packages (headers,
#       -dbg, source tarball), klp-prep and the plugin already built, and
#       the kernel's page cache (files read before may still be in memory;
#       it is not dropped, other jobs share the machine).
#   (b) the kernel's preparation cached: the same build again with that
#       cache (the source unpacked, the unit proven).
#   (c) unless --no-full-build: what kpatch-build or klp-build must do
#       first on this kernel, a whole build of its configuration: the
#       tarball unpacked, the headers' .config (Debian's /boot/config-R)
#       copied in, `make olddefconfig && make -jJOBS vmlinux`.  Debian's
#       signing keys (debian/certs) are not in linux-source: the two key
#       options are emptied, nothing else changed.  About an hour on 2
#       cores.
#
# WORK_DIR keeps the cache (1.5 GB) and the modules until the next run.
#
# Prints wall and CPU seconds of each, the load (uptime) before and
# after, and nproc.  A benchmark, not a test: it prints figures and fails
# only when a step fails.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RELEASE=""
FIX=$REPO/kernel-support/selftests/shipped/cases/version.diff
KLP=""
PLUGIN=""
WORK=/var/tmp/klp-shipped-bench
JOBS=$(nproc)
FULL=1
usage() {
	sed -n '/^# Usage:/,/^# RELEASE/p' "$0" | sed 's/^# \{0,1\}//' | head -n -1 >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	-r) RELEASE=${2:?}; shift 2 ;;
	-d) FIX=${2:?}; shift 2 ;;
	-k) KLP=${2:?}; shift 2 ;;
	-p) PLUGIN=${2:?}; shift 2 ;;
	-w) WORK=${2:?}; shift 2 ;;
	-j) JOBS=${2:?}; shift 2 ;;
	--no-full-build) FULL=""; shift ;;
	*) usage ;;
	esac
done

die() { echo "bench: error: $*" >&2; exit 2; }
load() { uptime | sed 's/.*load average: /load /'; }

[ -n "$RELEASE" ] || RELEASE=$(awk '$2 == "6.1" { print $1 }' "$REPO/scripts/shipped-kernels")
KDIR=/lib/modules/$RELEASE/build
[ -f "$KDIR/.config" ] || die "$KDIR/.config missing: install linux-headers-$RELEASE (scripts/install-deps.sh)"
[ -f "$FIX" ] || die "no fix $FIX"
for b in "$REPO/build" "$REPO"/build*; do
	[ -n "$KLP" ] || { [ -x "$b/klp-prep/klp-prep" ] && KLP=$b/klp-prep/klp-prep; }
	[ -n "$PLUGIN" ] || { [ -f "$b/gcc-plugin/klp_partition.so" ] && PLUGIN=$b/gcc-plugin/klp_partition.so; }
done
[ -x "$KLP" ] || die "klp-prep not built (cmake --build build), or give -k"
[ -f "$PLUGIN" ] || die "the plugin not built, or give -p"

# the series' source tarball, as klp-prep build finds it
series=$(awk -v r="$RELEASE" '$1 == r { print $2 }' "$REPO/scripts/shipped-kernels")
TARBALL=/usr/src/linux-source-${series:-${RELEASE%%.0-*}}.tar.xz

echo "bench: $RELEASE, fix $(basename "$FIX"), nproc $(nproc), klp-prep $KLP"
echo "bench: before: $(load)"
CACHE=$WORK/cache
rm -rf "$CACHE" "$WORK/a" "$WORK/b"
mkdir -p "$CACHE"

# timed LABEL CMD...: wall and CPU (user+sys of the children) seconds
declare -A WALL CPU
timed() {
	local label=$1 t0 c0 c1
	shift
	t0=$(date +%s.%N)
	c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	"$@"
	c1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	WALL[$label]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	CPU[$label]=$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz }')
	echo "bench: ($label) ${WALL[$label]} s wall, ${CPU[$label]} s CPU; $(load)"
}

# build_lp DIR: the fix to a verified module
build_lp() {
	mkdir -p "$1"
	"$KLP" build -k "$KDIR" --cache "$CACHE" --plugin "$PLUGIN" -n bench \
		-w "$1/work" -o "$1/livepatch-bench.ko" "$FIX" >"$1/build.log" 2>&1 ||
		{ tail -20 "$1/build.log" >&2; die "klp-prep build failed (log: $1/build.log)"; }
	"$KLP" verify "$1/livepatch-bench.ko" >"$1/verify.log" 2>&1 ||
		{ cat "$1/verify.log" >&2; die "klp-prep verify failed"; }
}

echo "bench: (a) nothing cached: klp-prep build -k + verify, new cache $CACHE"
timed a build_lp "$WORK/a"
echo "bench: (b) the kernel's preparation cached: the same again"
timed b build_lp "$WORK/b"

full_build() {
	local src=$WORK/full
	rm -rf "$src"
	mkdir -p "$src"
	tar -x -f "$TARBALL" -C "$src"
	src=$(echo "$src"/linux-source-*)
	cp "$KDIR/.config" "$src/.config"
	"$src/scripts/config" --file "$src/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
	make -s -C "$src" olddefconfig >"$WORK/full.log" 2>&1
	nice make -C "$src" -j"$JOBS" vmlinux >>"$WORK/full.log" 2>&1 ||
		{ tail -20 "$WORK/full.log" >&2; die "the full build failed (log: $WORK/full.log)"; }
}
if [ -n "$FULL" ]; then
	echo "bench: (c) the full build a binary-diff tool needs first: unpack, olddefconfig, make -j$JOBS vmlinux"
	timed c full_build
fi

echo
echo "bench: $RELEASE, nproc $(nproc), after: $(load)"
printf '  (a) nothing cached, to a verified module:     %8s s wall %8s s CPU\n' "${WALL[a]}" "${CPU[a]}"
printf '  (b) preparation cached, to a verified module: %8s s wall %8s s CPU\n' "${WALL[b]}" "${CPU[b]}"
if [ -n "$FULL" ]; then
	printf '  (c) full build of the configuration:          %8s s wall %8s s CPU\n' "${WALL[c]}" "${CPU[c]}"
else
	echo "  (c) not run (--no-full-build); measured here once: 3,477 s wall for Debian's 6.1"
	echo "      cloud config without modules and debug info, nice 19, load about 10"
	echo "      (kernel-support/harness/distro-kernel.sh)"
fi
