// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - the replaceable message callback (libbpf's libbpf_set_print) */
#include <stdio.h>

#include "log.h"

static int print_stderr(enum klp_log_level level, const char *fmt,
			va_list args)
{
	if (level > KLP_LOG_WARN)
		return 0;
	fputs("libklp_prep: ", stderr);
	return vfprintf(stderr, fmt, args);
}

static klp_log_fn_t log_fn = print_stderr;

klp_log_fn_t klp_set_log_fn(klp_log_fn_t fn)
{
	klp_log_fn_t old = log_fn;

	log_fn = fn;
	return old;
}

void klp_log(enum klp_log_level level, const char *fmt, ...)
{
	va_list args;

	if (!log_fn)
		return;
	va_start(args, fmt);
	log_fn(level, fmt, args);
	va_end(args);
}
