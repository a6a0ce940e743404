# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep generate and build onto a full disk (a small tmpfs): a clear
# error and nothing left behind (fulldisk.sh; root only, else skipped).
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()
add_test(NAME fulldisk
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/fulldisk.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
		${CMAKE_CURRENT_BINARY_DIR}/fulldisk-work)
set_tests_properties(fulldisk PROPERTIES
	ENVIRONMENT "CC=${KLP_PLUGIN_GCC}" SKIP_RETURN_CODE 77 TIMEOUT 900)
