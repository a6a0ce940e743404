#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh - klp-prep build end to end: livepatches made by `klp-prep build`
# from diffs (not written by hand) load in the harness kernel, and the
# stack_only entries it filled in stall every transition a task in a
# split-off part must stall:
#
#   livepatch-demo   examples/klp-demo/fix.diff: klp_demo_work() changes;
#                    its cold part on both sides (a pair)
#   livepatch-work2  cases/work2.diff, --replaces livepatch-demo.ko: the
#                    second cumulative fix
#   livepatch-stacked  cases/work2.diff again, --stacked-on livepatch-demo.ko
#                    (no replace)
#   livepatch-gain   cases/gain.diff: the new code gains a cold part
#                    (old_name NULL)
#   livepatch-lose   cases/lose.diff: the new code loses it (new_name NULL)
#   livepatch-percpu  cases/percpu.diff: klp_demo_count() uses the
#                    module's per-CPU variables (a static one and a global
#                    one), reached through livepatch relocations
#   livepatch-vmlinux-percpu  proc_nr_inodes() of vmlinux uses fs/inode.c's
#                    static per-CPU counters, from a diff made at run time
#   livepatch-vmlinux  do_syslog() or suspend_console() of vmlinux, each
#                    with a .cold part, from a diff made at run time
#                    against the kernel's source
#   livepatch-header  cases/header.diff: a static inline of a header of
#                    header-target/ (a module of two units) changes; what
#                    inlined it in both units is patched
#   livepatch-notrace  cases/notrace.diff: klp_header_step() of
#                    header-target/ has no ftrace hook; its caller is
#                    patched instead
#   livepatch-demo-first  the control: livepatch-demo as its first build
#                    made it, without the new side; disabling it does not
#                    wait for a task in klpp_klp_demo_work.cold
#
# On the host: the harness kernel (kernel-support/harness, cached), the
# target module (examples/klp-demo) built with the plugin, klp-prep build
# per case, the tables checked with klp-prep verify.  In the guest
# (kernel-support/harness/run-tests.sh): suite/test-bt-*.sh.
#
# Usage: run.sh KLP_PREP PLUGIN WORK_DIR [--kernel-build DIR] [--version V]
#               [--smp N] [--preempt MODE]   (passed to run-tests.sh)
# Exit status: 0 all passed, 77 no harness kernel could be had, else the
# number of failures.
set -uo pipefail

KLP=${1:?klp-prep binary}
PLUGIN=${2:?klp_partition.so}
WORK=${3:?work dir}
shift 3
KBUILD=""
VERSION=6.12
BOOT_ARGS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel-build) KBUILD=${2:?}; shift 2 ;;
	--version) VERSION=${2:?}; shift 2 ;;
	--smp|--preempt) BOOT_ARGS+=("$1" "${2:?}"); shift 2 ;;
	*) echo "klp-build e2e: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
HARNESS=$REPO/kernel-support/harness
FAILS=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

rm -rf "$WORK" && mkdir -p "$WORK" || exit 99
KLP=$(readlink -f "$KLP")
PLUGIN=$(readlink -f "$PLUGIN")

if [ -z "$KBUILD" ]; then
	KBUILD=$("$HARNESS/build-kernel.sh" --version "$VERSION" --plugin "$PLUGIN" \
		2>"$WORK/build-kernel.log" | tail -1) || KBUILD=""
	if [ -z "$KBUILD" ] || [ ! -f "$KBUILD/vmlinux" ]; then
		echo "klp-build e2e: no harness kernel (log: $WORK/build-kernel.log)" >&2
		exit 77
	fi
fi
KBUILD=$(readlink -f "$KBUILD")
echo "klp-build e2e: kernel build $KBUILD"

# Modules are built with the plugin the kernel was built with (the harness
# keeps a copy beside the build), else with PLUGIN.
KPLUGIN=$PLUGIN
[ -f "$KBUILD/../plugin/klp_partition.so" ] &&
	KPLUGIN=$(readlink -f "$KBUILD/../plugin/klp_partition.so")

# The target, as a user has it: built with the plugin, its .cold parts
# really there (else the stalls below would prove nothing).
cp -r "$REPO/examples/klp-demo" "$WORK/target"
if make -C "$KBUILD" M="$WORK/target" KCFLAGS="-fplugin=$KPLUGIN" modules \
	>"$WORK/target.log" 2>&1; then
	ok target-module
else
	fail target-module "$(tail -5 "$WORK/target.log")"
