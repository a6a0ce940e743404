/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_writer.h - a small streaming JSON emitter
 *
 * Keys come out in the order the caller writes them, so output is stable.
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 (ELF
 * strings are arbitrary bytes) become U+FFFD, so the output always parses.
 */
#ifndef KLP_CLI_JSON_WRITER_H
#define KLP_CLI_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json_writer *w, FILE *out);
void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);	/* NULL: null */
void json_uint(struct json_writer *w, uint64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);
/* Finish the document with a newline. */
void json_finish(struct json_writer *w);

/* The escaped form of @s, without quotes; used by tests of the escaping. */
void json_write_escaped(FILE *out, const char *s);

#endif /* KLP_CLI_JSON_WRITER_H */
