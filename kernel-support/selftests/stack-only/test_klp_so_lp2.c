// SPDX-License-Identifier: GPL-2.0
/*
 * test_klp_so_lp2.c - a second livepatch like test_klp_so_lp (version 20),
 * for stacking and atomic replace.
 */
#define KLP_SO_VERSION 20
#include "test_klp_so_lp.c"