fi
# Patch 0001 teaches modpost the section: a module built with the plugin
# must not warn about it (users read every modpost warning).
if grep -q 'unexpected non-allocatable section' "$WORK/target.log"; then
	fail target-modpost-quiet "$(grep -m1 'non-allocatable' "$WORK/target.log")"
else
	ok target-modpost-quiet
fi
for sym in klp_demo_work.cold klp_demo_lose.cold; do
	if nm "$WORK/target/klp_demo.ko" | grep -q " t $sym\$"; then
		ok "target-has-$sym"
	else
		fail "target-has-$sym" "GCC did not split it; the tests would prove nothing"
	fi
done
if nm "$WORK/target/klp_demo.ko" | grep -q " t klp_demo_gain.cold\$"; then
	fail target-gain-no-cold "klp_demo_gain has a .cold part already"
fi

mkdir -p "$WORK/suite"
cp "$HERE/suite/"* "$WORK/suite/"
printf '# Nothing to build: run.sh built the modules with klp-prep build.\n' >"$WORK/suite/Kbuild"
cp "$WORK/target/klp_demo.ko" "$WORK/suite/" 2>/dev/null

# lp NAME DIFF [klp-prep build options]: build, keep the step lines, show
# the table
lp() {
	local name=$1 diff=$2 t0 t1
	shift 2
	t0=$(date +%s.%N)
	if "$KLP" build -k "$KBUILD" -m "$WORK/target" --plugin "$KPLUGIN" -n "$name" \
		-w "$WORK/build-$name" -o "$WORK/suite/livepatch-$name.ko" "$@" "$diff" \
		>"$WORK/$name.steps" 2>"$WORK/$name.stderr"; then
		t1=$(date +%s.%N)
		ok "build-$name ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
		sed 's/^/    /' "$WORK/$name.steps"
	else
		fail "build-$name" "exit $?: $(cat "$WORK/$name.stderr")"
		return 1
	fi
	"$KLP" verify "$WORK/suite/livepatch-$name.ko" >"$WORK/$name.table" 2>&1 ||
		fail "verify-$name" "$(cat "$WORK/$name.table")"
}

# table_has NAME LINE: the table klp-prep verify prints has LINE
table_has() {
	if grep -qxF -- "$2" <(sed 's/^ *//' "$WORK/$1.table"); then
		ok "table-$1: $2"
	else
		fail "table-$1" "no '$2' in: $(cat "$WORK/$1.table")"
	fi
}

# A change that cannot be livepatched is refused with exit 3 and the
# reason, and no module is written.
"$KLP" build -k "$KBUILD" -m "$WORK/target" --plugin "$KPLUGIN" -w "$WORK/build-unsafe" \
	-o "$WORK/unsafe.ko" "$HERE/cases/unsafe-init.diff" >"$WORK/unsafe.steps" 2>"$WORK/unsafe.stderr"
rc=$?
if [ $rc = 3 ] && grep -q "klp_demo_init' cannot be livepatched safely: in .init" "$WORK/unsafe.stderr" &&
	[ ! -e "$WORK/unsafe.ko" ]; then
	ok "unsafe-refused (exit 3)"
else
	fail unsafe-refused "exit $rc: $(cat "$WORK/unsafe.stderr")"
fi

# A step that fails (here make, replaced by one that fails) is resumed
# from where it stopped; the module is installed only at the end.
mkdir -p "$WORK/failing-make"
printf '#!/bin/sh\necho "make: simulated failure" >&2\nexit 2\n' >"$WORK/failing-make/make"
chmod +x "$WORK/failing-make/make"
PATH=$WORK/failing-make:$PATH "$KLP" build -k "$KBUILD" -m "$WORK/target" --plugin "$KPLUGIN" \
	-n demo -w "$WORK/build-demo" -o "$WORK/suite/livepatch-demo.ko" \
	"$REPO/examples/klp-demo/fix.diff" >"$WORK/demo-failed.steps" 2>"$WORK/demo-failed.stderr"
rc=$?
if [ $rc = 4 ] && grep -q "step build failed" "$WORK/demo-failed.stderr" &&
	[ ! -e "$WORK/suite/livepatch-demo.ko" ]; then
	ok "failed-step (exit 4, nothing installed)"
else
	fail failed-step "exit $rc: $(cat "$WORK/demo-failed.stderr")"
fi

lp demo "$REPO/examples/klp-demo/fix.diff" --resume &&
	table_has demo "stack_only klp_demo_work.cold <-> klpp_klp_demo_work.cold"
