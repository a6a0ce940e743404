/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - the library's internal printing helpers (see klp_prep/log.h) */
#ifndef KLP_LIB_LOG_H
#define KLP_LIB_LOG_H

#include <klp_prep/log.h>

__attribute__((format(printf, 2, 3)))
void klp_log(enum klp_log_level level, const char *fmt, ...);

/* "FILE: error: ..." -- one line, printed once, where it happens. */
#define pr_err(file, fmt, ...) \
	klp_log(KLP_LOG_ERROR, "%s: error: " fmt "\n", file, ##__VA_ARGS__)
#define pr_warn(file, fmt, ...) \
	klp_log(KLP_LOG_WARN, "%s: warning: " fmt "\n", file, ##__VA_ARGS__)
#define pr_info(file, fmt, ...) \
	klp_log(KLP_LOG_INFO, "%s: " fmt "\n", file, ##__VA_ARGS__)
#define pr_debug(file, fmt, ...) \
	klp_log(KLP_LOG_DEBUG, "%s: " fmt "\n", file, ##__VA_ARGS__)

#endif /* KLP_LIB_LOG_H */
