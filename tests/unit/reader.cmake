# SPDX-License-Identifier: GPL-2.0-or-later
# libklp_prep's ELF reader and checks, on objects made at test time with
# the real toolchain (gcc-12, objcopy, ld) and sections this test encodes.
find_package(PkgConfig REQUIRED)
pkg_check_modules(READER_TEST_DEPS REQUIRED IMPORTED_TARGET cmocka libelf)
find_program(KLP_TEST_GCC NAMES gcc-12 REQUIRED)
find_program(KLP_TEST_OBJCOPY NAMES objcopy REQUIRED)
find_program(KLP_TEST_LD NAMES ld.bfd ld REQUIRED)

add_executable(reader_test ${CMAKE_CURRENT_LIST_DIR}/reader_test.c)
target_link_libraries(reader_test PRIVATE klp_prep PkgConfig::READER_TEST_DEPS)
target_compile_definitions(reader_test PRIVATE
	KLP_TEST_GCC="${KLP_TEST_GCC}"
	KLP_TEST_OBJCOPY="${KLP_TEST_OBJCOPY}"
	KLP_TEST_LD="${KLP_TEST_LD}")
target_compile_options(reader_test PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(reader_test PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME reader COMMAND reader_test)
