// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format_test.c - the .klp_prep.partition codec: round trips and every
 * way a block can be malformed
 *
 * A reader that accepts a corrupt block hands wrong facts to klp-prep
 * affected; one that crashes on it takes a build down.  Every malformed
 * case here must come back as an error code with the offending offset.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format_blocks.h"

/* ---- helpers ---------------------------------------------------------- */

static void assert_str_equal(const char *a, const char *b)
{
	if (!a || !b) {
		/* The decoder gives NULL for the empty string. */
		assert_true((!a || !*a) && (!b || !*b));
		return;
	}
	assert_string_equal(a, b);
}

static void assert_units_equal(const struct klp_unit *a,
			       const struct klp_unit *b)
{
	size_t i;
	unsigned int j;

	assert_str_equal(a->source, b->source);
	assert_str_equal(a->producer, b->producer);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->nr_origins, b->nr_origins);
	for (i = 0; i < a->nr_origins; i++) {
		assert_str_equal(a->origins[i].name, b->origins[i].name);
		assert_str_equal(a->origins[i].file, b->origins[i].file);
		assert_int_equal(a->origins[i].line, b->origins[i].line);
		assert_str_equal(a->origins[i].section, b->origins[i].section);
		assert_int_equal(a->origins[i].flags, b->origins[i].flags);
		assert_int_equal(a->origins[i].end_line, b->origins[i].end_line);
	}
	assert_int_equal(a->nr_funcs, b->nr_funcs);
	for (i = 0; i < a->nr_funcs; i++) {
		const struct klp_func_record *f = &a->funcs[i], *g = &b->funcs[i];

		assert_str_equal(f->symbol, g->symbol);
		assert_int_equal(f->origin, g->origin);
		assert_int_equal(f->flags, g->flags);
		assert_str_equal(f->section, g->section);
		assert_str_equal(f->cold_symbol, g->cold_symbol);
		assert_str_equal(f->cold_section, g->cold_section);
		assert_int_equal(f->alias_of, g->alias_of);
		assert_int_equal(f->nr_steps, g->nr_steps);
		for (j = 0; j < f->nr_steps; j++) {
			assert_int_equal(f->steps[j].kind, g->steps[j].kind);
			assert_int_equal(f->steps[j].number, g->steps[j].number);
		}
		assert_int_equal(f->nr_params, g->nr_params);
		for (j = 0; j < f->nr_params; j++) {
			assert_int_equal(f->params[j].index, g->params[j].index);
			assert_int_equal(f->params[j].change, g->params[j].change);
			assert_str_equal(f->params[j].value, g->params[j].value);
		}
	}
	assert_int_equal(a->nr_inlines, b->nr_inlines);
	for (i = 0; i < a->nr_inlines; i++) {
		assert_int_equal(a->inlines[i].func, b->inlines[i].func);
		assert_int_equal(a->inlines[i].parent, b->inlines[i].parent);
		assert_int_equal(a->inlines[i].callee, b->inlines[i].callee);
		assert_str_equal(a->inlines[i].call_file, b->inlines[i].call_file);
		assert_int_equal(a->inlines[i].call_line, b->inlines[i].call_line);
		assert_int_equal(a->inlines[i].flags, b->inlines[i].flags);
	}
	assert_int_equal(a->nr_calls, b->nr_calls);
	for (i = 0; i < a->nr_calls; i++) {
		assert_int_equal(a->calls[i].func, b->calls[i].func);
		assert_str_equal(a->calls[i].callee, b->calls[i].callee);
		assert_str_equal(a->calls[i].call_file, b->calls[i].call_file);
		assert_int_equal(a->calls[i].call_line, b->calls[i].call_line);
		assert_int_equal(a->calls[i].flags, b->calls[i].flags);
	}
}

static void encode(const struct klp_unit *u, unsigned char **data,
		   size_t *size)
{
	void *p;

	assert_int_equal(klp_unit__encode(u, &p, size), 0);
	*data = p;
}

