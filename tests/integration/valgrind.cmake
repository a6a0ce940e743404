# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep dump and check on a real vmlinux and .ko under valgrind
# (valgrind_kernel.sh).  Not in sanitized builds: valgrind cannot run ASan
# binaries.  With the kernel tests, it runs after kernel-harness-6.12,
# which builds the kernel it prefers.
if(KLP_SANITIZE OR NOT TARGET klp-prep OR NOT TARGET klp_partition)
	return()
endif()
find_program(KLP_VALGRIND_GCC NAMES gcc-12 REQUIRED)
add_test(NAME valgrind_kernel
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/valgrind_kernel.sh
		$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
		${KLP_VALGRIND_GCC} ${CMAKE_CURRENT_BINARY_DIR}/valgrind-kernel-work)
set_tests_properties(valgrind_kernel PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1800)
if(KLP_KERNEL_TESTS)
	set_tests_properties(valgrind_kernel PROPERTIES DEPENDS kernel-harness-6.12)
endif()
