#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shipped_build.sh KLP_PREP PLUGIN RELEASE WORK
#
# klp-prep build -k on an installed Debian kernel's headers (headers,
# -dbg, source): a fix to version_proc_show (no split part on either
# shipped kernel) becomes a module with the shipped vermagic, whose
# livepatch symbols name symbols of the shipped vmlinux at the positions
# kallsyms gives them, whose table verifies and names no stack_only
# (affected -k gives the same answer, vmlinux's and a module's); a
# fix to a function with a split part (kernel_restart.cold on 6.1,
# xen_apic_read.part.0 on 6.12) is refused (exit 3, the part named: a
# stock klp_func has no stack_only); klp-demo built against the headers
# (-m) likewise, a fix without split parts built, its bundled fix
# (klp_demo_work.cold) refused; a fix to bm_status_write of the shipped
# in-tree module binfmt_misc.ko built: its klp object is the module, its
# symbols named at the positions the -dbg .ko's symtab gives them; and
# bad input (release not installed, source of another version, another
# compiler, a unit in neither vmlinux nor a module, a rebuilt unit that
# is not the shipped code) exits 2 or 3 writing no module.
klp_prep=$1
plugin=$2
release=$3
work=$4
fixes=$(cd "$(dirname "$0")/../shipped" && pwd)
# The records cache of shipped.sh, kept between runs (the unpacked source
# is 1.5 GB); units made for another plugin are made again.
cache=${KLP_SHIPPED_CACHE:-${KLP_PREP_CACHE:-/var/cache/klp-prep}/shipped-records}
build=/lib/modules/$release/build
vmlinux=/usr/lib/debug/boot/vmlinux-$release
export KLP_PREP_PLUGIN="$plugin"

. "$(dirname "$0")/cli_lib.sh"

if [ ! -e "$build/.config" ] || [ ! -e "$vmlinux" ]; then
	echo "SKIP: $release is not installed (scripts/install-deps.sh installs it)"
	exit 77
fi
rm -rf "$work"
mkdir -p "$work" "$cache"
now() { date +%s.%N; }
t0=$(now)

# -- a vmlinux function without split parts ------------------------------------
ko=$work/version.ko
run 0 build -k "$build" --cache "$cache" -n version_lp -o "$ko" -w "$work/w-version" \
	"$fixes/version-livepatched.diff"
has out "patched: vmlinux:version_proc_show -> klpp_version_proc_show"
[ -f "$ko" ] || fail "no module at $ko"

# The kernel refuses a module whose vermagic is not its own: the shipped
# one is the string the kernel compares against, in its vmlinux.
vermagic=$(grep -a -o -m1 "$release SMP[ a-z_]*" "$vmlinux" | head -1)
got=$(modinfo -F vermagic "$ko")
[ -n "$vermagic" ] || fail "no vermagic string in $vmlinux"
[ "$(echo $got)" = "$(echo $vermagic)" ] || fail "vermagic '$got', the kernel's is '$vermagic'"