/* Decode a whole section; on success exactly @want units. */
static int decode(const void *data, size_t size, struct klp_unit ***units,
		  size_t *nr, struct klp_decode_error *err)
{
	memset(err, 0, sizeof(*err));
	return klp_partition__decode(data, size, units, nr, err);
}

/* Expect @data to be refused with @code, naming @offset and @words. */
static void assert_refused(const void *data, size_t size, int code,
			   size_t offset, const char *words)
{
	struct klp_decode_error err;
	struct klp_unit **units = (void *)1;
	size_t nr = 99;
	int ret = decode(data, size, &units, &nr, &err);

	if (ret != code || (words && !strstr(err.message, words)))
		print_error("got %d (%s) at %zu, want %d containing '%s'\n",
			    ret, err.message, err.offset, code,
			    words ? words : "");
	assert_int_equal(ret, code);
	assert_null(units);
	assert_int_equal(nr, 0);
	if (offset != SIZE_MAX)
		assert_int_equal(err.offset, offset);
	if (words)
		assert_non_null(strstr(err.message, words));
}

/* A block from parts, its header filled in; returns its size. */
static size_t make_block(unsigned char *out, const char *strtab,
			 size_t strtab_size, const unsigned char *records,
			 size_t records_size)
{
	size_t size = 16 + strtab_size + records_size;

	memcpy(out, "KLPp", 4);
	out[4] = 1; out[5] = 0;			/* version */
	out[6] = 16; out[7] = 0;		/* header_size */
	out[8] = size & 0xff; out[9] = size >> 8 & 0xff;
	out[10] = size >> 16 & 0xff; out[11] = size >> 24;
	out[12] = strtab_size & 0xff; out[13] = strtab_size >> 8 & 0xff;
	out[14] = 0; out[15] = 0;
	memcpy(out + 16, strtab, strtab_size);
	memcpy(out + 16 + strtab_size, records, records_size);
	return size;
}

/* strings: "" @1 "a.c" @5 "foo" */
static const char small_strtab[] = "\0a.c\0foo";
#define SMALL_STRTAB_SIZE sizeof(small_strtab)	/* with the final NUL */
#define REC_UNIT 1, 3, 1, 0, 0			/* source a.c */
#define REC_ORIGIN 2, 5, 5, 1, 7, 0, 0		/* foo a.c:7 */

static size_t small_block(unsigned char *out, const unsigned char *records,
			  size_t size)
{
	return make_block(out, small_strtab, SMALL_STRTAB_SIZE, records, size);
}

/* ---- round trips ------------------------------------------------------- */

static void test_round_trip_rich(void **state)
{
	struct klp_unit rich = rich_unit(), **units;
	struct klp_decode_error err;
	unsigned char *data;
	size_t size, nr;

	(void)state;
	encode(&rich, &data, &size);
	assert_int_equal(decode(data, size, &units, &nr, &err), 0);
	assert_int_equal(nr, 1);
	assert_units_equal(units[0], &rich);
	assert_int_equal(units[0]->block_offset, 0);
	assert_int_equal(units[0]->block_size, size);
	/* Absent strings come back NULL, as records.h promises. */
	assert_null(units[0]->origins[0].section);
	assert_null(units[0]->funcs[2].cold_symbol);
	assert_null(units[0]->funcs[1].params[1].value);
	klp_units__free(units, nr);
	free(data);
}

static void test_round_trip_empty_unit(void **state)
{
	struct klp_unit empty = { 0 }, **units;
	struct klp_decode_error err;
	unsigned char *data;
	size_t size, nr;

	(void)state;
	encode(&empty, &data, &size);
	assert_int_equal(decode(data, size, &units, &nr, &err), 0);
	assert_int_equal(nr, 1);
	assert_null(units[0]->source);
	assert_int_equal(units[0]->nr_funcs, 0);
	assert_null(units[0]->funcs);
	klp_units__free(units, nr);
	free(data);
}

/*
 * Many records and strings: offsets and counts past 127 take multi-byte
 * LEB128, a deep inline chain exercises parent indexes.
 */
