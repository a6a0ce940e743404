#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh - klp-prep generate end to end: from diffs to livepatches that
# load in the harness kernel and change what it does
#
#   (a) cases/cmdline.diff, against the kernel's fs/proc/cmdline.c;
#   (b) cases/target-inline.diff: a static inline of the target module
#       that GCC inlined into two callers (both must be patched);
#   (c) cases/target-static.diff: new code reading a static variable of
#       the running target module.
#
# On the host: the harness kernel (kernel-support/harness/build-kernel.sh,
# cached), the target module built with the plugin, a compile database
# (the kernel's gen_compile_commands.py), then per case klp-prep generate,
# make -Werror, klp-prep generate --convert and checkpatch.pl.  In the
# guest (kernel-support/harness/run-tests.sh): suite/test-gen-*.sh.
#
# Usage: run.sh KLP_PREP PLUGIN WORK_DIR [--kernel-build DIR] [--version V]
#   --kernel-build DIR  a complete harness build directory to use as it is
# Exit status: 0 all passed, 77 no harness kernel could be had, else
# failures.
set -uo pipefail

KLP=${1:?klp-prep binary}
PLUGIN=${2:?klp_partition.so}
WORK=${3:?work dir}
shift 3
KBUILD=""
VERSION=6.12
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel-build) KBUILD=${2:?}; shift 2 ;;
	--version) VERSION=${2:?}; shift 2 ;;
	*) echo "e2e: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../../.." && pwd)
HARNESS=$REPO/kernel-support/harness
FAILS=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

rm -rf "$WORK" && mkdir -p "$WORK" || exit 99
KLP=$(readlink -f "$KLP")
PLUGIN=$(readlink -f "$PLUGIN")

if [ -z "$KBUILD" ]; then
	KBUILD=$("$HARNESS/build-kernel.sh" --version "$VERSION" --plugin "$PLUGIN" \
		2>"$WORK/build-kernel.log" | tail -1) || KBUILD=""
	if [ -z "$KBUILD" ] || [ ! -f "$KBUILD/vmlinux" ]; then
		echo "e2e: no harness kernel (log: $WORK/build-kernel.log)" >&2
		exit 77
	fi
fi
SRC=$(readlink -f "$KBUILD/source")
[ -f "$SRC/scripts/clang-tools/gen_compile_commands.py" ] ||
	{ echo "e2e: $KBUILD/source is not a kernel tree" >&2; exit 77; }
echo "e2e: kernel build $KBUILD"

# Modules are built with the plugin the kernel was built with when it had
# one (the harness checks that every module carries records), else with
# PLUGIN: the target's records tell what was inlined.
KPLUGIN=$PLUGIN
LPFLAGS=-Werror
if [ -f "$KBUILD/../plugin/klp_partition.so" ]; then
	KPLUGIN=$(readlink -f "$KBUILD/../plugin/klp_partition.so")
	LPFLAGS="-Werror -fplugin=$KPLUGIN"
fi

cp -r "$HERE/target" "$WORK/target"
if make -C "$KBUILD" M="$WORK/target" KCFLAGS="-fplugin=$KPLUGIN" modules \
	>"$WORK/target.log" 2>&1; then
	ok target-module
else
	fail target-module "$(tail -5 "$WORK/target.log")"
fi

# The compile database of the kernel and the target, outside the cache.
mkdir -p "$WORK/compdb"
if python3 "$SRC/scripts/clang-tools/gen_compile_commands.py" -d "$KBUILD" \
	-o "$WORK/compdb/compile_commands.json" "$KBUILD" "$WORK/target" \
	2>"$WORK/compdb.log"; then
	ok compile-commands
else
	fail compile-commands "$(cat "$WORK/compdb.log")"
fi

mkdir -p "$WORK/suite"
cp "$HERE/suite/"* "$WORK/suite/"
cp "$WORK/target/klp_gen_target.ko" "$WORK/suite/" 2>/dev/null

# case NAME: generate, build with -Werror, convert, checkpatch
build_case() {
	local name=$1 lp=${1//-/_} out=$WORK/lp-$1
	if "$KLP" generate -k "$KBUILD" --compdb "$WORK/compdb" -o "$out" \
		"$HERE/cases/$name.diff" >"$WORK/$name.generate.log" 2>&1; then
		ok "$name-generate"
	else
		fail "$name-generate" "$(cat "$WORK/$name.generate.log")"
		return
	fi
	# Only what klp-prep wrote (before kbuild adds its .mod.c).
	(cd "$out" && "$SRC/scripts/checkpatch.pl" --no-tree --strict --terse -f ./*.c ./*.h \
		>"$WORK/$name.checkpatch.log" 2>&1)
	echo "checkpatch --strict $name: $(grep -h '^total:' "$WORK/$name.checkpatch.log" |
		awk '{e += $2; w += $4; c += $6}
		     END {print e + 0 " errors, " w + 0 " warnings, " c + 0 " checks"}') in $(cd "$out" && ls ./*.c ./*.h | wc -l) files"
	if make -C "$KBUILD" M="$out" KCFLAGS="$LPFLAGS" modules >"$WORK/$name.make.log" 2>&1; then
		ok "$name-build"
	else
		fail "$name-build" "$(grep -E 'error|warning' "$WORK/$name.make.log" | head -10)"
		return
	fi
	if "$KLP" generate --convert "$out/livepatch-$lp.ko" >"$WORK/$name.convert.log" 2>&1; then
		ok "$name-convert: $(sed 's/^klp-prep: [^:]*: //' "$WORK/$name.convert.log")"
	else
		fail "$name-convert" "$(cat "$WORK/$name.convert.log")"
		return
	fi
	cp "$out/livepatch-$lp.ko" "$WORK/suite/"
}

build_case cmdline
build_case target-inline
build_case target-static

# The generated functions of (b): both callers.
if grep -q 'old_name = "klp_gen_calc_one"' "$WORK/lp-target-inline/livepatch_target_inline.c" &&
	grep -q 'old_name = "klp_gen_calc_two"' "$WORK/lp-target-inline/livepatch_target_inline.c"; then
	ok target-inline-both-callers
else
	fail target-inline-both-callers "klp_gen_calc_one and klp_gen_calc_two are not both patched"
fi
# (c): the static is referenced, never copied.
if grep -q 'KLP_PREP_EXTERN(secret, "klp_gen_target.secret,0", int);' \
	"$WORK/lp-target-static/klp_gen_target.c"; then
	ok target-static-externalized
else
	fail target-static-externalized "no KLP_PREP_EXTERN of secret"
fi

[ $FAILS -eq 0 ] || { echo "e2e: $FAILS failures before booting"; exit $FAILS; }

# Boot the harness kernel with the suite.
"$HARNESS/run-tests.sh" --version "$VERSION" --kernel-build "$KBUILD" \
	--suite "$WORK/suite" --work-dir "$WORK/harness" --no-skip \
	>"$WORK/harness.log" 2>&1
rc=$?
grep -E '^harness: (PASS|FAIL|SKIP)|passed, .* failed' "$WORK/harness.log"
if [ $rc -ne 0 ]; then
	fail harness "run-tests.sh exited $rc (log: $WORK/harness.log)"
	grep -E 'FAIL:|ok:' "$WORK/harness/"*.log 2>/dev/null | head -20
fi
exit $FAILS
