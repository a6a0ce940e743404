#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# valgrind_kernel.sh - klp-prep dump and check on a real vmlinux and a
# real .ko under valgrind: no invalid access, no uninitialised use, no
# leak (--error-exitcode=1 --leak-check=full).
#
# The kernel is the harness build of this tree's plugin (the one
# kernel-harness-6.12 builds; build-kernel.sh --print-dir finds it), else
# the newest complete harness build whose vmlinux has records.  Without
# any, the objects are made here with the plugin from the plugin fixtures
# (an `ld -r` of all of them standing in for vmlinux, one with a
# .modinfo standing in for a module), and the test says so.
#
# usage: valgrind_kernel.sh KLP_PREP PLUGIN GCC WORK_DIR
set -uo pipefail

KLP=${1:?klp-prep binary}
PLUGIN=${2:?klp_partition.so}
GCC=${3:?gcc-12}
WORK=${4:?work dir}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SEC=.klp_prep.partition

command -v valgrind >/dev/null 2>&1 || { echo "skip: no valgrind"; exit 77; }
rm -rf "$WORK" && mkdir -p "$WORK" || exit 99

has_records() { readelf -SW "$1" 2>/dev/null | grep -q "$SEC"; }

kbuild=$("$REPO/kernel-support/harness/build-kernel.sh" --version 6.12 --plugin "$PLUGIN" \
	--print-dir 2>/dev/null | tail -1) || kbuild=""
if [ -z "$kbuild" ] || ! has_records "$kbuild/vmlinux"; then
	kbuild=""
	for k in $(ls -td "${KLP_PREP_CACHE:-/var/cache/klp-prep}"/*/*/complete 2>/dev/null); do
		d=$(dirname "$k")/build
		if has_records "$d/vmlinux"; then
			kbuild=$d
			break
		fi
	done
fi

# The first module with records under a build directory.
module_with_records() {
	local m
	for m in $(find "$1" -name '*.ko' 2>/dev/null | sort); do
		if has_records "$m"; then
			echo "$m"
			return 0
		fi
	done
	return 1
}

if [ -n "$kbuild" ]; then
	vmlinux=$kbuild/vmlinux
	# The 6.12 harness kernel builds no modules in tree (its livepatch
	# test modules are out of tree); 6.1's does: take the module from
	# the 6.1 build of the same plugin, else from any complete build.
	ko=$(module_with_records "$kbuild") || ko=""
	if [ -z "$ko" ]; then
		kbuild61=$("$REPO/kernel-support/harness/build-kernel.sh" --version 6.1 \
			--plugin "$PLUGIN" --print-dir 2>/dev/null | tail -1) || kbuild61=""
		[ -n "$kbuild61" ] && ko=$(module_with_records "$kbuild61") || ko=""
	fi
	if [ -z "$ko" ]; then
		for k in $(ls -td "${KLP_PREP_CACHE:-/var/cache/klp-prep}"/*/*/complete 2>/dev/null); do
			ko=$(module_with_records "$(dirname "$k")/build") && break
		done
	fi
	[ -n "$ko" ] || { echo "FAIL: no module of any complete harness build has records"; exit 1; }
	echo "valgrind_kernel: the harness kernel build $kbuild"
else
	echo "valgrind_kernel: no harness kernel build with records; substitutes made with the plugin from tests/integration/fixtures"
	kflags="-fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -mfentry -pg"
	objs=""
	for c in "$HERE"/fixtures/*.c; do
		n=$(basename "$c" .c)
		flags=$(sed -n 's/.*klp-cflags: *//p' "$c" | head -1)
		case "$flags" in *fPIC*) continue ;; esac
		# shellcheck disable=SC2086
		"$GCC" -O2 -g ${flags:-$kflags} "-fplugin=$PLUGIN" -c "$c" -o "$WORK/$n.o" 2>/dev/null &&
			objs="$objs $WORK/$n.o"
	done
	# shellcheck disable=SC2086
	ld -r -o "$WORK/vmlinux" $objs || { echo "FAIL: ld -r"; exit 1; }
	printf 'license=GPL\0name=cold_split\0' >"$WORK/modinfo"
	objcopy --add-section .modinfo="$WORK/modinfo" "$WORK/cold_split.o" "$WORK/cold_split.ko" ||
		{ echo "FAIL: objcopy"; exit 1; }
	vmlinux=$WORK/vmlinux
	ko=$WORK/cold_split.ko
fi
echo "valgrind_kernel: $vmlinux ($(stat -c %s "$vmlinux") bytes), $ko"

failed=0
vg() {	# NAME WANT_STATUS ARGS...
	local name=$1 want=$2 status t0 t1
	shift 2
	t0=$(date +%s)
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--log-file="$WORK/$name.vg" "$KLP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	status=$?
	t1=$(date +%s)
	if [ $status = 99 ] || [ -s "$WORK/$name.vg" ]; then
		echo "FAIL $name: valgrind reports errors:"
		head -40 "$WORK/$name.vg" | sed 's/^/  /'
		failed=$((failed + 1))
	elif [ $status != "$want" ]; then
		echo "FAIL $name: exit $status, want $want: $(head -5 "$WORK/$name.err")"
		failed=$((failed + 1))
	else
		echo "ok $name ($((t1 - t0)) s, $(wc -l <"$WORK/$name.out") lines out)"
	fi
}

vg dump-vmlinux 0 dump "$vmlinux"
vg dump-ko-json 0 dump --json "$ko"
vg check 0 check "$vmlinux" "$ko"

[ $failed = 0 ] && echo "valgrind_kernel: all clean"
exit $((failed ? 1 : 0))