static void test_round_trip_large(void **state)
{
	enum { N = 3000 };
	static struct klp_origin origins[N];
	static struct klp_func_record funcs[N];
	static struct klp_inline inlines[N];
	static struct klp_call calls[N];
	static struct klp_step steps[N][2];
	static char names[N][32], files[N][32];
	struct klp_unit u = { .source = "big.c", .producer = "GCC 12.2.0" };
	struct klp_unit **units;
	struct klp_decode_error err;
	unsigned char *data;
	size_t size, nr, i;

	(void)state;
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "f%zu.isra.%zu", i, i);
		snprintf(files[i], sizeof(files[i]), "dir/file%zu.h", i % 97);
		origins[i] = (struct klp_origin){ names[i], files[i],
			(unsigned int)(i * 1000), NULL, (unsigned int)i % 64,
			(unsigned int)(i * 1000 + 9) };
		steps[i][0] = (struct klp_step){ KLP_STEP_ISRA, (unsigned int)i };
		steps[i][1] = (struct klp_step){ KLP_STEP_PART, 0xffffffffu };
		funcs[i] = (struct klp_func_record){ names[i], (unsigned int)i,
			KLP_FUNC_F_EMITTED | KLP_FUNC_F_ISRA, ".text", NULL,
			NULL, (unsigned int)(i ? i : 0), steps[i], 2, NULL, 0 };
		inlines[i] = (struct klp_inline){ (unsigned int)i,
			(unsigned int)i /* parent: the previous one */,
			(unsigned int)(N - 1 - i) % (unsigned int)(i + 1),
			files[i], (unsigned int)i, 0 };
		calls[i] = (struct klp_call){ (unsigned int)i, names[(i + 1) % N],
			files[i], 1, KLP_CALL_F_TAIL };
	}
	u.origins = origins; u.nr_origins = N;
	u.funcs = funcs; u.nr_funcs = N;
	u.inlines = inlines; u.nr_inlines = N;
	u.calls = calls; u.nr_calls = N;
	encode(&u, &data, &size);
	assert_int_equal(decode(data, size, &units, &nr, &err), 0);
	assert_int_equal(nr, 1);
	assert_units_equal(units[0], &u);
	klp_units__free(units, nr);
	free(data);
}

/* ld -r concatenates blocks; a padding linker adds zeros between them. */
static void test_concatenated_blocks_with_padding(void **state)
{
	struct klp_unit rich = rich_unit(), second = second_unit(), **units;
	struct klp_decode_error err;
	unsigned char *a, *b, *section;
	size_t na, nb, size, nr;

	(void)state;
	encode(&rich, &a, &na);
	encode(&second, &b, &nb);
	size = 5 + na + 7 + nb + 3;
	section = calloc(1, size);
	assert_non_null(section);
	memcpy(section + 5, a, na);
	memcpy(section + 5 + na + 7, b, nb);
	assert_int_equal(decode(section, size, &units, &nr, &err), 0);
	assert_int_equal(nr, 2);
	assert_units_equal(units[0], &rich);
	assert_units_equal(units[1], &second);
	assert_int_equal(units[0]->block_offset, 5);
	assert_int_equal(units[1]->block_offset, 5 + na + 7);
	klp_units__free(units, nr);

	/* Garbage, not padding, after a block: named at its offset. */
	section[5 + na + 7] = 0x01;
	assert_refused(section, size, -EBADMSG, 5 + na + 7, "bad magic");
	free(section);
	free(a);
	free(b);
}

