// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * records_decode.c - decode section blocks into struct klp_unit
 *
 * The section comes from files we did not write, so nothing in it is
 * trusted: every size is checked against what contains it, every string
 * offset against the string table, every index against the records that
 * precede it (the format allows no forward references).
 *
 * A block is decoded in two passes over the same code: the first
 * validates and counts, the second fills one allocation sized by the
 * first, so a unit, its arrays and its strings are freed with one free().
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/records.h>

struct counts {
	size_t origins;
	size_t funcs;
	size_t inlines;
	size_t calls;
	size_t steps;
	size_t params;
};

struct decoder {
	const unsigned char *section;
	size_t block;			/* offset of the block */
	const unsigned char *strtab;
	size_t strtab_size;
	struct klp_decode_error *err;

	struct counts seen;		/* records decoded so far */
	struct klp_unit *unit;		/* second pass only */
	char *strings;			/* the unit's copy of strtab */
	struct klp_step *steps;		/* the unit's pools of all FUNCs' */
	struct klp_param *params;	/* steps and parameters */
};

/*
 * A record's payload being read.  The record is named ("FUNC record 3")
 * only when a message needs it: formatting every field's name up front
 * cost more than the decoding itself.
 */
struct cursor {
	const unsigned char *p;
	const unsigned char *end;
	unsigned int tag;		/* KLP_PARTITION_* */
	size_t index;			/* among the records of its tag */
};

static const char *tag_name(unsigned int tag)
{
	switch (tag) {
	case KLP_PARTITION_UNIT:	return "UNIT";
	case KLP_PARTITION_ORIGIN:	return "ORIGIN";
	case KLP_PARTITION_FUNC:	return "FUNC";
	case KLP_PARTITION_INLINE:	return "INLINE";
	case KLP_PARTITION_CALL:	return "CALL";
	}
	return "unknown";
}

__attribute__((format(printf, 4, 5)))
static int fail(struct decoder *d, const unsigned char *at, int code,
		const char *fmt, ...)
{
	va_list ap;

	if (!d->err)
		return code;
	d->err->block = d->block;
	d->err->offset = at - d->section;
	va_start(ap, fmt);
	vsnprintf(d->err->message, sizeof(d->err->message), fmt, ap);
	va_end(ap);
	return code;
}

/*
 * fail() for a field of the record at @c: the message is prefixed with
 * "FUNC record 3, field symbol: ".
 */
__attribute__((format(printf, 5, 6)))
static int fail_field(struct decoder *d, const struct cursor *c,
		      const unsigned char *at, const char *field,
		      const char *fmt, ...)
{
	char record[48], what[sizeof(d->err->message)];
	va_list ap;

	if (!d->err)
		return -EBADMSG;
	if (c->tag == KLP_PARTITION_UNIT)
		snprintf(record, sizeof(record), "UNIT record");
	else
		snprintf(record, sizeof(record), "%s record %zu",
			 tag_name(c->tag), c->index);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fail(d, at, -EBADMSG, "%s, field %s: %s", record, field, what);
}

