#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh - golden-output tests of klp-prep generate
#
# The small tree here is compiled with gcc-12 and the real klp_partition
# plugin into a "vmlinux" (a final link, so symbols have addresses), with
# a compile_commands.json and a Module.symvers, as a kernel build has.
# Each fix in cases/ is turned into a module source and compared with
# expected/CASE/, file by file: a reviewer sees the generated source change
# in the diff of expected/.  Refusals are checked by exit status and
# message.  The unit files are compiled (-Werror) against the tree.
#
# Usage: run.sh KLP_PREP PLUGIN WORK_DIR [--update]
#   --update  rewrite expected/ from this run (then review the git diff)
# Prints "ok NAME" or "FAIL NAME: why"; exits with the number of failures.
set -uo pipefail

KLP=${1:?klp-prep binary}
PLUGIN=${2:?klp_partition.so}
WORK=${3:?work dir}
UPDATE=${4:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CC=${CC:-gcc-12}
KFLAGS="-O2 -fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -mfentry -pg -std=gnu11"
FAILS=0

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

rm -rf "$WORK" && mkdir -p "$WORK/build" "$WORK/out" || exit 99
cp -r "$HERE/tree" "$WORK/src" || exit 99
cd "$WORK/build" || exit 99

UNITS="fs/proc/cmdline.c kernel/calc.c lib/other.c kernel/limit.c lib/clamp_user.c"
for u in $UNITS; do
	o=${u%.c}.o	# where kbuild puts it
	mkdir -p "$(dirname "$o")"
	$CC -nostdinc -I"$WORK/src/include" -D__KERNEL__ $KFLAGS \
		-fplugin="$PLUGIN" -c "$WORK/src/$u" -o "$o" 2>"$o.log" ||
		{ cat "$o.log" >&2; fail "compile-$u" "gcc-12 with the plugin failed"; }
done
ld -o vmlinux -e 0 --unresolved-symbols=ignore-all \
	${UNITS//.c/.o} 2>/dev/null ||
	fail link "ld failed"
# A module, built out of tree: the .ko beside its source.
MODFLAGS="-DMODULE -DKBUILD_MODNAME=\"calcmod\""
$CC -nostdinc -I"$WORK/src/include" -D__KERNEL__ $MODFLAGS $KFLAGS -fplugin="$PLUGIN" \
	-c "$WORK/src/drivers/calcmod.c" -o calcmod.o 2>calcmod.log &&
	ld -r -o "$WORK/src/drivers/calcmod.ko" calcmod.o ||
	fail module "building calcmod.ko failed: $(cat calcmod.log)"
printf '0x00000000\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' _printk seq_puts seq_putc seq_printf \
	>Module.symvers
# What scripts/clang-tools/gen_compile_commands.py writes, with the
# flags the units were compiled with (the plugin's among them).
python3 - "$WORK" "$KFLAGS" "$PLUGIN" $UNITS drivers/calcmod.c >compile_commands.json <<'PY'
import json, sys
work, kflags, plugin, units = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
out = []
for u in units:
    o = u[:-2] + '.o'
    mod = ['-DMODULE', '-DKBUILD_MODNAME="calcmod"'] if u.startswith('drivers/') else []
    cmd = ['gcc', '-nostdinc', '-I' + work + '/src/include', '-D__KERNEL__'] + mod + \
        kflags.split() + ['-fplugin=' + plugin, '-c', '-o', o, work + '/src/' + u]
    out.append({'directory': work + '/build', 'file': work + '/src/' + u,
                'arguments': cmd})
json.dump(out, sys.stdout, indent=1)
PY

# generate CASE [ARGS...]: output in $WORK/out/CASE, status in $STATUS
generate() {
	local case=$1
	shift
	"$KLP" generate -k "$WORK/build" -o "$WORK/out/$case" "$@" \
		"$HERE/cases/$case.diff" 2>"$WORK/out/$case.stderr"
	STATUS=$?
}

# golden CASE: compare with expected/CASE, and compile the unit files
golden() {
	local case=$1 f
	if [ "$STATUS" != 0 ]; then
		fail "$case" "exit status $STATUS: $(head -c 600 "$WORK/out/$case.stderr")"
		return
	fi
	if [ "$UPDATE" == --update ]; then
		rm -rf "$HERE/expected/$case"
		mkdir -p "$HERE/expected" && cp -r "$WORK/out/$case" "$HERE/expected/$case"
	fi
	if diff -ru "$HERE/expected/$case" "$WORK/out/$case" >"$WORK/out/$case.diff"; then
		ok "$case"
	else
		fail "$case" "differs from expected/$case:
$(head -40 "$WORK/out/$case.diff")"
	fi
	if grep -rq "$WORK" "$WORK/out/$case"; then
		fail "$case-paths" "the output names the work directory"
	else
		ok "$case-paths"
	fi
	# The fix's headers, patched, before the tree's (as Kbuild does).
	local tree=()
	[ -d "$WORK/out/$case/klp-tree/include" ] && tree=(-I"$WORK/out/$case/klp-tree/include")
	for f in "$WORK/out/$case"/*.c; do
		case $(basename "$f") in livepatch_*) continue ;; esac
		if $CC -nostdinc "${tree[@]}" -I"$WORK/src/include" -D__KERNEL__ \
			$KFLAGS -Wall -Werror -c "$f" -o "$WORK/out/$case.o" 2>"$WORK/out/$case.cc.log"; then
			ok "$case-compiles"
		else
			fail "$case-compiles" "$(head -20 "$WORK/out/$case.cc.log")"
		fi
	done
}

expect_grep() { # NAME PATTERN FILE
	if grep -q -- "$2" "$3"; then ok "$1"; else fail "$1" "no '$2' in: $(head -c 600 "$3")"; fi
}

# -- the classic: a non-exported global, used through KLP_PREP_EXTERN ------
generate cmdline
golden cmdline

# -- the post-link step on the compiled unit: livepatch symbols, .klp.rela --
cp "$WORK/out/cmdline.o" "$WORK/out/convert.o"
if "$KLP" generate --convert "$WORK/out/convert.o" 2>"$WORK/out/convert.stderr"; then
	ok convert
else
	fail convert "exit $?: $(cat "$WORK/out/convert.stderr")"
fi
expect_grep convert-count "1 livepatch symbol, 1 relocation" "$WORK/out/convert.stderr"
readelf -sW "$WORK/out/convert.o" >"$WORK/out/convert.syms"
readelf -SW "$WORK/out/convert.o" >"$WORK/out/convert.sections"
readelf -rW "$WORK/out/convert.o" >"$WORK/out/convert.relocs"
expect_grep convert-shn-livepatch "GLOBAL DEFAULT OS \[0xff20\] .klp.sym.vmlinux.saved_command_line,0" \
	"$WORK/out/convert.syms"
expect_grep convert-section ".klp.rela.vmlinux..text *RELA .* AIo " "$WORK/out/convert.sections"
if awk '/^Relocation section .\.rela\.text/{r=1; next} /^Relocation section/{r=0} r' \
	"$WORK/out/convert.relocs" | grep -q klp.sym; then
	fail convert-moved "a relocation against a livepatch symbol stayed in .rela.text"
else
	ok convert-moved
fi
"$KLP" generate --convert "$WORK/out/convert.o" 2>"$WORK/out/convert.stderr"
expect_grep convert-again "0 livepatch symbols, 0 relocations" "$WORK/out/convert.stderr"

# A relocation the livepatch core cannot apply (R_X86_64_16: x86-64's
# apply_relocate_add() fails the patch on it) is refused, naming it; the
# object is left as it was.
printf '\t.data\n\t.weak "%s"\n\t.word "%s"\n' .klp.sym.vmlinux.foo,0 .klp.sym.vmlinux.foo,0 \
	>"$WORK/out/reloc16.s"
$CC -c "$WORK/out/reloc16.s" -o "$WORK/out/reloc16.o"
cp "$WORK/out/reloc16.o" "$WORK/out/reloc16-before.o"
if "$KLP" generate --convert "$WORK/out/reloc16.o" 2>"$WORK/out/reloc16.stderr"; then
	fail convert-refuses-reloc16 "converted: $(readelf -rW "$WORK/out/reloc16.o")"
else
	expect_grep convert-refuses-reloc16 "reloc16.o: error: .data+0x0: relocation type 12 against .klp.sym.vmlinux.foo,0: the livepatch core cannot apply it" \
		"$WORK/out/reloc16.stderr"
	cmp -s "$WORK/out/reloc16.o" "$WORK/out/reloc16-before.o" && ok convert-refused-unchanged ||
		fail convert-refused-unchanged "the object changed"
fi

# -- a static inline changes: both callers are patched, the helper copied --
generate inline-two
golden inline-two
expect_grep inline-two-both "klpp_calc_a" "$WORK/out/inline-two/livepatch_inline_two.h"
expect_grep inline-two-both-b "klpp_calc_b" "$WORK/out/inline-two/livepatch_inline_two.h"

# -- a header's static inline changes: what inlined it, in every unit -------
generate header-inline
golden header-inline
expect_grep header-inline-calc '.old_name = "calc_limit",' "$WORK/out/header-inline/livepatch_header_inline.c"
expect_grep header-inline-other '.old_name = "other_limit",' "$WORK/out/header-inline/livepatch_header_inline.c"
expect_grep header-inline-patched 'CALC_CLAMP_MAX - 1' "$WORK/out/header-inline/klp-tree/include/linux/calc_clamp.h"
expect_grep header-inline-first 'LINUXINCLUDE := -I$(src)/klp-tree/include $(LINUXINCLUDE)' \
	"$WORK/out/header-inline/Kbuild"
# The unit compiles with the patched header, not the tree's.
if $CC -nostdinc -I"$WORK/out/header-inline/klp-tree/include" -I"$WORK/src/include" \
	-D__KERNEL__ $KFLAGS -E "$WORK/out/header-inline/lib_clamp_user.c" | grep -q 'x >= 100 ? 100 - 1'; then
	ok header-inline-sees-patch
else
	fail header-inline-sees-patch "lib_other.c does not see the patched calc_clamp()"
fi

# -- the same for a header's function: the patched header gives the copy ---
generate header-notrace -v
golden header-notrace
expect_grep header-notrace-caller '.old_name = "limit_slow",' "$WORK/out/header-notrace/livepatch_header_notrace.c"
expect_grep header-notrace-copy 'return x + 8;' "$WORK/out/header-notrace/klp-tree/include/linux/calc_clamp.h"
if grep -q 'warning' "$WORK/out/header-notrace.stderr"; then
	fail header-notrace-quiet "$(grep warning "$WORK/out/header-notrace.stderr")"
else
	ok header-notrace-quiet
fi

# -- no ftrace hook: its callers are patched, calling the module's copy ----
generate notrace-callers -v
golden notrace-callers
expect_grep notrace-callers-one '.old_name = "limit_one",' "$WORK/out/notrace-callers/livepatch_notrace_callers.c"
expect_grep notrace-callers-two '.old_name = "limit_two",' "$WORK/out/notrace-callers/livepatch_notrace_callers.c"
if grep -q '.old_name = "limit_step"' "$WORK/out/notrace-callers/livepatch_notrace_callers.c"; then
	fail notrace-callers-not-itself "limit_step, which has no hook, is in the table"
else
	ok notrace-callers-not-itself
fi
expect_grep notrace-callers-copy 'return x \* 4;' "$WORK/out/notrace-callers/kernel_limit.c"
expect_grep notrace-callers-why "'limit_one' patched: it calls limit_step, which has no ftrace hook" \
	"$WORK/out/notrace-callers.stderr"

# -- the running kernel's static, at its position among equal names --------
generate static-var
golden static-var
# lib/other.c's initialized counter is in .data, before calc.c's in .bss.
pos=$(nm -n "$WORK/build/vmlinux" | awk '$3=="counter"{n++; if ($2=="b") print n}')
expect_grep static-var-extern "KLP_PREP_EXTERN(counter, \"vmlinux.counter,$pos\", int);" \
	"$WORK/out/static-var/kernel_calc.c"

# -- the original's .cold part: a stack_only entry after the function --------
generate cold
golden cold
expect_grep cold-stack-only '.old_name = "calc_check.cold",' "$WORK/out/cold/livepatch_cold.c"

# -- a module's unit: its object, its statics, the kernel's globals ---------
generate module
golden module
expect_grep module-object '.name = "calcmod",' "$WORK/out/module/livepatch_module.c"
expect_grep module-static 'KLP_PREP_EXTERN(hits, "calcmod.hits,0", int);' "$WORK/out/module/drivers_calcmod.c"
expect_grep module-kernel 'KLP_PREP_EXTERN(panic_timeout, "vmlinux.panic_timeout,0", panic_timeout);' \
	"$WORK/out/module/drivers_calcmod.c"

# -- a name a macro makes (as SYSCALL_DEFINE does): its argument renamed ---
generate macro-name
golden macro-name
expect_grep macro-name-new '.new_func = calc_op_klpp_twice,' "$WORK/out/macro-name/livepatch_macro_name.c"
expect_grep macro-name-text '^CALC_DEFINE(klpp_twice)$' "$WORK/out/macro-name/kernel_calc.c"

# -- two units' static functions of one name: new names that differ --------
generate two-units
golden two-units
expect_grep two-units-calc '.new_func = klpp_tweak_kernel_calc,' "$WORK/out/two-units/livepatch_two_units.c"
expect_grep two-units-other '.new_func = klpp_tweak_lib_other,' "$WORK/out/two-units/livepatch_two_units.c"

# -- static locals: the original's in place; a new one stays the module's --
generate static-local-orig
golden static-local-orig
expect_grep static-local-orig-extern \
	'KLP_PREP_EXTERN(ticks, "vmlinux.ticks.[0-9]*,0", int);' "$WORK/out/static-local-orig/kernel_calc.c"
generate static-local
golden static-local
expect_grep static-local-new "^	static int calls;" "$WORK/out/static-local/kernel_calc.c"

# -- a function new in the fix: the module's own, static, not patched ---
# -- a static variable new in the fix: the module's own, with its value ------
generate data-new
golden data-new
expect_grep data-new-copied "^static int bump_scale = 5;" "$WORK/out/data-new/kernel_calc.c"
expect_grep data-new-counter-extern "KLP_PREP_EXTERN(counter, " "$WORK/out/data-new/kernel_calc.c"

# -- the author's callbacks (--callbacks): copied, wired per object ------------
cat >"$WORK/callbacks.c" <<'CB'
int klp_prep_pre_patch_vmlinux(struct klp_object *obj) { return 0; }
void klp_prep_post_unpatch_vmlinux(struct klp_object *obj) { }
CB
"$KLP" generate -k "$WORK/build" -o "$WORK/out/callbacks" --callbacks "$WORK/callbacks.c" \
	"$HERE/cases/cmdline.diff" 2>"$WORK/out/callbacks.stderr"
STATUS=$?
if [ "$STATUS" = 0 ]; then ok callbacks; else fail callbacks "exit $STATUS: $(cat "$WORK/out/callbacks.stderr")"; fi
expect_grep callbacks-pre ".pre_patch = klp_prep_pre_patch_vmlinux," "$WORK/out/callbacks/livepatch_cmdline.c"
expect_grep callbacks-post ".post_unpatch = klp_prep_post_unpatch_vmlinux," "$WORK/out/callbacks/livepatch_cmdline.c"
expect_grep callbacks-proto "^void klp_prep_post_unpatch_vmlinux(struct klp_object \*obj);" \
	"$WORK/out/callbacks/livepatch_cmdline.c"
expect_grep callbacks-kbuild " callbacks.o$" "$WORK/out/callbacks/Kbuild"
cmp -s "$WORK/callbacks.c" "$WORK/out/callbacks/callbacks.c" && ok callbacks-copied ||
	fail callbacks-copied "callbacks.c is not the author's file"
# a callback of no object of the patch: refused, nothing written
echo 'void klp_prep_post_patch_vmlinx(struct klp_object *obj) { }' >"$WORK/callbacks-typo.c"
"$KLP" generate -k "$WORK/build" -o "$WORK/out/callbacks-typo" --callbacks "$WORK/callbacks-typo.c" \
	"$HERE/cases/cmdline.diff" 2>"$WORK/out/callbacks-typo.stderr"
STATUS=$?
[ "$STATUS" = 2 ] && ok callbacks-typo-status || fail callbacks-typo-status "exit $STATUS, want 2"
expect_grep callbacks-typo "callbacks-typo.c:1: error: 'klp_prep_post_patch_vmlinx' is no callback of this livepatch" \
	"$WORK/out/callbacks-typo.stderr"
[ -e "$WORK/out/callbacks-typo" ] && fail callbacks-typo-output "an output directory was left" ||
	ok callbacks-typo-output

# -- a new function one unit adds and another calls: global, the module's own --
generate new-globals -v
golden new-globals
expect_grep new-globals-global "^void other_note(int by)" "$WORK/out/new-globals/lib_other.c"
expect_grep new-globals-note "'other_note' is new in the fix and called from another unit" \
	"$WORK/out/new-globals.stderr"
if grep -q "other_note" "$WORK/out/new-globals/patched_funcs.csv"; then
	fail new-globals-not-patched "other_note is in the table of patched functions"
else
	ok new-globals-not-patched
fi

# -- the address of a patched function is the original's ----------------------
generate identity
golden identity
expect_grep identity-extern "KLP_PREP_EXTERN(bump, \"vmlinux.bump,0\"" "$WORK/out/identity/kernel_calc.c"
expect_grep identity-uses-original "pr_info(\"bump at %pS\\\\n\", bump);" "$WORK/out/identity/kernel_calc.c"

generate new-function -v
golden new-function
expect_grep new-function-note "kernel/calc.c:36: note: 'calc_clamp' is new in the fix: the livepatch makes it static" \
	"$WORK/out/new-function.stderr"
if grep -q calc_clamp "$WORK/out/new-function/patched_funcs.csv" 2>/dev/null; then
	fail new-function-not-patched "calc_clamp is in the table of patched functions"
else
	ok new-function-not-patched
fi

# -- a patched copy instead of a diff, without names: the differences tell --
sed 's/^\treturn counter;$/\treturn counter + 1;/' "$WORK/src/kernel/calc.c" >"$WORK/out/calc-patched.c"
"$KLP" generate -k "$WORK/build" -o "$WORK/out/patched-copy" -n patched_copy \
	-p "kernel/calc.c=$WORK/out/calc-patched.c" 2>"$WORK/out/patched-copy.stderr"
STATUS=$?
if [ "$STATUS" == 0 ]; then ok patched-copy; else fail patched-copy "exit $STATUS: $(cat "$WORK/out/patched-copy.stderr")"; fi
expect_grep patched-copy-func 'calc_count klpp_calc_count' "$WORK/out/patched-copy/patched_funcs.csv"

# -- refusals ---------------------------------------------------------------
generate static-local-ambiguous
if [ "$STATUS" == 3 ]; then ok ambiguous-status; else fail ambiguous-status "exit $STATUS, want 3"; fi
expect_grep ambiguous-message "kernel/calc.c:74: error: static local variable 'seen' of 'calc_seen_a': the original has several candidates (seen.0, seen.1)" \
	"$WORK/out/static-local-ambiguous.stderr"
if [ -e "$WORK/out/static-local-ambiguous" ]; then
	fail ambiguous-no-output "an output was written"
else
	ok ambiguous-no-output
fi

generate signature
if [ "$STATUS" == 3 ]; then ok signature-status; else fail signature-status "exit $STATUS, want 3"; fi
expect_grep signature-message "kernel/calc.c:28: error: the fix changes the signature of 'calc_b'" \
	"$WORK/out/signature.stderr"
# Attributes only (noinline, optimize, cold): the same signature, patched.
generate signature-attr
if [ "$STATUS" == 0 ]; then ok signature-attr; else fail signature-attr "exit $STATUS: $(cat "$WORK/out/signature-attr.stderr")"; fi
expect_grep signature-attr-func '^vmlinux calc_b klpp_calc_b' "$WORK/out/signature-attr/patched_funcs.csv"

# -- an existing output is kept unless --force; the same input, same bytes --
generate cmdline
if [ "$STATUS" == 2 ]; then ok keep-existing; else fail keep-existing "exit $STATUS, want 2"; fi
expect_grep keep-existing-message "exists; pass --force" "$WORK/out/cmdline.stderr"
cp -r "$WORK/out/cmdline" "$WORK/out/cmdline.first"
generate cmdline --force
if [ "$STATUS" == 0 ] && diff -r "$WORK/out/cmdline.first" "$WORK/out/cmdline" >/dev/null; then
	ok byte-stable
else
	fail byte-stable "a second run (status $STATUS) wrote different bytes"
fi
if ls -d "$WORK/out"/cmdline.tmp-* "$WORK/out"/cmdline.old-* 2>/dev/null | grep -q .; then
	fail no-leftovers "temporary directories left behind"
else
	ok no-leftovers
fi

[ $FAILS -gt 100 ] && FAILS=100
exit $FAILS
