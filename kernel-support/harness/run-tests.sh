#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-tests.sh - build (or reuse) the harness kernel, build test modules
# against it, boot it under qemu (TCG) with a busybox initramfs, run test
# scripts inside and report one line per test.
#
# Usage: run-tests.sh (--version 6.12|6.1 | --shipped RELEASE [--module NAME]...)
#                     [--plugin PATH/klp_partition.so]
#                     [--suite DIR]... [--kernel-selftests]
#                     [--timeout SECONDS] [--test-timeout SECONDS]
#                     [--work-dir DIR] [--no-skip] [--jobs N]
#                     [--kernel-build DIR] [--klp-prep PATH/klp-prep]
#                     [--smp N] [--preempt full|voluntary|none]
#                     [--append ARGS] [--mttcg]
#
#   --version V          build (or reuse) the harness kernel of linux V
#   --shipped RELEASE    boot the distribution's shipped kernel RELEASE
#                        instead (e.g. 6.1.0-57-cloud-amd64): its vmlinuz
#                        and modules from the image package (unpacked and
#                        cached by shipped-image.sh); suites are built
#                        against /lib/modules/RELEASE/build (the headers
#                        package)
#   --module NAME        with --shipped: put the shipped module NAME and
#                        the modules it depends on into the guest's
#                        /lib/modules (repeatable; modprobe NAME there)
#   --suite DIR          a directory with a Kbuild/Makefile for out-of-tree
#                        modules and test-*.sh scripts (repeatable)
#   --kernel-selftests   also run the kernel's own livepatch selftests
#   --timeout            whole qemu run (default 900 s)
#   --test-timeout       one test script inside the guest (default 300 s)
#   --work-dir           where initramfs, logs and module builds go
#                        (default: a new directory under /tmp)
#   --no-skip            count a skipped test (exit status 4) as failed
#   --klp-prep PATH      with --plugin: run "klp-prep check" over every
#                        object of the kernel build that carries records,
#                        vmlinux, its modules and the test modules
#   --kernel-build DIR   use this complete build-kernel.sh build directory
#                        (KEY/build) as it is, whatever its key: for
#                        iterating on tests without rebuilding the kernel
#   --smp N              CPUs of the guest (default 2)
#   --preempt MODE       boot with preempt=MODE (the kernel is built with
#                        PREEMPT_DYNAMIC; without the option it runs its
#                        built-in default, voluntary)
#   --append ARGS        more kernel command-line arguments
#   --mttcg              one host thread per guest CPU (qemu's multi-threaded
#                        TCG) instead of all CPUs taking turns on one
#
# Output: "harness: PASS|FAIL|SKIP <suite>/<test>" per test, then
# "N passed, N failed" alone on a line.  Exit status 0 when nothing
# failed and at least one test passed.  See kernel-support/README.md for
# the guest layout contract.
set -euo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
	echo "harness: error: $*" >&2
	exit 1
}
info() {
	echo "harness: $*" >&2
}
usage() {
	sed -n '/^# Usage:/,/^# Output:/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' | head -n -1 >&2
	exit 2
}

VERSION=""
SHIPPED=""
SHIPPED_MODULES=()
PLUGIN=""
SUITES=()
KSELFTESTS=""
TIMEOUT=900
TEST_TIMEOUT=300
WORK=""
NO_SKIP=""
JOBS=$(nproc)
KBUILD_DIR=""
KLP_PREP=""
SMP=2
PREEMPT=""
APPEND=""
TCG=tcg,thread=single
while [ $# -gt 0 ]; do
	case "$1" in
	--version) VERSION=${2:?}; shift 2 ;;
	--version=*) VERSION=${1#*=}; shift ;;
	--shipped) SHIPPED=${2:?}; shift 2 ;;
	--shipped=*) SHIPPED=${1#*=}; shift ;;
	--module) SHIPPED_MODULES+=("${2:?}"); shift 2 ;;
	--plugin) PLUGIN=${2:?}; shift 2 ;;
	--plugin=*) PLUGIN=${1#*=}; shift ;;
	--suite) SUITES+=("${2:?}"); shift 2 ;;
	--suite=*) SUITES+=("${1#*=}"); shift ;;
	--kernel-selftests) KSELFTESTS=1; shift ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--test-timeout) TEST_TIMEOUT=${2:?}; shift 2 ;;
	--work-dir) WORK=${2:?}; shift 2 ;;
	--no-skip) NO_SKIP=1; shift ;;
	--jobs|-j) JOBS=${2:?}; shift 2 ;;
	--kernel-build) KBUILD_DIR=${2:?}; shift 2 ;;
	--klp-prep) KLP_PREP=${2:?}; shift 2 ;;
	--smp) SMP=${2:?}; shift 2 ;;
	--preempt) PREEMPT=${2:?}; shift 2 ;;
	--append) APPEND=${2:?}; shift 2 ;;
	--mttcg) TCG=tcg,thread=multi; shift ;;
	-h|--help) usage ;;
	*) echo "harness: error: unknown argument '$1'" >&2; usage ;;
	esac