grep -q "^resume: from step build" "$WORK/demo.steps" && ! grep -q "^generate:" "$WORK/demo.steps" &&
	ok "resumed-from-build" ||
	fail resumed-from-build "the second run did not resume at the build step"
# The control: the first build's module, before the new side was filled
# in, converted so that it loads.
cp "$WORK/build-demo/first-build.ko" "$WORK/suite/livepatch-demo-first.ko" &&
	"$KLP" generate --convert "$WORK/suite/livepatch-demo-first.ko" >/dev/null 2>&1 &&
	"$KLP" verify "$WORK/suite/livepatch-demo-first.ko" >"$WORK/demo-first.table" 2>&1
if grep -q "'klpp_klp_demo_work.cold' .* no stack_only entry names it" "$WORK/demo-first.table"; then
	ok "control-table-lacks-the-new-side"
else
	fail control-table-lacks-the-new-side "$(cat "$WORK/demo-first.table")"
fi
lp work2 "$HERE/cases/work2.diff" --replaces "$WORK/suite/livepatch-demo.ko" &&
	table_has work2 "stack_only klp_demo_work.cold <-> klpp_klp_demo_work.cold"
grep -q "^verify: replaces .*livepatch-demo.ko" "$WORK/work2.steps" &&
	ok "work2-verified-the-outgoing-patch" ||
	fail work2-verified-the-outgoing-patch "no 'verify: replaces' line"
lp stacked "$HERE/cases/work2.diff" --stacked-on "$WORK/suite/livepatch-demo.ko" &&
	table_has stacked "stack_only klp_demo_work.cold <-> klpp_klp_demo_work.cold"
grep -q "no replace" "$WORK/stacked.table" && grep -q "^verify: stacked on .*livepatch-demo.ko" \
	"$WORK/stacked.steps" && ok "stacked-no-replace-verified-the-one-below" ||
	fail stacked-no-replace-verified-the-one-below "$(cat "$WORK/stacked.table")"
lp gain "$HERE/cases/gain.diff" &&
	table_has gain "stack_only (none) <-> klpp_klp_demo_gain.cold"
lp lose "$HERE/cases/lose.diff" &&
	table_has lose "stack_only klp_demo_lose.cold <-> (none)"

# Per-CPU data: the module's variables are declared as DECLARE_PER_CPU()
# does and reached through .klp.rela relocations only; the relocation
# types are printed (the guest test proves they resolve per CPU).
if lp percpu "$HERE/cases/percpu.diff"; then
	for v in reads klp_demo_added; do
		if grep -rqE "KLP_PREP_EXTERN_PER_CPU\\($v, \"klp_demo\\.$v,0\", (typeof\\()?unsigned long\\)?\\);" \
			--include='*.c' "$WORK/build-percpu"; then
			ok "percpu-declared-$v"
		else
			fail "percpu-declared-$v" "no KLP_PREP_EXTERN_PER_CPU($v, ...) in the generated source"
		fi
	done
	readelf -rW "$WORK/suite/livepatch-percpu.ko" >"$WORK/percpu.relocs" 2>&1
	# "Relocation section '.klp.rela.klp_demo..text' ...", then its entries
	awk '/^Relocation section/ { sec = $3 } /\.klp\.sym\.klp_demo\./ { print sec, $3, $5 }' \
		"$WORK/percpu.relocs" | sort | uniq -c | sed 's/^ */  percpu relocations: /'
	if awk '/^Relocation section/ { sec = $3 } /\.klp\.sym\.klp_demo\.(reads|klp_demo_added),/ {
		n++; if (sec !~ /^.\.klp\.rela\.klp_demo\./) bad++ } END { exit !(n && !bad) }' \
		"$WORK/percpu.relocs"; then
		ok "percpu-relocations-in-klp-rela"
	else
		fail "percpu-relocations-in-klp-rela" "$(grep -E 'Relocation section|klp_demo\.(reads|klp_demo_added)' "$WORK/percpu.relocs")"
	fi
fi

