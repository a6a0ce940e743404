# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep build end to end in the harness kernels (qemu): livepatches
# made by klp-prep build from diffs to examples/klp-demo, loaded; enabling,
# disabling, an atomic replace and a stacked patch stall while a task
# waits in a .cold part the table names, behaviour changes after each
# transition, a control without the new side shows the escape, and
# per-CPU variables of klp_demo and of vmlinux (fs/inode.c) used by
# patched code are the running kernel's, on every CPU
# (kernel-support/selftests/klp-build/run.sh).  The kernels are the
# kernel-VER tests' (same cache key); skipped (77) when none can be had.
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()

# On two CPUs, with preempt=full (kernel-klp-build-VER) and preempt=none
# (kernel-klp-build-VER-preempt-none).
foreach(ver 6.12 6.1)
	foreach(mode full none)
		set(name kernel-klp-build-${ver})
		if(mode STREQUAL none)
			set(name ${name}-preempt-none)
		endif()
		add_test(NAME ${name}
			COMMAND ${PROJECT_SOURCE_DIR}/kernel-support/selftests/klp-build/run.sh
				$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
				${CMAKE_CURRENT_BINARY_DIR}/klp-build-${ver}-${mode} --version ${ver}
				--smp 2 --preempt ${mode})
		set_tests_properties(${name} PROPERTIES
			LABELS kernel
			SKIP_RETURN_CODE 77
			TIMEOUT 3000
			RUN_SERIAL TRUE)
	endforeach()
endforeach()
