/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scratch_dir.h - tests that make real files at test time (gcc-12, ld,
 * objcopy) in one scratch directory: running the commands and naming the
 * files.  The includer defines the directory first, as a mkdtemp()
 * template it fills in its setup:
 *
 *	static char dir[] = "/tmp/klp-NAME-test.XXXXXX";
 *	#include "scratch_dir.h"
 */
#ifndef KLP_TEST_SCRATCH_DIR_H
#define KLP_TEST_SCRATCH_DIR_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Run a shell command; the test fails, naming it, if it does. */
__attribute__((format(printf, 1, 2)))
static void run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* DIR/@name; the last eight stay valid. */
static __attribute__((unused)) const char *path(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *p = bufs[next++ % 8];

	if (snprintf(p, 512, "%s/%s", dir, name) >= 512)
		fail_msg("path too long: %s/%s", dir, name);
	return p;
}

#endif /* KLP_TEST_SCRATCH_DIR_H */
