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

finish
