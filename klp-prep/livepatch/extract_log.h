/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transitional: the livepatch modules log through klp-prep/lib/log.h. */
#ifndef KLP_PREP_EXTRACT_LOG_H
#define KLP_PREP_EXTRACT_LOG_H
#include "log.h"
#define klp_gen_err	log_err
#define klp_gen_warn	log_warn
#define klp_gen_info	log_info
#define klp_gen_debug	log_debug
#define klp_gen_log	klp_log
#endif