/* The block-at-a-time interface walks the same blocks. */
static void test_decode_one_block_at_a_time(void **state)
{
	struct klp_unit rich = rich_unit(), *unit;
	unsigned char *a, section[2048] = { 0 };
	size_t na, offset = 0;

	(void)state;
	encode(&rich, &a, &na);
	memcpy(section, a, na);
	memcpy(section + na + 2, a, na);
	assert_int_equal(klp_unit__decode(section, 2 * na + 4, &offset, &unit,
					  NULL), 0);
	assert_non_null(unit);
	assert_int_equal(offset, na);
	klp_unit__free(unit);
	assert_int_equal(klp_unit__decode(section, 2 * na + 4, &offset, &unit,
					  NULL), 0);
	assert_non_null(unit);
	assert_int_equal(unit->block_offset, na + 2);
	klp_unit__free(unit);
	assert_int_equal(klp_unit__decode(section, 2 * na + 4, &offset, &unit,
					  NULL), 0);
	assert_null(unit);		/* only padding left: the end */
	assert_int_equal(offset, 2 * na + 4);
	free(a);
}

/* ---- malformed input ----------------------------------------------------- */

static void test_empty_section(void **state)
{
	static const unsigned char zeros[8];

	(void)state;
	assert_refused("", 0, -ENODATA, 0, "empty");
	assert_refused(NULL, 0, -ENODATA, 0, "empty");
	assert_refused(zeros, sizeof(zeros), -ENODATA, 0, "padding");
}

/* Every prefix of a valid section is refused, none crashes. */
static void test_truncated_at_every_offset(void **state)
{
	struct klp_unit rich = rich_unit(), second = second_unit();
	struct klp_decode_error err;
	struct klp_unit **units;
	unsigned char *a, *b, *section;
	size_t na, nb, n, nr;

	(void)state;
	encode(&rich, &a, &na);
	encode(&second, &b, &nb);
	section = malloc(na + nb);
	assert_non_null(section);
	memcpy(section, a, na);
	memcpy(section + na, b, nb);
	for (n = 0; n < na + nb; n++) {
		/* Exactly the first block is a valid section. */
		if (n == na)
			continue;
		/* A copy of exactly n bytes, so ASan sees any overread. */
		unsigned char *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, section, n);
		units = NULL;
		int ret = decode(copy, n, &units, &nr, &err);

		if (n == 0)
			assert_int_equal(ret, -ENODATA);
		else
			assert_int_equal(ret, -EBADMSG);
		assert_null(units);
		free(copy);
	}
	assert_int_equal(decode(section, na, &units, &nr, &err), 0);
	klp_units__free(units, nr);
	free(section);
	free(a);
	free(b);
}

/*
 * Every byte of a valid two-block section changed to each of a few
 * values: the decoder returns a unit or refuses, never reads out of
 * bounds (run under ASan), and what it returns is self-consistent.
 */
static void test_every_byte_corrupted(void **state)
{
	static const unsigned char values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	struct klp_unit rich = rich_unit(), second = second_unit();
	struct klp_decode_error err;
	struct klp_unit **units;
	unsigned char *a, *b, *section, *copy;
	size_t na, nb, i, v, nr, u, k;

	(void)state;
	encode(&rich, &a, &na);
	encode(&second, &b, &nb);
	section = malloc(na + nb);
	copy = malloc(na + nb);
	assert_non_null(section);
	assert_non_null(copy);
	memcpy(section, a, na);
	memcpy(section + na, b, nb);
	for (i = 0; i < na + nb; i++) {
		for (v = 0; v < sizeof(values); v++) {
			int ret;

			memcpy(copy, section, na + nb);
			copy[i] = values[v];
			ret = decode(copy, na + nb, &units, &nr, &err);
			if (ret) {
				assert_true(ret == -EBADMSG ||
					    ret == -EPROTONOSUPPORT ||
					    ret == -ENODATA);
				assert_true(err.offset <= na + nb);
				assert_true(strlen(err.message) > 0);
				continue;
			}
			/* Accepted: every index in range, every string whole. */
			for (u = 0; u < nr; u++) {
				const struct klp_unit *unit = units[u];

				for (k = 0; k < unit->nr_funcs; k++) {
					assert_true(unit->funcs[k].origin <
						    unit->nr_origins);
					assert_true(unit->funcs[k].alias_of <= k);
					assert_non_null(unit->funcs[k].symbol);
					(void)strlen(unit->funcs[k].symbol);
				}
				for (k = 0; k < unit->nr_inlines; k++) {
					assert_true(unit->inlines[k].func <
						    unit->nr_funcs);
					assert_true(unit->inlines[k].parent <= k);
					assert_true(unit->inlines[k].callee <
						    unit->nr_origins);
				}
				for (k = 0; k < unit->nr_calls; k++)
					assert_true(unit->calls[k].func <
						    unit->nr_funcs);
			}
			klp_units__free(units, nr);
		}
	}
	free(copy);
	free(section);
	free(a);
	free(b);
}

