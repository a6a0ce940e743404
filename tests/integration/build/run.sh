#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh KLP_PREP PLUGIN GCC WORK - klp-prep verify on tables compiled
# with the plugin (table.c): the right one passes, each wrong one is a
# mismatch (exit 1) that names the part; klp-prep build refuses bad input
# with exit 2, before touching anything.
set -u
KLP=$1 PLUGIN=$2 GCC=$3 WORK=$4
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ABI_INCLUDE=$HERE/../../../include	# klp_kernel_abi.h, for table.c
fails=0
rm -rf "$WORK" && mkdir -p "$WORK" || exit 99
cd "$WORK" || exit 99

ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

# expect NAME WANT_STATUS PATTERN COMMAND...: exit status and a line of
# output (stdout and stderr) matching PATTERN
expect() {
	local name=$1 want=$2 pat=$3 got
	shift 3
	"$@" >"$name.out" 2>&1
	got=$?
	if [ "$got" != "$want" ]; then
		bad "$name" "exit $got, want $want: $(cat "$name.out")"
	elif ! grep -qE -- "$pat" "$name.out"; then
		bad "$name" "no '$pat' in: $(cat "$name.out")"
	else
		ok "$name"
	fi
}

cc() {
	"$GCC" -O2 -fplugin="$PLUGIN" -I "$ABI_INCLUDE" -c "$HERE/table.c" -o "$1.o" "${@:2}" ||
		bad "compile-$1" "gcc failed"
}

cc pair -DPAIR
nm pair.o | grep -q ' t klpp_foo.cold$' || bad pair-cold "gcc made no klpp_foo.cold; the tests prove nothing"
expect verify-pair 0 'stack_only foo.cold <-> klpp_foo.cold' "$KLP" verify pair.o
expect verify-pair-counts 0 'ok: 2 patched functions; stack_only: 2 pairs, 0 old side only, 0 new side only' "$KLP" verify pair.o
expect verify-sympos 0 'stack_only bar.cold,2 <-> klpp_bar.cold' "$KLP" verify pair.o
expect verify-replace 0 'atomic replace, struct klp_func of 152 bytes' "$KLP" verify pair.o

cc none
expect verify-none 1 "'klpp_foo.cold' \(cold part of 'klpp_foo'\) is in the module, but no stack_only entry names it" "$KLP" verify none.o
cc old_only -DOLD_ONLY
expect verify-old-only 1 "'klpp_foo.cold' .* no stack_only entry names it" "$KLP" verify old_only.o
cc wrong -DWRONG
expect verify-wrong 1 "new_name 'klpp_bar.cold' is not a part of 'klpp_foo'" "$KLP" verify wrong.o
cc twice -DTWICE
expect verify-twice 1 "'klpp_foo.cold' is named by two stack_only entries of 'klpp_foo'" "$KLP" verify twice.o
cc first -DFIRST
expect verify-first 1 "a stack_only entry first" "$KLP" verify first.o
"$GCC" -O2 -DPAIR -I "$ABI_INCLUDE" -c "$HERE/table.c" -o noplugin.o
expect verify-no-records 1 "built without the klp-prep plugin" "$KLP" verify noplugin.o
echo 'int x;' | "$GCC" -c -x c - -o plain.o
expect verify-not-livepatch 2 "no struct klp_patch 'patch'" "$KLP" verify plain.o

# klp-prep build: bad input is exit 2, and nothing is made.
mkdir kernel
echo "--- a/x.c" >fix.diff
expect build-no-kernel 2 'no kernel build directory' "$KLP" build fix.diff
expect build-not-built 2 'not a built kernel' "$KLP" build -k kernel -w w1 fix.diff
[ -e w1 ] && bad build-not-built-nothing-made "w1 was made"
touch kernel/vmlinux kernel/Module.symvers
expect build-no-diff 2 'missing.diff: error' "$KLP" build -k kernel -w w2 --plugin "$PLUGIN" missing.diff
expect build-no-plugin 2 'no partition plugin' "$KLP" build -k kernel -w w3 --plugin /nonexistent fix.diff
expect build-resume-nothing 2 'nothing to resume' "$KLP" build -k kernel -w w4 --plugin "$PLUGIN" --resume fix.diff
expect build-stacked-replace 2 'stacked-on makes a livepatch that does not replace' \
	"$KLP" build -k kernel --replace --stacked-on pair.o fix.diff
expect cflags 0 "^-fplugin=/" env KLP_PREP_PLUGIN="$PLUGIN" "$KLP" cflags
expect cflags-kbuild 0 "^KCFLAGS=-fplugin=$PLUGIN\$" env KLP_PREP_PLUGIN="$PLUGIN" "$KLP" cflags --kbuild

echo "$fails failed"
exit $((fails > 0))
