# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep generate and build killed at random points, 20 and 10 times:
# the old output or none, never a torn one (interrupt.sh).  The build half
# uses the newest complete harness kernel build with stack_only support
# and is left out without one.
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()
add_test(NAME interrupt
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/interrupt.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
		${CMAKE_CURRENT_BINARY_DIR}/interrupt-work 20 10)
set_tests_properties(interrupt PROPERTIES
	ENVIRONMENT "CC=${KLP_PLUGIN_GCC}" TIMEOUT 1800)
