#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# stock_coverage.sh KLP_PREP VMLINUX WORK
#
# klp-prep coverage on Debian's shipped 6.1 vmlinux (-dbg, with
# --emit-relocs relocations), for parts whose answers were read off by
# hand (objdump -dr, readelf -r, nm; docs/stock-kernels.md says how):
# - suspend_console.cold: entered by one jne from suspend_console, whose
#   7 calls (PLT32) sit in 5 functions, each starting with a __fentry__
#   call; no other reference, no __ksymtab entry;
# - __alloc_contig_migrate_range.cold: no instruction branches to it; a
#   static key's jump does (__jump_table entry at 0xffffffff823c3aa4,
#   site __alloc_contig_migrate_range+0x173, an R_X86_64_NONE nop);
# - __x64_sys_gethostname.cold: x86-64 has no gethostname system call,
#   nothing calls or points to the function: no caller to cover;
# - __check_object_size.cold: __ksymtab___check_object_size exports it;
# - mix_interrupt_randomness.cold: irq_randomness (per-CPU) holds its
#   address (R_X86_64_64 in .rela.data..percpu at 0x2f1a8);
# and the summary counts every .cold symbol of System.map (2,413).
#
# Modules (.ko, ET_REL; their answers from relocations):
# - klp-demo built against the release's headers: klp_demo_work.cold is
#   covered by exactly the functions objdump -dr shows calling
#   klp_demo_work (klp_demo_thread, or what the source calls it from);
# - the -dbg fs/fat/msdos.ko: do_msdos_rename.isra.0.cold is entered by
#   two jmp (R_X86_64_PC32 .text.unlikely+0x15) in
#   do_msdos_rename.isra.0, which is called once, at msdos_rename+0x12f
#   (call fd0, no relocation), and named elsewhere only by __mcount_loc,
#   .orc_unwind_ip and debug info; msdos_rename starts with call
#   __fentry__: covered by msdos_rename;
# - msdos_rmdir.cold: msdos_rmdir (.text+0x800) is in
#   msdos_dir_inode_operations (R_X86_64_64 at .rodata+0x90, its .rmdir);
# - the -dbg crypto/cryptd.ko: cryptd_fini_queue.constprop.0
#   (.text.unlikely+0x12) is called from cleanup_module+0xc and from
#   init_module (R_X86_64_PC32 .text.unlikely+0xe at .exit.text+0xd and
#   .init.text+0xd9), named elsewhere only by __mcount_loc and debug
#   info: a module's exit and init run while it is patched, refused.
klp_prep=$1
vmlinux=$2
work=$3
test_name=stock_coverage

. "$(dirname "$0")/cli_lib.sh"

if [ ! -e "$vmlinux" ]; then
	echo "SKIP: $vmlinux is not installed (linux-image-6.1.0-57-cloud-amd64-dbg)"
	exit 77
fi
rm -rf "$work"
mkdir -p "$work"

run 0 coverage --vmlinux "$vmlinux" suspend_console.cold
has out "suspend_console.cold (cold, 0xffffffff819d2f80): coverable by 5 callers"
for f in suspend_devices_and_enter hibernate_quiet_exec hibernation_snapshot \
	 hibernation_restore hibernation_platform_enter; do
	has out "caller $f (0x"
	has out "suspend_console.cold <- suspend_console <- $f"
done

run 0 coverage --vmlinux "$vmlinux" --json __alloc_contig_migrate_range.cold \
	__x64_sys_gethostname.cold
json 'len(d) == 2'
json 'd[0]["coverable"] and sorted(c["name"] for c in d[0]["callers"]) == ["alloc_contig_range", "isolate_single_pageblock"]'
json 'd[1]["coverable"] and d[1]["callers"] == [] and d[1]["problems"] == []'

run 3 coverage --vmlinux "$vmlinux" __check_object_size.cold
has out "__check_object_size.cold (cold, 0xffffffff819dceda): not coverable"
has out "exported: __check_object_size (__ksymtab): modules may call it"

run 3 coverage --vmlinux "$vmlinux" --json mix_interrupt_randomness.cold
json 'not d[0]["coverable"] and d[0]["problems"][0]["kind"] == "address_taken"'
json 'd[0]["problems"][0]["section"] == ".data..percpu" and d[0]["problems"][0]["symbol"] == "irq_randomness" and d[0]["problems"][0]["site"] == 0x2f1a8'

