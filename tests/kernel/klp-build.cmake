# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep build end to end in the harness kernel (qemu): livepatches made
# by klp-prep build from diffs to examples/klp-demo, loaded; enabling,
# disabling and an atomic replace stall while a task waits in a .cold part
# the table names, and behaviour changes after each transition
# (kernel-support/selftests/klp-build/run.sh).  6.12 only: the 6.1 series
# has no stack_only support yet.  Skipped (77) without a harness kernel.
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()

add_test(NAME kernel-klp-build-6.12
	COMMAND ${PROJECT_SOURCE_DIR}/kernel-support/selftests/klp-build/run.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
		${CMAKE_CURRENT_BINARY_DIR}/klp-build-6.12 --version 6.12)
set_tests_properties(kernel-klp-build-6.12 PROPERTIES
	LABELS kernel
	SKIP_RETURN_CODE 77
	TIMEOUT 3000
	RUN_SERIAL TRUE)
