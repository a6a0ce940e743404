# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep verify and build: tables compiled with the plugin, right and
# wrong ones; bad input to klp-prep build (tests/integration/build/run.sh).
# The end-to-end test in the harness kernel is tests/kernel/klp-build.cmake.
if(NOT TARGET klp-prep OR NOT TARGET klp_partition)
	return()
endif()
find_program(KLP_BUILD_GCC NAMES gcc-12 REQUIRED)

add_test(NAME build_verify
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/build/run.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
		${KLP_BUILD_GCC} ${CMAKE_CURRENT_BINARY_DIR}/build-verify-work)
