/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klp_partition.h - on-disk format of the .klp_prep.partition ELF section
 *
 * This is the one definition of the format.  The GCC plugin writes it, the
 * klp-prep library reads it, and the kernel-support series carries a copy
 * (include/linux/klp_partition.h, checked identical by the test suite) for
 * the linker scripts.  docs/partition-format.md explains it in prose.
 *
 * Layout.  The section is a sequence of blocks, one per compilation unit.
 * `ld -r` and final links concatenate the blocks of their inputs, so each
 * block is self-delimiting.  The section is emitted with alignment 1; a
 * reader nevertheless skips zero bytes between blocks, in case a linker
 * pads.  All multi-byte header fields are little-endian; nothing in the
 * section is aligned.
 *
 *   block   := header strtab record*
 *   header  := struct klp_partition_header (KLP_PARTITION_HEADER_SIZE bytes)
 *   strtab  := header.strtab_size bytes: "\0" string "\0" string "\0" ...
 *   record  := tag:uleb128 size:uleb128 payload[size]
 *
 * Records fill the rest of the block (header.block_size covers the header,
 * the string table and the records).  A reader skips a record whose tag it
 * does not know, and ignores payload bytes past the fields it knows, so new
 * fields can be appended within the same major version.
 *
 * Payload fields are unsigned LEB128 numbers.  A "str" field is an offset
 * into the block's string table; 0 is the empty string, meaning "none".  An
 * "index" field counts records of one tag within the block, from 0, in the
 * order they appear; "index+1" fields use 0 for "none".  A record refers
 * only to records that precede it.
 */
#ifndef KLP_PARTITION_H
#define KLP_PARTITION_H

/* The section, for C and for (preprocessed) linker scripts. */
#define KLP_PARTITION_SECTION_NAME	".klp_prep.partition"

/*
 * A linker-script statement that keeps the section, non-allocated, in
 * vmlinux and modules (for ELF_DETAILS in vmlinux.lds.h and module.lds.S).
 */
#define KLP_PARTITION_LDS_ENTRY \
	.klp_prep.partition 0 : { KEEP(*(.klp_prep.partition)) }

#ifndef __ASSEMBLY__

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define KLP_PARTITION_MAGIC		"KLPp"
#define KLP_PARTITION_MAGIC_SIZE	4
#define KLP_PARTITION_VERSION		1
#define KLP_PARTITION_HEADER_SIZE	16

/*
 * Block header.  Documentation of the byte layout: decode it field by field
 * as little-endian, do not cast section bytes to it (they are unaligned).
 */
struct klp_partition_header {
	uint8_t  magic[KLP_PARTITION_MAGIC_SIZE];	/* KLP_PARTITION_MAGIC */
	uint16_t version;	/* KLP_PARTITION_VERSION; others are refused */
	uint16_t header_size;	/* >= KLP_PARTITION_HEADER_SIZE; rest skipped */
	uint32_t block_size;	/* header + strtab + records, in bytes */
	uint32_t strtab_size;	/* string table, right after the header */
};

enum klp_partition_tag {
	/*
	 * UNIT: once, first.  The compilation unit.
	 *   str   source	main input file, as given to the compiler
	 *   str   producer	"GCC 12.2.0"
	 *   uleb  flags	KLP_UNIT_F_*
	 */
	KLP_PARTITION_UNIT = 1,

	/*
	 * ORIGIN: a function as written in the source.  Every FUNC and INLINE
	 * record names one.
	 *   str   name		its assembler name (what `nm` would show had it
	 *			been emitted unchanged), without a leading '*'
	 *   str   file		source file of its definition
	 *   uleb  line		line of its definition
	 *   str   section	section named by a section attribute ("" if
	 *			none), e.g. ".init.text", ".noinstr.text"
	 *   uleb  flags	KLP_ORIGIN_F_*
	 *   uleb  end_line	last line of its definition (0 = unknown),
	 *			so a diff's line ranges map to functions
	 */
	KLP_PARTITION_ORIGIN = 2,

	/*
	 * FUNC: a function body GCC had in this unit: an emitted symbol, or
	 * a body that was never emitted on its own (inlined everywhere,
	 * replaced by its clones, removed).
	 *   str   symbol	the symbol name, e.g. "foo.constprop.0.isra.0"
	 *   uleb  origin	ORIGIN index
	 *   uleb  flags	KLP_FUNC_F_*
	 *   str   section	section of the hot (or only) part
	 *   str   cold_symbol	"foo.cold" when hot/cold split, else ""
	 *   str   cold_section	section of the cold part, else ""
	 *   uleb  alias_of	for an alias: FUNC index+1 of its target, else 0
	 *   uleb  nr_steps	then nr_steps of:
	 *     uleb kind	KLP_STEP_* (one per name suffix, in name order)
	 *     uleb number	the suffix number (0 for .cold/.localalias)
	 *   uleb  nr_params	then nr_params of (what IPA did to a parameter):
	 *     uleb index	parameter index in the origin, from 0
	 *     uleb change	KLP_PARAM_*
	 *     str  value	the constant (KLP_PARAM_CONSTANT), else ""
	 */
	KLP_PARTITION_FUNC = 3,

