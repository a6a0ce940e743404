#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kernel-units.sh - klp-prep generate on real functions of real kernel
# units, large and small: each livepatch source must build with -Werror
# against the kernel build it was generated from.  The "fix" is the unit
# as it is (--patched with the original), so the test needs no diffs and
# exercises the extraction on whatever the units hold: trace points,
# #includes in the middle of a file or inside a table, unnamed structs,
# va_list, lockdep keys and once flags from macros, empty lock structs,
# headers that differ between built-in and module code.
#
# A refusal (exit 3, e.g. the records say the function has no ftrace
# hook) is reported with its reason and is no failure.
#
# Usage: kernel-units.sh KLP_PREP WORK_DIR [KERNEL_BUILD]
# KERNEL_BUILD: default the newest complete harness build under
# ${KLP_PREP_CACHE:-/var/cache/klp-prep}; none: exit 77 (skip).
set -uo pipefail

KLP=$(readlink -f "${1:?klp-prep binary}")
WORK=${2:?work dir}
KBUILD=${3:-}
if [ -z "$KBUILD" ]; then
	stamp=$(ls -t "${KLP_PREP_CACHE:-/var/cache/klp-prep}"/6.12/*/complete 2>/dev/null | head -1)
	[ -n "$stamp" ] || { echo "kernel-units: no complete harness kernel build: skipped"; exit 77; }
	KBUILD=$(dirname "$stamp")/build
fi
SRC=$(readlink -f "$KBUILD/source")
FAILS=0

rm -rf "$WORK" && mkdir -p "$WORK/compdb" || exit 99
python3 "$SRC/scripts/clang-tools/gen_compile_commands.py" -d "$KBUILD" \
	-o "$WORK/compdb/compile_commands.json" "$KBUILD" || exit 99

UNITS="
fs/proc/cmdline.c:cmdline_proc_show
fs/proc/meminfo.c:meminfo_proc_show
fs/proc/base.c:proc_pid_cmdline_read
fs/proc/array.c:proc_pid_status
fs/open.c:do_sys_open
fs/read_write.c:ksys_write
fs/namei.c:getname_flags
fs/exec.c:do_execveat_common
fs/read_write.c:vfs_read
kernel/fork.c:copy_process
kernel/exit.c:do_exit
kernel/sys.c:__sys_setuid
kernel/sys.c:do_prlimit
kernel/signal.c:do_send_sig_info
kernel/sched/core.c:wake_up_process
kernel/sched/fair.c:update_curr
kernel/printk/printk.c:vprintk_emit
kernel/time/timekeeping.c:ktime_get_real_ts64
kernel/module/main.c:load_module
kernel/irq/manage.c:request_threaded_irq
mm/mmap.c:do_mmap
mm/slub.c:kmem_cache_alloc_noprof
lib/vsprintf.c:vsnprintf
drivers/tty/tty_io.c:tty_write
"

for spec in $UNITS; do
	unit=${spec%%:*}
	func=${spec##*:}
	[ -f "$SRC/$unit" ] || { echo "skip $spec: no such unit in this tree"; continue; }
	out=$WORK/$func
	"$KLP" generate -k "$KBUILD" --compdb "$WORK/compdb" -o "$out" \
		-p "$unit=$SRC/$unit" -f "$func" 2>"$out.log"
	rc=$?
	if [ $rc -eq 3 ]; then
		# The records know better (notrace code): a refusal, with its reason.
		echo "ok $spec: refused: $(grep -m1 ': error:' "$out.log")"
		continue
	elif [ $rc -ne 0 ]; then
		echo "FAIL $spec: generate: $(grep -v ': warning:' "$out.log" | head -3)"
		FAILS=$((FAILS + 1))
		continue
	fi
	if make -C "$KBUILD" M="$out" KCFLAGS=-Werror modules >"$out.make" 2>&1; then
		echo "ok $spec"
	else
		echo "FAIL $spec: build: $(grep -m3 -E 'error|undefined' "$out.make")"
		FAILS=$((FAILS + 1))
	fi
done
exit $FAILS