done
if [ -n "$SHIPPED" ]; then
	[ -z "$VERSION" ] || die "give --version or --shipped, not both"
	# what needs the harness's own kernel build
	[ -z "$KBUILD_DIR" ] || die "--kernel-build: not with --shipped (the shipped kernel is not built here)"
	[ -z "$KSELFTESTS" ] || die "--kernel-selftests: not with --shipped (they need the kernel's source tree)"
	[ -z "$KLP_PREP" ] || die "--klp-prep: not with --shipped (a shipped kernel has no records; use klp-prep check -k)"
else
	[ -n "$VERSION" ] || die "--version is required (6.12 or 6.1), or --shipped RELEASE"
	[ ${#SHIPPED_MODULES[@]} -eq 0 ] || die "--module: only with --shipped"
fi
case "$SMP" in
[1-8]) ;;
*) die "--smp $SMP: give 1 to 8 CPUs (the harness kernels have NR_CPUS=8)" ;;
esac
case "$PREEMPT" in
""|full|voluntary|none) ;;
*) die "--preempt $PREEMPT: give full, voluntary or none" ;;
esac
CMDLINE="console=ttyS0 panic=-1 loglevel=6 no_timer_check${PREEMPT:+ preempt=$PREEMPT}${APPEND:+ $APPEND}"
[ ${#SUITES[@]} -gt 0 ] || [ -n "$KSELFTESTS" ] ||
	die "nothing to run: give --suite DIR and/or --kernel-selftests"

for t in qemu-system-x86_64 busybox cpio gzip timeout readelf; do
	command -v "$t" >/dev/null ||
		die "'$t' not found: install the harness packages with scripts/install-deps.sh"
done
[ -x /bin/busybox ] && file_is_static=$(ldd /bin/busybox 2>&1 || true)
case "${file_is_static:-}" in
*"not a dynamic"*|*"statically linked"*) ;;
*) die "/bin/busybox is missing or not static: install busybox-static (scripts/install-deps.sh)" ;;
esac

if [ -n "$KLP_PREP" ]; then
	[ -x "$KLP_PREP" ] || die "--klp-prep $KLP_PREP: not an executable (build it: cmake --build build --target klp-prep)"
	KLP_PREP=$(readlink -f "$KLP_PREP")
fi

SUITE_DIRS=()
for s in "${SUITES[@]}"; do
	[ -d "$s" ] || die "suite directory '$s' does not exist"
	s=$(cd "$s" && pwd)
	case "$(basename "$s")" in
	livepatch|build) die "suite '$s': the names 'livepatch' and 'build' are reserved by the harness; rename the directory" ;;
	esac
	SUITE_DIRS+=("$s")
done

if [ -z "$WORK" ]; then
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/klp-harness-${VERSION:-$SHIPPED}.XXXXXX")
else
	mkdir -p "$WORK"
	WORK=$(cd "$WORK" && pwd)
fi
info "work directory: $WORK"
START=$(date +%s)

# ---- the kernel -----------------------------------------------------------
GUEST_MEM=512M
if [ -n "$SHIPPED" ]; then
	# OBJ: the headers package, the kbuild interface modules build against
	OBJ=/lib/modules/$SHIPPED/build
	[ -f "$OBJ/.config" ] ||
		die "$OBJ/.config missing: install the headers (apt-get install linux-headers-$SHIPPED)"
	OBJ=$(readlink -f "$OBJ")
	IMAGE=$("$HARNESS_DIR/shipped-image.sh" "$SHIPPED" | tail -1) ||
		die "no image of $SHIPPED (messages above)"
	BZIMAGE=$IMAGE/boot/vmlinuz-$SHIPPED
	KREL=$SHIPPED
	SRC=""
	# what the shipped kernels were measured to boot in
	# (docs/shipped-kernels-measured.md); the harness kernels' 512M was
	# not tried with them
	GUEST_MEM=1024M
	info "shipped kernel $KREL: $BZIMAGE, headers $OBJ"
