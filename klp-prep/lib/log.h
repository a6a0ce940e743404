/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - klp-prep's printing macros, for the library and the livepatch
 * modules alike (the one channel of klp_prep/log.h)
 */
#ifndef KLP_LIB_LOG_H
#define KLP_LIB_LOG_H

#include <klp_prep/log.h>

/* A whole line the caller formats: "FILE:LINE: error: ...\n". */
#define klp_log(level, ...) \
	klp_log_at(level, __FILE__, __func__, __VA_ARGS__)
#define log_err(...)	klp_log(KLP_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	klp_log(KLP_LOG_WARN, __VA_ARGS__)
#define log_info(...)	klp_log(KLP_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	klp_log(KLP_LOG_DEBUG, __VA_ARGS__)

/* "FILE: error: ..." -- one line, printed once, where it happens. */
#define pr_err(file, fmt, ...) \
	log_err("%s: error: " fmt "\n", file, ##__VA_ARGS__)
#define pr_warn(file, fmt, ...) \
	log_warn("%s: warning: " fmt "\n", file, ##__VA_ARGS__)
#define pr_info(file, fmt, ...) \
	log_info("%s: " fmt "\n", file, ##__VA_ARGS__)
#define pr_debug(file, fmt, ...) \
	log_debug("%s: " fmt "\n", file, ##__VA_ARGS__)

#endif /* KLP_LIB_LOG_H */
