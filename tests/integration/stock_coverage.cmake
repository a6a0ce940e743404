# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep coverage on Debian's shipped 6.1 -dbg vmlinux: parts whose
# covering callers (or refusal) were checked by hand with objdump.
# Skips (77) when the -dbg package is not installed.
if(NOT TARGET klp-prep)
	return()
endif()
add_test(NAME stock_coverage
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/stock_coverage.sh
		$<TARGET_FILE:klp-prep>
		/usr/lib/debug/boot/vmlinux-6.1.0-57-cloud-amd64
		${CMAKE_CURRENT_BINARY_DIR}/stock-coverage-work)
set_tests_properties(stock_coverage PROPERTIES
	LABELS shipped
	TIMEOUT 300
	SKIP_RETURN_CODE 77)