static void test_bad_magic(void **state)
{
	unsigned char block[64];
	static const unsigned char recs[] = { REC_UNIT };
	size_t size = small_block(block, recs, sizeof(recs));

	(void)state;
	block[3] = 'q';
	assert_refused(block, size, -EBADMSG, 0, "bad magic");
}

static void test_unknown_version(void **state)
{
	unsigned char block[64];
	static const unsigned char recs[] = { REC_UNIT };
	size_t size = small_block(block, recs, sizeof(recs));

	(void)state;
	block[4] = 2;
	assert_refused(block, size, -EPROTONOSUPPORT, 4, "version 2");
	block[4] = 0;
	assert_refused(block, size, -EPROTONOSUPPORT, 4, "version 0");
}

static void test_header_sizes(void **state)
{
	static const unsigned char recs[] = { REC_UNIT };
	unsigned char block[64];
	size_t size;

	(void)state;
	size = small_block(block, recs, sizeof(recs));
	block[6] = 15;				/* header_size < 16 */
	assert_refused(block, size, -EBADMSG, 6, "header_size 15");

	size = small_block(block, recs, sizeof(recs));
	block[6] = 0xff; block[7] = 0xff;	/* header_size > block_size */
	assert_refused(block, size, -EBADMSG, 6, "more than block_size");

	size = small_block(block, recs, sizeof(recs));
	block[8] = block[9] = block[10] = block[11] = 0xff;	/* overflow */
	assert_refused(block, size, -EBADMSG, 8, "past the section end");

	size = small_block(block, recs, sizeof(recs));
	block[8]++;				/* one byte past the end */
	assert_refused(block, size, -EBADMSG, 8, "past the section end");

	size = small_block(block, recs, sizeof(recs));
	block[8] = 15;				/* smaller than a header */
	block[9] = 0;
	assert_refused(block, size, -EBADMSG, 6, "more than block_size");
}

/* A larger header_size is skipped: a newer minor header still reads. */
static void test_longer_header_is_skipped(void **state)
{
	static const unsigned char recs[] = { REC_UNIT, REC_ORIGIN };
	unsigned char block[128];
	struct klp_decode_error err;
	struct klp_unit **units;
	size_t size, nr;

	(void)state;
	size = small_block(block, recs, sizeof(recs));
	memmove(block + 20, block + 16, size - 16);
	memset(block + 16, 0xee, 4);
	block[6] = 20;
	size += 4;
	block[8] = (unsigned char)size;
	assert_int_equal(decode(block, size, &units, &nr, &err), 0);
	assert_string_equal(units[0]->origins[0].name, "foo");
	klp_units__free(units, nr);
}

static void test_string_table(void **state)
{
	static const unsigned char recs[] = { REC_UNIT };
	unsigned char block[64];
	size_t size;

	(void)state;
	size = small_block(block, recs, sizeof(recs));
	block[12] = 0xff; block[13] = 0xff;	/* past the block */
	assert_refused(block, size, -EBADMSG, 12, "strtab_size");

	size = small_block(block, recs, sizeof(recs));
	block[16 + SMALL_STRTAB_SIZE - 1] = 'x';
	assert_refused(block, size, -EBADMSG, 16 + SMALL_STRTAB_SIZE - 1,
		       "not NUL-terminated");

	size = small_block(block, recs, sizeof(recs));
	block[16] = 'x';
	assert_refused(block, size, -EBADMSG, 16, "empty string");

	size = make_block(block, "", 0, recs, sizeof(recs));
	assert_refused(block, size, -EBADMSG, 16, "empty string");
}

