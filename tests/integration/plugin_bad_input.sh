#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# plugin_bad_input.sh PLUGIN GCC WORK_DIR FIXTURES_DIR KLP_PREP
#
# How the plugin refuses what it cannot do, and says why:
#   - an unknown -fplugin-arg-klp_partition-KEY is an error naming the flag;
#   - -fplugin-arg-klp_partition-disable records nothing, "disable=x" is an
#     error;
#   - -flto without -ffat-lto-objects warns and writes no section; lto1 at
#     link time writes the records, flagged LTO;
#   - loaded into another GCC (Debian 12 has gcc-11), it names the GCC it
#     was built for and the one loading it.  Without another GCC on the
#     machine that part is skipped (exit 77 if nothing else failed).
set -u

plugin=$1 gcc=$2 work=$3 fixtures=$4 klp_prep=$5
src=$fixtures/constprop.c
failed=0 skipped=0

rm -rf "$work"
mkdir -p "$work"

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

has_section() {
	objdump -h "$1" 2>/dev/null | grep -q ' \.klp_prep\.partition '
}

# expect_error DESCRIPTION PATTERN COMMAND...: fails, stderr matches.
expect_error() {
	what=$1 pattern=$2
	shift 2
	if "$@" > "$work/out" 2> "$work/err"; then
		fail "$what: succeeded"
		return
	fi
	grep -q -- "$pattern" "$work/err" || {
		fail "$what: no message matching '$pattern':"
		cat "$work/err"
	}
}

expect_error "unknown argument" \
	"klp_partition: unknown option .-fplugin-arg-klp_partition-bogus=1." \
	"$gcc" -O2 "-fplugin=$plugin" -fplugin-arg-klp_partition-bogus=1 \
	-c "$src" -o "$work/bogus.o"
expect_error "unknown argument without value" \
	"unknown option .-fplugin-arg-klp_partition-verbose." \
	"$gcc" -O2 "-fplugin=$plugin" -fplugin-arg-klp_partition-verbose \
	-c "$src" -o "$work/bogus.o"
expect_error "disable with a value" \
	"-fplugin-arg-klp_partition-disable=yes.: .disable. takes no value" \
	"$gcc" -O2 "-fplugin=$plugin" -fplugin-arg-klp_partition-disable=yes \
	-c "$src" -o "$work/bogus.o"

"$gcc" -O2 "-fplugin=$plugin" -fplugin-arg-klp_partition-disable \
	-c "$src" -o "$work/disabled.o" || fail "disable: compilation failed"
! has_section "$work/disabled.o" || fail "disable: the section was written"

# Slim LTO: a warning, no section; the link (lto1) writes the records.
"$gcc" -O2 -flto "-fplugin=$plugin" -c "$src" -o "$work/slim.o" \
	2> "$work/err" || fail "-flto: compilation failed"
grep -q "klp_partition: .-flto. without .-ffat-lto-objects." "$work/err" ||
	fail "-flto: no warning"
! has_section "$work/slim.o" || fail "-flto: a slim object got a section"
printf 'int work(int x) { return x; }\nint use1(int);\nint main(void) { return use1(3); }\n' \
	> "$work/main.c"
if "$gcc" -O2 -flto "-fplugin=$plugin" "$work/slim.o" "$work/main.c" \
	-o "$work/lto.out" 2> "$work/err"; then
	"$klp_prep" dump --json "$work/lto.out" > "$work/lto.json" ||
		fail "lto1: klp-prep dump failed"
	jq -e '.files[0].units[0].flags | index("lto")' "$work/lto.json" \
		> /dev/null || fail "lto1: the unit is not flagged lto"
	jq -e '.files[0].units[0].funcs | map(select(.symbol == "scale.constprop.0")) | length == 1' \
		"$work/lto.json" > /dev/null ||
		fail "lto1: no record of scale.constprop.0"
else
	fail "-flto link with the plugin failed: $(cat "$work/err")"
fi

# Another GCC.
other=""
for cc in gcc-11 gcc-13 gcc-14; do
	if command -v "$cc" > /dev/null 2>&1 &&
	   [ -n "$("$cc" -print-file-name=plugin 2>/dev/null)" ]; then
		other=$cc
		break
	fi
done
if [ -n "$other" ]; then
	ver=$("$other" -dumpfullversion)
	expect_error "loaded into $other" \
		"klp_partition: this plugin was built for GCC 12\.[0-9.]* ([0-9]*) and cannot run in GCC $ver" \
		"$other" -O2 "-fplugin=$plugin" -c "$src" -o "$work/other.o"
else
	echo "skip: no other GCC (gcc-11, gcc-13, gcc-14) to load the plugin into"
	skipped=1
fi

if [ "$failed" -ne 0 ]; then
	echo "plugin_bad_input: $failed failed"
	exit 1
fi
[ "$skipped" -eq 0 ] || exit 77
echo "plugin_bad_input: all passed"