# Each .klp.sym.OBJ.NAME,POS of livepatch KO names a symbol of OBJ's
# shipped BINARY: POS 0 when NAME is unique there, else 1..count (kallsyms
# order).  At least one, and a .klp.rela.OBJ section.
klp_syms_in() # KO OBJ BINARY
{
	nm "$3" > "$work/$2.nm"
	readelf -sW "$1" | grep -o "\.klp\.sym\.$2\.[^ ]*" > "$work/$2.sym"
	[ -s "$work/$2.sym" ] || fail "no .klp.sym.$2 symbols in $1"
	while read -r sym; do
		rest=${sym#.klp.sym.$2.}
		name=${rest%,*}
		pos=${rest##*,}
		count=$(awk -v n="$name" '$3 == n' "$work/$2.nm" | wc -l)
		if [ "$count" -eq 0 ]; then
			fail "$sym: no $name in $3"
		elif [ "$count" -eq 1 ] && [ "$pos" -ne 0 ]; then
			fail "$sym: $name is unique in $3, the position must be 0"
		elif [ "$count" -gt 1 ] && { [ "$pos" -lt 1 ] || [ "$pos" -gt "$count" ]; }; then
			fail "$sym: $count symbols $name in $3, position $pos"
		fi
	done < "$work/$2.sym"
	readelf -SW "$1" | grep -q "\.klp\.rela\.$2\." || fail "no .klp.rela.$2 section in $1"
}
klp_syms_in "$ko" vmlinux "$vmlinux"
[ "$(awk '$3 == "version_proc_show"' "$work/vmlinux.nm" | wc -l)" -eq 1 ] ||
	fail "version_proc_show is not unique in $vmlinux: the table's old_sympos 0 is wrong"

run 0 verify "$ko"
has out "$ko: ok: 1 patched function; stack_only: 0 pairs, 0 old side only, 0 new side only"
has out "version_proc_show -> klpp_version_proc_show"
hasnt out "stack_only "

# -- affected -k: the same proven records, for a build system (--json) ---------
run 0 affected -k "$build" --cache "$cache" --json -l fs/proc/version.c:12
json '[(f["symbol"], f["object"], f["sympos"], f["sympos_estimated"]) for f in d["affected"]["functions"]] == [("version_proc_show", "vmlinux", 0, False)]'
run 0 affected -k "$build" --cache "$cache" -f fs/binfmt_misc.c:bm_status_write
has out "binfmt_misc bm_status_write,0"
run 2 affected -k "$build" --cache "$cache" -f version_proc_show
has err "version_proc_show: error: with -k, a change names its .c file"

# a stock struct klp_func: the source names no stack_only field
grep -qE '\.(stack_only|new_name|new_sympos) =' "$work/w-version/src/livepatch_version_lp.c" &&
	fail "the module source sets stack_only fields the kernel's klp_func lacks"
t1=$(now)

# -- a function with split parts that cannot be covered on a stock kernel -------
# kernel_restart has a .cold part on 6.1; xen_apic_read calls its own
# .part.0 (partial inlining) on 6.12.  Each case runs where the shipped
# vmlinux has that part; at least one must.
refusals=0
refused() # DIFF FUNCTION PART FILE
{
	part=$(awk '{print $3}' "$work/vmlinux.nm" | grep -m1 -xE "$3")
	[ -n "$part" ] || return 0
	refusals=$((refusals + 1))
	run 3 build -k "$build" --cache "$cache" -n split -o "$work/split.ko" \
		-w "$work/w-split-$2" "$fixes/$1"
	has err "error: '$part' ("
	has err "cannot be covered on a kernel without stack_only: "
	has err "install the kernel-support series"
	[ -e "$work/split.ko" ] && fail "$1: a refused fix wrote its module"
	# affected -k says the same, with the part in its answer
	run 3 affected -k "$build" --cache "$cache" -f "$4:$2"
	has err "error: '$part' ("
	has err "cannot be covered on a kernel without stack_only: "
	has out "stack_only: $part"
}
refused kernel-restart-cold.diff kernel_restart 'kernel_restart\.cold' kernel/reboot.c
refused xen-apic-read-part.diff xen_apic_read 'xen_apic_read\.part\.[0-9]+' arch/x86/xen/apic.c
[ "$refusals" -gt 0 ] || fail "no split-part case fits $release"

# Each reason a part cannot be covered, on a part of the shipped vmlinux
# that has that one reason (read off 'klp-prep coverage'; 6.1's -dbg
# vmlinux has the relocations it needs, 6.12's has none: that refusal is
# xen_apic_read's above).  affected -k answers without building.
if readelf -S "$vmlinux" | grep -q ' \.rela\.text '; then
	cover_refused() # FILE FUNCTION PART KIND
	{
		grep -q " $3\$" "$work/vmlinux.nm" || fail "no $3 in $release"
		run 3 affected -k "$build" --cache "$cache" -f "$1:$2"
		has err "error: '$3' (cold of $2) cannot be covered on a kernel without stack_only: "
		has err "is $4"
		has err "with --allow-unsafe=$4"
	}
	cover_refused block/blk-lib.c __blkdev_issue_discard __blkdev_issue_discard.cold exported
	cover_refused drivers/tty/tty_io.c __do_SAK __do_SAK.cold address_taken
	cover_refused mm/vmalloc.c __vmalloc_node_range __vmalloc_node_range.cold unknown_code
	cover_refused fs/stat.c cp_old_stat cp_old_stat.cold too_deep
	cover_refused fs/ext4/super.c __ext4_warning __ext4_warning.cold too_many_callers
	# kernel_restart.cold: its covering caller state_store is in another
	# unit (kernel/power/main.c): build refuses it as "uncovered"; with
	# every reason let through, it builds and the source says so.
	run 3 build -k "$build" --cache "$cache" -n split -o "$work/split.ko" \
		-w "$work/w-split-uncovered" "$fixes/kernel-restart-cold.diff"
	has err "its covering caller 'state_store' ("
	has err "is in main.c, a unit the fix does not change"
	has err "--allow-unsafe=uncovered"
	run 0 build -k "$build" --cache "$cache" -n split -o "$work/split.ko" \
		-w "$work/w-split-allowed" \
		--allow-unsafe=exported,address_taken,too_deep,uncovered \
		"$fixes/kernel-restart-cold.diff"
	has err "warning: --allow-unsafe: kernel/reboot.c: 'kernel_restart.cold' of 'kernel_restart' left uncovered (exported)"
	grep -q "OVERRIDDEN (--allow-unsafe): kernel/reboot.c: 'kernel_restart.cold' of 'kernel_restart' left uncovered (uncovered)" \
		"$work"/w-split-allowed/src/livepatch_split.c ||
		fail "the overrides are not named in livepatch_split.c"
	grep -q "\.stack_only" "$work"/w-split-allowed/src/livepatch_split.c &&
		fail "a stock kernel's livepatch sets .stack_only"
	rm -f "$work/split.ko"
fi
t2=$(now)

# -- an out-of-tree module built against the headers (-m) ----------------------
# klp-demo, built with the plugin: its records are its own.  Its fix to
# klp_demo_gain builds; the bundled fix to klp_demo_work (a .cold part)
# is refused.
demo=$work/klp-demo
cp -a "$(dirname "$0")/../../examples/klp-demo" "$demo"
make -s -C "$build" M="$demo" KCFLAGS="-fplugin=$plugin" modules > "$work/demo-make.log" 2>&1 ||
	fail "klp-demo does not build against $build (see $work/demo-make.log)"
run 0 build -k "$build" --cache "$cache" -m "$demo" -n demo -o "$work/demo.ko" \
	-w "$work/w-demo" "$fixes/klp-demo-gain.diff"
has out "patched: klp_demo:klp_demo_gain -> klpp_klp_demo_gain"
[ "$(echo $(modinfo -F vermagic "$work/demo.ko"))" = "$(echo $vermagic)" ] ||
	fail "klp-demo livepatch: vermagic is not the kernel's"
run 0 verify "$work/demo.ko"
has out "$work/demo.ko: ok: 1 patched function"
# klp_demo_work() has a .cold part: on this stock kernel its one caller,
# klp_demo_step(), is patched too, and verify proves the new side covered
# in the module's own code.
run 0 build -k "$build" --cache "$cache" -m "$demo" -n demo_work -o "$work/demo-work.ko" \
	-w "$work/w-demo-work" "$demo/fix.diff"
has out "patched: klp_demo:klp_demo_work -> klpp_klp_demo_work"
has out "patched: klp_demo:klp_demo_step -> klpp_klp_demo_step (covers klp_demo_work.cold: klp_demo_work.cold <- klp_demo_work <- klp_demo_step)"
has out "no stack_only (a stock kernel): 1 part of the new code covered by patched callers"
run 0 verify --stack-only=no "$work/demo-work.ko"
has out "ok: 2 patched functions; no stack_only: 1 part of the new code covered by patched callers"
# read as a table for a kernel with stack_only, the same module misses its entry
run 1 verify "$work/demo-work.ko"
has err "'klpp_klp_demo_work.cold' (cold part of 'klpp_klp_demo_work') is in the module, but no stack_only entry names it"
t3=$(now)

# -- a unit of an in-tree module of the shipped kernel ---------------------------
# fs/binfmt_misc.o (CONFIG_BINFMT_MISC=m): proven against the -dbg
# binfmt_misc.ko; the patched function calls parse_command(), a local
# function of the module, through .klp.sym.binfmt_misc.parse_command,POS.
mod_ko=/usr/lib/debug/lib/modules/$release/kernel/fs/binfmt_misc.ko
run 0 build -k "$build" --cache "$cache" -n binfmt -o "$work/binfmt.ko" -w "$work/w-binfmt" \
	"$fixes/binfmt-misc-status.diff"
has out "patched: binfmt_misc:bm_status_write -> klpp_bm_status_write"
run 0 verify "$work/binfmt.ko"
has out "$work/binfmt.ko: ok: 1 patched function"
has out "binfmt_misc (binfmt_misc_funcs):"
klp_syms_in "$work/binfmt.ko" binfmt_misc "$mod_ko"
grep -q '^\.klp\.sym\.binfmt_misc\.parse_command,' "$work/binfmt_misc.sym" ||
	fail "no .klp.sym.binfmt_misc.parse_command symbol in $work/binfmt.ko"
# proven against the module's .ko, and check -k compares it with it again
run 0 check -k "$build" --cache "$cache" fs/binfmt_misc.o
has out "fs/binfmt_misc.o: 0 mismatches against $mod_ko"
t4=$(now)

# -- bad input: exit 2 or 3, no module -------------------------------------------
run 2 build -k /lib/modules/6.1.0-0-none-amd64/build --cache "$work/c" -o "$work/bad.ko" \
	-w "$work/w-bad" "$fixes/version-livepatched.diff"
has err "apt-get install linux-headers-6.1.0-0-none-amd64 linux-image-6.1.0-0-none-amd64-dbg"

mkdir -p "$work/src"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\n' > "$work/src/Makefile"
run 2 build -k "$build" --source "$work/src" --cache "$work/c" -o "$work/bad.ko" \
	-w "$work/w-bad" "$fixes/version-livepatched.diff"
has err "the source is version 6.1.1"

cp -a "$(readlink -f "$build")" "$work/headers"
sed -i 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.1.0-1) 12.1.0"/' \
	"$work/headers/.config"
run 2 build -k "$work/headers" --vmlinux "$vmlinux" --cache "$work/c" -o "$work/bad.ko" \
	-w "$work/w-bad" "$fixes/version-livepatched.diff"
has err "the kernel was built with \"gcc-12 (Debian 12.1.0-1) 12.1.0\""

# A unit the shipped kernel builds neither into vmlinux nor into a
# module (CONFIG_EFS_FS is not set on either): kbuild compiles it as
# built-in, and vmlinux has no code of it; nothing cached.
run 3 kernel-records -k "$build" --cache "$cache" fs/efs/inode.o
has err "fs/efs/inode.o: error: cannot be proven: its functions cannot be paired with those of $vmlinux"
has err "fs/efs/inode.o: note: a unit the kernel builds neither into vmlinux nor into a module"
[ -e "$cache/$release/units/fs/efs/inode.o" ] && fail "fs/efs/inode.o was cached"

# A vmlinux the units were not built for: the proof fails, the fix is
# refused.  (Another cache: its identity would empty the shared one.  The
# unpacked source is shared through a link.)
other=$(awk '/^[^#]/ {print $1}' "$(dirname "$0")/../../scripts/shipped-kernels" |
	grep -vxF "$release" | head -1)
if [ -n "$other" ] && [ -e "/usr/lib/debug/boot/vmlinux-$other" ]; then
	mkdir -p "$work/c"
	ln -s "$cache/src" "$work/c/src"
	run 3 build -k "$build" --vmlinux "/usr/lib/debug/boot/vmlinux-$other" --cache "$work/c" \
		-o "$work/bad.ko" -w "$work/w-bad" "$fixes/version-livepatched.diff"
	has err "fs/proc/version.o: error: cannot be proven"
	has err "their records would not describe the running kernel"
fi
[ -e "$work/bad.ko" ] && fail "bad input wrote a module"
t5=$(now)

echo "shipped build $release: version $(echo "$t1 - $t0" | bc) s, split-part refusal $(echo "$t2 - $t1" | bc) s, klp-demo $(echo "$t3 - $t2" | bc) s, binfmt_misc $(echo "$t4 - $t3" | bc) s, bad input $(echo "$t5 - $t4" | bc) s"
[ "$failed" -eq 0 ] || { echo "$failed failed"; exit 1; }
echo "shipped build $release: ok"