static void test_string_offset_out_of_range(void **state)
{
	/* ORIGIN name at offset 9 == strtab_size: one past the end. */
	static const unsigned char recs[] = {
		REC_UNIT, 2, 5, SMALL_STRTAB_SIZE, 1, 7, 0, 0 };
	/* ... and a two-byte offset far past it. */
	static const unsigned char recs2[] = {
		REC_UNIT, 2, 6, 0x80, 0x7f, 1, 7, 0, 0 };
	unsigned char block[64];
	size_t size;

	(void)state;
	size = small_block(block, recs, sizeof(recs));
	assert_refused(block, size, -EBADMSG, size - 5,
		       "ORIGIN record 0, field name: string offset 9 past");
	size = small_block(block, recs2, sizeof(recs2));
	assert_refused(block, size, -EBADMSG, size - 6,
		       "string offset 16256 past");
}

static void test_record_size_past_block_end(void **state)
{
	static const unsigned char recs[] = { REC_UNIT, 2, 50, 5, 1, 7, 0, 0 };
	static const unsigned char huge[] = {
		REC_UNIT, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 5, 1, 7, 0, 0 };
	unsigned char block[64];
	size_t size;

	(void)state;
	size = small_block(block, recs, sizeof(recs));
	assert_refused(block, size, -EBADMSG, size - 7, "runs past the block end");
	size = small_block(block, huge, sizeof(huge));
	assert_refused(block, size, -EBADMSG, SIZE_MAX, "runs past the block end");
}

static void test_uleb128(void **state)
{
	/* 11 continuation bytes: overlong. */
	static const unsigned char overlong[] = {
		REC_UNIT, 2, 15, 5, 1,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
		0, 0 };
	/* 10th byte 0x02: past 64 bits. */
	static const unsigned char wide[] = {
		REC_UNIT, 2, 14, 5, 1,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
		0, 0 };
	/* 2^32 in a 32-bit field. */
	static const unsigned char big[] = {
		REC_UNIT, 2, 9, 5, 1, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0 };
	/* The last byte of the block still has its continuation bit. */
	static const unsigned char open[] = { REC_UNIT, 2, 0x85 };
	/* 2^32 - 1 is the largest line. */
	static const unsigned char max[] = {
		REC_UNIT, 2, 9, 5, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0 };
	/* Non-minimal (padded) encodings are valid LEB128. */
	static const unsigned char padded[] = {
		REC_UNIT, 2, 8, 0x85, 0x00, 1, 0x87, 0x80, 0x00, 0, 0 };
	unsigned char block[64];
	struct klp_decode_error err;
	struct klp_unit **units;
	size_t size, nr;

	(void)state;
	size = small_block(block, overlong, sizeof(overlong));
	assert_refused(block, size, -EBADMSG, size - 13, "longer than 10 bytes");
	size = small_block(block, wide, sizeof(wide));
	assert_refused(block, size, -EBADMSG, size - 12, "64 bits");
	size = small_block(block, big, sizeof(big));
	assert_refused(block, size, -EBADMSG, size - 7, "too large");
	size = small_block(block, open, sizeof(open));
	assert_refused(block, size, -EBADMSG, size - 1, "record size");

	size = small_block(block, max, sizeof(max));
	assert_int_equal(decode(block, size, &units, &nr, &err), 0);
	assert_int_equal(units[0]->origins[0].line, 0xffffffffu);
	klp_units__free(units, nr);
	size = small_block(block, padded, sizeof(padded));
	assert_int_equal(decode(block, size, &units, &nr, &err), 0);
	assert_string_equal(units[0]->origins[0].name, "foo");
	assert_int_equal(units[0]->origins[0].line, 7);
	klp_units__free(units, nr);
}

