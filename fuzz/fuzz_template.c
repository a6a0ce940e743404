// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_template - the template engine's parser and renderer on arbitrary
 * templates (--templates DIR renders files the user supplies)
 *
 * The data has the shapes generate gives: plain values, empty and unset
 * values, a list of maps with a nested list, an empty list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/log.h>

#include "extract.h"
#include "template.h"

static int quiet(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list args)
{
	(void)ctx;
	(void)level, (void)fmt, (void)args;
	return 0;
}

static struct klp_tdata *data(void)
{
	struct klp_tdata *d = klp_tdata__new(), *obj, *fn;

	if (!d)
		abort();
	klp_tdata__set(d, "name", "fix");
	klp_tdata__set(d, "empty", "");
	klp_tdata__set_bool(d, "replace", true);
	klp_tdata__set_bool(d, "no", false);
	klp_tdata__set_list(d, "none");
	for (int i = 0; i < 2; i++) {
		obj = klp_tdata__add(d, "objects");
		klp_tdata__setf(obj, "object", "mod%d", i);
		for (int j = 0; j < 2; j++) {
			fn = klp_tdata__add(obj, "funcs");
			klp_tdata__setf(fn, "old_name", "f%d", j);
			klp_tdata__set(fn, "sympos", j ? "2" : "");
		}
	}
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data_, size_t size)
{
	static struct klp_tdata *d;
	char *out = NULL;
	size_t len;

	if (!d) {
		klp_set_log_fn(quiet);
		d = data();
	}
	if (!klp_template__render((const char *)data_, size, "fuzz.tmpl", d,
				  &out, &len) && strlen(out) != len &&
	    !memchr(data_, 0, size))
		abort();	/* out_len must be the rendered length */
	free(out);
	return 0;
}
