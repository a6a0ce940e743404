#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fulldisk.sh - klp-prep generate and build writing to a full disk (a
# 64 KiB tmpfs, filled up to a little less than the output needs, in
# steps of one page): each run either succeeds with a whole output or
# fails with an error that says "No space left on device" and leaves
# nothing behind on that disk.
#
# Needs root (mount -t tmpfs); skipped (77) otherwise.  The build half
# uses a complete harness kernel build with stack_only support, as
# interrupt.sh, and is left out without one.
#
# usage: fulldisk.sh KLP_PREP PLUGIN WORK_DIR
set -uo pipefail

KLP=$(readlink -f "${1:?klp-prep binary}")
PLUGIN=$(readlink -f "${2:?klp_partition.so}")
WORK=${3:?work dir}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FAILS=0

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

[ "$(id -u)" = 0 ] || { echo "skip: mounting a tmpfs needs root"; exit 77; }
if mountpoint -q "$WORK/disk" 2>/dev/null; then
	umount "$WORK/disk"
fi
rm -rf "$WORK" && mkdir -p "$WORK/disk" || exit 99
mount -t tmpfs -o size=64k klp-fulldisk "$WORK/disk" ||
	{ echo "skip: cannot mount a tmpfs here"; exit 77; }
trap 'umount "$WORK/disk" 2>/dev/null' EXIT

# shellcheck source=must-fail/mktree.sh
. "$HERE/must-fail/mktree.sh"
mf_build_tree
mf_good_diff "$WORK/good.diff"
"$KLP" generate -k "$WORK/build" -o "$WORK/ref" "$WORK/good.diff" 2>"$WORK/ref.stderr" ||
	{ fail generate-ref "$(cat "$WORK/ref.stderr")"; exit 1; }

# fill FREE_KB: leave that much of the tmpfs free
fill() {
	rm -f "$WORK/disk/filler"
	local avail
	avail=$(df -k --output=avail "$WORK/disk" | tail -1)
	[ "$avail" -gt "$1" ] &&
		head -c $(( (avail - $1) * 1024 )) /dev/zero >"$WORK/disk/filler" 2>/dev/null
	return 0
}

# the disk holds nothing but the filler
clean() { [ "$(ls -A "$WORK/disk")" = filler ] || [ -z "$(ls -A "$WORK/disk")" ]; }

failed=0 passed=0
for free in 0 4 8 12 16 20 24 32; do
	fill "$free"
	"$KLP" generate -k "$WORK/build" -o "$WORK/disk/out" "$WORK/good.diff" \
		>"$WORK/gen-$free.stdout" 2>"$WORK/gen-$free.stderr"
	status=$?
	if [ $status = 0 ]; then
		if diff -r "$WORK/ref" "$WORK/disk/out" >/dev/null; then
			passed=$((passed + 1))
		else
			fail "generate-$free" "succeeded with a torn output"
		fi
		rm -rf "$WORK/disk/out"
	else
		failed=$((failed + 1))
		if ! grep -q "No space left on device" "$WORK/gen-$free.stderr"; then
			fail "generate-$free" "exit $status without saying the disk is full: $(cat "$WORK/gen-$free.stderr")"
		elif ! clean; then
			fail "generate-$free" "exit $status left behind: $(ls -A "$WORK/disk" | tr '\n' ' ')"
		fi
	fi
done
echo "generate on a full disk: $failed runs refused cleanly, $passed had room and wrote a whole output"
[ $failed -gt 0 ] || fail generate-full "no run ran out of space: the test proves nothing"
[ $FAILS = 0 ] && ok "generate on a full disk"
sed 's/^/    /' "$WORK/gen-0.stderr"

# -- klp-prep build: the module onto the full disk ----------------------------
KBUILD=""
for k in $(ls -td "${KLP_PREP_CACHE:-/var/cache/klp-prep}"/*/*/complete 2>/dev/null); do
	d=$(dirname "$k")
	if [ -f "$d/build/vmlinux" ] && [ -f "$d/plugin/klp_partition.so" ] &&
		grep -q KLP_HAVE_STACK_ONLY "$d/src/include/linux/livepatch.h" 2>/dev/null; then
		KBUILD=$d/build
		break
	fi
done
if [ -z "$KBUILD" ]; then
	echo "fulldisk: no complete harness kernel build: klp-prep build not tested"
else
	KPLUGIN=$(dirname "$KBUILD")/plugin/klp_partition.so
	cp -r "$REPO/examples/klp-demo" "$WORK/target"
	make -C "$KBUILD" M="$WORK/target" KCFLAGS="-fplugin=$KPLUGIN" modules \
		>"$WORK/target.log" 2>&1 || { fail target "$(tail -5 "$WORK/target.log")"; exit 1; }
	fill 4
	"$KLP" build -k "$KBUILD" -m "$WORK/target" --plugin "$KPLUGIN" -n demo \
		-w "$WORK/bw" -o "$WORK/disk/demo.ko" "$REPO/examples/klp-demo/fix.diff" \
		>"$WORK/build.stdout" 2>"$WORK/build.stderr"
	status=$?
	if [ $status = 0 ]; then
		fail build "a module fitted in 4 KiB?"
	elif ! grep -q "No space left on device" "$WORK/build.stderr"; then
		fail build "exit $status without saying the disk is full: $(tail -5 "$WORK/build.stderr")"
	elif ! clean; then
		fail build "exit $status left behind: $(ls -A "$WORK/disk" | tr '\n' ' ')"
	else
		ok "build onto a full disk: exit $status, nothing left"
		sed 's/^/    /' "$WORK/build.stderr" | tail -3
	fi
fi

[ $FAILS -gt 100 ] && FAILS=100
exit $FAILS
