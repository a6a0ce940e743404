// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * records_encode.c - encode a struct klp_unit as one section block
 *
 * Used by the GCC plugin (linked in, so plugin and reader share the
 * format code) and by tests that build blocks by hand.  Strings are
 * deduplicated through a hash table: symbol and file names repeat in
 * nearly every inline record, and inline records dominate kernel code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/records.h>

struct byte_buf {
	unsigned char *data;
	size_t size;
	size_t capacity;
};

static int buf_reserve(struct byte_buf *buf, size_t more)
{
	size_t want = buf->size + more;
	size_t capacity = buf->capacity ? buf->capacity : 256;
	unsigned char *data;

	if (want < buf->size)
		return -EOVERFLOW;
	if (want <= buf->capacity)
		return 0;
	while (capacity < want)
		capacity *= 2;
	data = realloc(buf->data, capacity);
	if (!data)
		return -ENOMEM;
	buf->data = data;
	buf->capacity = capacity;
	return 0;
}

static int buf_put(struct byte_buf *buf, const void *bytes, size_t size)
{
	int err = buf_reserve(buf, size);

	if (err)
		return err;
	memcpy(buf->data + buf->size, bytes, size);
	buf->size += size;
	return 0;
}

static int buf_put_uleb(struct byte_buf *buf, uint64_t value)
{
	unsigned char bytes[10];
	size_t n = 0;

	do {
		bytes[n] = value & 0x7f;
		value >>= 7;
		if (value)
			bytes[n] |= 0x80;
		n++;
	} while (value);
	return buf_put(buf, bytes, n);
}

/* The string table, with a hash of offsets for deduplication. */
struct strtab {
	struct byte_buf bytes;
	uint32_t *slots;		/* offset+1, 0 = empty */
	size_t nr_slots;
	size_t nr_strings;
};

static uint64_t hash_string(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static int strtab_grow(struct strtab *tab)
{
	size_t nr_slots = tab->nr_slots ? tab->nr_slots * 2 : 1024;
	uint32_t *slots = calloc(nr_slots, sizeof(*slots));
	size_t i;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < tab->nr_slots; i++) {
		uint32_t off = tab->slots[i];
		size_t j;

		if (!off)
			continue;
		j = hash_string((char *)tab->bytes.data + off - 1) & (nr_slots - 1);
		while (slots[j])
			j = (j + 1) & (nr_slots - 1);
		slots[j] = off;
	}
	free(tab->slots);
	tab->slots = slots;
	tab->nr_slots = nr_slots;
	return 0;
}

/* Offset of @s in the table, adding it if new; NULL and "" are offset 0. */
static int strtab_add(struct strtab *tab, const char *s, uint64_t *offset)
{
	size_t len, j;
	int err;

	if (!s || !*s) {
		*offset = 0;
		return 0;
	}
	if (2 * (tab->nr_strings + 1) > tab->nr_slots) {
		err = strtab_grow(tab);
		if (err)
			return err;
	}
	j = hash_string(s) & (tab->nr_slots - 1);
	while (tab->slots[j]) {
		uint32_t off = tab->slots[j] - 1;

		if (!strcmp((char *)tab->bytes.data + off, s)) {
			*offset = off;
			return 0;
		}
		j = (j + 1) & (tab->nr_slots - 1);
	}
	len = strlen(s) + 1;
	if (tab->bytes.size + len >= UINT32_MAX)
		return -EOVERFLOW;
	*offset = tab->bytes.size;
	err = buf_put(&tab->bytes, s, len);
	if (err)
		return err;
	tab->slots[j] = (uint32_t)*offset + 1;
	tab->nr_strings++;
	return 0;
}

struct encoder {
	struct strtab strtab;
	struct byte_buf records;
	struct byte_buf payload;	/* the record being built */
};

static int put_num(struct encoder *enc, uint64_t value)
{
	return buf_put_uleb(&enc->payload, value);
}

static int put_str(struct encoder *enc, const char *s)
{
	uint64_t offset;
	int err = strtab_add(&enc->strtab, s, &offset);

	return err ? err : put_num(enc, offset);
}

/* Append the payload built so far as a record with @tag. */
static int end_record(struct encoder *enc, unsigned int tag)
{
	int err;

	err = buf_put_uleb(&enc->records, tag);
	if (!err)
		err = buf_put_uleb(&enc->records, enc->payload.size);
	if (!err)
		err = buf_put(&enc->records, enc->payload.data, enc->payload.size);
	enc->payload.size = 0;
	return err;
}

static int encode_unit(struct encoder *enc, const struct klp_unit *unit)
{
	int err;

	if ((err = put_str(enc, unit->source)) ||
	    (err = put_str(enc, unit->producer)) ||
	    (err = put_num(enc, unit->flags)))
		return err;
	return end_record(enc, KLP_PARTITION_UNIT);
}

static int encode_origin(struct encoder *enc, const struct klp_origin *origin)
{
	int err;

	if ((err = put_str(enc, origin->name)) ||
	    (err = put_str(enc, origin->file)) ||
	    (err = put_num(enc, origin->line)) ||
	    (err = put_str(enc, origin->section)) ||
	    (err = put_num(enc, origin->flags)) ||
	    (err = put_num(enc, origin->end_line)))
		return err;
	return end_record(enc, KLP_PARTITION_ORIGIN);
}