elif [ -n "$KBUILD_DIR" ]; then
	OBJ=$(cd "$KBUILD_DIR" && pwd)
	[ -f "$(dirname "$OBJ")/complete" ] ||
		die "--kernel-build $KBUILD_DIR: not a complete build-kernel.sh build directory (no ../complete)"
	info "using the kernel build $OBJ as it is (--kernel-build)"
	# the plugin it was built with, if any, is the one modules get
	PLUGIN=""
	[ -f "$(dirname "$OBJ")/plugin/klp_partition.so" ] && PLUGIN=$(dirname "$OBJ")/plugin/klp_partition.so
else
	build_args=(--version "$VERSION" --jobs "$JOBS")
	[ -n "$PLUGIN" ] && build_args+=(--plugin "$PLUGIN")
	OBJ=$("$HARNESS_DIR/build-kernel.sh" "${build_args[@]}" | tail -1) ||
		die "the kernel build failed (messages above)"
fi
KCFLAGS_ARG=()
if [ -n "$SHIPPED" ]; then
	[ -n "$PLUGIN" ] && KCFLAGS_ARG=("KCFLAGS=-fplugin=$(readlink -f "$PLUGIN")")
else
	KEYDIR=$(dirname "$OBJ")
	SRC=$KEYDIR/src
	grep -qx "VERSION = ${VERSION%%.*}" "$SRC/Makefile" && grep -qx "PATCHLEVEL = ${VERSION#*.}" "$SRC/Makefile" ||
		die "$SRC is not a linux $VERSION tree"
	if [ -n "$PLUGIN" ]; then
		KCFLAGS_ARG=("KCFLAGS=-fplugin=$KEYDIR/plugin/klp_partition.so")
	fi
	KREL=$(make -s -C "$SRC" O="$OBJ" kernelrelease)
	BZIMAGE=$OBJ/arch/x86/boot/bzImage
	info "kernel $KREL in $OBJ"
fi

declare -a RESULTS=()	# "suite/test STATUS"
note_result() {
	RESULTS+=("$1 $2")
}

# ---- staging: modules and test scripts ------------------------------------
ROOT=$WORK/initramfs
rm -rf "$ROOT" "$WORK/suites"
mkdir -p "$ROOT/klp-tests" "$WORK/suites"
cp "$HARNESS_DIR/guest-lib.sh" "$ROOT/klp-tests/guest-lib.sh"
TESTLIST=$ROOT/klp-tests/.harness-tests
: >"$TESTLIST"

# build_modules NAME DIR: out-of-tree modules in DIR, log in WORK
build_modules() {
	local name="$1" dir="$2" log="$WORK/build-$1.log"
	info "building modules of $name"
	if ! make -C "$OBJ" M="$dir" -j"$JOBS" "${KCFLAGS_ARG[@]}" modules >"$log" 2>&1; then
		tail -20 "$log" >&2
		echo "harness: error: building the modules of $name failed (log: $log)" >&2
		return 1
	fi
}

# The kernel's own livepatch selftests: the scripts are always staged at
# /klp-tests/livepatch (suites source functions.sh from there); the
# tests themselves run with --kernel-selftests.  A shipped kernel has no
# source tree here: no /klp-tests/livepatch.
stage_kernel_selftests() {
	KST_SRC=$SRC/tools/testing/selftests/livepatch
	[ -f "$KST_SRC/functions.sh" ] || die "$KST_SRC/functions.sh missing: the source tree is incomplete"
	cp -a "$KST_SRC" "$WORK/suites/livepatch"
	kst_ok=1
	if [ -n "$KSELFTESTS" ] && [ -d "$WORK/suites/livepatch/test_modules" ]; then
		# 6.12 and later: test modules out of tree
		build_modules livepatch "$WORK/suites/livepatch/test_modules" || kst_ok=""
		if [ -f "$WORK/suites/livepatch/test_klp-call_getpid.c" ]; then
			gcc -static -O2 -o "$WORK/suites/livepatch/test_klp-call_getpid" \
				"$WORK/suites/livepatch/test_klp-call_getpid.c" ||
				{ echo "harness: error: building test_klp-call_getpid failed" >&2; kst_ok=""; }
		fi
	fi
	mkdir -p "$ROOT/klp-tests/livepatch"
	(cd "$WORK/suites/livepatch" &&
		find . \( -name '*.sh' -o -name '*.ko' -o -name settings -o -name config \
			-o -name test_klp-call_getpid \) -type f -print0 |
		cpio -0 -pdm --quiet "$ROOT/klp-tests/livepatch")
	if [ -n "$KSELFTESTS" ]; then
		if [ -n "$kst_ok" ]; then
			for t in "$ROOT"/klp-tests/livepatch/test-*.sh; do
				echo "livepatch $(basename "$t")" >>"$TESTLIST"
			done
		else
			note_result livepatch/build FAIL
		fi
	fi
}
[ -n "$SHIPPED" ] || stage_kernel_selftests

