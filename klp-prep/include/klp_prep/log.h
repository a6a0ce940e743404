/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - where libklp_prep's messages go
 *
 * The library prints nothing itself: every message goes through one
 * callback, which an application (or a test) may replace.  A message is a
 * whole line in the compilers' form, "FILE: error: what is wrong\n", so a
 * printer only adds its own prefix.
 */
#ifndef KLP_PREP_LOG_H
#define KLP_PREP_LOG_H

#include <stdarg.h>

#include <klp_prep/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum klp_log_level {
	KLP_LOG_ERROR,
	KLP_LOG_WARN,
	KLP_LOG_INFO,
	KLP_LOG_DEBUG,
};

typedef int (*klp_log_fn_t)(enum klp_log_level level, const char *fmt,
			    va_list args);

/*
 * Install @fn (NULL: drop all messages) and return the previous one.  The
 * default prints errors and warnings to stderr, prefixed "libklp_prep: ".
 */
KLP_API klp_log_fn_t klp_set_log_fn(klp_log_fn_t fn);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_LOG_H */
