# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep affected: the closure rules on hand-built record sets, and the
# -fdump-ipa-clones parser, including malformed lines.
find_package(cmocka REQUIRED)
if(NOT TARGET klp_prep)
	return()
endif()

foreach(t affected ipa_clones)
	if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/test_${t}.c)
		continue()
	endif()
	add_executable(test_${t} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.c)
	target_link_libraries(test_${t} PRIVATE klp_prep cmocka)
	target_compile_options(test_${t} PRIVATE ${KLP_SANITIZE_FLAGS})
	target_link_options(test_${t} PRIVATE ${KLP_SANITIZE_FLAGS})
	add_test(NAME ${t} COMMAND test_${t})
endforeach()
