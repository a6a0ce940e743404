#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh - klp-prep affected on objects compiled with gcc-12 and the real
# klp_partition plugin: the plugin engineer's fixtures (read only) and the
# two-unit sources here, linked into a small "vmlinux" and a module.
#
# Usage: run.sh KLP_PREP PLUGIN FIXTURES_DIR WORK_DIR [CASE...]
# Each case prints "ok NAME" or "FAIL NAME: why"; the exit status is the
# number of failures (capped), so CTest sees any of them.
set -uo pipefail

KLP=${1:?klp-prep binary}
PLUGIN=${2:?klp_partition.so}
FIXTURES=${3:?fixtures dir}
WORK=${4:?work dir}
shift 4
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CC=${CC:-gcc-12}
KFLAGS="-O2 -fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -mfentry -pg"
FAILS=0

rm -rf "$WORK" && mkdir -p "$WORK" || exit 99
cd "$WORK" || exit 99

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

compile() { # SRC OUT [extra flags]
	local src=$1 out=$2
	shift 2
	$CC $KFLAGS -fplugin="$PLUGIN" "$@" -c "$src" -o "$out" 2>"$out.log" ||
		{ cat "$out.log" >&2; return 1; }
}

# affected ARGS...: JSON into $OUT, status into $STATUS
affected() {
	OUT=$("$KLP" affected --json "$@" 2>"$WORK/stderr")
	STATUS=$?
}