	/*
	 * INLINE: one inlined copy of a function body inside another body.
	 *   uleb  func		FUNC index of the body the copy is in (for
	 *			nested copies, the outermost body)
	 *   uleb  parent	INLINE index+1 of the copy this one is nested
	 *			in, 0 if directly in func's own code
	 *   uleb  callee	ORIGIN index of the inlined function
	 *   str   call_file	file of the call site
	 *   uleb  call_line	line of the call site
	 *   uleb  flags	KLP_INLINE_F_*
	 */
	KLP_PARTITION_INLINE = 4,

	/*
	 * CALL: a direct call (or tail call) from a body to a clone, e.g.
	 * bar calling foo.isra.0.  Calls to unchanged functions are not
	 * recorded.
	 *   uleb  func		FUNC index of the caller
	 *   str   callee	symbol name of the called clone
	 *   str   call_file	file of the call site
	 *   uleb  call_line	line of the call site
	 *   uleb  flags	KLP_CALL_F_*
	 */
	KLP_PARTITION_CALL = 5,
};

/* UNIT flags */
#define KLP_UNIT_F_LTO			(1u << 0) /* written by lto1 */
#define KLP_UNIT_F_FUNCTION_SECTIONS	(1u << 1) /* -ffunction-sections */
#define KLP_UNIT_F_PARTITIONING		(1u << 2) /* -freorder-blocks-and-partition */
#define KLP_UNIT_F_LIVE_PATCHING	(1u << 3) /* -flive-patching=... */

/* ORIGIN flags */
#define KLP_ORIGIN_F_PUBLIC		(1u << 0) /* external linkage */
#define KLP_ORIGIN_F_DECLARED_INLINE	(1u << 1) /* "inline" in the source */
#define KLP_ORIGIN_F_NOINLINE		(1u << 2) /* __attribute__((noinline)) */
#define KLP_ORIGIN_F_NOTRACE		(1u << 3) /* no_instrument_function */
#define KLP_ORIGIN_F_COLD		(1u << 4) /* __attribute__((cold)) */
#define KLP_ORIGIN_F_DEFINED		(1u << 5) /* defined in this unit */

/* FUNC flags */
#define KLP_FUNC_F_EMITTED		(1u << 0) /* has a symbol in this unit */
#define KLP_FUNC_F_PUBLIC		(1u << 1) /* the symbol is global */
#define KLP_FUNC_F_PART			(1u << 2) /* .part: ipa-split tail */
#define KLP_FUNC_F_ISRA			(1u << 3) /* .isra: IPA-SRA clone */
#define KLP_FUNC_F_CONSTPROP		(1u << 4) /* .constprop: IPA-CP clone */
#define KLP_FUNC_F_ALIAS		(1u << 5) /* alias, see alias_of */
#define KLP_FUNC_F_LTO_PRIV		(1u << 6) /* .lto_priv: LTO promoted */
#define KLP_FUNC_F_COLD_SPLIT		(1u << 7) /* has a cold_symbol */
#define KLP_FUNC_F_RETURN_DROPPED	(1u << 8) /* IPA-SRA removed the return */
#define KLP_FUNC_F_OTHER_CLONE		(1u << 9) /* another kind of clone */
#define KLP_FUNC_F_FENTRY		(1u << 10) /* instrumented (fentry/mcount) */

/* FUNC steps: the suffixes of a symbol name, in order. */
enum klp_partition_step {
	KLP_STEP_PART = 1,		/* .part.N */
	KLP_STEP_ISRA = 2,		/* .isra.N */
	KLP_STEP_CONSTPROP = 3,		/* .constprop.N */
	KLP_STEP_LOCALALIAS = 4,	/* .localalias */
	KLP_STEP_LTO_PRIV = 5,		/* .lto_priv.N */
	KLP_STEP_COLD = 6,		/* .cold (only in cold_symbol names) */
	KLP_STEP_OTHER = 7,		/* any other GCC clone suffix */
};

/* FUNC parameter changes. */
enum klp_partition_param_change {
	KLP_PARAM_REMOVED = 1,		/* IPA-SRA or IPA-CP dropped it */
	KLP_PARAM_SPLIT = 2,		/* IPA-SRA passes pieces of it */
	KLP_PARAM_CONSTANT = 3,		/* IPA-CP: always value */
};

/* INLINE flags */
#define KLP_INLINE_F_EARLY		(1u << 0) /* by the early inliner */
#define KLP_INLINE_F_NO_CODE		(1u << 1) /* decided, no code left */

/* CALL flags */
#define KLP_CALL_F_TAIL			(1u << 0) /* sibling call (jmp) */

#endif /* !__ASSEMBLY__ */

#endif /* KLP_PARTITION_H */
