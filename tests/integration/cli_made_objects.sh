#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klp-prep dump and check on objects made here, without the plugin: exact
# symbol sets assembled by gcc-12 (tests/unit/reader_fixtures), sections
# of hand-built blocks (format_mkblock), an ld -r of two; and the usage,
# bad-input and no-records paths with their messages and exit codes.
#
# usage: cli_made_objects.sh KLP_PREP FORMAT_MKBLOCK GCC WORKDIR FIXTURES
klp_prep=$1
mkblock=$2
gcc=$3
work=$4
fixtures=$5
test_name=cli_made_objects
. "$(dirname "$0")/cli_lib.sh"

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

# Objects: a.c's symbols + the rich unit, c.c's + the second, both linked.
cp "$fixtures/a.c" "$fixtures/c.c" .
"$gcc" -c a.c -o plain_a.o && "$gcc" -c c.c -o plain_c.o || exit 1
add() { objcopy --add-section .klp_prep.partition="$1" "$2" "$3" || exit 1; }
"$mkblock" rich.bin rich && "$mkblock" second.bin second &&
	"$mkblock" both.bin rich pad second &&
	"$mkblock" badstr.bin second strings &&
	"$mkblock" v99.bin second version &&
	"$mkblock" magic.bin rich pad second magic &&
	"$mkblock" short.bin rich truncate || exit 1
add rich.bin plain_a.o a.o
add second.bin plain_c.o c.o
add both.bin plain_c.o wrong_units.o
add badstr.bin plain_c.o badstr.o
add v99.bin plain_c.o v99.o
add magic.bin plain_c.o magic.o
add short.bin plain_c.o short.o
ld -r a.o c.o -o ar.o || exit 1
printf 'not ELF\n' > text.o
head -c 300 a.o > trunc.o

# ---- the tool's own usage ----
run 0 --help
has out "usage: klp-prep"
has out "dump"
has out "check"
run 0 --version
has out "partition format version 1"
run 0 dump --help
has out "--json"
run 0 check --help
has out "--no-dwarf"
run 2
has err "usage: klp-prep"
run 2 frobnicate
has err "klp-prep: unknown command 'frobnicate'"
run 2 dump
has err "no FILE given"
run 2 check --bogus a.o

# ---- dump: one paragraph per function ----
run 0 dump a.o
has out "a.o: 1 unit"
has out "unit 0: demo/a.c"
has out "producer GCC 12.2.0, flags function_sections,partitioning"
has out "  foo.constprop.0.isra.0 [constprop+isra]"
has out "    origin    foo demo/a.c:10-30 [defined]"
has out "    cold      foo.constprop.0.isra.0.cold in .text.unlikely"
has out "    param     #0 constant 42"
has out "    param     #1 removed"
has out "    param     #2 split"
has out "    return    dropped"
has out "    alias of  bar"
has out "  qux.part.0 [part]"
has out "    origin    qux demo/a.c:50-60 in .text.qux_sect [noinline,defined]"
has out "  baz [function] (not emitted)"
has out "    calls     foo.constprop.0.isra.0 at demo/a.c:45 [tail]"
has out "    called by bar at demo/a.c:45"
# The inline chain foo in qux in baz in bar, indented by depth.
printf '%s\n' "$out" | grep -A3 '^    inlined$' | tr '\n' '|' |
	grep -qF '    inlined|      baz at demo/a.c:44 [early]|        qux at demo/inc/b.h:5|          foo at demo/a.c:52 [no_code]|' ||
	fail "dump: bar's inline tree is not nested as recorded"

run 0 dump ar.o
has out "ar.o: 2 units"
has out "unit 1: demo/c.c"
has out "  foo.isra.0 [isra]"
has out "    called by main_c at demo/c.c:14"

# -f: the functions of one name (symbol, cold part or origin), any unit.
run 0 dump -f foo.cold -f main_c ar.o
has out "  foo [function]"
has out "  main_c [function]"
hasnt out "foo.constprop.0.isra.0 ["
hasnt out "bar ["
[ "$(printf '%s\n' "$out" | grep -c '^  foo \[function\]')" -eq 2 ] ||
	fail "dump -f foo.cold: not both units' foo"
run 0 dump --function foo a.o
has out "  foo.constprop.0.isra.0 [constprop+isra]"
hasnt out "qux.part.0 ["
run 2 dump --json -f foo a.o
has err "--function is for the text dump"

