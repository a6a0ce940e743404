# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel-support stack check decision (kernel/livepatch/stack_only.h of
# the kernel-support patches), unit-tested with CMocka against the very
# same text, and a check that the copy the test compiles is that text.
find_package(cmocka REQUIRED)

add_executable(test_stack_ranges ${CMAKE_CURRENT_LIST_DIR}/test_stack_ranges.c)
target_include_directories(test_stack_ranges PRIVATE
	${PROJECT_SOURCE_DIR}/kernel-support/stack_only)
target_link_libraries(test_stack_ranges PRIVATE cmocka)
target_compile_options(test_stack_ranges PRIVATE ${KLP_SANITIZE_FLAGS})
target_link_options(test_stack_ranges PRIVATE ${KLP_SANITIZE_FLAGS})
add_test(NAME stack_ranges COMMAND test_stack_ranges)

add_test(NAME stack_ranges_copy
	COMMAND ${PROJECT_SOURCE_DIR}/kernel-support/stack_only/check-copy.sh
		${PROJECT_SOURCE_DIR})
