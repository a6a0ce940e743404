# SPDX-License-Identifier: GPL-2.0-or-later
# klp_code_compare() (klp_prep/code_compare.h): units compiled at test time
# with gcc-12, linked with ld into an executable (with and without
# --emit-relocs), held against units compiled the same way and otherwise.
find_package(cmocka REQUIRED)
find_program(KLP_TEST_GCC NAMES gcc-12 REQUIRED)
find_program(KLP_TEST_LD NAMES ld.bfd ld REQUIRED)
if(NOT TARGET klp_prep)
	return()
endif()

add_executable(test_code_compare ${CMAKE_CURRENT_LIST_DIR}/test_code_compare.c)
target_link_libraries(test_code_compare PRIVATE klp_prep cmocka)
target_compile_definitions(test_code_compare PRIVATE
	KLP_TEST_GCC="${KLP_TEST_GCC}"
	KLP_TEST_LD="${KLP_TEST_LD}")
target_compile_options(test_code_compare PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(test_code_compare PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME code_compare COMMAND test_code_compare)
