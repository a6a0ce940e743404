# SPDX-License-Identifier: GPL-2.0-or-later
# klp_code_compare() (klp_prep/code_compare.h): units compiled at test time
# with gcc-12, linked with ld into an executable (with and without
# --emit-relocs), held against units compiled the same way and otherwise.
if(TARGET klp_prep)
	klp_toolchain_test(code_compare ${CMAKE_CURRENT_LIST_DIR}/test_code_compare.c)
endif()
