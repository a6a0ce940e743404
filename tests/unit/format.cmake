# SPDX-License-Identifier: GPL-2.0-or-later
# The partition format codec (records_encode.c, records_decode.c): round
# trips and every kind of malformed block.  format_mkblock writes section
# contents for the reader and CLI tests.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

add_executable(format_test ${CMAKE_CURRENT_LIST_DIR}/format_test.c)
target_link_libraries(format_test PRIVATE klp_prep PkgConfig::CMOCKA)
target_compile_options(format_test PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(format_test PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME format COMMAND format_test)

add_executable(format_mkblock ${CMAKE_CURRENT_LIST_DIR}/format_mkblock.c)
target_link_libraries(format_mkblock PRIVATE klp_prep)
target_compile_options(format_mkblock PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(format_mkblock PRIVATE ${KLP_SANITIZE_FLAGS})

# Symbol-name suffixes and the spelling of flags and kinds.
add_executable(format_names_test ${CMAKE_CURRENT_LIST_DIR}/format_names_test.c)
target_link_libraries(format_names_test PRIVATE klp_prep PkgConfig::CMOCKA)
target_compile_options(format_names_test PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(format_names_test PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME format_names COMMAND format_names_test)

# The JSON emitter of klp-prep dump (the CLI's own source, compiled in).
add_executable(format_json_test ${CMAKE_CURRENT_LIST_DIR}/format_json_test.c
	${PROJECT_SOURCE_DIR}/klp-prep/cli/json_writer.c)
target_include_directories(format_json_test PRIVATE ${PROJECT_SOURCE_DIR}/klp-prep/cli)
target_link_libraries(format_json_test PRIVATE PkgConfig::CMOCKA)
target_compile_options(format_json_test PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(format_json_test PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME format_json COMMAND format_json_test)
