#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# interrupt.sh - klp-prep generate and klp-prep build killed (SIGKILL, the
# whole process group, as a closed terminal or the OOM killer would) at
# random points, again and again: the output is afterwards the old one or
# none, never a torn one.
#
# generate: on must-fail/tree's good fix, RUNS times with --force over a
# complete output (which must then still be complete: the old or the new,
# byte-identical here), and RUNS times into no output (none or complete).
# build: on examples/klp-demo against the newest complete harness kernel
# build (skipped without one), BUILD_RUNS times with --force: the .ko is
# the old one or a new one that klp-prep verify accepts.
#
# usage: interrupt.sh KLP_PREP PLUGIN WORK_DIR [RUNS [BUILD_RUNS]]
set -uo pipefail

KLP=$(readlink -f "${1:?klp-prep binary}")
PLUGIN=$(readlink -f "${2:?klp_partition.so}")
WORK=${3:?work dir}
RUNS=${4:-20}
BUILD_RUNS=${5:-10}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FAILS=0

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

rm -rf "$WORK" && mkdir -p "$WORK/out" || exit 99
# shellcheck source=must-fail/mktree.sh
. "$HERE/must-fail/mktree.sh"
mf_build_tree
mf_good_diff "$WORK/good.diff"

# killed_run MAX_MS FUNCTION ARGS...: run the (exported) shell function in
# a process group of its own, SIGKILL the group after a random delay below
# MAX_MS; prints the delay.  Returns 0 if it was killed, 1 if it finished
# first.
killed_run() {
	local max=$1 ms pid
	shift
	ms=$((RANDOM * 32768 + RANDOM))
	ms=$((ms % max))
	setsid bash -c '"$@"' _ "$@" >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
	echo "$ms"
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL -- "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 0
	fi
	wait "$pid" 2>/dev/null
	return 1
}

# -- generate ---------------------------------------------------------------
gen() { "$KLP" generate -k "$WORK/build" -o "$1" "${@:2}" "$WORK/good.diff"; }
export -f gen
export KLP WORK
t0=$(date +%s%N)
gen "$WORK/out/ref" 2>"$WORK/ref.stderr" || { fail generate-ref "$(cat "$WORK/ref.stderr")"; exit 1; }
t1=$(date +%s%N)
gen_ms=$(( (t1 - t0) / 1000000 + 1 ))
echo "generate takes ${gen_ms} ms; killing it within $((gen_ms * 3 / 2)) ms"

same() { diff -r "$WORK/out/ref" "$1" >/dev/null 2>&1; }

killed=0 torn=0
cp -r "$WORK/out/ref" "$WORK/out/over"
for i in $(seq "$RUNS"); do
	if ms=$(killed_run $((gen_ms * 3 / 2)) gen "$WORK/out/over" --force); then
		killed=$((killed + 1))
	fi
	if [ ! -d "$WORK/out/over" ]; then
		fail "generate-over-$i" "killed after $ms ms: the old output is gone"
		torn=$((torn + 1))
	elif ! same "$WORK/out/over"; then
		fail "generate-over-$i" "killed after $ms ms: a torn output: $(diff -r "$WORK/out/ref" "$WORK/out/over" 2>&1 | head -3)"
		torn=$((torn + 1))
		rm -rf "$WORK/out/over" && cp -r "$WORK/out/ref" "$WORK/out/over"
	fi
done
[ $torn -eq 0 ] && ok "generate --force over an output: $RUNS runs, $killed killed, always complete"

killed=0 torn=0 none=0
for i in $(seq "$RUNS"); do
	rm -rf "$WORK/out/new"
	if ms=$(killed_run $((gen_ms * 3 / 2)) gen "$WORK/out/new"); then
		killed=$((killed + 1))
	fi
	if [ ! -e "$WORK/out/new" ]; then
		none=$((none + 1))
	elif ! same "$WORK/out/new"; then
		fail "generate-new-$i" "killed after $ms ms: a torn output"
		torn=$((torn + 1))
	fi
done
[ $torn -eq 0 ] && ok "generate into nothing: $RUNS runs, $killed killed, $none left none, the rest complete"
# What killed runs leave are temporaries beside the output, never in it.
left=$(ls -d "$WORK/out"/*.tmp-* "$WORK/out"/*.old-* 2>/dev/null | wc -l)
echo "generate: $left temporary directories left by killed runs (named OUT.tmp-*)"

# -- build ------------------------------------------------------------------
KBUILD=""
for k in $(ls -td "${KLP_PREP_CACHE:-/var/cache/klp-prep}"/*/*/complete 2>/dev/null); do
	d=$(dirname "$k")/build
	# A kernel with the kernel-support patches (stack_only), and its plugin.
	if [ -f "$d/vmlinux" ] && [ -f "$(dirname "$k")/plugin/klp_partition.so" ] &&
		grep -q KLP_HAVE_STACK_ONLY "$(dirname "$k")/src/include/linux/livepatch.h" 2>/dev/null; then
		KBUILD=$d
		break
	fi
done
if [ -z "$KBUILD" ]; then
	echo "interrupt: no complete harness kernel build: klp-prep build not tested"
else
	KPLUGIN=$(dirname "$KBUILD")/plugin/klp_partition.so
	echo "interrupt: kernel build $KBUILD"
	cp -r "$REPO/examples/klp-demo" "$WORK/target"
	make -C "$KBUILD" M="$WORK/target" KCFLAGS="-fplugin=$KPLUGIN" modules \
		>"$WORK/target.log" 2>&1 || { fail target "$(tail -5 "$WORK/target.log")"; exit 1; }
	bld() {
		rm -rf "$WORK/bw"
		"$KLP" build -k "$KBUILD" -m "$WORK/target" --plugin "$KPLUGIN" -n demo \
			-w "$WORK/bw" -o "$WORK/out/demo.ko" --force "$REPO/examples/klp-demo/fix.diff"
	}
	export -f bld
	export KBUILD KPLUGIN REPO
	t0=$(date +%s%N)
	bld >"$WORK/bref.stdout" 2>"$WORK/bref.stderr" ||
		{ fail build-ref "$(tail -5 "$WORK/bref.stderr")"; exit 1; }
	t1=$(date +%s%N)
	b_ms=$(( (t1 - t0) / 1000000 + 1 ))
	echo "build takes ${b_ms} ms; killing it within $((b_ms * 5 / 4)) ms"
	cp "$WORK/out/demo.ko" "$WORK/demo.ref.ko"
	killed=0 torn=0
	for i in $(seq "$BUILD_RUNS"); do
		if ms=$(killed_run $((b_ms * 5 / 4)) bld); then
			killed=$((killed + 1))
		fi
		if [ ! -f "$WORK/out/demo.ko" ]; then
			fail "build-$i" "killed after $ms ms: the old module is gone"
			torn=$((torn + 1))
		elif ! cmp -s "$WORK/out/demo.ko" "$WORK/demo.ref.ko" &&
			! "$KLP" verify "$WORK/out/demo.ko" >/dev/null 2>&1; then
			fail "build-$i" "killed after $ms ms: a torn module"
			torn=$((torn + 1))
			cp "$WORK/demo.ref.ko" "$WORK/out/demo.ko"
		fi
	done
	[ $torn -eq 0 ] && ok "build --force over a module: $BUILD_RUNS runs, $killed killed, always a whole module"
fi

[ $FAILS -gt 100 ] && FAILS=100
exit $FAILS
