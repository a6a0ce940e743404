# SPDX-License-Identifier: GPL-2.0-or-later
# old_sympos (klp_prep/sympos.h): the livepatch core's counting rule, on
# small tables and on an object linked at test time with the real
# toolchain (gcc-12, ld -r) and read through struct klp_elf.
if(TARGET klp_prep)
	klp_toolchain_test(sympos ${CMAKE_CURRENT_LIST_DIR}/test_sympos.c)
endif()
