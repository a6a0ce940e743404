# SPDX-License-Identifier: GPL-2.0-or-later
# kpatch's integration patches (tests/kpatch, GPL-2.0 test data from
# github.com/dynup/kpatch) through klp-prep build on the harness kernels,
# each livepatch loaded in qemu with kpatch's LOADED test: every patch
# does what tests/kpatch/expected-VER.txt says (passes, or fails with the
# exact reason listed there), and the table is in the test's output.
# Same kernels (cache key) as kernel-VER; skipped (77) when none can be had.
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()

foreach(ver 6.1 6.12)
	if(NOT EXISTS ${PROJECT_SOURCE_DIR}/tests/kpatch/expected-${ver}.txt)
		continue()
	endif()
	add_test(NAME kernel-kpatch-${ver}
		COMMAND ${PROJECT_SOURCE_DIR}/tests/kpatch/run.sh
			$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
			${CMAKE_CURRENT_BINARY_DIR}/kpatch-${ver} --version ${ver}
			--smp 2 --preempt full)
	set_tests_properties(kernel-kpatch-${ver} PROPERTIES
		LABELS kernel
		SKIP_RETURN_CODE 77
		TIMEOUT 3000
		RUN_SERIAL TRUE)
endforeach()