static int encode_func(struct encoder *enc, const struct klp_unit *unit,
		       size_t index)
{
	const struct klp_func_record *func = &unit->funcs[index];
	unsigned int i;
	int err;

	if (func->origin >= unit->nr_origins || func->alias_of > index)
		return -EINVAL;
	if ((err = put_str(enc, func->symbol)) ||
	    (err = put_num(enc, func->origin)) ||
	    (err = put_num(enc, func->flags)) ||
	    (err = put_str(enc, func->section)) ||
	    (err = put_str(enc, func->cold_symbol)) ||
	    (err = put_str(enc, func->cold_section)) ||
	    (err = put_num(enc, func->alias_of)) ||
	    (err = put_num(enc, func->nr_steps)))
		return err;
	for (i = 0; i < func->nr_steps; i++) {
		if ((err = put_num(enc, func->steps[i].kind)) ||
		    (err = put_num(enc, func->steps[i].number)))
			return err;
	}
	if ((err = put_num(enc, func->nr_params)))
		return err;
	for (i = 0; i < func->nr_params; i++) {
		if ((err = put_num(enc, func->params[i].index)) ||
		    (err = put_num(enc, func->params[i].change)) ||
		    (err = put_str(enc, func->params[i].value)))
			return err;
	}
	return end_record(enc, KLP_PARTITION_FUNC);
}

static int encode_inline(struct encoder *enc, const struct klp_unit *unit,
			 size_t index)
{
	const struct klp_inline *inl = &unit->inlines[index];
	int err;

	if (inl->func >= unit->nr_funcs || inl->parent > index ||
	    inl->callee >= unit->nr_origins)
		return -EINVAL;
	if ((err = put_num(enc, inl->func)) ||
	    (err = put_num(enc, inl->parent)) ||
	    (err = put_num(enc, inl->callee)) ||
	    (err = put_str(enc, inl->call_file)) ||
	    (err = put_num(enc, inl->call_line)) ||
	    (err = put_num(enc, inl->flags)))
		return err;
	return end_record(enc, KLP_PARTITION_INLINE);
}

static int encode_call(struct encoder *enc, const struct klp_unit *unit,
		       size_t index)
{
	const struct klp_call *call = &unit->calls[index];
	int err;

	if (call->func >= unit->nr_funcs)
		return -EINVAL;
	if ((err = put_num(enc, call->func)) ||
	    (err = put_str(enc, call->callee)) ||
	    (err = put_str(enc, call->call_file)) ||
	    (err = put_num(enc, call->call_line)) ||
	    (err = put_num(enc, call->flags)))
		return err;
	return end_record(enc, KLP_PARTITION_CALL);
}

static void put_le16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	put_le16(p, v & 0xffff);
	put_le16(p + 2, v >> 16);
}

static int encode_records(struct encoder *enc, const struct klp_unit *unit)
{
	size_t i;
	int err;

	if ((err = encode_unit(enc, unit)))
		return err;
	for (i = 0; i < unit->nr_origins; i++)
		if ((err = encode_origin(enc, &unit->origins[i])))
			return err;
	for (i = 0; i < unit->nr_funcs; i++)
		if ((err = encode_func(enc, unit, i)))
			return err;
	for (i = 0; i < unit->nr_inlines; i++)
		if ((err = encode_inline(enc, unit, i)))
			return err;
	for (i = 0; i < unit->nr_calls; i++)
		if ((err = encode_call(enc, unit, i)))
			return err;
	return 0;
}

int klp_unit__encode(const struct klp_unit *unit, void **data, size_t *size)
{
	struct encoder enc = { 0 };
	unsigned char *block = NULL;
	size_t block_size;
	int err;

	/* Offset 0 is the empty string. */
	err = buf_put(&enc.strtab.bytes, "", 1);
	if (!err)
		err = encode_records(&enc, unit);
	if (err)
		goto out;

	block_size = KLP_PARTITION_HEADER_SIZE + enc.strtab.bytes.size +
		     enc.records.size;
	if (block_size > UINT32_MAX) {
		err = -EOVERFLOW;
		goto out;
	}
	block = malloc(block_size);
	if (!block) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(block, KLP_PARTITION_MAGIC, KLP_PARTITION_MAGIC_SIZE);
	put_le16(block + 4, KLP_PARTITION_VERSION);
	put_le16(block + 6, KLP_PARTITION_HEADER_SIZE);
	put_le32(block + 8, (uint32_t)block_size);
	put_le32(block + 12, (uint32_t)enc.strtab.bytes.size);
	memcpy(block + KLP_PARTITION_HEADER_SIZE, enc.strtab.bytes.data,
	       enc.strtab.bytes.size);
	memcpy(block + KLP_PARTITION_HEADER_SIZE + enc.strtab.bytes.size,
	       enc.records.data, enc.records.size);
	*data = block;
	*size = block_size;
out:
	free(enc.strtab.bytes.data);
	free(enc.strtab.slots);
	free(enc.records.data);
	free(enc.payload.data);
	return err;
}
