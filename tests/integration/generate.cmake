# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep generate: golden outputs for fixes to a small tree compiled
# with gcc-12 and the real plugin (tests/integration/generate/run.sh;
# run it with --update to rewrite expected/ after a deliberate change).
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()

add_test(NAME generate_golden
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/generate/run.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
		${CMAKE_CURRENT_BINARY_DIR}/generate-work)
set_tests_properties(generate_golden PROPERTIES
	ENVIRONMENT "CC=${KLP_PLUGIN_GCC}")

# End to end in the harness kernel (qemu): three fixes generated from
# diffs, built, converted, loaded; behaviour checked in the guest.  Needs
# the harness kernel (built and cached by kernel-support/harness, same
# key as the kernel tests); skipped (77) when none can be had.
if(KLP_KERNEL_TESTS)
	add_test(NAME generate_e2e
		COMMAND ${CMAKE_CURRENT_LIST_DIR}/generate/e2e/run.sh
			$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
			${CMAKE_CURRENT_BINARY_DIR}/generate-e2e)
	set_tests_properties(generate_e2e PROPERTIES
		SKIP_RETURN_CODE 77 TIMEOUT 2400 LABELS "kernel")
endif()

# Real functions of real kernel units, generated and built with -Werror
# against the newest complete harness kernel build (skipped without one).
if(KLP_KERNEL_TESTS)
	add_test(NAME generate_kernel_units
		COMMAND ${CMAKE_CURRENT_LIST_DIR}/generate/kernel-units.sh
			$<TARGET_FILE:klp-prep> ${CMAKE_CURRENT_BINARY_DIR}/generate-kernel-units)
	set_tests_properties(generate_kernel_units PROPERTIES
		SKIP_RETURN_CODE 77 TIMEOUT 1800 LABELS "kernel")
endif()
