/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * extract_log.h - messages of the generation modules (compdb, diff,
 * extract, template, generate), through the callback of extract.h
 */
#ifndef KLP_PREP_EXTRACT_LOG_H
#define KLP_PREP_EXTRACT_LOG_H

#include "extract.h"

__attribute__((format(printf, 2, 3)))
void klp_gen_log(enum klp_gen_log_level level, const char *fmt, ...);

#define klp_gen_err(...)	klp_gen_log(KLP_GEN_LOG_ERROR, __VA_ARGS__)
#define klp_gen_warn(...)	klp_gen_log(KLP_GEN_LOG_WARN, __VA_ARGS__)
#define klp_gen_info(...)	klp_gen_log(KLP_GEN_LOG_INFO, __VA_ARGS__)
#define klp_gen_debug(...)	klp_gen_log(KLP_GEN_LOG_DEBUG, __VA_ARGS__)

#endif /* KLP_PREP_EXTRACT_LOG_H */
