// SPDX-License-Identifier: GPL-2.0
/* test_klp_stress_lp2.c - test_klp_stress_lp as version 20, to replace it. */
#define KLP_STRESS_VERSION 20
#include "test_klp_stress_lp.c"
