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

# DWARF's inlined-subroutine tree against the closure: the fixtures here
# always; real kernel units when a harness kernel build exists
# (affected/dwarf_kernel.sh finds it, or skips with 77).
find_package(PkgConfig REQUIRED)
pkg_check_modules(AFFECTED_LIBDW REQUIRED IMPORTED_TARGET libdw libelf)
add_executable(affected_dwarf ${CMAKE_CURRENT_LIST_DIR}/affected/affected_dwarf.c)
target_link_libraries(affected_dwarf PRIVATE klp_prep PkgConfig::AFFECTED_LIBDW)
target_compile_options(affected_dwarf PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(affected_dwarf PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME affected_dwarf_fixtures
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/affected/dwarf_fixtures.sh
		$<TARGET_FILE:affected_dwarf> $<TARGET_FILE:klp_partition>
		${CMAKE_CURRENT_LIST_DIR}/fixtures
		${CMAKE_CURRENT_BINARY_DIR}/affected-dwarf-fixtures)
set_tests_properties(affected_dwarf_fixtures PROPERTIES
	ENVIRONMENT "CC=${KLP_PLUGIN_GCC}")
add_test(NAME affected_dwarf_kernel
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/affected/dwarf_kernel.sh
		$<TARGET_FILE:affected_dwarf> $<TARGET_FILE:klp_partition>
		${CMAKE_CURRENT_BINARY_DIR}/affected-dwarf-kernel)
set_tests_properties(affected_dwarf_kernel PROPERTIES
	SKIP_RETURN_CODE 77 TIMEOUT 900
	ENVIRONMENT "CC=${KLP_PLUGIN_GCC}")

# old_sympos of every repeated static name of the harness kernel's units,
# against the order the 6.12 livepatch core counts in (skipped, 77,
# without a kernel build).
add_test(NAME affected_sympos_kernel
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/affected/sympos_kernel.sh
		$<TARGET_FILE:klp-prep> ${CMAKE_CURRENT_BINARY_DIR}/affected-sympos-kernel)
set_tests_properties(affected_sympos_kernel PROPERTIES
	SKIP_RETURN_CODE 77 TIMEOUT 900)
