// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_diff - the unified-diff parser, and applying what it parsed
 *
 * Each parsed file is applied to the old side its own hunks describe
 * (context and removed lines at their line numbers, blank lines between),
 * and to a fixed text it does not match: both must end in 0 or -EILSEQ.
 * The text before and after goes through the header comparison.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "header_change.h"
#include <klp_prep/log.h>

#include "extract.h"

static int quiet(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list args)
{
	(void)ctx;
	(void)level, (void)fmt, (void)args;
	return 0;
}

static const char other[] = "a\nb\n\nc\n#include <x.h>\nint f(void)\n{\n}\n";

static void apply(struct klp_diff_file *file, const char *orig,
		  size_t size)
{
	char *out = NULL;
	size_t out_size;
	int err = klp_diff_file__apply(file, orig, size, &out, &out_size);

	if (err && err != -EILSEQ && err != -ENOMEM)
		abort();
	if (!err && strlen(out) > out_size)
		abort();
	/* What generate does with a header's two texts. */
	if (!err) {
		struct klp_header_change *c;
		size_t nr;
		bool same;

		if (!klp_header__compare(orig, size, out, out_size, &same, &c, &nr)) {
			if (same && nr)
				abort();
			klp_header_changes__free(c, nr);
		}
	}
	free(out);
}

/* The old side the hunks describe, so that applying them succeeds. */
static char *old_side(const struct klp_diff_file *f, size_t *size)
{
	size_t cap = 1, len = 0, line = 1;
	char *text;

	for (size_t h = 0; h < f->nr_hunks; h++) {
		cap += f->hunks[h].old_start > 1024 ? 1024 : f->hunks[h].old_start;
		for (size_t i = 0; i < f->hunks[h].nr_lines; i++)
			cap += strlen(f->hunks[h].lines[i]) + 1;
	}
	text = malloc(cap);
	if (!text)
		return NULL;
	for (size_t h = 0; h < f->nr_hunks; h++) {
		const struct klp_diff_hunk *hk = &f->hunks[h];

		for (; line < hk->old_start && line < 1024 && len + 1 < cap; line++)
			text[len++] = '\n';
		for (size_t i = 0; i < hk->nr_lines; i++) {
			const char *l = hk->lines[i];
			size_t n = strlen(l);

			if (l[0] == '+' || !n)
				continue;
			memcpy(text + len, l + 1, n - 1);
			len += n - 1;
			text[len++] = '\n';
			line++;
		}
	}
	text[len] = '\0';
	*size = len;
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_diff *diff = NULL;
	int strip = size ? data[0] % 3 : 0;

	klp_set_log_fn(quiet);
	if (klp_diff__parse((const char *)data, size, "fuzz.diff", strip,
			    &diff))
		return 0;
	for (size_t i = 0; i < diff->nr_files; i++) {
		struct klp_diff_file *f = &diff->files[i];

		klp_diff__find_file(diff, f->new_path ? f->new_path : "x");
		size_t old_size;
		char *old = old_side(f, &old_size);

		if (old)
			apply(f, old, old_size);
		free(old);
		apply(f, other, sizeof(other) - 1);
		apply(f, "", 0);
		apply(f, (const char *)data, size);
	}
	klp_diff__free(diff);
	return 0;
}
