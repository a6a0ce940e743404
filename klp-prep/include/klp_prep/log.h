/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - where klp-prep's messages and progress go
 *
 * The library prints nothing itself: every message goes through one
 * callback, which an application (or a test) may replace, and so does the
 * progress of long steps.  A message is a whole line in the compilers'
 * form, "FILE: error: what is wrong\n", so a printer only adds its own
 * prefix; the context says where in klp-prep it was raised, for bug
 * reports and -vv, never for the user to parse.
 *
 * The generate, build and verify modules (klp-prep/livepatch/) log through
 * the same callback.
 */
#ifndef KLP_PREP_LOG_H
#define KLP_PREP_LOG_H

#include <stdarg.h>
#include <stddef.h>

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

/* Where a message was raised: klp-prep's source file and function. */
struct klp_log_context {
	const char *file;		/* "affected.c" */
	const char *function;		/* "sympos_of" */
};

typedef int (*klp_log_fn_t)(enum klp_log_level level,
			    const struct klp_log_context *ctx,
			    const char *fmt, va_list args);

/*
 * Install @fn (NULL: drop all messages) and return the previous one.  The
 * default prints errors and warnings to stderr, prefixed "libklp_prep: ".
 */
KLP_API klp_log_fn_t klp_set_log_fn(klp_log_fn_t fn);

/*
 * Progress of a long step.  A counted one (reading the records of a
 * kernel tree's objects) reports @done of @total with the @item at hand,
 * then once more with @item NULL when it is over; a step of a sequence
 * (klp-prep build's steps) reports once, @total 0, with @item its one-line
 * result ("verify: livepatch-fix.ko: 3 functions ...").
 */
struct klp_progress {
	const char *step;		/* "reading records", "build" */
	const char *item;
	size_t done;
	size_t total;
};

typedef void (*klp_progress_fn_t)(const struct klp_progress *progress);

/* Install @fn (NULL, the default: no progress) and return the previous. */
KLP_API klp_progress_fn_t klp_set_progress_fn(klp_progress_fn_t fn);

/*
 * For klp-prep's own modules: through the macros of klp-prep/lib/log.h,
 * which fill in the context.
 */
__attribute__((format(printf, 4, 5)))
KLP_API void klp_log_at(enum klp_log_level level, const char *file,
			const char *function, const char *fmt, ...);
KLP_API void klp_report_progress(const struct klp_progress *progress);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_LOG_H */
