# SPDX-License-Identifier: GPL-2.0-or-later
# Fixes klp-prep generate must refuse, each for its stated reason, and
# --allow-unsafe letting them through, for generate and for build
# (tests/integration/must_fail.sh).
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()
add_test(NAME must_fail
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/must_fail.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
		${CMAKE_CURRENT_BINARY_DIR}/must-fail-work)
set_tests_properties(must_fail PROPERTIES ENVIRONMENT "CC=${KLP_PLUGIN_GCC}")