# ---- dump --json: valid, complete, escaped ----
run 0 dump --json a.o ar.o
json 'd["klp_prep_dump"] == 1 and [f["file"] for f in d["files"]] == ["a.o", "ar.o"]'
json 'len(d["files"][1]["units"]) == 2 and d["files"][0]["has_records"] and d["files"][0]["error"] is None'
json '[f["symbol"] for f in d["files"][0]["units"][0]["funcs"]] == ["foo", "foo.constprop.0.isra.0", "bar", "bar.localalias", "qux.part.0", "baz"]'
json 'd["files"][0]["units"][0]["funcs"][1]["kind"] == "constprop+isra" and d["files"][0]["units"][0]["funcs"][1]["steps"] == [{"kind": "constprop", "number": 0}, {"kind": "isra", "number": 0}]'
json 'd["files"][0]["units"][0]["funcs"][1]["params"][0] == {"index": 0, "change": "constant", "value": "42"}'
json 'd["files"][0]["units"][0]["funcs"][3]["alias_of"] == 2 and d["files"][0]["units"][0]["funcs"][0]["alias_of"] is None'
json '[i["parent"] for i in d["files"][0]["units"][0]["inlines"]] == [None, 0, 1, None]'
json 'd["files"][0]["units"][0]["inlines"][2]["flags"] == ["no_code"]'
json 'd["files"][0]["units"][0]["calls"][0] == {"func": 2, "callee": "foo.constprop.0.isra.0", "call_file": "demo/a.c", "call_line": 45, "flags": ["tail"]}'
# Quote, backslash and newline in a name survive the round trip.
json 'd["files"][0]["units"][0]["origins"][4]["name"] == "ext\"quoted\\name\n"'
# Key order is part of the contract.
json 'list(d["files"][0]["units"][0]["funcs"][0].keys()) == ["symbol", "kind", "origin", "origin_name", "flags", "section", "cold_symbol", "cold_section", "alias_of", "steps", "params"]'

# ---- check ----
run 0 check a.o c.o ar.o
has out "a.o: 0 mismatches (5 suffixed symbols, 5 records; no DWARF)"
has out "ar.o: 0 mismatches (7 suffixed symbols, 8 records; no DWARF)"
run 1 check a.o wrong_units.o
has out "wrong_units.o: record qux.part.0: no such symbol in the unit of demo/a.c"
has out "wrong_units.o: record foo.constprop.0.isra.0: no cold symbol foo.constprop.0.isra.0.cold"
has out "wrong_units.o: 5 mismatches"
has out "a.o: 0 mismatches"

# ---- no records: say so, show the flag; exit 1 ----
run 1 dump plain_a.o
has err "klp-prep: plain_a.o: error: no .klp_prep.partition section: compiled without the klp-prep plugin"
has err "klp-prep: plain_a.o: note: rebuild it with gcc-12 -fplugin="
has err "klp_partition.so (in a kernel build: make KCFLAGS=-fplugin="
run 1 check plain_a.o
has err "compiled without the klp-prep plugin"
run 1 dump --json plain_a.o
json 'd["files"][0]["has_records"] is False and d["files"][0]["error"] == "no records"'

# ---- bad input: one clear line naming the file; exit 2 ----
run 2 dump text.o
has err "klp-prep: text.o: error: not an ELF file"
run 2 check trunc.o
has err "klp-prep: trunc.o: error: truncated ELF file"
run 2 dump .
has err "klp-prep: .: error: is a directory"
run 2 dump missing.o
has err "klp-prep: missing.o: error: cannot open: No such file or directory"
run 2 dump badstr.o
has err "klp-prep: badstr.o: error: .klp_prep.partition: corrupt block at 0x0: at 0x"
has err "FUNC record 0, field symbol: string offset 127 past the string table"
run 2 dump v99.o
has err "klp-prep: v99.o: error: .klp_prep.partition: block at 0x0: format version 99; this klp-prep reads version 1"
run 2 check magic.o
has err "bad magic 58 4c 50 70"
run 2 dump short.o
has err "block_size"
# Bad input outranks missing records and mismatches; good files still print.
run 2 dump a.o plain_a.o text.o
has out "a.o: 1 unit"
run 2 check wrong_units.o text.o
has out "wrong_units.o: 5 mismatches"
run 2 dump --json a.o text.o
json 'd["files"][1]["error"] == "Exec format error" and d["files"][1]["units"] == []'

finish
