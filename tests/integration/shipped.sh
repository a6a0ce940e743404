#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shipped.sh KLP_PREP PLUGIN RELEASE WORK
#
# On an installed Debian kernel release (headers, -dbg, source):
# kernel-records proves and caches three units (0 differ), check -k finds
# 0 mismatches, and each bad input is refused with its exit status and
# without writing anything: a unit compiled with a code-changing flag
# (exit 3, the function named), a release not installed and a compiler
# that is not the kernel's (exit 2, what to install), a source of another
# version (exit 2), a unit never proven (exit 2).
klp_prep=$1
plugin=$2
release=$3
# The cache outlives the run, like the harness kernels: the unpacked
# source (1.5 GB) is made once per kernel version, and kernel-records
# empties a release's cache itself when an input (plugin, compiler,
# headers, vmlinux, source) changes.
cache=${KLP_SHIPPED_CACHE:-${KLP_PREP_CACHE:-/var/cache/klp-prep}/shipped-records}
work=$4
build=/lib/modules/$release/build
units="fs/proc/version.o fs/proc/meminfo.o kernel/printk/printk.o"
export KLP_PREP_PLUGIN="$plugin"

. "$(dirname "$0")/cli_lib.sh"

if [ ! -e "$build/.config" ] || [ ! -e "/usr/lib/debug/boot/vmlinux-$release" ]; then
	echo "SKIP: $release is not installed (scripts/install-deps.sh installs it)"
	exit 77
fi
rm -rf "$work"
mkdir -p "$work" "$cache"
now() { date +%s.%N; }
t0=$(now)

# -- the units, proven and cached -------------------------------------------
run 0 kernel-records -k "$build" --cache "$cache" $units
for u in $units; do
	printf '%s\n' "$out" | grep -qE "^$u: (proven: [0-9]+ functions match|cached: )" ||
		fail "$u: neither proven nor cached"
	[ -f "$cache/$release/units/$u" ] || fail "$u: not in the cache"
done
hasnt out DIFF
t1=$(now)

run 0 check -k "$build" --cache "$cache" $units
for u in $units; do
	has out "$u: 0 mismatches against /usr/lib/debug/boot/vmlinux-$release"
done
t2=$(now)

# -- compiled otherwise: refused, naming the function, nothing written ---------
before=$(cksum "$cache/$release/units/kernel/printk/printk.o")
run 3 kernel-records -k "$build" --cache "$cache" --extra-cflags=-fno-ipa-cp \
	kernel/printk/printk.o
has err "kernel/printk/printk.o: error: cannot be proven: the rebuilt code differs from the shipped code at "
printf '%s\n' "$err" | grep -qE "differs from the shipped code at [A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+ " ||
	fail "the refusal names no FUNC+0xOFF"
has out "kernel/printk/printk.o: DIFF "
[ "$(cksum "$cache/$release/units/kernel/printk/printk.o")" = "$before" ] ||
	fail "the refused compile changed the cached printk.o"
ls "$cache/$release/units/kernel/printk/" | grep -q tmp && fail "a temporary file was left"

# -- bad input ------------------------------------------------------------------
run 2 kernel-records -k /lib/modules/6.1.0-0-none-amd64/build --cache "$work/c" fs/proc/version.o
has err "apt-get install linux-headers-6.1.0-0-none-amd64 linux-image-6.1.0-0-none-amd64-dbg"

# headers that say another compiler built the kernel
cp -a "$(readlink -f "$build")" "$work/headers"
sed -i 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.1.0-1) 12.1.0"/' \
	"$work/headers/.config"
run 2 kernel-records -k "$work/headers" --vmlinux "/usr/lib/debug/boot/vmlinux-$release" \
	--cache "$work/c" fs/proc/version.o
has err "the kernel was built with \"gcc-12 (Debian 12.1.0-1) 12.1.0\""

# a source tree of another version
mkdir -p "$work/src"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\n' > "$work/src/Makefile"
run 2 kernel-records -k "$build" --source "$work/src" --cache "$work/c" fs/proc/version.o
has err "the source is version 6.1.1"
[ -e "$work/c/$release/units" ] && fail "units cached from a wrong source"

run 2 check -k "$build" --cache "$cache" fs/proc/base.o
has err "not proven for $release yet: klp-prep kernel-records -k $build fs/proc/base.o"

t3=$(now)
echo "shipped $release: kernel-records $(echo "$t1 - $t0" | bc) s, check -k $(echo "$t2 - $t1" | bc) s, refusals $(echo "$t3 - $t2" | bc) s"
[ "$failed" -eq 0 ] || { echo "$failed failed"; exit 1; }
echo "shipped $release: ok"
