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
