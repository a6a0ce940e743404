#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh - a shipped distribution kernel (scripts/shipped-kernels) booted
# in the harness (run-tests.sh --shipped: its own vmlinuz and modules,
# qemu TCG), with what a livepatch author builds for it:
#
#   the boot       the release, every CPU online, /sys/kernel/livepatch
#   the modules    binfmt_misc.ko and vfat.ko (and fat.ko, its dependency)
#                  of the image package load and work
#   klp-demo       examples/klp-demo built against the shipped headers
#                  (/lib/modules/RELEASE/build): the shipped vermagic
#   the hold       hold-cold.c, built static for the guest, keeps a task
#                  asleep in __io_uring_register.cold and lets it go
#
# and, with --livepatch, livepatches `klp-prep build -k` makes from the
# diffs in cases/, each observed in the guest, then disabled (the change
# goes, the module unloads):
#
#   livepatch-version      version_proc_show() of vmlinux (/proc/version)
#   livepatch-binfmt-misc  bm_entry_read() of binfmt_misc.ko
#   livepatch-demo-gain    klp_demo_gain() of klp-demo, with the author's
#                          callbacks and a shadow variable (--callbacks)
#   livepatch-version2     --replaces livepatch-version (atomic replace)
#   livepatch-demo-work    klp_demo_work() of klp-demo, which has a .cold
#                          part: covered by patching klp_demo_step() too;
#                          its guest test holds the kthread in the .cold
#                          part through enable, disable and a replace by
#   livepatch-demo-work2   (--replaces livepatch-demo-work), against the
#   livepatch-demo-work-nocover  control (--no-cover), which escapes
#   livepatch-io           __io_uring_register() of vmlinux (6.1), whose
#                          .cold part hold-cold.c holds a task in: covered
#                          by patching the system call wrappers; and
#   livepatch-io-nocover   its control
#
# and `klp-prep check -k` over the units they touch (0 mismatches).
# A livepatch klp-prep build cannot make is reported as skipped with its
# error, never passed: its guest test skips with that reason.
#
# Usage: run.sh KLP_PREP PLUGIN WORK_DIR --release RELEASE [--livepatch]
#               [--smp N]
# Exit status: 0 all passed; 77 the release is not installed, or (with
# nothing failed) some case was skipped; else the number of failures.
set -uo pipefail

KLP=${1:?klp-prep binary}
PLUGIN=${2:?klp_partition.so}
WORK=${3:?work dir}
shift 3
RELEASE=""
LIVEPATCH=""
SMP=2
while [ $# -gt 0 ]; do
	case "$1" in
	--release) RELEASE=${2:?}; shift 2 ;;
	--livepatch) LIVEPATCH=1; shift ;;
	--smp) SMP=${2:?}; shift 2 ;;
	*) echo "shipped: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$RELEASE" ] || { echo "shipped: --release RELEASE is required" >&2; exit 2; }
