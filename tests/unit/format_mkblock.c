// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format_mkblock - write section contents for the reader and CLI tests
 *
 * usage: format_mkblock OUT OP...  where OP is, in order of application:
 *   rich, second   append that unit's block (format_blocks.h)
 *   pad            append 3 zero bytes (what a padding linker adds)
 *   magic          corrupt the magic of the last block
 *   version        set the last block's version to 99
 *   strings        point the last block's first FUNC symbol past its
 *                  string table (only for a block with a small one:
 *                  "second")
 *   truncate       drop the last byte written
 * The output goes into an object with
 *   objcopy --add-section .klp_prep.partition=OUT --set-section-flags
 *   .klp_prep.partition=readonly,contents obj.o
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_blocks.h"

static unsigned char out[1 << 16];
static size_t size, last;

static void append_unit(struct klp_unit u)
{
	void *data;
	size_t n;

	if (klp_unit__encode(&u, &data, &n) || size + n > sizeof(out)) {
		fprintf(stderr, "format_mkblock: cannot encode\n");
		exit(2);
	}
	last = size;
	memcpy(out + size, data, n);
	size += n;
	free(data);
}

int main(int argc, char **argv)
{
	FILE *f;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: format_mkblock OUT OP...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		const char *op = argv[i];

		if (!strcmp(op, "rich")) {
			append_unit(rich_unit());
		} else if (!strcmp(op, "second")) {
			append_unit(second_unit());
		} else if (!strcmp(op, "pad")) {
			memset(out + size, 0, 3);
			size += 3;
		} else if (!strcmp(op, "magic")) {
			out[last] = 'X';
		} else if (!strcmp(op, "version")) {
			out[last + 4] = 99;
		} else if (!strcmp(op, "strings")) {
			/* One-byte tags, sizes and offsets: a small block. */
			size_t strtab = out[last + 12] | out[last + 13] << 8;
			size_t p = last + 16 + strtab;

			while (out[p] != KLP_PARTITION_FUNC)
				p += 2 + out[p + 1];	/* tag, size < 128 */
			if (strtab > 0x7f || (out[p + 2] & 0x80)) {
				fprintf(stderr, "format_mkblock: block too big for 'strings'\n");
				return 2;
			}
			out[p + 2] = 0x7f;
		} else if (!strcmp(op, "truncate")) {
			size--;
		} else {
			fprintf(stderr, "format_mkblock: unknown op %s\n", op);
			return 2;
		}
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(out, 1, size, f) != size || fclose(f)) {
		perror(argv[1]);
		return 2;
	}
	return 0;
}
