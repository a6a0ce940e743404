// SPDX-License-Identifier: GPL-2.0-or-later
/* symbol_name.c - parse GCC's clone and split suffixes out of a name */
#include <stdio.h>
#include <string.h>

#include <klp_prep/symbol_name.h>

static const struct {
	const char *word;
	unsigned int kind;
	bool numbered;
} suffixes[] = {
	{ "part",	KLP_STEP_PART,		true },
	{ "isra",	KLP_STEP_ISRA,		true },
	{ "constprop",	KLP_STEP_CONSTPROP,	true },
	{ "lto_priv",	KLP_STEP_LTO_PRIV,	true },
	{ "localalias",	KLP_STEP_LOCALALIAS,	false },
	{ "cold",	KLP_STEP_COLD,		false },
};

const char *klp_step__name(unsigned int kind)
{
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (suffixes[i].kind == kind)
			return suffixes[i].word;
	if (kind == KLP_STEP_OTHER)
		return "other";
	return NULL;
}

/*
 * If symbol[0, *len) ends in ".WORD" or ".WORD.N" for a known WORD,
 * strip it and say which.
 */
static bool strip_suffix(const char *symbol, size_t *len, unsigned int *kind,
			 unsigned int *number)
{
	size_t end = *len, digits = end;
	unsigned long n = 0;
	size_t i;

	while (digits > 0 && symbol[digits - 1] >= '0' &&
	       symbol[digits - 1] <= '9')
		digits--;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t wlen = strlen(suffixes[i].word), word_end = end;

		if (digits < end) {
			/* ".N": only after a numbered word (and .cold.N of older GCCs) */
			if (digits == 0 || symbol[digits - 1] != '.' ||
			    end - digits > 9)
				continue;
			word_end = digits - 1;
			if (!suffixes[i].numbered &&
			    suffixes[i].kind != KLP_STEP_COLD)
				continue;
		} else if (suffixes[i].numbered) {
			continue;
		}
		if (word_end < wlen + 2 || symbol[word_end - wlen - 1] != '.' ||
		    strncmp(symbol + word_end - wlen, suffixes[i].word, wlen))
			continue;
		n = 0;
		if (word_end != end) {
			size_t j;

			for (j = digits; j < end; j++)
				n = n * 10 + (symbol[j] - '0');
		}
		*kind = suffixes[i].kind;
		*number = (unsigned int)n;
		*len = word_end - wlen - 1;
		return true;
	}
	return false;
}

bool klp_symbol_name__parse(const char *symbol, struct klp_symbol_name *name)
{
	struct klp_step reversed[KLP_SYMBOL_NAME_MAX_STEPS];
	unsigned int nr = 0, kind, number, i;
	size_t len = strlen(symbol), try = len;

	memset(name, 0, sizeof(*name));
	while (strip_suffix(symbol, &try, &kind, &number)) {
		if (kind == KLP_STEP_COLD) {
			/* Only last, once: "foo.cold.part.0" is no cold part. */
			if (nr || name->cold)
				break;
			name->cold = true;
		} else {
			if (nr == KLP_SYMBOL_NAME_MAX_STEPS)
				break;
			reversed[nr].kind = kind;
			reversed[nr].number = number;
			nr++;
		}
		len = try;
	}
	name->base_len = len;
	name->nr_steps = nr;
	for (i = 0; i < nr; i++)
		name->steps[i] = reversed[nr - 1 - i];
	return nr || name->cold;
}

char *klp_steps__format(const struct klp_step *steps, unsigned int nr_steps,
			char *buf, size_t size)
{
	size_t used = 0;
	unsigned int i;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < nr_steps && used < size; i++) {
		const char *word = klp_step__name(steps[i].kind);
		int n;

		if (word)
			n = snprintf(buf + used, size - used, "%s%s",
				     i ? "+" : "", word);
		else
			n = snprintf(buf + used, size - used, "%sstep%u",
				     i ? "+" : "", steps[i].kind);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
