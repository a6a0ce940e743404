// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_ipa_clones - the -fdump-ipa-clones dump parser on arbitrary text
 *
 * The unit it builds is what `klp-prep affected` then walks: encode it
 * too, so the parser never builds a unit the format cannot hold.
 */
#include <stdint.h>
#include <stdlib.h>

#include <klp_prep/ipa_clones.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_ipa_dump *d = NULL;
	const struct klp_unit *unit;
	void *enc = NULL;
	size_t enc_size;

	klp_set_log_fn(quiet);
	if (klp_ipa_dump__parse("fuzz.c.000i.ipa-clones", "fuzz.c",
				(const char *)data, size, &d))
		return 0;
	unit = klp_ipa_dump__unit(d);
	klp_ipa_dump__stats(d);
	if (unit && !klp_unit__encode(unit, &enc, &enc_size))
		free(enc);
	klp_ipa_dump__free(d);
	return 0;
}