for s in "${SUITE_DIRS[@]}"; do
	name=$(basename "$s")
	cp -a "$s" "$WORK/suites/$name"
	if ! build_modules "$name" "$WORK/suites/$name"; then
		note_result "$name/build" FAIL
		continue
	fi
	# the suite as written, plus what the build produced that tests load
	mkdir -p "$ROOT/klp-tests/$name"
	cp -a "$s/." "$ROOT/klp-tests/$name/"
	(cd "$WORK/suites/$name" && find . -name '*.ko' -print0 |
		cpio -0 -pdm --quiet "$ROOT/klp-tests/$name")
	n=0
	for t in "$ROOT/klp-tests/$name"/test-*.sh; do
		[ -f "$t" ] || continue
		echo "$name $(basename "$t")" >>"$TESTLIST"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { echo "harness: error: suite $s has no test-*.sh script" >&2; note_result "$name/no-tests" FAIL; }
done
chmod +x "$ROOT"/klp-tests/*/*.sh 2>/dev/null || true

# Host-side check: with a plugin, vmlinux and every module carry the
# partition section (a shipped kernel has none: klp-prep kernel-records
# makes its records).
if [ -n "$PLUGIN" ] && [ -z "$SHIPPED" ]; then
	kos=()
	while IFS= read -r -d '' k; do kos+=("$k"); done < <(find "$ROOT/klp-tests" -name '*.ko' -print0)
	if "$HARNESS_DIR/check-section.sh" "$OBJ" "${kos[@]}" >&2; then
		note_result build/partition-section PASS
	else
		note_result build/partition-section FAIL
	fi
fi

# klp-prep check over the whole build: every object with records (objects
# built without KCFLAGS, e.g. the boot code, have none), vmlinux, the
# kernel's modules and the test modules.
if [ -n "$PLUGIN" ] && [ -n "$KLP_PREP" ]; then
	info "klp-prep check over the kernel build"
	files="$WORK/klp-prep-check.files"
	without=0
	while IFS= read -r -d '' o; do
		if readelf -S -W "$o" 2>/dev/null | grep -qF ' .klp_prep.partition '; then
			printf '%s\0' "$o"
		else
			without=$((without + 1))
		fi
	done < <(find "$OBJ" -name '*.o' ! -name '*.mod.o' -print0) >"$files"
	printf '%s\0' "$OBJ/vmlinux" >>"$files"
	find "$OBJ" "$ROOT/klp-tests" -name '*.ko' -print0 >>"$files"
	nfiles=$(tr -cd '\0' <"$files" | wc -c)
	if xargs -0 "$KLP_PREP" check <"$files" >"$WORK/klp-prep-check.log" 2>&1; then
		note_result build/klp-prep-check PASS
	else
		note_result build/klp-prep-check FAIL
		# (awk, not grep | head: a SIGPIPE would end the script here)
		awk '!/: 0 mismatches/ && n++ < 20' "$WORK/klp-prep-check.log" >&2
	fi
	info "klp-prep check: $nfiles files ($without objects without records skipped), log: $WORK/klp-prep-check.log"
fi

# ---- the initramfs -------------------------------------------------------
info "making the initramfs"

# stage_shipped_modules NAME...: the image's modules NAME and what they
# depend on (its modules.dep) into the guest's /lib/modules, uncompressed:
# busybox's insmod hands the file to init_module() as it is, and 6.12's
# are .ko.xz.  depmod then writes the guest's own modules.dep.
stage_shipped_modules() {
	local mdir=$IMAGE/lib/modules/$KREL name line path dep
	local -A staged=()
	cp "$mdir"/modules.builtin* "$mdir/modules.order" "$ROOT/lib/modules/$KREL/" 2>/dev/null || true
	for name in "$@"; do
		# modules.dep names the file; '-' and '_' are the same in a name
		line=$(awk -v n="${name//-/_}" -F: '{
			b = $1; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b)
			if (b == n) { print; exit }
		}' "$mdir/modules.dep")
		[ -n "$line" ] || die "--module $name: $KREL has no such module (not in $mdir/modules.dep)"
		for path in ${line%%:*} ${line#*:}; do
			[ -z "${staged[$path]:-}" ] || continue
			staged[$path]=1
			dep=$ROOT/lib/modules/$KREL/${path%.xz}
			mkdir -p "$(dirname "$dep")"
			case "$path" in
			*.xz) xz -dc "$mdir/$path" >"$dep" || die "xz -dc $mdir/$path failed" ;;
			*.zst) zstd -qdc "$mdir/$path" >"$dep" || die "zstd -dc $mdir/$path failed" ;;
			*) cp "$mdir/$path" "$dep" ;;
			esac
		done
	done
	PATH=$PATH:/usr/sbin:/sbin depmod -b "$ROOT" "$KREL" ||
		die "depmod -b $ROOT $KREL failed"
	info "shipped modules in the guest: ${!staged[*]}"
}
if [ -n "$SHIPPED" ]; then
	mkdir -p "$ROOT/lib/modules/$KREL"
	stage_shipped_modules "${SHIPPED_MODULES[@]}"
else
	make -s -C "$SRC" O="$OBJ" INSTALL_MOD_PATH="$ROOT" modules_install >"$WORK/modules_install.log" 2>&1 ||
		die "modules_install failed (log: $WORK/modules_install.log)"
fi
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,root,etc}

# Real tools the kernel's livepatch selftests rely on (bash, GNU
# coreutils' comm/mktemp/stat/date, procps' sysctl, kmod's module tools,
# glibc's getconf), with the shared libraries ldd lists.
REAL_TOOLS="bash comm mktemp stat date sysctl getconf kmod"
KMOD_LINKS="insmod rmmod modprobe modinfo lsmod depmod"
copy_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ -e "$ROOT$lib" ] || cp -L --parents "$lib" "$ROOT"
	done
}
for t in $REAL_TOOLS; do
	p=$(command -v "$t") || die "'$t' not found on the host: install it (scripts/install-deps.sh)"
	cp -L "$p" "$ROOT/bin/$t"
	copy_libs "$p"
done
for l in $KMOD_LINKS; do
	ln -s /bin/kmod "$ROOT/sbin/$l"
done
cp /bin/busybox "$ROOT/bin/busybox"
for a in $(/bin/busybox --list-full); do
	case " $REAL_TOOLS $KMOD_LINKS " in *" $(basename "$a") "*) continue ;; esac
	[ -e "$ROOT/$a" ] || [ -L "$ROOT/$a" ] || ln -s /bin/busybox "$ROOT/$a"
done

cat >"$ROOT/init" <<EOF
#!/bin/sh
# klp-prep harness guest init (generated by run-tests.sh)
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TMPDIR=/tmp
export KDIR=/klp-tests/livepatch
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
echo
echo "KLP-HARNESS-BOOTED \$(uname -r)"
# what the kernel made of -smp and preempt= (the current mode is the one
# in parentheses), and when /init began (seconds since the kernel started)
echo "KLP-HARNESS-CONFIG cpus=\$(grep -c '^processor' /proc/cpuinfo) preempt=\$(sed -n 's/.*(\([a-z]*\)).*/\1/p' /sys/kernel/debug/sched/preempt 2>/dev/null) init_at=\$(cut -d' ' -f1 /proc/uptime)s"
while read -r suite test; do
	echo
	echo "KLP-HARNESS-START \$suite/\$test"
	( cd "/klp-tests/\$suite" && exec timeout $TEST_TIMEOUT "./\$test" ) </dev/null 2>&1
	rc=\$?
	echo
	echo "KLP-HARNESS-RESULT \$suite/\$test \$rc"
