# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep affected on objects that gcc-12 compiled with the real plugin:
# the plugin fixtures and two units with one static name, linked into a
# small vmlinux and a module; the build-directory index; the same
# questions answered from -fdump-ipa-clones dumps.
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()
find_program(KLP_JQ jq)
if(NOT KLP_JQ)
	message(STATUS "affected integration tests: jq not found, skipped")
	return()
endif()

add_test(NAME affected_plugin
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/affected/run.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
		${CMAKE_CURRENT_LIST_DIR}/fixtures
		${CMAKE_CURRENT_BINARY_DIR}/affected-work)
set_tests_properties(affected_plugin PROPERTIES
	ENVIRONMENT "CC=${KLP_PLUGIN_GCC}")
