# SPDX-License-Identifier: GPL-2.0-or-later
# The klp-prep command: dump and check, their output, messages and exit
# codes; on made objects always, on plugin output when the plugin builds.
if(NOT TARGET klp-prep OR NOT TARGET format_mkblock)
	return()
endif()
find_program(KLP_CLI_GCC NAMES gcc-12 REQUIRED)

add_test(NAME cli_made_objects
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/cli_made_objects.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:format_mkblock>
		${KLP_CLI_GCC} ${CMAKE_CURRENT_BINARY_DIR}/cli-work/made
		${PROJECT_SOURCE_DIR}/tests/unit/reader_fixtures)

# valgrind cannot run ASan binaries: the sanitized build has ASan instead.
if(NOT KLP_SANITIZE)
	add_test(NAME cli_valgrind
		COMMAND ${CMAKE_CURRENT_LIST_DIR}/cli_valgrind.sh
			$<TARGET_FILE:klp-prep> $<TARGET_FILE:format_mkblock>
			${KLP_CLI_GCC} ${CMAKE_CURRENT_BINARY_DIR}/cli-work/valgrind
			${PROJECT_SOURCE_DIR}/tests/unit/reader_fixtures)
	set_tests_properties(cli_valgrind PROPERTIES SKIP_RETURN_CODE 77)
endif()

if(TARGET klp_partition)
	add_test(NAME cli_plugin_fixtures
		COMMAND ${CMAKE_CURRENT_LIST_DIR}/cli_plugin_fixtures.sh
			$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
			${KLP_CLI_GCC} ${CMAKE_CURRENT_BINARY_DIR}/cli-work/plugin
			${CMAKE_CURRENT_LIST_DIR}/fixtures)
endif()
