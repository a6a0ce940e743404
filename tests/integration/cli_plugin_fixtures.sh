#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klp-prep dump and check on what the real plugin writes: each fixture
# compiled with gcc-12 -O2 -g and the kernel-like flags (or its own
# klp-cflags line), an ld -r of them, an ld -r of two units of the same
# source (static names repeat), and an object whose records come from
# another compilation of its source, which check must catch, DWARF
# included.
#
# usage: cli_plugin_fixtures.sh KLP_PREP PLUGIN GCC WORKDIR FIXTURES
klp_prep=$1
plugin=$2
gcc=$3
work=$4
fixtures=$5
test_name=cli_plugin_fixtures
. "$(dirname "$0")/cli_lib.sh"

kernel_flags="-fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -mfentry -pg"

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

compile() # SOURCE OUTPUT [EXTRA FLAGS]
{
	src=$1
	obj=$2
	shift 2
	flags=$(sed -n 's/.*klp-cflags: //p' "$src")
	# shellcheck disable=SC2086
	"$gcc" -O2 -g ${flags:-$kernel_flags} "-fplugin=$plugin" "$@" \
		-c "$src" -o "$obj" || { echo "cannot compile $src"; exit 1; }
}

for src in "$fixtures"/*.c; do
	compile "$src" "$(basename "$src" .c).o"
done

# ---- dump shows each kind as the fixtures promise ----
run 0 dump cold_split.o
has out "  hot_path [function]"
has out "    cold      hot_path.cold in .text.unlikely"
run 0 dump combo.o
has out "  both.constprop.0.isra.0 [constprop+isra]"
has out "    param     #2 constant 3"
has out "  check.constprop.0 [constprop]"
has out "    cold      check.constprop.0.cold in .text.unlikely"
has out "    calls     both.constprop.0.isra.0 at $fixtures/combo.c:28 [tail]"
run 0 dump constprop.o
has out "  scale.constprop.0 [constprop]"
has out "    param     #1 constant 5"
run 0 dump function_sections.o
has out "    cold      hot_fs.cold in .text.unlikely.hot_fs"
run 0 dump isra.o
has out "  sra_split.isra.0 [isra]"
has out "    param     #0 split"
run 0 dump localalias.o
has out "  pub.localalias [localalias]"
has out "    alias of  pub"
run 0 dump part_split.o
has out "  split_me.part.0 [part]"
has out "    called by p1 at"
run 0 dump part_icf.o
printf '%s\n' "$out" | grep -A4 '^  split_b.part.0 \[part\]' | grep -q 'alias of  split_a.part.0' ||
	fail "dump: split_b.part.0 is not shown as ipa-icf's alias of split_a.part.0"
run 0 dump inline_chain.o
printf '%s\n' "$out" | grep -A2 '^  level1 \[function\]' >/dev/null &&
printf '%s\n' "$out" | tr '\n' '|' |
	grep -qF "      level2 at $fixtures/inline_chain.c:42|        level3 at $fixtures/inline_chain.c:33|" ||
	fail "dump: level3 in level2 in level1 is not shown as a nested tree"
run 0 dump --json combo.o
json '[f["kind"] for f in d["files"][0]["units"][0]["funcs"] if f["symbol"] == "both.constprop.0.isra.0"] == ["constprop+isra"]'

# ---- check: records, symbols and DWARF agree on every fixture ----
for obj in *.o; do
	run 0 check "$obj"
	has out "$obj: 0 mismatches"
	has out "; DWARF: "
done

# ---- ld -r of several: one unit each, still consistent ----
objs=$(ls *.o)
nr=$(echo "$objs" | wc -l)
# shellcheck disable=SC2086
ld -r $objs -o all.o || exit 1
run 0 dump all.o
has out "all.o: $nr units"
run 0 check all.o
has out "all.o: 0 mismatches"

# A linker script gathering .text.* into .text, as module.lds may: the
# records' .text.hot_fs and .text.unlikely.hot_fs are no mismatch.
printf 'SECTIONS {\n .text : { *(.text .text.*) }\n}\n' > merge.lds
ld -r -T merge.lds function_sections.o -o merged.o || exit 1
run 0 check merged.o
has out "merged.o: 0 mismatches (1 suffixed symbols, 1 records; DWARF: 1 subprograms"

# Two units of one source: the same static names twice, told apart (the
# global ones renamed in the second, or the link would refuse them).
mkdir -p one two
compile "$fixtures/combo.c" one/combo.o
compile "$fixtures/combo.c" two/combo.o -Db1=b1_two -Db2=b2_two \
	-Dc1=c1_two -Dc2=c2_two
ld -r one/combo.o two/combo.o -o twice.o || exit 1
run 0 check twice.o
has out "twice.o: 0 mismatches (6 suffixed symbols, 12 records; DWARF: 12 subprograms, 0 inline instances, 8 calls to clones)"
run 0 dump --json twice.o
json 'len(d["files"][0]["units"]) == 2 and d["files"][0]["units"][1]["block_offset"] == d["files"][0]["units"][0]["block_size"]'

# A weak definition and a weak alias overridden by another unit's
# definitions (the kernel's __weak hooks, drivers/base/cpu.c's
# cpu_show_* aliases): the link names only the strong ones, in their own
# section and place; the weak ones' records and DWARF are no mismatch.
cat > weak.c <<'SRC'
extern int work(int);
__attribute__((weak)) int hook(int x) { return work(x) * 3; }
int use_hook(int x) { return hook(x) + 1; }
int hook_default(int x) { return work(x) - 1; }
int hook2(int x) __attribute__((weak, alias("hook_default")));
SRC
cat > strong.c <<'SRC'
extern int work(int);
__attribute__((section(".init.text"))) int hook(int x) { return work(x) + 7; }
int hook2(int x) { return work(x) + 9; }
SRC
compile weak.c weak.o
compile strong.c strong.o
ld -r weak.o strong.o -o overridden.o || exit 1
run 0 check overridden.o
has out "overridden.o: 0 mismatches (0 suffixed symbols, 6 records; DWARF: 4 subprograms"

# ---- records of another compilation: check catches it ----
compile "$fixtures/inline_chain.c" noinline.o \
	-fno-inline-small-functions -fno-inline-functions-called-once
objcopy --dump-section .klp_prep.partition=noinline.sec noinline.o &&
	objcopy --update-section .klp_prep.partition=noinline.sec \
		inline_chain.o swapped.o || exit 1
run 1 check swapped.o
has out "swapped.o: record level2: no such symbol"
has out "swapped.o: dwarf: symbol level1: DWARF inlines level2 in level1 (call at $fixtures/inline_chain.c:42), no INLINE record does"
run 1 check --no-dwarf swapped.o
hasnt out "dwarf:"

# Records of a compilation without IPA clones: DWARF's call sites show
# calls to clones no CALL record has (what klp-prep affected relies on).
compile "$fixtures/combo.c" noclone.o -fno-ipa-cp -fno-ipa-sra
objcopy --dump-section .klp_prep.partition=noclone.sec noclone.o &&
	objcopy --update-section .klp_prep.partition=noclone.sec \
		combo.o combo_swapped.o || exit 1
run 1 check combo_swapped.o
has out "combo_swapped.o: symbol both.constprop.0.isra.0: no record"
has out "combo_swapped.o: dwarf: symbol b1: DWARF has a call to both.constprop.0.isra.0 (tail call), no CALL record does"
has out "combo_swapped.o: dwarf: symbol c1: DWARF has a call to check.constprop.0, no CALL record does"

finish
