/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * records.h - the partition records of one compilation unit, in memory
 *
 * One struct klp_unit is one block of the .klp_prep.partition section
 * (include/klp_partition.h).  The GCC plugin fills one and encodes it; the
 * reader decodes blocks back into them.  Field meanings are those of the
 * on-disk records; strings that the format allows to be empty are NULL
 * when absent.  Indexes refer to the arrays of the same unit.
 */
#ifndef KLP_PREP_RECORDS_H
#define KLP_PREP_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include <klp_partition.h>
#include <klp_prep/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct klp_origin {
	const char *name;		/* assembler name of the source function */
	const char *file;
	unsigned int line;
	const char *section;		/* section attribute, or NULL */
	unsigned int flags;		/* KLP_ORIGIN_F_* */
	unsigned int end_line;		/* last line of the definition, 0 = unknown */
};

struct klp_step {
	unsigned int kind;		/* enum klp_partition_step */
	unsigned int number;
};

struct klp_param {
	unsigned int index;		/* in the origin's parameter list */
	unsigned int change;		/* enum klp_partition_param_change */
	const char *value;		/* constant, or NULL */
};

struct klp_func_record {
	const char *symbol;
	unsigned int origin;		/* index into unit->origins */
	unsigned int flags;		/* KLP_FUNC_F_* */
	const char *section;		/* hot/only part, NULL if not emitted */
	const char *cold_symbol;	/* NULL unless KLP_FUNC_F_COLD_SPLIT */
	const char *cold_section;
	unsigned int alias_of;		/* index+1 into unit->funcs, 0 = none */
	struct klp_step *steps;
	unsigned int nr_steps;
	struct klp_param *params;
	unsigned int nr_params;
};

struct klp_inline {
	unsigned int func;		/* index into unit->funcs: outermost body */
	unsigned int parent;		/* index+1 into unit->inlines, 0 = none */
	unsigned int callee;		/* index into unit->origins */
	const char *call_file;
	unsigned int call_line;
	unsigned int flags;		/* KLP_INLINE_F_* */
};

struct klp_call {
	unsigned int func;		/* index into unit->funcs: the caller */
	const char *callee;		/* symbol of the called clone */
	const char *call_file;
	unsigned int call_line;
	unsigned int flags;		/* KLP_CALL_F_* */
};

struct klp_unit {
	const char *source;
	const char *producer;
	unsigned int flags;		/* KLP_UNIT_F_* */

	struct klp_origin *origins;
	size_t nr_origins;
	struct klp_func_record *funcs;
	size_t nr_funcs;
	struct klp_inline *inlines;
	size_t nr_inlines;
	struct klp_call *calls;
	size_t nr_calls;

	/* Where the block was; set by the decoder, ignored by the encoder. */
	size_t block_offset;		/* in its section */
	size_t block_size;
	size_t strtab_size;
};

/*
 * Encode @unit as one section block.  On success *@data is a malloc'd
 * buffer of *@size bytes that the caller frees.  Returns 0, -EINVAL when an
 * index in @unit is out of range (or refers forward), -EOVERFLOW when the
 * block would exceed the format's 32-bit sizes, -ENOMEM.
 */
KLP_API
int klp_unit__encode(const struct klp_unit *unit, void **data, size_t *size);

/*
 * What the decoder found wrong: the block (its offset in the section), the
 * offset of the offending bytes in the section, and a sentence without the
 * file name, which the caller knows and prepends.
 */
struct klp_decode_error {
	size_t block;
	size_t offset;
	char message[192];
};

/*
 * Decode the block at or after *@offset of the section contents @data
 * (@size bytes; NULL if 0), skipping zero padding before it.  On success *@unit is
 * one allocation holding the unit, its record arrays and its strings (free
 * it with klp_unit__free()), and *@offset is just past the block; at the
 * end of the section *@unit is NULL.  Returns 0, -EBADMSG when the block
 * is malformed, -EPROTONOSUPPORT for a format version this reader does not
 * know, -ENOMEM; @err (may be NULL) says what and where.
 */
KLP_API
int klp_unit__decode(const void *data, size_t size, size_t *offset,
		     struct klp_unit **unit, struct klp_decode_error *err);

/*
 * Decode every block of a section.  *@units is a malloc'd array of
 * *@nr_units units; free it with klp_units__free().  An empty section, or
 * one of nothing but padding, is -ENODATA: a section holds at least one
 * unit.  Other errors as klp_unit__decode(); on error nothing is returned.
 */
KLP_API
int klp_partition__decode(const void *data, size_t size,
			  struct klp_unit ***units, size_t *nr_units,
			  struct klp_decode_error *err);

/* Free a decoded unit (not one built by hand); NULL is fine. */
KLP_API void klp_unit__free(struct klp_unit *unit);
KLP_API void klp_units__free(struct klp_unit **units, size_t nr_units);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_RECORDS_H */