[ -x "$KLP" ] || { echo "shipped: $KLP is not an executable" >&2; exit 2; }
[ -f "$PLUGIN" ] || { echo "shipped: no plugin $PLUGIN" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
HARNESS=$REPO/kernel-support/harness
KDIR=/lib/modules/$RELEASE/build
VMLINUX=/usr/lib/debug/boot/vmlinux-$RELEASE
# Shared with the shipped_RELEASE tests (tests/integration/shipped.sh):
# the unpacked source tree (1.5 GB) and proven units are made once.
RECORDS_CACHE=${KLP_SHIPPED_CACHE:-${KLP_PREP_CACHE:-/var/cache/klp-prep}/shipped-records}
FAILS=0
SKIPS=()
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if [ ! -f "$KDIR/.config" ]; then
	echo "SKIP: $RELEASE is not installed (scripts/install-deps.sh installs linux-headers-$RELEASE)"
	exit 77
fi
if [ -n "$LIVEPATCH" ] && [ ! -f "$VMLINUX" ]; then
	echo "SKIP: $VMLINUX missing (scripts/install-deps.sh installs linux-image-$RELEASE-dbg)"
	exit 77
fi
T0=$(now)
rm -rf "$WORK" && mkdir -p "$WORK" || exit 99
KLP=$(readlink -f "$KLP")
PLUGIN=$(readlink -f "$PLUGIN")

# The image first: its unpack time is a figure of its own.
"$HARNESS/shipped-image.sh" "$RELEASE" >"$WORK/image.out" 2>"$WORK/image.log" ||
	{ cat "$WORK/image.log"; echo "shipped: no image of $RELEASE"; exit 99; }
IMAGE=$(tail -1 "$WORK/image.out")
sed 's/^/  /' "$WORK/image.log"

# -- klp-demo against the shipped headers, with the plugin ---------------------
cp -r "$REPO/examples/klp-demo" "$WORK/target"
if make -C "$KDIR" M="$WORK/target" KCFLAGS="-fplugin=$PLUGIN" modules \
	>"$WORK/target.log" 2>&1; then
	ok target-module
else
	fail target-module "$(tail -5 "$WORK/target.log")"
fi
# the vermagic of the kernel's own modules
shipped_ko=$(find "$IMAGE/lib/modules/$RELEASE/kernel/fs" -name 'binfmt_misc.ko*' | head -1)
want=$(modinfo -F vermagic "$shipped_ko" 2>/dev/null)
got=$(modinfo -F vermagic "$WORK/target/klp_demo.ko" 2>/dev/null)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "target-vermagic ($got)"
else
	fail target-vermagic "klp_demo.ko has '$got', the shipped modules '$want'"
fi
if "$KLP" check "$WORK/target/klp_demo.ko" >"$WORK/target.check" 2>&1; then
	ok "target-check ($(cat "$WORK/target.check"))"
else
	fail target-check "$(cat "$WORK/target.check")"
fi

mkdir -p "$WORK/suite"
cp "$HERE/suite/"* "$WORK/suite/"
printf '# Nothing to build: run.sh built the modules.\n' >"$WORK/suite/Kbuild"
cp "$WORK/target/klp_demo.ko" "$WORK/suite/" 2>/dev/null
# static, like the harness's test_klp-call_getpid: nothing to load in the guest
if gcc -static -O2 -pthread -Wall -Wextra -Werror -o "$WORK/suite/hold-cold" \
	"$HERE/hold-cold.c" >"$WORK/hold-cold.log" 2>&1; then
	ok hold-cold
else
	fail hold-cold "$(head -5 "$WORK/hold-cold.log")"
fi
# The hold is in a .cold part of this release's vmlinux, or not at all
# (6.12's vmlinux has no .cold symbol): its tests run where it exists.
# The image's System.map is a placeholder; the -dbg package has the map.
if ! grep -qs ' __io_uring_register\.cold$' "/usr/lib/debug/boot/System.map-$RELEASE"; then
	echo "note: $RELEASE's vmlinux has no __io_uring_register.cold (or its -dbg package is not installed): no vmlinux hold here"
	rm -f "$WORK/suite/test-hold-vmlinux-cold.sh" "$WORK/suite/"test-*-lp-stock-vmlinux.sh
	VMLINUX_HOLD=""
else
	VMLINUX_HOLD=1
fi
echo "$RELEASE" >"$WORK/suite/release"
echo "$SMP" >"$WORK/suite/cpus"
if [ -z "$LIVEPATCH" ]; then
	rm -f "$WORK/suite/"test-[4-9]-lp-*.sh
fi

# -- the livepatches ------------------------------------------------------------
# lp NAME DIFF [klp-prep build options]: build and verify livepatch-NAME.ko;
# when it cannot be made, NAME.skip says why and its guest test skips.
lp() {
	local name=$1 diff=$2 t0 rc why
	shift 2
	t0=$(now)
	"$KLP" build -k "$KDIR" --cache "$RECORDS_CACHE" -n "$name" -w "$WORK/build-$name" \
		-o "$WORK/suite/livepatch-$name.ko" "$@" "$diff" \
		>"$WORK/$name.steps" 2>"$WORK/$name.stderr"
	rc=$?
	if [ $rc -ne 0 ]; then
		rm -f "$WORK/suite/livepatch-$name.ko"
		if [ $rc -gt 128 ]; then
			why="killed by signal $((rc - 128)) ($(kill -l $((rc - 128))))"
		else
			why=$(grep -m1 'error' "$WORK/$name.stderr" || head -1 "$WORK/$name.stderr")
		fi
		printf 'klp-prep build -k exit %s: %s\n' "$rc" "$why" >"$WORK/suite/livepatch-$name.skip"
		echo "skip build-$name: $(cat "$WORK/suite/livepatch-$name.skip")"
		SKIPS+=("build-$name")
		return 1
	fi
	ok "build-$name ($(secs "$t0" "$(now)") s)"
	# a stock kernel: no stack_only, parts covered (or, --no-cover, not)
	[[ " $* " == *" --no-cover "* || " $* " == *" --allow-unsafe="* ]] && return 0
	if "$KLP" verify --stack-only=no "$WORK/suite/livepatch-$name.ko" >"$WORK/$name.table" 2>&1; then
		ok "verify-$name"
	else
		fail "verify-$name" "$(cat "$WORK/$name.table")"
	fi
}

# check_units UNIT...: the units the cases touch, proven against the
# shipped binaries (kernel-records) and checked (check -k): 0 mismatches
check_units() {
	local u rc
	"$KLP" kernel-records -k "$KDIR" --cache "$RECORDS_CACHE" "$@" \
		>"$WORK/records.out" 2>"$WORK/records.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "skip records-$*: klp-prep kernel-records exit $rc: $(grep -m1 error "$WORK/records.err")"
		SKIPS+=("records-$*")
		return
	fi
	ok "records-$* ($(tr '\n' ';' <"$WORK/records.out"))"
	if "$KLP" check -k "$KDIR" --cache "$RECORDS_CACHE" "$@" >"$WORK/check.out" 2>&1; then
		for u in "$@"; do
			grep -q "^$u: 0 mismatches" "$WORK/check.out" ||
				fail "check-$u" "$(cat "$WORK/check.out")"
		done
		ok "check-k $* (0 mismatches)"
	else
		fail "check-k-$*" "$(cat "$WORK/check.out")"
	fi
}

# no_parts WHAT FUNC SYMBOLS: FUNC has no .cold part or clone in the
# shipped binary (nm output SYMBOLS): a stock kernel's klp_func has no
# stack_only, so a case that needs one would test something else
no_parts() {
	local parts
	parts=$(awk -v f="$2" '$3 ~ "^" f "\\." { print $3 }' "$3" | paste -sd' ')
	if [ -z "$parts" ] && grep -q " $2\$" "$3"; then
		ok "$1: $2 has no split parts"
	else
		fail "$1" "$2: ${parts:-not found}"
	fi
}

if [ -n "$LIVEPATCH" ]; then
	T1=$(now)
	# the cases' functions as the shipped binaries have them
	cp "/usr/lib/debug/boot/System.map-$RELEASE" "$WORK/vmlinux.nm"
	nm "/usr/lib/debug/lib/modules/$RELEASE/kernel/fs/binfmt_misc.ko" >"$WORK/binfmt_misc.nm"
	nm "$WORK/target/klp_demo.ko" >"$WORK/klp_demo.nm"
	no_parts vmlinux-case version_proc_show "$WORK/vmlinux.nm"
	no_parts module-case bm_entry_read "$WORK/binfmt_misc.nm"
	no_parts demo-case klp_demo_gain "$WORK/klp_demo.nm"
	check_units fs/proc/version.o
	# a module's unit, proven against the -dbg binfmt_misc.ko
	check_units fs/binfmt_misc.o
	lp version "$HERE/cases/version.diff"
	lp binfmt-misc "$HERE/cases/binfmt-misc.diff"
	lp demo-gain "$HERE/cases/demo-gain.diff" -m "$WORK/target" \
		--callbacks "$HERE/cases/demo-gain-callbacks.c"
	# the stock-kernel covering: klp_demo_work.cold, covered by klp_demo_step
	if lp demo-work "$HERE/cases/demo-work.diff" -m "$WORK/target"; then
		if grep -q "patched: klp_demo:klp_demo_step -> klpp_klp_demo_step (covers klp_demo_work.cold" \
			"$WORK/demo-work.steps"; then
			ok "demo-work covers klp_demo_work.cold by klp_demo_step"
		else
			fail demo-work-cover "$(grep patched: "$WORK/demo-work.steps")"
		fi
		lp demo-work2 "$HERE/cases/demo-work2.diff" -m "$WORK/target" \
			--replaces "$WORK/suite/livepatch-demo-work.ko"
	else
		echo "livepatch-demo-work.ko was not made, so neither its replacement" \
			>"$WORK/suite/livepatch-demo-work2.skip"
		SKIPS+=(build-demo-work2)
	fi
	lp demo-work-nocover "$HERE/cases/demo-work.diff" -m "$WORK/target" --no-cover
	# the same for vmlinux, where hold-cold holds a task: __io_uring_register.cold,
	# covered by the two system call wrappers
	if [ -n "$VMLINUX_HOLD" ]; then
		# the new side is not covered (cases/io-uring-register.diff says
		# why): verify refuses it, and only the enable is shown here
		if lp io "$HERE/cases/io-uring-register.diff" --allow-unsafe=uncovered; then
			for c in __x64_sys_io_uring_register __ia32_sys_io_uring_register; do
				grep -Eq "patched: vmlinux:$c -> [a-z0-9_]+ \(covers __io_uring_register\.cold" \
					"$WORK/io.steps" && ok "io covers __io_uring_register.cold by $c" ||
					fail io-cover "$c: $(grep patched: "$WORK/io.steps")"
			done
		fi
		lp io-nocover "$HERE/cases/io-uring-register.diff" --no-cover
	fi
	if [ -f "$WORK/suite/livepatch-version.ko" ]; then
		lp version2 "$HERE/cases/version2.diff" --replaces "$WORK/suite/livepatch-version.ko"
	else
		echo "livepatch-version.ko was not made, so neither its replacement" \
			>"$WORK/suite/livepatch-version2.skip"
		SKIPS+=(build-version2)
	fi
	echo "shipped: livepatches made in $(secs "$T1" "$(now)") s"
fi

[ $FAILS -eq 0 ] || { echo "shipped: $FAILS failures before booting"; exit $FAILS; }

"$HARNESS/run-tests.sh" --shipped "$RELEASE" --module binfmt_misc --module vfat --smp "$SMP" \
	--suite "$WORK/suite" --work-dir "$WORK/harness" --timeout 600 --test-timeout 120 \
	>"$WORK/harness.log" 2>&1
rc=$?
grep -E '^harness: (PASS|FAIL|SKIP|guest:|linux )|passed, .* failed|qemu exited' "$WORK/harness.log"
grep -h '^SKIP:' "$WORK/harness/console.txt" 2>/dev/null | sort -u | sed 's/^/  /'
if [ $rc -ne 0 ]; then
	fail harness "run-tests.sh exited $rc (log: $WORK/harness.log)"
	grep -E 'FAIL:|error' "$WORK/harness.log" "$WORK/harness/console.txt" 2>/dev/null | head -30
fi
nskip=$(grep -c '^harness: SKIP ' "$WORK/harness.log")
echo "shipped $RELEASE: $(secs "$T0" "$(now)") s in all; $nskip guest tests skipped"
[ $FAILS -eq 0 ] || exit $FAILS
[ "$nskip" -eq 0 ] && [ ${#SKIPS[@]} -eq 0 ] || exit 77
exit 0
