# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep build: pairing the new side with the old, the new-side file.
find_package(cmocka REQUIRED)
if(NOT TARGET klp_livepatch)
	return()
endif()

add_executable(test_build_pairing ${CMAKE_CURRENT_LIST_DIR}/build_pairing.c)
target_link_libraries(test_build_pairing PRIVATE klp_livepatch cmocka)
# It includes build.c, so it needs build.c's private include (lib/log.h).
target_include_directories(test_build_pairing PRIVATE ${PROJECT_SOURCE_DIR}/klp-prep/lib)
target_compile_options(test_build_pairing PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(test_build_pairing PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME build_pairing COMMAND test_build_pairing)
