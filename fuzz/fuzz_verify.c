// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_verify - livepatch modules as `klp-prep verify` (and `klp-prep
 * build`'s last step) reads them: the klp_patch/klp_object/klp_func
 * tables found through symbols and relocations, then held against the
 * module's own records
 *
 * The input goes to a memfd opened through /proc/self/fd, as in
 * fuzz_object.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "extract.h"
#include <klp_prep/log.h>
#include "verify.h"

static int quiet(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list args)
{
	(void)ctx;
	(void)level, (void)fmt, (void)args;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct klp_lp_table *t = NULL;
	struct klp_verify_result res;

	if (fd < 0) {
		klp_set_log_fn(quiet);
		fd = memfd_create("fuzz_verify", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	if (!klp_lp_table__read(path, &t)) {
		klp_lp_table__nr_patched(t);
		klp_lp_table__nr_stack_only(t);
		klp_lp_table__free(t);
		klp_verify_module(path, &res);
	}
	return 0;
}
