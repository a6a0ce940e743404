// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_object - whole ELF files through klp_objfile__open(), as
 * `klp-prep dump` and `klp-prep check` read them
 *
 * The library opens paths (libelf mmaps them), so the input goes to a
 * memfd opened through /proc/self/fd: no disk, no library change.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <klp_prep/check.h>
#include <klp_prep/log.h>
#include <klp_prep/object.h>

static int quiet(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list args)
{
	(void)ctx;
	(void)level, (void)fmt, (void)args;
	return 0;
}

static void count(const struct klp_mismatch *m, void *ctx)
{
	/* Touch every string the check hands out. */
	*(size_t *)ctx += strlen(m->symbol ? m->symbol : "") +
			  strlen(m->unit ? m->unit : "") + strlen(m->message);
}

static void walk(const struct klp_objfile *obj)
{
	size_t n = 0;

	for (size_t i = 0; i < klp_objfile__nr_symbols(obj); i++) {
		const struct klp_symbol *sym = klp_objfile__symbol(obj, i);

		klp_objfile__find_symbol_by_name(obj, sym->name);
	}
	for (size_t i = 0; i < klp_objfile__nr_units(obj); i++) {
		const struct klp_unit *unit = klp_objfile__unit(obj, i);

		for (size_t j = 0; j < unit->nr_funcs; j++) {
			const struct klp_func_record *f = &unit->funcs[j];

			klp_unit__find_func(unit, f->symbol);
			klp_unit__origin(unit, f->origin);
			if (f->cold_symbol)
				klp_unit__find_func_by_cold(unit,
							    f->cold_symbol);
		}
		klp_objfile__unit_file(obj, i);
	}
	klp_objfile__check(obj, 0, count, &n, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct klp_objfile *obj;

	if (fd < 0) {
		klp_set_log_fn(quiet);
		fd = memfd_create("fuzz_object", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	obj = klp_objfile__open(path, 0);
	if (obj) {
		walk(obj);
		klp_objfile__free(obj);
	}
	obj = klp_objfile__open(path, KLP_OPEN_NO_SYMBOLS);
	klp_objfile__free(obj);
	return 0;
}
