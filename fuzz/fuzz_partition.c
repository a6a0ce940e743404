// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_partition - the .klp_prep.partition decoder on arbitrary bytes
 *
 * Every block the decoder accepts must encode again and decode to the
 * same encoding: the reader and the writer agree on the format.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/log.h>
#include <klp_prep/records.h>

static int quiet(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list args)
{
	(void)ctx;
	(void)level, (void)fmt, (void)args;
	return 0;
}

static void roundtrip(const struct klp_unit *unit)
{
	void *enc = NULL, *enc2 = NULL;
	size_t size, size2, off = 0;
	struct klp_unit *again = NULL;

	if (klp_unit__encode(unit, &enc, &size))
		return;		/* -ENOMEM, or more than the format holds */
	if (klp_unit__decode(enc, size, &off, &again, NULL) || !again)
		abort();	/* the encoder wrote what the decoder refuses */
	if (klp_unit__encode(again, &enc2, &size2) || size2 != size ||
	    memcmp(enc, enc2, size))
		abort();
	klp_unit__free(again);
	free(enc);
	free(enc2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_unit **units = NULL;
	size_t nr = 0;

	klp_set_log_fn(quiet);
	if (klp_partition__decode(size ? data : NULL, size, &units, &nr, NULL))
		return 0;
	for (size_t i = 0; i < nr; i++)
		roundtrip(units[i]);
	klp_units__free(units, nr);
	return 0;
}
