// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * source_file.c - read a source file whole, for the generation modules
 *
 * The extractor reads the unit it parses, generate reads the original
 * and the patched copy: one reader, so they agree on size and NUL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "source_file.h"

int klp_gen_read_source(const char *path, char **text, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, n;
	char *buf = NULL;

	*text = NULL;
	*size = 0;
	if (!f) {
		int err = -errno;

		log_err("%s: error: %s\n", path, strerror(errno));
		return err;
	}
	do {
		if (*size + 4096 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 65536);

			if (!b) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = b;
		}
		n = fread(buf + *size, 1, cap - *size - 1, f);
		*size += n;
	} while (n);
	fclose(f);
	buf[*size] = '\0';
	*text = buf;
	return 0;
}

char *klp_read_text_file(const char *path)
{
	char *text = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getdelim(&text, &cap, '\0', f) < 0) {
		free(text);
		text = ferror(f) ? NULL : strdup("");	/* empty */
	}
	fclose(f);
	return text;
}
