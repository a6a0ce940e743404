// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * extract_log.c - where the generation modules' messages go
 */
#include <stdarg.h>
#include <stdio.h>

#include "extract_log.h"

static int default_log(enum klp_gen_log_level level, const char *fmt,
		       va_list args)
{
	if (level > KLP_GEN_LOG_WARN)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static klp_gen_log_fn_t log_fn = default_log;

klp_gen_log_fn_t klp_gen_set_log_fn(klp_gen_log_fn_t fn)
{
	klp_gen_log_fn_t old = log_fn;

	log_fn = fn;
	return old;
}

void klp_gen_log(enum klp_gen_log_level level, const char *fmt, ...)
{
	va_list args;

	if (!log_fn)
		return;
	va_start(args, fmt);
	log_fn(level, fmt, args);
	va_end(args);
}
