# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep generate: extraction rules on small C units (libclang), the
# compile database filter, the diff parser and the template engine.
find_package(cmocka REQUIRED)
if(NOT TARGET klp_livepatch)
	return()
endif()

foreach(t extract_rules extract_compdb diff_parse header_change template_render)
	if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
		continue()
	endif()
	add_executable(test_${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
	target_link_libraries(test_${t} PRIVATE klp_livepatch cmocka)
	target_compile_options(test_${t} PRIVATE ${KLP_SANITIZE_FLAGS})
	target_link_options(test_${t} PRIVATE ${KLP_SANITIZE_FLAGS})
	add_test(NAME ${t} COMMAND test_${t})
endforeach()
