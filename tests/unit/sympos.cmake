# SPDX-License-Identifier: GPL-2.0-or-later
# old_sympos (klp_prep/sympos.h): the livepatch core's counting rule, on
# small tables and on an object linked at test time with the real
# toolchain (gcc-12, ld -r) and read through struct klp_elf.
find_package(cmocka REQUIRED)
find_program(KLP_TEST_GCC NAMES gcc-12 REQUIRED)
find_program(KLP_TEST_LD NAMES ld.bfd ld REQUIRED)
if(NOT TARGET klp_prep)
	return()
endif()

add_executable(test_sympos ${CMAKE_CURRENT_LIST_DIR}/test_sympos.c)
target_link_libraries(test_sympos PRIVATE klp_prep cmocka)
target_compile_definitions(test_sympos PRIVATE
	KLP_TEST_GCC="${KLP_TEST_GCC}"
	KLP_TEST_LD="${KLP_TEST_LD}")
target_compile_options(test_sympos PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(test_sympos PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME sympos COMMAND test_sympos)