# A function of vmlinux itself with a .cold part, the diff made against
# this kernel's own source: do_syslog() (its "if (!len) return 0;"
# becomes -ENODATA) where GCC split it, else suspend_console() (its
# message changes; the guest never suspends).  Which functions GCC splits
# depends on the configuration: the 6.1 SMP harness kernel splits
# suspend_console() but no longer do_syslog(), and 6.12 built with call
# padding (-falign-functions=16) splits none in vmlinux.  The pair must
# be FUNC.cold <-> klpp_FUNC.cold; in the guest it only has to load and
# unload.
SRC=$(readlink -f "$KBUILD/source")
# source_diff FILE AWK NAME: $WORK/NAME.diff, AWK's change to the
# kernel's FILE; fails when FILE is missing
source_diff() {
	local file=$1 edit=$2 name=$3

	[ -f "$SRC/$file" ] || return 1
	rm -rf "$WORK/$name-case"
	mkdir -p "$WORK/$name-case/a/${file%/*}" "$WORK/$name-case/b/${file%/*}"
	cp "$SRC/$file" "$WORK/$name-case/a/$file"
	awk "$edit" "$WORK/$name-case/a/$file" >"$WORK/$name-case/b/$file"
	(cd "$WORK/$name-case" && diff -u "a/$file" "b/$file") >"$WORK/$name.diff"
	return 0
}
# vmlinux_case FUNC AWK: FUNC has a .cold part in vmlinux, and AWK (run
# over kernel/printk/printk.c, FUNC's unit) changes it.
vmlinux_case() {
	local func=$1 edit=$2

	# (grep without -q: it would stop reading, and nm's SIGPIPE fail the pipe)
	nm "$KBUILD/vmlinux" | grep " t $func\.cold\$" >/dev/null || return 1
	source_diff kernel/printk/printk.c "$edit" vmlinux || return 1
	if [ -s "$WORK/vmlinux.diff" ]; then
		echo "klp-build e2e: the vmlinux case patches $func()"
		lp vmlinux "$WORK/vmlinux.diff" &&
			table_has vmlinux "stack_only $func.cold <-> klpp_$func.cold"
	else
		fail vmlinux-diff "$func(): the edit changed nothing"
	fi
	return 0	# tried: a failure above is this case's, not a reason to try another
}
vmlinux_case do_syslog '/^int do_syslog\(/ { f = 1 }
	f && /^\t\t\treturn 0;$/ && prev ~ /if \(!len\)/ { sub(/return 0;/, "return -ENODATA;"); f = 0 }
	{ prev = $0; print }' ||
vmlinux_case suspend_console '/^void suspend_console\(/ { f = 1 }
	f && /Suspending console\(s\)/ { sub(/Suspending console\(s\)/, "Suspending the console(s)"); f = 0 }
	{ print }' || {
	echo "klp-build e2e: no vmlinux function of printk.c with a .cold part; the vmlinux case is left out"
	rm -f "$WORK/suite/test-bt-8-vmlinux.sh"
}

# A per-CPU variable of vmlinux: proc_nr_inodes() (fs/inode.c, the
# handler of /proc/sys/fs/inode-nr) sums the unit's static per-CPU
# nr_inodes itself, and calls get_nr_inodes_unused(), which sums
# nr_unused and which vmlinux has only inlined (so the livepatch has its
# own copy); it reports both plus 2000000 and 3000000, for the guest to
# tell the patched handler and check that the sums are the kernel's.
if source_diff fs/inode.c '/^static int proc_nr_inodes\(/ { f = 1 }
	f && /^\tinodes_stat.nr_inodes = get_nr_inodes\(\);$/ {
		print "\t{"
		print "\t\tunsigned long sum = 0;"
		print "\t\tint cpu;"
		print ""
		print "\t\tfor_each_possible_cpu(cpu)"
		print "\t\t\tsum += per_cpu(nr_inodes, cpu);"
		print "\t\tinodes_stat.nr_inodes = 2000000 + sum;"
		print "\t}"
		next
	}
	f && /^\tinodes_stat.nr_unused = get_nr_inodes_unused\(\);$/ {
		print "\tinodes_stat.nr_unused = 3000000 + get_nr_inodes_unused();"
		f = 0
		next
	}
	{ print }' vmlinux-percpu && [ "$(grep -c $'^[-+]\t' "$WORK/vmlinux-percpu.diff")" = 10 ]; then
	if lp vmlinux-percpu "$WORK/vmlinux-percpu.diff"; then
		for v in nr_inodes nr_unused; do
			if grep -rqE "KLP_PREP_EXTERN_PER_CPU\($v, \"vmlinux\.$v,[0-9]+\", (typeof\\()?unsigned long\\)?\\);" \
				--include='*.c' "$WORK/build-vmlinux-percpu"; then
				ok "vmlinux-percpu-declared-$v"
			else
				fail "vmlinux-percpu-declared-$v" "no KLP_PREP_EXTERN_PER_CPU($v, ...) in the generated source"
			fi
		done
		readelf -rW "$WORK/suite/livepatch-vmlinux-percpu.ko" >"$WORK/vmlinux-percpu.relocs" 2>&1
		awk '/^Relocation section/ { sec = $3 } /\.klp\.sym\.vmlinux\.nr_(inodes|unused),/ { print sec, $3, $5 }' \
			"$WORK/vmlinux-percpu.relocs" | sort | uniq -c | sed 's/^ */  percpu relocations: /'
	fi