static void test_forward_references(void **state)
{
	/* FUNC foo, origin 1 of 1. */
	static const unsigned char origin[] = {
		REC_UNIT, REC_ORIGIN, 3, 9, 5, 1, 1, 0, 0, 0, 0, 0, 0 };
	/* FUNC foo alias_of itself (index+1 = 1 while 0 FUNCs precede). */
	static const unsigned char alias[] = {
		REC_UNIT, REC_ORIGIN, 3, 9, 5, 0, 1, 0, 0, 0, 1, 0, 0 };
	/* FUNC before any ORIGIN. */
	static const unsigned char func_first[] = {
		REC_UNIT, 3, 9, 5, 0, 1, 0, 0, 0, 0, 0, 0, REC_ORIGIN };
	/* INLINE nested in itself. */
	static const unsigned char parent[] = {
		REC_UNIT, REC_ORIGIN, 3, 9, 5, 0, 1, 0, 0, 0, 0, 0, 0,
		4, 6, 0, 1, 0, 1, 3, 0 };
	/* INLINE of an unknown callee. */
	static const unsigned char callee[] = {
		REC_UNIT, REC_ORIGIN, 3, 9, 5, 0, 1, 0, 0, 0, 0, 0, 0,
		4, 6, 0, 0, 4, 1, 3, 0 };
	/* CALL from FUNC 1 of 1. */
	static const unsigned char call[] = {
		REC_UNIT, REC_ORIGIN, 3, 9, 5, 0, 1, 0, 0, 0, 0, 0, 0,
		5, 5, 1, 5, 1, 3, 0 };
	unsigned char block[64];
	size_t size;

	(void)state;
	size = small_block(block, origin, sizeof(origin));
	assert_refused(block, size, -EBADMSG, SIZE_MAX,
		       "FUNC record 0, field origin: ORIGIN index 1");
	size = small_block(block, alias, sizeof(alias));
	assert_refused(block, size, -EBADMSG, SIZE_MAX, "field alias_of");
	size = small_block(block, func_first, sizeof(func_first));
	assert_refused(block, size, -EBADMSG, SIZE_MAX,
		       "(0 ORIGIN records precede)");
	size = small_block(block, parent, sizeof(parent));
	assert_refused(block, size, -EBADMSG, SIZE_MAX, "field parent");
	size = small_block(block, callee, sizeof(callee));
	assert_refused(block, size, -EBADMSG, SIZE_MAX, "field callee");
	size = small_block(block, call, sizeof(call));
	assert_refused(block, size, -EBADMSG, SIZE_MAX,
		       "CALL record 0, field func");
}

static void test_unit_record_rules(void **state)
{
	static const unsigned char none[] = { REC_ORIGIN };
	static const unsigned char twice[] = { REC_UNIT, REC_UNIT };
	static const unsigned char empty[] = { 0 };
	static const unsigned char no_name[] = { REC_UNIT, 2, 5, 0, 1, 7, 0, 0 };
	static const unsigned char nul_name[] = { REC_UNIT, 2, 5, 4, 1, 7, 0, 0 };
	static const unsigned char short_rec[] = { REC_UNIT, 2, 2, 5, 1 };
	unsigned char block[64];
	size_t size;

	(void)state;
	size = small_block(block, none, sizeof(none));
	assert_refused(block, size, -EBADMSG, 16 + SMALL_STRTAB_SIZE,
		       "before the UNIT record");
	size = small_block(block, twice, sizeof(twice));
	assert_refused(block, size, -EBADMSG, 16 + SMALL_STRTAB_SIZE + 5,
		       "a second UNIT");
	size = small_block(block, empty, 0);
	assert_refused(block, size, -EBADMSG, size, "no UNIT record");
	size = small_block(block, no_name, sizeof(no_name));
	assert_refused(block, size, -EBADMSG, SIZE_MAX, "empty name");
	/* The NUL ending "a.c" (offset 4) is an empty string too. */
	size = small_block(block, nul_name, sizeof(nul_name));
	assert_refused(block, size, -EBADMSG, SIZE_MAX,
		       "ORIGIN record 0, field name: empty name");
	size = small_block(block, short_rec, sizeof(short_rec));
	assert_refused(block, size, -EBADMSG, SIZE_MAX,
		       "field line: record ends before it");
}

