# SPDX-License-Identifier: GPL-2.0-or-later
# The GCC plugin: records held to what each fixture makes GCC do, objects
# byte-identical with and without the plugin, and bad input (wrong GCC,
# unknown arguments, -flto).
if(NOT TARGET klp_partition)
	return()
endif()

set(plugin_fixtures ${CMAKE_CURRENT_LIST_DIR}/fixtures)
set(plugin_work ${CMAKE_CURRENT_BINARY_DIR}/plugin-work)

if(TARGET klp_prep)
	find_package(cmocka REQUIRED)
	add_executable(plugin_records ${CMAKE_CURRENT_LIST_DIR}/plugin_records.c)
	target_link_libraries(plugin_records PRIVATE klp_prep cmocka)
	target_compile_options(plugin_records PRIVATE ${KLP_SANITIZE_FLAGS})
	target_link_options(plugin_records PRIVATE ${KLP_SANITIZE_FLAGS})
	add_test(NAME plugin_records
		COMMAND plugin_records $<TARGET_FILE:klp_partition>
			${plugin_fixtures} ${KLP_PLUGIN_GCC} ${plugin_work}/records)
endif()

add_test(NAME plugin_no_code_change
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/plugin_no_code_change.sh
		$<TARGET_FILE:klp_partition> ${KLP_PLUGIN_GCC}
		${plugin_work}/no-code-change
		${plugin_fixtures} ${PROJECT_SOURCE_DIR}/klp-prep/lib
		${PROJECT_SOURCE_DIR}/klp-prep/cli)

if(NOT TARGET klp-prep)
	return()
endif()
add_test(NAME plugin_bad_input
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/plugin_bad_input.sh
		$<TARGET_FILE:klp_partition> ${KLP_PLUGIN_GCC}
		${plugin_work}/bad-input ${plugin_fixtures} $<TARGET_FILE:klp-prep>)
# Exit 77: a part needs a tool that is missing (another GCC).
set_tests_properties(plugin_bad_input PROPERTIES SKIP_RETURN_CODE 77)

add_test(NAME plugin_dwarf_check
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/plugin_dwarf_check.sh
		$<TARGET_FILE:klp_partition> ${KLP_PLUGIN_GCC} $<TARGET_FILE:klp-prep>
		${plugin_work}/dwarf-check ${plugin_fixtures})
