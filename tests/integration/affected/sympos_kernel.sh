#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sympos_kernel.sh - old_sympos of every repeated static function name of
# real kernel units, against the order the livepatch core counts in.
#
# Usage: sympos_kernel.sh KLP_PREP WORK_DIR
#
# Checked: the harness kernel's own vmlinux (when its link kept the
# records), and its objects (built with the plugin) linked here into one
# "vmlinux" (a final link: addresses) and one module (`ld -r`: .symtab
# order), which has many more repeated names.  For every function name that several units
# define, the expected position of each unit's symbol is computed from the
# symbol table alone (readelf; STT_FILE groups tie symbols to units):
# vmlinux by address, the module by .symtab order, as
# kallsyms_on_each_match_symbol() and module_kallsyms_on_each_symbol()
# walk them in 6.12.  klp-prep affected must give the same numbers.
#
# Kernel build: $KLP_KERNEL_BUILD or the newest harness build with the
# plugin (a complete one first; an unfinished one has objects enough);
# exit 77 without one.
set -uo pipefail

KLP=${1:?klp-prep}
WORK=${2:?work dir}
CACHE=${KLP_PREP_CACHE:-/var/cache/klp-prep}

BUILD=${KLP_KERNEL_BUILD:-}
if [ -z "$BUILD" ]; then
	# A complete build first; else one still building (objects suffice).
	for want in complete any; do
		for d in $(ls -dt "$CACHE"/6.12/*/ 2>/dev/null); do
			[ "$want" = any ] || [ -f "$d/complete" ] || continue
			if grep -q -- "-fplugin=" "$d/build/kernel/.fork.o.cmd" 2>/dev/null; then
				BUILD=${d%/}/build
				break 2
			fi
		done
	done
fi
if [ -z "$BUILD" ] || [ ! -d "$BUILD" ]; then
	echo "skipped: no harness kernel build with the plugin (set KLP_KERNEL_BUILD)"
	exit 77
fi
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 99

# Single-unit objects with records (composites would repeat their members).
find "$BUILD" -name '*.o' ! -name '*.mod.o' ! -name 'vmlinux.o' ! -path '*/vdso/*' \
	! -path '*/realmode/*' ! -path '*/boot/*' | sort >all.txt
: >objs.txt
# "FILE: N unit(s)" for each file, in one run.
"$KLP" dump $(cat all.txt) 2>/dev/null | awk '/^[^ ].*: [0-9]+ units?$/ {
	sub(/:$/, "", $1); if ($2 == 1) print $1 }' >objs.txt
if [ "$(wc -l <objs.txt)" -lt 20 ]; then
	echo "skipped: fewer than 20 kernel objects with records in $BUILD"
	exit 77
fi
# Each in a directory of its own, as a build directory: the index makes
# the many queries below cheap.
mkdir -p v m
# Undefined hidden symbols (the vDSO's data) stop even --noinhibit-exec:
# define each one ld names, and link again.
defsyms=()
for try in 1 2 3 4 5 6; do
	ld --noinhibit-exec -o v/vmlinux -e 0 --unresolved-symbols=ignore-all \
		"${defsyms[@]}" $(cat objs.txt) 2>ld.log && break
	hidden=$(grep -o "hidden symbol \`[^']*' isn't defined" ld.log | sed "s/.*\`//; s/'.*//" | sort -u)
	[ -n "$hidden" ] || break
	for h in $hidden; do defsyms+=(--defsym "$h=0"); done
done
ld -r -o m/kmod.ko $(cat objs.txt) 2>>ld.log
[ -s v/vmlinux ] && [ -s m/kmod.ko ] || { echo "FAIL: ld"; tail -5 ld.log; exit 1; }

FAILS=0 CHECKED=0
check() { # DIR ELF ORDER(addr|index) INDEX
	local dir=$1 elf=$1/$2 order=$3 idx=$4 name
	# name, file group, address, .symtab index of every function symbol
	readelf -sW "$elf" | awk '
		$4 == "FILE" { f = $8 }
		$4 == "FUNC" && $7 != "UND" && $8 != "" { sub(":", "", $1); print $8, f, $2, $1 }' >syms.txt
	awk '{print $1}' syms.txt | sort | uniq -d | grep -v '\.cold$' >dups.txt
	while read -r name; do
		# Expected: rank by address (vmlinux) or by .symtab index (module).
		if [ "$order" = addr ]; then
			awk -v n="$name" '$1 == n {print $3, $2}' syms.txt | sort >ranked.txt
		else
			awk -v n="$name" '$1 == n {print $4, $2}' syms.txt | sort -n >ranked.txt
		fi
		"$KLP" affected --cache "$idx" --json -f "$name" "$dir" >out.json 2>err.txt
		if [ $? -eq 2 ] && grep -q "several files" err.txt; then
			# Statics of several files: ask per file.
			: >out.json
			grep -oE '[^ ]+:'"$name"' \(' err.txt | sed 's/ ($//' | sort -u |
			while read -r spec; do
				"$KLP" affected --cache "$idx" --json -f "$spec" "$dir" 2>/dev/null
			done >out.json
		fi
		rank=0
		while read -r _ file; do
			rank=$((rank + 1))
			# A basename held twice cannot be told apart by a reader either.
			[ "$(awk -v f="$file" '$2 == f' ranked.txt | wc -l)" -eq 1 ] || continue
			got=$(jq -r --arg n "$name" --arg f "$file" '.affected | (.functions + .unpatchable)[] |
				select(.symbol == $n and (.unit | split("/") | last) == $f) | .sympos' out.json 2>/dev/null | head -n 1)
			[ -n "$got" ] || continue	# not a changed body here (e.g. only inlined)
			CHECKED=$((CHECKED + 1))
			if [ "$got" != "$rank" ]; then
				echo "FAIL: $elf: $name of $file: sympos $got, the kernel counts $rank"
				FAILS=$((FAILS + 1))
			fi
		done <ranked.txt
	done <dups.txt
	echo "$elf: $(wc -l <dups.txt) repeated names"
}
# The harness's own vmlinux first, when its link kept the records.
if "$KLP" dump "$BUILD/vmlinux" >/dev/null 2>&1; then
	check "$BUILD" vmlinux addr "$WORK/real.idx"
fi
check v vmlinux addr "$WORK/v.idx"
check m kmod.ko index "$WORK/m.idx"
echo "$CHECKED positions checked, $FAILS wrong"
[ "$CHECKED" -ge 10 ] || { echo "FAIL: fewer than 10 positions checked"; exit 1; }
[ "$FAILS" -eq 0 ]