run 0 coverage --vmlinux "$vmlinux" --summary --json
json 'd["summary"]["cold"]["parts"] == 2413'
json 'd["undecodable"] == 0'
json 'sum(d["summary"]["all"]["first_reasons"].values()) + d["summary"]["all"]["coverable"] == d["summary"]["all"]["parts"]'

# not a function of the file: exit 2, named
run 2 coverage --vmlinux "$vmlinux" no_such_function.cold
has err "no function 'no_such_function.cold'"

# -- modules -------------------------------------------------------------------
release=${vmlinux##*/vmlinux-}
build=/lib/modules/$release/build
modules=/usr/lib/debug/lib/modules/$release/kernel

msdos=$modules/fs/fat/msdos.ko
if [ -e "$msdos" ]; then
	run 0 coverage --object "$msdos" --json do_msdos_rename.isra.0.cold
	json 'd[0]["coverable"] and [c["name"] for c in d[0]["callers"]] == ["msdos_rename"]'
	json 'd[0]["callers"][0]["chain"] == "do_msdos_rename.isra.0.cold <- do_msdos_rename.isra.0 <- msdos_rename"'
	run 3 coverage --object "$msdos" msdos_rmdir.cold
	has out "msdos_rmdir.cold (cold, 0x"
	has out "address_taken: msdos_rmdir at 0x"
	has out "(.rodata, msdos_dir_inode_operations+0x50)"
else
	fail "$msdos is not installed (linux-image-$release-dbg has it)"
fi

cryptd=$modules/crypto/cryptd.ko
if [ -e "$cryptd" ]; then
	run 3 coverage --object "$cryptd" cryptd_fini_queue.constprop.0
	has out "init_caller: cryptd_fini_queue.constprop.0 called from 0x"
	has out "(.exit.text, cleanup_module+0xc)"
	run 3 coverage --object "$cryptd" --json cryptd_fini_queue.constprop.0
	json 'd[0]["init_callers"] == 2 and d[0]["callers"] == [] and [p["kind"] for p in d[0]["problems"]] == ["init_caller"]'
else
	fail "$cryptd is not installed (linux-image-$release-dbg has it)"
fi

if [ -e "$build/.config" ]; then
	demo=$work/klp-demo
	cp -a "$(dirname "$0")/../../examples/klp-demo" "$demo"
	make -s -C "$build" M="$demo" modules > "$work/demo-make.log" 2>&1 ||
		fail "klp-demo does not build against $build (see $work/demo-make.log)"
	ko=$demo/klp_demo.ko
	# The functions that branch to klp_demo_work, by objdump -dr alone:
	# "call NAME" or "jmp NAME" for each instruction whose target is
	# klp_demo_work, by its bytes or by its relocation.
	objdump -dr "$ko" | awk '
		/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn); next }
		/^ +[0-9a-f]+:\t/ {
			n = split($0, f, "\t"); split(f[n], w, " "); op = w[1]
			if (f[n] ~ /<klp_demo_work>$/) print op, fn
			next
		}
		/R_X86_64_(PLT32|PC32)\tklp_demo_work-0x4$/ { print op, fn }
	' | sort -u > "$work/demo-branches"
	grep -q . "$work/demo-branches" || fail "objdump shows no call to klp_demo_work in $ko"
	grep -v '^call ' "$work/demo-branches" &&
		fail "a jump to klp_demo_work: its covering callers are not its callers"
	expected=$(awk '{ print $2 }' "$work/demo-branches" | sort -u | tr '\n' ' ')
	# each of them can be replaced: its first instruction calls __fentry__
	for f in $expected; do
		objdump -dr "$ko" | awk -v f="<$f>:" '$2 == f { getline; getline; print; exit }' |
			grep -q '__fentry__' || fail "$f of $ko does not start with a __fentry__ call"
	done
	run 0 coverage --object "$ko" --json klp_demo_work.cold
	json 'd[0]["coverable"] and d[0]["kind"] == "cold"'
	json "sorted(c['name'] for c in d[0]['callers']) == '$expected'.split()"
	# the same through --vmlinux, the older spelling
	run 0 coverage --vmlinux "$ko" klp_demo_work.cold
	has out "klp_demo_work.cold (cold, 0x"
	echo "klp_demo_work.cold covered by: $expected"
else
	fail "$build is not installed (linux-headers-$release)"
fi

finish
