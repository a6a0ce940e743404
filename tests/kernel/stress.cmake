# SPDX-License-Identifier: GPL-2.0-or-later
# The livepatch stress test (kernel-support/selftests/stress): fifty
# cycles of enable, atomic replace and disable on four CPUs while workers
# sleep and spin in and out of .cold parts, lockdep on.  Minutes of guest
# time under TCG: one run per kernel, with the preemption modes split
# across the kernels.  6.12 runs preempt=none: only there (since 6.4) does
# cond_resched() switch a task's patch state, and only without full
# preemption, so that mode has a code path 6.1 lacks; 6.1 runs
# preempt=full, where a worker can be preempted at any instruction of a
# .cold part.  The transition code the stack_only patch changes is the
# same in both kernels (patch 0002 is the same change on each).
foreach(ver 6.12 6.1)
	if(ver STREQUAL 6.12)
		set(mode none)
	else()
		set(mode full)
	endif()
	add_test(NAME kernel-stress-${ver}
		COMMAND ${KLP_KSUPPORT_DIR}/harness/run-tests.sh --version ${ver}
			${klp_plugin_args} --no-skip --smp 4 --preempt ${mode}
			--suite ${KLP_KSUPPORT_DIR}/selftests/stress
			--test-timeout 2700 --timeout 3000
			--work-dir ${CMAKE_CURRENT_BINARY_DIR}/work-stress-${ver})
	set_tests_properties(kernel-stress-${ver} PROPERTIES
		LABELS kernel
		TIMEOUT 3600
		RUN_SERIAL TRUE
		FAIL_REGULAR_EXPRESSION "harness: FAIL ")
endforeach()