else
	fail vmlinux-percpu-diff "fs/inode.c: proc_nr_inodes() is not as the edit expects"
fi

# A header fix: klp_header.h's static inline changes, the two units of
# the module that inline it do not (header-target/); klp-prep build
# patches the function of each unit that inlined it, compiled with the
# patched header.
cp -r "$HERE/header-target" "$WORK/header-target"
if make -C "$KBUILD" M="$WORK/header-target" KCFLAGS="-fplugin=$KPLUGIN" modules \
	>"$WORK/header-target.log" 2>&1; then
	ok header-target-module
	cp "$WORK/header-target/klp_header.ko" "$WORK/suite/"
	if "$KLP" build -k "$KBUILD" -m "$WORK/header-target" --plugin "$KPLUGIN" -n header \
		-w "$WORK/build-header" -o "$WORK/suite/livepatch-header.ko" "$HERE/cases/header.diff" \
		>"$WORK/header.steps" 2>"$WORK/header.stderr"; then
		ok build-header
		sed 's/^/    /' "$WORK/header.steps"
		for f in a b; do
			grep -q "^patched: klp_header:klp_header_get_$f -> klpp_klp_header_get_$f (klp_header_get_$f: inlines klp_header_scale " \
				"$WORK/header.steps" && ok "header-patches-get_$f" ||
				fail "header-patches-get_$f" "not in the steps"
		done
		grep -q "error:\|warning:" "$WORK/header.stderr" &&
			fail header-quiet "$(cat "$WORK/header.stderr")"
	else
		fail build-header "exit $?: $(cat "$WORK/header.stderr")"
	fi
	# klp_header_step() has no ftrace hook: its caller is patched instead.
	if "$KLP" build -k "$KBUILD" -m "$WORK/header-target" --plugin "$KPLUGIN" -n notrace \
		-w "$WORK/build-notrace" -o "$WORK/suite/livepatch-notrace.ko" "$HERE/cases/notrace.diff" \
		>"$WORK/notrace.steps" 2>"$WORK/notrace.stderr"; then
		ok build-notrace
		sed 's/^/    /' "$WORK/notrace.steps"
		grep -q "^patched: klp_header:klp_header_get_c -> klpp_klp_header_get_c (calls klp_header_step, which has no ftrace hook" \
			"$WORK/notrace.steps" && ok notrace-patches-the-caller ||
			fail notrace-patches-the-caller "not in the steps"
		grep -q "klp_header_step ->" "$WORK/notrace.steps" &&
			fail notrace-not-itself "klp_header_step is in the table"
	else
		fail build-notrace "exit $?: $(cat "$WORK/notrace.stderr")"
	fi
else
	fail header-target-module "$(tail -5 "$WORK/header-target.log")"
fi

[ $FAILS -eq 0 ] || { echo "klp-build e2e: $FAILS failures before booting"; exit $FAILS; }

"$HARNESS/run-tests.sh" --version "$VERSION" --kernel-build "$KBUILD" \
	--suite "$WORK/suite" --work-dir "$WORK/harness" --no-skip "${BOOT_ARGS[@]}" \
	>"$WORK/harness.log" 2>&1
rc=$?
grep -E '^harness: (PASS|FAIL|SKIP)|passed, .* failed' "$WORK/harness.log"
# The numbers: how long each transition stalled, how soon it completed
# once the task left, and the per-CPU counts before, while and after
# patched.
grep -hE '^(stalled|completed|escaped|percpu):' "$WORK/harness/"*.log "$WORK/harness.log" 2>/dev/null |
	sort -u | sed 's/^/  /'
if [ $rc -ne 0 ]; then
	fail harness "run-tests.sh exited $rc (log: $WORK/harness.log)"
	grep -hE 'FAIL:|ok:' "$WORK/harness/"*.log 2>/dev/null | head -30
fi
exit $FAILS
