// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log.c - the replaceable message and progress callbacks (libbpf's
 * libbpf_set_print): the only place the library's words leave it
 */
#include <stdio.h>
#include <string.h>

#include "log.h"

static int print_stderr(enum klp_log_level level,
			const struct klp_log_context *ctx, const char *fmt,
			va_list args)
{
	(void)ctx;
	if (level > KLP_LOG_WARN)
		return 0;
	fputs("libklp_prep: ", stderr);
	return vfprintf(stderr, fmt, args);
}

static klp_log_fn_t log_fn = print_stderr;
static klp_progress_fn_t progress_fn;

klp_log_fn_t klp_set_log_fn(klp_log_fn_t fn)
{
	klp_log_fn_t old = log_fn;

	log_fn = fn;
	return old;
}

klp_progress_fn_t klp_set_progress_fn(klp_progress_fn_t fn)
{
	klp_progress_fn_t old = progress_fn;

	progress_fn = fn;
	return old;
}

void klp_log_at(enum klp_log_level level, const char *file,
		const char *function, const char *fmt, ...)
{
	/* __FILE__ is "klp-prep/lib/x.c" (-ffile-prefix-map): keep "x.c". */
	const char *base = strrchr(file, '/');
	struct klp_log_context ctx = {
		.file = base ? base + 1 : file,
		.function = function,
	};
	va_list args;

	if (!log_fn)
		return;
	va_start(args, fmt);
	log_fn(level, &ctx, fmt, args);
	va_end(args);
}

void klp_report_progress(const struct klp_progress *progress)
{
	if (progress_fn)
		progress_fn(progress);
}
