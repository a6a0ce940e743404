// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * extract_strset.c - a set of strings
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract_strset.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

static size_t find(const struct strset *s, const char *str)
{
	size_t i = hash(str) & (s->cap - 1);

	while (s->slots[i] && strcmp(s->slots[i], str))
		i = (i + 1) & (s->cap - 1);
	return i;
}

bool strset_has(const struct strset *s, const char *str)
{
	return s->cap && s->slots[find(s, str)];
}

static int grow(struct strset *s)
{
	struct strset n = { .cap = s->cap ? s->cap * 2 : 64 };
	size_t i;

	n.slots = calloc(n.cap, sizeof(*n.slots));
	if (!n.slots)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++)
		if (s->slots[i])
			n.slots[find(&n, s->slots[i])] = s->slots[i];
	free(s->slots);
	s->slots = n.slots;
	s->cap = n.cap;
	return 0;
}

int strset_add(struct strset *s, const char *str)
{
	size_t i;

	if ((s->nr + 1) * 2 > s->cap && grow(s))
		return -ENOMEM;
	i = find(s, str);
	if (s->slots[i])
		return 0;
	s->slots[i] = strdup(str);
	if (!s->slots[i])
		return -ENOMEM;
	s->nr++;
	return 1;
}

void strset_free(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	s->slots = NULL;
	s->cap = s->nr = 0;
}