static uint32_t get_le16(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get_le32(const unsigned char *p)
{
	return get_le16(p) | get_le16(p + 2) << 16;
}

/*
 * Unsigned LEB128 in [*p, end).  Values past 64 bits are refused rather
 * than truncated; so are encodings longer than the 10 bytes any 64-bit
 * value needs (a run of 0x80 bytes would otherwise be accepted forever).
 * Returns NULL, or what is wrong for the caller to put in its message
 * (*p is then unchanged).
 */
static const char *read_uleb(const unsigned char **p, const unsigned char *end,
			     uint64_t *value)
{
	const unsigned char *start = *p, *q = *p;
	uint64_t v = 0;
	unsigned int shift = 0;

	for (;;) {
		unsigned char byte;

		if (q >= end)
			return "number runs past the end";
		if (q - start == 10)
			return "number longer than 10 bytes";
		byte = *q++;
		if (shift == 63 && (byte & 0x7f) > 1)
			return "number does not fit in 64 bits";
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			break;
		shift += 7;
	}
	*p = q;
	*value = v;
	return NULL;
}

static int get_num(struct decoder *d, struct cursor *c, const char *field,
		   unsigned int *value)
{
	const unsigned char *at = c->p;
	const char *bad;
	uint64_t v;

	if (c->p >= c->end)
		return fail_field(d, c, at, field, "record ends before it");
	bad = read_uleb(&c->p, c->end, &v);
	if (bad)
		return fail_field(d, c, at, field, "%s", bad);
	if (v > UINT_MAX)
		return fail_field(d, c, at, field, "value %llu too large",
				  (unsigned long long)v);
	*value = (unsigned int)v;
	return 0;
}

/*
 * A field appended after version 1's first fields: a block of an older
 * writer ends the record before it, which means 0.
 */
static int get_appended_num(struct decoder *d, struct cursor *c,
			    const char *field, unsigned int *value)
{
	if (c->p >= c->end) {
		*value = 0;
		return 0;
	}
	return get_num(d, c, field, value);
}

/*
 * A string field; the empty string comes back as NULL, whether at offset
 * 0 or at any other NUL of the table (the encoder writes 0 for it, so
 * both passes and a re-encoded unit agree on what is "none").
 */
static int get_str(struct decoder *d, struct cursor *c, const char *field,
		   const char **s)
{
	const unsigned char *at = c->p;
	unsigned int offset;
	int err;

	err = get_num(d, c, field, &offset);
	if (err)
		return err;
	if (offset >= d->strtab_size)
		return fail_field(d, c, at, field,
				  "string offset %u past the string table (%zu bytes)",
				  offset, d->strtab_size);
	if (!offset || !d->strtab[offset])
		*s = NULL;
	else if (d->strings)
		*s = d->strings + offset;
	else
		*s = "";	/* first pass: only NULL or not matters */
	return 0;
}

/* An index of a record of one tag that must precede this one. */
static int get_index(struct decoder *d, struct cursor *c, const char *field,
		     const char *of, size_t nr_seen, bool plus_one,
		     unsigned int *index)
{
	const unsigned char *at = c->p;
	int err;

	err = get_num(d, c, field, index);
	if (err)
		return err;
	if (plus_one ? *index > nr_seen : *index >= nr_seen)
		return fail_field(d, c, at, field,
				  "%s %s%u refers to a record not before it (%zu %s records precede)",
				  of, plus_one ? "index+1 " : "index ",
				  *index, nr_seen, of);
	return 0;
}

static int need_name(struct decoder *d, struct cursor *c,
		     const unsigned char *at, const char *field,
		     const char *s)
{
	if (!s)
		return fail_field(d, c, at, field, "empty name");
	return 0;
}

static int decode_unit(struct decoder *d, struct cursor *c)
{
	const char *source, *producer;
	unsigned int flags;
	int err;

	if ((err = get_str(d, c, "source", &source)) ||
	    (err = get_str(d, c, "producer", &producer)) ||
	    (err = get_num(d, c, "flags", &flags)))
		return err;
	if (d->unit) {
		d->unit->source = source;
		d->unit->producer = producer;
		d->unit->flags = flags;
	}
	return 0;
}

static int decode_origin(struct decoder *d, struct cursor *c)
{
	struct klp_origin o;
	const unsigned char *at = c->p;
	int err;

	if ((err = get_str(d, c, "name", &o.name)) ||
	    (err = need_name(d, c, at, "name", o.name)) ||
	    (err = get_str(d, c, "file", &o.file)) ||
	    (err = get_num(d, c, "line", &o.line)) ||
	    (err = get_str(d, c, "section", &o.section)) ||
	    (err = get_num(d, c, "flags", &o.flags)) ||
	    (err = get_appended_num(d, c, "end_line", &o.end_line)))
		return err;
	if (d->unit)
		d->unit->origins[d->seen.origins] = o;
	d->seen.origins++;
	return 0;
}

/*
 * Counts of steps and parameters come from the file: before they size
 * anything, they must fit in the payload (each entry takes at least
 * @min_bytes), so a corrupt count cannot make us allocate gigabytes.
 */
static int get_count(struct decoder *d, struct cursor *c, const char *field,
		     size_t min_bytes, unsigned int *count)
{
	const unsigned char *at = c->p;
	int err;

	err = get_num(d, c, field, count);
	if (err)
		return err;
	if ((size_t)*count > (size_t)(c->end - c->p) / min_bytes)
		return fail_field(d, c, at, field,
				  "%u entries do not fit in the %zu bytes left",
				  *count, (size_t)(c->end - c->p));
	return 0;
}

static int decode_func(struct decoder *d, struct cursor *c)
{
	struct klp_func_record f;
	const unsigned char *at = c->p;
	struct klp_unit *unit = d->unit;
	unsigned int i;
	int err;

	memset(&f, 0, sizeof(f));
	if ((err = get_str(d, c, "symbol", &f.symbol)) ||
	    (err = need_name(d, c, at, "symbol", f.symbol)) ||
	    (err = get_index(d, c, "origin", "ORIGIN", d->seen.origins, false,
			     &f.origin)) ||
	    (err = get_num(d, c, "flags", &f.flags)) ||
	    (err = get_str(d, c, "section", &f.section)) ||
	    (err = get_str(d, c, "cold_symbol", &f.cold_symbol)) ||
	    (err = get_str(d, c, "cold_section", &f.cold_section)) ||
	    (err = get_index(d, c, "alias_of", "FUNC", d->seen.funcs, true,
			     &f.alias_of)) ||
	    (err = get_count(d, c, "nr_steps", 2, &f.nr_steps)))
		return err;
	if (unit)
		f.steps = f.nr_steps ? d->steps + d->seen.steps : NULL;
	for (i = 0; i < f.nr_steps; i++) {
		struct klp_step s;

		if ((err = get_num(d, c, "step kind", &s.kind)) ||
		    (err = get_num(d, c, "step number", &s.number)))
			return err;
		if (unit)
			f.steps[i] = s;
	}
	if ((err = get_count(d, c, "nr_params", 3, &f.nr_params)))
		return err;
	if (unit)
		f.params = f.nr_params ? d->params + d->seen.params : NULL;
	for (i = 0; i < f.nr_params; i++) {
		struct klp_param p;

		if ((err = get_num(d, c, "param index", &p.index)) ||
		    (err = get_num(d, c, "param change", &p.change)) ||
		    (err = get_str(d, c, "param value", &p.value)))
			return err;
		if (unit)
			f.params[i] = p;
	}
	if (unit)
		unit->funcs[d->seen.funcs] = f;
	d->seen.funcs++;
	d->seen.steps += f.nr_steps;
	d->seen.params += f.nr_params;
	return 0;
}

static int decode_inline(struct decoder *d, struct cursor *c)
{
	struct klp_inline in;
	int err;

	if ((err = get_index(d, c, "func", "FUNC", d->seen.funcs, false,
			     &in.func)) ||
	    (err = get_index(d, c, "parent", "INLINE", d->seen.inlines, true,
			     &in.parent)) ||
	    (err = get_index(d, c, "callee", "ORIGIN", d->seen.origins, false,
			     &in.callee)) ||
	    (err = get_str(d, c, "call_file", &in.call_file)) ||
	    (err = get_num(d, c, "call_line", &in.call_line)) ||
	    (err = get_num(d, c, "flags", &in.flags)))
		return err;
	if (d->unit)
		d->unit->inlines[d->seen.inlines] = in;
	d->seen.inlines++;
	return 0;
}

static int decode_call(struct decoder *d, struct cursor *c)
{
	struct klp_call call;
	const unsigned char *at;
	int err;

	if ((err = get_index(d, c, "func", "FUNC", d->seen.funcs, false,
			     &call.func)))
		return err;
	at = c->p;
	if ((err = get_str(d, c, "callee", &call.callee)) ||
	    (err = need_name(d, c, at, "callee", call.callee)) ||
	    (err = get_str(d, c, "call_file", &call.call_file)) ||
	    (err = get_num(d, c, "call_line", &call.call_line)) ||
	    (err = get_num(d, c, "flags", &call.flags)))
		return err;
	if (d->unit)
		d->unit->calls[d->seen.calls] = call;
	d->seen.calls++;
	return 0;
}

static size_t nr_of_tag(const struct counts *n, unsigned int tag)
{
	switch (tag) {
	case KLP_PARTITION_ORIGIN:	return n->origins;
	case KLP_PARTITION_FUNC:	return n->funcs;
	case KLP_PARTITION_INLINE:	return n->inlines;
	case KLP_PARTITION_CALL:	return n->calls;
	}
	return 0;
}

/* Walk the records in [p, end); the pass is the second when d->unit. */
static int decode_records(struct decoder *d, const unsigned char *p,
			  const unsigned char *end)
{
	bool have_unit = false;
	int err;

	memset(&d->seen, 0, sizeof(d->seen));
	while (p < end) {
		const unsigned char *record = p;
		uint64_t tag, size;
		struct cursor c;
		const char *bad;

		if ((bad = read_uleb(&p, end, &tag)))
			return fail(d, p, -EBADMSG, "record tag: %s", bad);
		if ((bad = read_uleb(&p, end, &size)))
			return fail(d, p, -EBADMSG, "record size: %s", bad);
		if (size > (uint64_t)(end - p))
			return fail(d, record, -EBADMSG,
				    "%s record of %llu bytes runs past the block end (%zu bytes left)",
				    tag_name(tag), (unsigned long long)size,
				    (size_t)(end - p));
		c.p = p;
		c.end = p + size;
		c.tag = (unsigned int)tag;
		c.index = 0;
		p += size;

		if (tag == KLP_PARTITION_UNIT) {
			if (have_unit)
				return fail(d, record, -EBADMSG,
					    "a second UNIT record");
			err = decode_unit(d, &c);
			have_unit = true;
		} else if (tag >= KLP_PARTITION_ORIGIN &&
			   tag <= KLP_PARTITION_CALL) {
			if (!have_unit)
				return fail(d, record, -EBADMSG,
					    "%s record before the UNIT record",
					    tag_name(tag));
			c.index = nr_of_tag(&d->seen, tag);
			if (tag == KLP_PARTITION_ORIGIN)
				err = decode_origin(d, &c);
			else if (tag == KLP_PARTITION_FUNC)
				err = decode_func(d, &c);
			else if (tag == KLP_PARTITION_INLINE)
				err = decode_inline(d, &c);
			else
				err = decode_call(d, &c);
		} else {
			/* A newer writer's record: skipped by design. */
			continue;
		}
		if (err)
			return err;
		/* Bytes past the known fields belong to newer writers. */
	}
	if (!have_unit)
		return fail(d, end, -EBADMSG, "block has no UNIT record");
	return 0;
}

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/* One allocation: unit, arrays, strings; laid out by the first pass. */
static struct klp_unit *alloc_unit(struct decoder *d, const struct counts *n,
				   size_t strtab_size)
{
	size_t off_origins, off_funcs, off_inlines, off_calls, off_steps,
	       off_params, off_strings, total;
	char *mem;
	struct klp_unit *unit;

	off_origins = align_up(sizeof(*unit), alignof(struct klp_origin));
	off_funcs = align_up(off_origins + n->origins * sizeof(struct klp_origin),
			     alignof(struct klp_func_record));
	off_inlines = align_up(off_funcs + n->funcs * sizeof(struct klp_func_record),
			       alignof(struct klp_inline));
	off_calls = align_up(off_inlines + n->inlines * sizeof(struct klp_inline),
			     alignof(struct klp_call));
	off_steps = align_up(off_calls + n->calls * sizeof(struct klp_call),
			     alignof(struct klp_step));
	off_params = align_up(off_steps + n->steps * sizeof(struct klp_step),
			      alignof(struct klp_param));
	off_strings = off_params + n->params * sizeof(struct klp_param);
	total = off_strings + strtab_size;

	mem = calloc(1, total);
	if (!mem)
		return NULL;
	unit = (struct klp_unit *)mem;
	d->strings = mem + off_strings;
	d->steps = (struct klp_step *)(mem + off_steps);
	d->params = (struct klp_param *)(mem + off_params);
	unit->origins = n->origins ? (void *)(mem + off_origins) : NULL;
	unit->nr_origins = n->origins;
	unit->funcs = n->funcs ? (void *)(mem + off_funcs) : NULL;
	unit->nr_funcs = n->funcs;
	unit->inlines = n->inlines ? (void *)(mem + off_inlines) : NULL;
	unit->nr_inlines = n->inlines;
	unit->calls = n->calls ? (void *)(mem + off_calls) : NULL;
	unit->nr_calls = n->calls;
	return unit;
}

int klp_unit__decode(const void *data, size_t size, size_t *offset,
		     struct klp_unit **unitp, struct klp_decode_error *err)
{
	/* No bytes may come as NULL; offsets are counted from a real address. */
	const unsigned char *section = data ? data : (const void *)"";
	const unsigned char *p, *block_end, *records;
	struct decoder d = { .section = section, .err = err };
	uint32_t version, header_size, block_size, strtab_size;
	struct klp_unit *unit;
	size_t pos = *offset;
	struct counts n;
	int ret;

	*unitp = NULL;
	if (pos > size)
		return fail(&d, section + size, -EINVAL,
			    "offset %zu past the section end (%zu bytes)",
			    pos, size);
	while (pos < size && !section[pos])
		pos++;
	*offset = pos;
	if (pos == size)
		return 0;

	d.block = pos;
	p = section + pos;
	if (size - pos < KLP_PARTITION_HEADER_SIZE)
		return fail(&d, p, -EBADMSG,
			    "truncated block: %zu bytes left, a header takes %d",
			    size - pos, KLP_PARTITION_HEADER_SIZE);
	if (memcmp(p, KLP_PARTITION_MAGIC, KLP_PARTITION_MAGIC_SIZE))
		return fail(&d, p, -EBADMSG,
			    "bad magic %02x %02x %02x %02x (want \"%s\")",
			    p[0], p[1], p[2], p[3], KLP_PARTITION_MAGIC);
	version = get_le16(p + 4);
	header_size = get_le16(p + 6);
	block_size = get_le32(p + 8);
	strtab_size = get_le32(p + 12);
	if (version != KLP_PARTITION_VERSION)
		return fail(&d, p + 4, -EPROTONOSUPPORT,
			    "format version %u; this klp-prep reads version %d",
			    version, KLP_PARTITION_VERSION);
	if (header_size < KLP_PARTITION_HEADER_SIZE)
		return fail(&d, p + 6, -EBADMSG,
			    "header_size %u is less than %d",
			    header_size, KLP_PARTITION_HEADER_SIZE);
	if (block_size > size - pos)
		return fail(&d, p + 8, -EBADMSG,
			    "block_size %u runs past the section end (%zu bytes left)",
			    block_size, size - pos);
	if (header_size > block_size)
		return fail(&d, p + 6, -EBADMSG,
			    "header_size %u is more than block_size %u",
			    header_size, block_size);
	if (strtab_size > block_size - header_size)
		return fail(&d, p + 12, -EBADMSG,
			    "strtab_size %u runs past the block end (block_size %u, header_size %u)",
			    strtab_size, block_size, header_size);
	d.strtab = p + header_size;
	d.strtab_size = strtab_size;
	if (!strtab_size || d.strtab[0])
		return fail(&d, d.strtab, -EBADMSG,
			    "string table does not start with the empty string");
	if (d.strtab[strtab_size - 1])
		return fail(&d, d.strtab + strtab_size - 1, -EBADMSG,
			    "string table is not NUL-terminated");

	records = d.strtab + strtab_size;
	block_end = p + block_size;
	ret = decode_records(&d, records, block_end);
	if (ret)
		return ret;

	n = d.seen;
	unit = alloc_unit(&d, &n, strtab_size);
	if (!unit)
		return fail(&d, p, -ENOMEM, "out of memory");
	memcpy(d.strings, d.strtab, strtab_size);
	d.unit = unit;
	ret = decode_records(&d, records, block_end);
	if (ret) {
		/* The first pass accepted these very bytes. */
		free(unit);
		return ret;
	}
	unit->block_offset = pos;
	unit->block_size = block_size;
	unit->strtab_size = strtab_size;
	*unitp = unit;
	*offset = pos + block_size;
	return 0;
}

void klp_unit__free(struct klp_unit *unit)
{
	free(unit);
}

void klp_units__free(struct klp_unit **units, size_t nr_units)
{
	size_t i;

	if (!units)
		return;
	for (i = 0; i < nr_units; i++)
		klp_unit__free(units[i]);
	free(units);
}

int klp_partition__decode(const void *data, size_t size,
			  struct klp_unit ***unitsp, size_t *nr_unitsp,
			  struct klp_decode_error *err)
{
	struct klp_unit **units = NULL, *unit;
	size_t nr_units = 0, capacity = 0, offset = 0;
	int ret;

	*unitsp = NULL;
	*nr_unitsp = 0;
	for (;;) {
		ret = klp_unit__decode(data, size, &offset, &unit, err);
		if (ret)
			goto fail;
		if (!unit)
			break;
		if (nr_units == capacity) {
			size_t more = capacity ? 2 * capacity : 8;
			struct klp_unit **grown;

			grown = realloc(units, more * sizeof(*units));
			if (!grown) {
				struct decoder d = { .section = data,
						     .block = unit->block_offset,
						     .err = err };

				klp_unit__free(unit);
				ret = fail(&d, d.section + d.block, -ENOMEM,
					   "out of memory");
				goto fail;
			}
			units = grown;
			capacity = more;
		}
		units[nr_units++] = unit;
	}
	if (!nr_units) {
		struct decoder d = { .section = data ? data : (const void *)"",
				     .err = err };

		ret = fail(&d, d.section, -ENODATA,
			   size ? "section holds only zero padding, no block"
				: "section is empty");
		goto fail;
	}
	*unitsp = units;
	*nr_unitsp = nr_units;
	return 0;
fail:
	klp_units__free(units, nr_units);
	return ret;
}