done </klp-tests/.harness-tests
echo
echo "KLP-HARNESS-DONE"
reboot -f
EOF
chmod +x "$ROOT/init"

INITRAMFS=$WORK/initramfs.cpio.gz
(cd "$ROOT" && find . -print0 | cpio -0 -o -H newc --quiet -R 0:0 | gzip -6) >"$INITRAMFS"
info "initramfs: $INITRAMFS ($(du -k "$INITRAMFS" | cut -f1) KiB)"

# ---- boot ------------------------------------------------------------------
CONSOLE=$WORK/console.log
ntests=$(wc -l <"$TESTLIST")
info "booting $KREL under qemu ($TCG, $SMP CPUs), $ntests tests, timeout ${TIMEOUT}s; console: $CONSOLE"
info "kernel command line: $CMDLINE"
BOOT_START=$(date +%s)
# thread=single: the guest CPUs take turns on one host thread.  With one
# thread per CPU (--mttcg) the 6.12 SMP guest hit int3 traps that the
# kernel's text_poke_bp() had already removed (an ftrace call site of
# __x64_sys_getpid, a static call in __mutex_lock, in the kernel's own
# test-syscall.sh): stale code run by a vCPU after the patching CPU's
# sync; Debian's 6.12 without the series does the same.  The guest is SMP
# either way (two run queues, IPIs, a task running on the other CPU while
# a transition checks it); only the host-level parallelism goes.
# no_timer_check: under TCG on a loaded host the IO-APIC timer check can
# miss its ticks and panic ("IO-APIC + timer doesn't work"); it tests the
# emulator's timing, not the kernel under test.
set +e
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 -accel "$TCG" -m "$GUEST_MEM" -smp "$SMP" \
	-kernel "$BZIMAGE" -initrd "$INITRAMFS" \
	-append "$CMDLINE" \
	-nographic -no-reboot -net none -monitor none -serial stdio \
	</dev/null >"$CONSOLE" 2>&1
