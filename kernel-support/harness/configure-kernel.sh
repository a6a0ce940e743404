# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel configuration recipe of the klp-prep harness, sourced by
# build-kernel.sh.  The text of this file is part of the build cache key:
# any edit here makes the next run configure and build a fresh kernel.
#
# The recipe: tinyconfig, plus what a livepatch-capable kernel that boots
# an initramfs on qemu's serial console needs, built at -O2 (tinyconfig
# picks -Os, where GCC makes no .cold parts at all), and what the kernels
# distributions ship have that changes how a transition runs: SMP (tasks
# running on another CPU cannot have their stacks checked), PREEMPT_DYNAMIC
# (the suites boot with preempt=full and preempt=none; the built-in default
# is voluntary, as Debian's), the retpoline mitigation and, on 6.12, IBT.
# ACPI tells the kernel about qemu's other CPUs (SeaBIOS's MP table lists
# only the boot CPU).  BUG, JUMP_LABEL and AIO are in every livepatch
# kernel a distribution ships and tinyconfig drops them: without them a
# fix's __bug_table entries, static-key branches and fs/aio.c (kpatch's
# integration suite, tests/kpatch) would not be there to patch.
# Lockdep (PROVE_LOCKING) and DEBUG_ATOMIC_SLEEP are on in every harness
# kernel: one kernel per version keeps CI to two cold builds, and every
# suite, not only the stress test, then runs the series under them.

# Options switched on.  Every one of them must read "=y" after
# olddefconfig, or the configuration is refused (a silently dropped option
# is how a harness ends up testing something else than it claims).
KLP_KCONFIG_ENABLE="
64BIT
MODULES MODULE_UNLOAD
PRINTK TTY SERIAL_8250 SERIAL_8250_CONSOLE
BLK_DEV_INITRD RD_GZIP
BINFMT_ELF BINFMT_SCRIPT
PROC_FS PROC_SYSCTL SYSFS DEVTMPFS DEVTMPFS_MOUNT DEBUG_FS
MULTIUSER FUTEX POSIX_TIMERS
KALLSYMS KALLSYMS_ALL
FTRACE FUNCTION_TRACER DYNAMIC_FTRACE
LIVEPATCH
UNWINDER_ORC
DYNAMIC_DEBUG
CC_OPTIMIZE_FOR_PERFORMANCE
SMP ACPI
PREEMPT_DYNAMIC PREEMPT_VOLUNTARY
CPU_MITIGATIONS
DEBUG_KERNEL PROVE_LOCKING DEBUG_ATOMIC_SLEEP
BUG JUMP_LABEL AIO
"

# Options switched off.  GCC_PLUGINS is the kernel's own plugin set: with
# gcc-12-plugin-dev installed it can default to on; the harness loads only
# klp-prep's plugin, through KCFLAGS.
KLP_KCONFIG_DISABLE="
UNWINDER_GUESS UNWINDER_FRAME_POINTER
CC_OPTIMIZE_FOR_SIZE
PREEMPT_NONE PREEMPT
GCC_PLUGINS
DEBUG_INFO DEBUG_INFO_DWARF4 DEBUG_INFO_DWARF5
DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT
SAMPLES
WERROR
"

# Options set to a value, checked like the others.  tinyconfig leaves
# NR_CPUS at 2 on 6.12 (the stress run boots 4 CPUs), and the 128 KiB log
# buffer would lose the stress run's dynamic-debug lines of the
# transition code.
KLP_KCONFIG_VALUE="
NR_CPUS=8
LOG_BUF_SHIFT=21
"

# Per-version extras.  6.1 builds the livepatch selftest modules in tree
# (lib/livepatch, CONFIG_TEST_LIVEPATCH=m, hidden behind
# RUNTIME_TESTING_MENU); 6.12 builds them out of tree from
# tools/testing/selftests/livepatch/test_modules.  The retpoline option
# was renamed in 6.9 (RETPOLINE -> MITIGATION_RETPOLINE).  IBT is asked
# for on 6.12 only, where Debian's configuration has it.
klp_kconfig_version_extras() {
	case "$1" in
	6.1)
		KLP_KCONFIG_ENABLE="$KLP_KCONFIG_ENABLE RUNTIME_TESTING_MENU RETPOLINE"
		KLP_KCONFIG_MODULE="TEST_LIVEPATCH"
		;;
	*)
		KLP_KCONFIG_ENABLE="$KLP_KCONFIG_ENABLE MITIGATION_RETPOLINE X86_KERNEL_IBT"
		KLP_KCONFIG_MODULE=""
		;;
	esac
}

# What must hold for the kernel to be worth testing at all.  One of the
# two ftrace flavours livepatch can sit on must be there.
KLP_KCONFIG_REQUIRE="LIVEPATCH HAVE_RELIABLE_STACKTRACE UNWINDER_ORC"
KLP_KCONFIG_REQUIRE_ONE_OF="DYNAMIC_FTRACE_WITH_REGS DYNAMIC_FTRACE_WITH_ARGS"

# klp_configure_kernel SRC OBJ VERSION LOG
klp_configure_kernel() {
	local src="$1" obj="$2" ver="$3" log="$4" o bad="" any=""

	klp_kconfig_version_extras "$ver"
	make -C "$src" O="$obj" ARCH=x86_64 tinyconfig >>"$log" 2>&1
	local args=()
	for o in $KLP_KCONFIG_ENABLE; do args+=(-e "$o"); done
	for o in $KLP_KCONFIG_DISABLE; do args+=(-d "$o"); done
	for o in $KLP_KCONFIG_MODULE; do args+=(-m "$o"); done
	for o in $KLP_KCONFIG_VALUE; do args+=(--set-val "${o%%=*}" "${o#*=}"); done
	"$src/scripts/config" --file "$obj/.config" "${args[@]}"
	make -C "$src" O="$obj" ARCH=x86_64 olddefconfig >>"$log" 2>&1

	for o in $KLP_KCONFIG_ENABLE $KLP_KCONFIG_REQUIRE; do
		grep -qx "CONFIG_$o=y" "$obj/.config" || bad="$bad $o"
	done
	for o in $KLP_KCONFIG_MODULE; do
		grep -qx "CONFIG_$o=m" "$obj/.config" || bad="$bad $o(=m)"
	done
	for o in $KLP_KCONFIG_VALUE; do
		grep -qx "CONFIG_$o" "$obj/.config" || bad="$bad $o"
	done
	for o in $KLP_KCONFIG_DISABLE; do
		grep -q "^CONFIG_$o=[ym]" "$obj/.config" && bad="$bad !$o"
	done
	for o in $KLP_KCONFIG_REQUIRE_ONE_OF; do
		grep -qx "CONFIG_$o=y" "$obj/.config" && any=1
	done
	[ -n "$any" ] || bad="$bad one-of($KLP_KCONFIG_REQUIRE_ONE_OF)"
	if [ -n "$bad" ]; then
		echo "harness: error: linux $ver: these options did not end up as required in $obj/.config:$bad" >&2
		echo "harness: error: fix the recipe in kernel-support/harness/configure-kernel.sh (a dependency is missing or the option was renamed)" >&2
		return 1
	fi
}