# names LIST: the sorted symbols of a list ("functions", "clones", ...)
names() {
	jq -r ".affected.$1[].symbol" <<<"$OUT" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect_eq() { # NAME WHAT GOT WANT
	if [ "$3" == "$4" ]; then ok "$1"; else fail "$1" "$2: got '$3', want '$4'"; fi
}

for f in inline_chain part_split isra constprop cold_split init_notrace combo inline_vanish; do
	compile "$FIXTURES/$f.c" "$f.o" || { fail "compile-$f" "gcc-12 with the plugin failed"; }
done

# -- a static inline, inlined through never-emitted bodies --------------------
affected -f add_one inline_chain.o
expect_eq inline-chain-early "patched" "$(names functions)" "big_user early_user"
expect_eq inline-chain-early-status "status" "$STATUS" "0"
via=$(jq -r '.affected.functions[] | select(.symbol=="big_user") | .reasons[0].via' <<<"$OUT")
expect_eq inline-chain-via "big_user's chain" "$via" "big_body ($FIXTURES/inline_chain.c:56)"
chain=$(jq -r '.affected.functions[] | select(.symbol=="early_user") | .chain[-1]' <<<"$OUT")
expect_eq inline-chain-root "chain root" "$chain" "add_one: changed"

affected -f level3 inline_chain.o
expect_eq inline-chain-ipa "patched" "$(names functions)" "level1"

# -- .part: the head inlined into five callers, the tail is a clone ------------
affected -f split_me part_split.o
expect_eq part-callers "patched" "$(names functions)" "p1 p2 p3 p4 p5"
expect_eq part-clone "clones" "$(names clones)" "split_me.part.0"
sub=$(jq -r '[.affected.functions[] | .stack_only[] | select(.symbol=="split_me.part.0")] | length' <<<"$OUT")
expect_eq part-stack-only "callers with split_me.part.0 as stack_only" "$sub" "5"

# -- isra calling constprop by tail calls: callers of callers ------------------
affected -f consume isra.o
expect_eq isra-chain "patched" "$(names functions)" "r1 r2"
expect_eq isra-chain-clones "clones" "$(names clones)" "consume.constprop.0 sra_split.isra.0"
subs=$(jq -r '.affected.functions[] | select(.symbol=="r1") | [.stack_only[] | "\(.symbol):\(.kind):\(.tail)"] | sort | join(" ")' <<<"$OUT")
expect_eq isra-chain-stack-only "r1 stack_only" "$subs" "consume.constprop.0:clone:true sra_split.isra.0:clone:true"

affected -f scale constprop.o
expect_eq constprop-callers "patched" "$(names functions)" "use1 use2"

# -- combined clones, and a clone's cold part ---------------------------------
affected -f check combo.o
expect_eq combo-cold "c1 stack_only" \
	"$(jq -r '.affected.functions[] | select(.symbol=="c1") | [.stack_only[].symbol] | sort | join(" ")' <<<"$OUT")" \
	"check.constprop.0 check.constprop.0.cold"
affected -f both combo.o
expect_eq combo-isra "patched" "$(names functions)" "b1 b2"

# -- the patched function's own cold part -------------------------------------
affected -f hot_path cold_split.o
expect_eq own-cold "hot_path stack_only" \
	"$(jq -r '.affected.functions[0].stack_only | map("\(.symbol):\(.kind)") | join(" ")' <<<"$OUT")" \
	"hot_path.cold:cold"

# -- unpatchable: __init and notrace make exit status 3 -----------------------
affected -f setup_thing init_notrace.o
expect_eq init-status "status" "$STATUS" "3"
expect_eq init-listed "unpatchable" "$(names unpatchable)" "setup_thing"
affected -f quiet init_notrace.o
expect_eq notrace-status "status" "$STATUS" "3"
grep -q "ftrace hook" <<<"$(jq -r '.affected.unpatchable[0].unpatchable' <<<"$OUT")" &&
	ok notrace-reason || fail notrace-reason "the reason does not say there is no ftrace hook"
affected -f traced init_notrace.o
expect_eq traced-ok "status" "$STATUS" "0"

# -- bad input: exit 2 ---------------------------------------------------------
affected -f no_such_function inline_chain.o
expect_eq bad-name "status" "$STATUS" "2"
"$KLP" affected -f add_one /nonexistent.o >/dev/null 2>&1
expect_eq bad-file "status" "$?" "2"

# -- two units with the same static name, linked ------------------------------
compile "$HERE/dup_a.c" dup_a.o && compile "$HERE/dup_b.c" dup_b.o ||
	fail compile-dup "gcc-12 with the plugin failed"
mkdir -p tree/drivers
# A "vmlinux": a final link, so symbols have addresses; b before a in .text.
ld -o tree/vmlinux -e 0 --unresolved-symbols=ignore-all dup_b.o dup_a.o 2>/dev/null ||
	fail link-vmlinux "ld failed"
# A module: ld -r, a before b in .symtab.
ld -r -o tree/drivers/dup-mod.ko dup_a.o dup_b.o || fail link-module "ld -r failed"

affected -f helper tree/vmlinux
expect_eq dup-ambiguous "status" "$STATUS" "2"
grep -q "dup_a.c:helper" "$WORK/stderr" && grep -q "dup_b.c:helper" "$WORK/stderr" &&
	ok dup-ambiguous-lists || fail dup-ambiguous-lists "candidates not listed"

affected -f dup_b.c:helper tree/vmlinux
expect_eq dup-vmlinux "patched" "$(names functions)" "helper"
expect_eq dup-vmlinux-unit "unit" "$(jq -r '.affected.functions[0].unit' <<<"$OUT")" "$HERE/dup_b.c"
# b's helper comes first by address: position 1 of 2.
want=$(nm -n tree/vmlinux | awk '$3=="helper"{n++; if (n==1) print n}')
expect_eq dup-vmlinux-sympos "sympos" "$(jq -r '.affected.functions[0].sympos' <<<"$OUT")" "1"
expect_eq dup-vmlinux-cold-sympos "helper.cold sympos" \
	"$(jq -r '.affected.functions[0].stack_only[] | select(.symbol=="helper.cold") | .sympos' <<<"$OUT")" "1"
affected -f dup_a.c:helper tree/vmlinux
expect_eq dup-vmlinux-sympos-a "sympos of a's" "$(jq -r '.affected.functions[0].sympos' <<<"$OUT")" "2"
expect_eq dup-vmlinux-estimated "estimated" "$(jq -r '.affected.functions[0].sympos_estimated' <<<"$OUT")" "false"

affected -f dup_b.c:helper tree/drivers/dup-mod.ko
expect_eq dup-module-object "object" "$(jq -r '.affected.functions[0].object' <<<"$OUT")" "dup_mod"
expect_eq dup-module-sympos "sympos (symtab order: a first)" \
	"$(jq -r '.affected.functions[0].sympos' <<<"$OUT")" "2"

# Lines of b's helper map to it (and only it); tiny's line to b's callers.
affected -l dup_b.c:10-11 tree/vmlinux
expect_eq lines-helper "patched" "$(names functions)" "helper"
expect_eq lines-helper-unit "unit" "$(jq -r '.affected.functions[0].unit' <<<"$OUT")" "$HERE/dup_b.c"
# Only dup_b.c's unit names the file, so dup_a.c's is not even decoded:
# its helper must still count for the position.
expect_eq lines-helper-sympos "sympos with a's unit skipped" \
	"$(jq -r '.affected.functions[0].sympos' <<<"$OUT")" "1"
affected -l dup_b.c:6 tree/vmlinux
expect_eq lines-inline "patched for tiny" "$(names functions)" "b_entry helper"

# -- the build directory index ------------------------------------------------
"$KLP" affected -v -f dup_b.c:helper tree >/dev/null 2>"$WORK/idx1"
grep -q "2 read, 0 from the index" "$WORK/idx1" && ok index-first-read ||
	fail index-first-read "$(cat "$WORK/idx1")"
[ -f tree/.klp-prep/affected.idx ] && ok index-written || fail index-written "no index file"
"$KLP" affected -v -f dup_b.c:helper tree >/dev/null 2>"$WORK/idx2"
grep -q "0 read, 2 from the index" "$WORK/idx2" && ok index-reused ||
	fail index-reused "$(cat "$WORK/idx2")"
affected -f dup_b.c:helper tree
expect_eq index-answer "patched from the index" \
	"$(jq -r '[.affected.functions[] | "\(.object):\(.symbol),\(.sympos)"] | sort | join(" ")' <<<"$OUT")" \
	"dup_mod:helper,2 vmlinux:helper,1"
# A relinked module (new mtime and size) is read again; the rest is not.
ld -r -o tree/drivers/dup-mod.ko dup_b.o dup_a.o
"$KLP" affected -v -f dup_b.c:helper tree >/dev/null 2>"$WORK/idx3"
grep -q "1 read, 1 from the index" "$WORK/idx3" && ok index-stale ||
	fail index-stale "$(cat "$WORK/idx3")"
affected -f dup_b.c:helper tree
expect_eq index-stale-answer "module sympos after relink" \
	"$(jq -r '.affected.functions[] | select(.object=="dup_mod") | .sympos' <<<"$OUT")" "1"
rm tree/drivers/dup-mod.ko
"$KLP" affected -v -f dup_b.c:helper tree >/dev/null 2>"$WORK/idx4"
grep -q "1 objects with records" "$WORK/idx4" && ok index-gone ||
	fail index-gone "$(cat "$WORK/idx4")"
printf 'garbage' > tree/.klp-prep/affected.idx
affected -f dup_b.c:helper tree
expect_eq index-corrupt "status with a corrupt index" "$STATUS" "0"

# -- object files (a vmlinux whose link dropped the records) ------------------
mkdir -p objtree/drivers
cp dup_a.o objtree/ && cp dup_b.o objtree/drivers/
printf 'drivers/dup_b.o\n' > objtree/drivers/dup-b.mod
affected --objects -f helper objtree
expect_eq objects-ambiguous "status" "$STATUS" "2"
affected --objects -f dup_b.c:helper objtree
expect_eq objects-module "object from the .mod file" \
	"$(jq -r '.affected.functions[0].object' <<<"$OUT")" "dup_b"
expect_eq objects-estimated "estimated" "$(jq -r '.affected.functions[0].sympos_estimated' <<<"$OUT")" "true"
affected --objects -f dup_a.c:helper objtree
expect_eq objects-vmlinux "object" "$(jq -r '.affected.functions[0].object' <<<"$OUT")" "vmlinux"

# -- -fdump-ipa-clones: the same question without the plugin ------------------
mkdir -p ipa
cp "$FIXTURES/part_split.c" "$FIXTURES/isra.c" ipa/
(cd ipa && $CC $KFLAGS -fdump-ipa-clones -c part_split.c -o part_split.o &&
	$CC $KFLAGS -fdump-ipa-clones -c isra.c -o isra.o) || fail ipa-compile "gcc-12 -fdump-ipa-clones failed"
"$KLP" affected --json --ipa-clones ipa -f split_me > ipa.json 2>ipa.err
st=$?
OUT=$(cat ipa.json)
expect_eq ipa-part "patched from dumps + relocations" "$(names functions)" "p1 p2 p3 p4 p5"
expect_eq ipa-part-status "status" "$st" "0"
expect_eq ipa-source "source" "$(jq -r '.affected.source' <<<"$OUT")" "ipa-clones"
jq -r '.affected.notes[]' <<<"$OUT" | grep -q "cold" && ok ipa-says-cold ||
	fail ipa-says-cold "no note on what dumps cannot tell"
"$KLP" affected --json --ipa-clones ipa -f consume > ipa2.json 2>/dev/null
OUT=$(cat ipa2.json)
expect_eq ipa-isra "patched from dumps" "$(names functions)" "r1 r2"
# Without the objects there is no way to find a clone's callers: exit 3.
rm ipa/*.o
"$KLP" affected --json --ipa-clones ipa -f consume > ipa3.json 2>/dev/null
expect_eq ipa-no-objects "status" "$?" "3"

[ $FAILS -gt 0 ] && echo "$FAILS failure(s)"
exit $((FAILS > 100 ? 100 : FAILS))