qemu_rc=$?
set -e
info "qemu exited with status $qemu_rc after $(( $(date +%s) - BOOT_START )) s"

# ---- results ---------------------------------------------------------------
tr -d '\r' <"$CONSOLE" >"$WORK/console.txt"
while read -r suite test; do
	rc=$({ grep -o "KLP-HARNESS-RESULT $suite/$test [0-9]*" "$WORK/console.txt" || true; } |
		tail -1 | awk '{ print $3 }')
	case "$rc" in
	0) note_result "$suite/$test" PASS ;;
	4) if [ -n "$NO_SKIP" ]; then note_result "$suite/$test" FAIL; else note_result "$suite/$test" SKIP; fi ;;
	"") note_result "$suite/$test" FAIL
	    echo "harness: $suite/$test: no result (the guest did not get to finish it)" >&2 ;;
	*) note_result "$suite/$test" FAIL
	   why=""
	   [ "$rc" = 124 ] && why=" (timed out after ${TEST_TIMEOUT}s)"
	   echo "harness: $suite/$test: exit status $rc$why" >&2 ;;
	esac
done <"$TESTLIST"
# The guest ran with the CPUs and the preemption mode asked for, or the
# results prove something else than they claim.
guest_config=$(grep -o 'KLP-HARNESS-CONFIG .*' "$WORK/console.txt" | head -1)
if [ -n "$guest_config" ]; then
	info "guest: ${guest_config#KLP-HARNESS-CONFIG }"
	want="cpus=$SMP"
	case " $guest_config" in *" $want "*) ;; *) want_bad=1 ;; esac
	if [ -n "$PREEMPT" ]; then
		case "$guest_config " in *" preempt=$PREEMPT "*) ;; *) want_bad=1 ;; esac
	fi
	if [ -n "${want_bad:-}" ]; then
		echo "harness: the guest did not run as asked (--smp $SMP${PREEMPT:+ --preempt $PREEMPT}): $guest_config" >&2
		note_result guest/config FAIL
	fi
fi
if ! grep -q 'KLP-HARNESS-DONE' "$WORK/console.txt"; then
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		why="qemu was killed after ${TIMEOUT}s"
	else
		why="qemu exited with status $qemu_rc"
	fi
	echo "harness: the guest never printed KLP-HARNESS-DONE ($why); last console lines:" >&2
	tail -40 "$WORK/console.txt" | sed 's/^/  | /' >&2
	note_result guest/done FAIL
fi

passed=0 failed=0 skipped=0
for r in "${RESULTS[@]}"; do
	name=${r% *} st=${r##* }
	echo "harness: $st $name"
	case "$st" in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
done
echo "harness: console log: $CONSOLE"
echo "harness: linux $KREL, $SMP CPUs, preempt=${PREEMPT:-default}, $ntests tests in the guest, $skipped skipped, $(( $(date +%s) - START )) s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
