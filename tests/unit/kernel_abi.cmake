# SPDX-License-Identifier: GPL-2.0-or-later
# include/klp_kernel_abi.h (the layout klp-prep verify reads livepatch
# tables with) against struct klp_func, klp_object and klp_patch of each
# kernel-support series, compiled on the host from the Debian source
# tarball's include/linux/livepatch.h with the series applied.  Skips only
# when a tarball is not installed; the extracted header is cached here.
add_test(NAME kernel_abi_layout
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/kernel_abi/check-layout.sh
		${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER}
		${CMAKE_CURRENT_BINARY_DIR}/kernel-abi-cache)
set_tests_properties(kernel_abi_layout PROPERTIES SKIP_RETURN_CODE 77)
