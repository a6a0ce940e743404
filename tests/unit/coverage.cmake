# SPDX-License-Identifier: GPL-2.0-or-later
# Covering callers of split-off parts (klp_prep/coverage.h), on a file
# linked at test time like vmlinux: coverage_fixture/ compiled by gcc-12
# with -pg -mfentry, linked by ld with --emit-relocs.
if(TARGET klp_prep)
	klp_toolchain_test(coverage ${CMAKE_CURRENT_LIST_DIR}/test_coverage.c)
	target_compile_definitions(test_coverage PRIVATE
		KLP_TEST_FIXTURE="${CMAKE_CURRENT_LIST_DIR}/coverage_fixture")
endif()
