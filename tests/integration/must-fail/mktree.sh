# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by must_fail.sh, interrupt.sh and fulldisk.sh: build
# must-fail/tree in $WORK as a kernel build (a linked vmlinux, objects made
# by gcc-12 with the plugin, compile_commands.json, Module.symvers) in
# $WORK/build, the sources in $WORK/src.  Needs PLUGIN, WORK, fail();
# sets MF_TREE.
MF_TREE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CC=${CC:-gcc-12}
KFLAGS="-O2 -fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -std=gnu11"
FTRACE="-mfentry -pg"
MF_UNITS="kernel/mf.c lib/nofentry.c"

mf_ftrace() { [ "$1" == lib/nofentry.c ] || echo "$FTRACE"; }

mf_build_tree()
{
	local u o
	mkdir -p "$WORK/build" && cp -r "$MF_TREE/tree" "$WORK/src" || exit 99
	for u in $MF_UNITS; do
		o=${u%.c}.o	# where kbuild puts it
		mkdir -p "$WORK/build/$(dirname "$o")"
		# shellcheck disable=SC2046
		$CC -nostdinc -I"$WORK/src/include" -D__KERNEL__ $KFLAGS $(mf_ftrace "$u") \
			-fplugin="$PLUGIN" -c "$WORK/src/$u" -o "$WORK/build/$o" 2>"$WORK/build/$o.log" ||
			{ cat "$WORK/build/$o.log" >&2; fail "compile-$u" "gcc-12 with the plugin failed"; }
	done
	(cd "$WORK/build" && ld -o vmlinux -e 0 --unresolved-symbols=ignore-all \
		${MF_UNITS//.c/.o} 2>/dev/null) || fail link "ld failed"
	printf '0x00000000\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n' >"$WORK/build/Module.symvers"
	# shellcheck disable=SC2086
	python3 - "$WORK" "$KFLAGS" "$FTRACE" "$PLUGIN" $MF_UNITS \
		>"$WORK/build/compile_commands.json" <<'PY'
import json, sys
work, kflags, ftrace, plugin, units = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
out = []
for u in units:
    o = u[:-2] + '.o'
    fl = kflags.split() + ([] if u == 'lib/nofentry.c' else ftrace.split())
    cmd = ['gcc', '-nostdinc', '-I' + work + '/src/include', '-D__KERNEL__'] + fl + \
        ['-fplugin=' + plugin, '-c', '-o', o, work + '/src/' + u]
    out.append({'directory': work + '/build', 'file': work + '/src/' + u, 'arguments': cmd})
json.dump(out, sys.stdout, indent=1)
PY
}

# A fix that can be livepatched: mf_count() changes, nothing else.
mf_good_diff()	# OUT_FILE
{
	local t=$WORK/good-diff
	rm -rf "$t" && mkdir -p "$t/a/kernel" "$t/b/kernel"
	cp "$MF_TREE/tree/kernel/mf.c" "$t/a/kernel/mf.c"
	sed 's/^\t\tstats.hits++;/\t\tstats.hits += 1;/' "$MF_TREE/tree/kernel/mf.c" >"$t/b/kernel/mf.c"
	(cd "$t" && diff -u a/kernel/mf.c b/kernel/mf.c) |
		sed -e '1s|^--- .*|--- a/kernel/mf.c|' -e '2s|^+++ .*|+++ b/kernel/mf.c|' >"$1"
	grep -q '^@@' "$1" || fail good-diff "the fix changes nothing"
}