/* A count the payload cannot hold must not size an allocation. */
static void test_huge_counts(void **state)
{
	static const unsigned char steps[] = {
		REC_UNIT, REC_ORIGIN,
		3, 12, 5, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f };
	static const unsigned char params[] = {
		REC_UNIT, REC_ORIGIN,
		3, 11, 5, 0, 1, 0, 0, 0, 0, 0, 0xff, 0xff, 0x03 };
	unsigned char block[64];
	size_t size;

	(void)state;
	size = small_block(block, steps, sizeof(steps));
	assert_refused(block, size, -EBADMSG, SIZE_MAX, "nr_steps");
	size = small_block(block, params, sizeof(params));
	assert_refused(block, size, -EBADMSG, SIZE_MAX, "nr_params");
}

/* Newer writers: unknown tags and trailing fields are skipped. */
static void test_forward_compatible(void **state)
{
	static const unsigned char recs[] = {
		99, 3, 1, 2, 3,			/* unknown tag before UNIT */
		REC_UNIT,
		2, 9, 5, 1, 7, 0, 0, 12, 0xff, 0x01, 0x42,	/* + 2 fields */
		0x80, 0x01, 1, 0xaa,		/* tag 128, 1 byte */
		0, 0,				/* tag 0, empty */
		2, 5, 5, 1, 8, 0, 0,		/* ORIGIN without end_line */
	};
	unsigned char block[64];
	struct klp_decode_error err;
	struct klp_unit **units;
	size_t size, nr;

	(void)state;
	size = small_block(block, recs, sizeof(recs));
	assert_int_equal(decode(block, size, &units, &nr, &err), 0);
	assert_int_equal(units[0]->nr_origins, 2);
	assert_int_equal(units[0]->origins[0].end_line, 12);
	assert_int_equal(units[0]->origins[1].line, 8);
	assert_int_equal(units[0]->origins[1].end_line, 0);
	assert_string_equal(units[0]->source, "a.c");
	klp_units__free(units, nr);
}

static void test_free_accepts_null(void **state)
{
	(void)state;
	klp_unit__free(NULL);
	klp_units__free(NULL, 0);
}

static void test_encoder_refuses_bad_indexes(void **state)
{
	struct klp_unit u = rich_unit();
	struct klp_func_record funcs[6];
	struct klp_inline inlines[4];
	void *data = NULL;
	size_t size;

	(void)state;
	memcpy(funcs, rich_funcs, sizeof(funcs));
	funcs[0].origin = 99;
	u.funcs = funcs;
	assert_int_equal(klp_unit__encode(&u, &data, &size), -EINVAL);
	assert_null(data);

	u = rich_unit();
	memcpy(inlines, rich_inlines, sizeof(inlines));
	inlines[0].parent = 1;			/* itself */
	u.inlines = inlines;
	assert_int_equal(klp_unit__encode(&u, &data, &size), -EINVAL);
	assert_null(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_rich),
		cmocka_unit_test(test_round_trip_empty_unit),
		cmocka_unit_test(test_round_trip_large),
		cmocka_unit_test(test_concatenated_blocks_with_padding),
		cmocka_unit_test(test_decode_one_block_at_a_time),
		cmocka_unit_test(test_empty_section),
		cmocka_unit_test(test_truncated_at_every_offset),
		cmocka_unit_test(test_every_byte_corrupted),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_unknown_version),
		cmocka_unit_test(test_header_sizes),
		cmocka_unit_test(test_longer_header_is_skipped),
		cmocka_unit_test(test_string_table),
		cmocka_unit_test(test_string_offset_out_of_range),
		cmocka_unit_test(test_record_size_past_block_end),
		cmocka_unit_test(test_uleb128),
		cmocka_unit_test(test_forward_references),
		cmocka_unit_test(test_unit_record_rules),
		cmocka_unit_test(test_huge_counts),
		cmocka_unit_test(test_forward_compatible),
		cmocka_unit_test(test_free_accepts_null),
		cmocka_unit_test(test_encoder_refuses_bad_indexes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
