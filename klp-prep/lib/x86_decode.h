/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_decode.h - the length of one x86-64 instruction, and its branch
 * target or RIP-relative operand
 *
 * Enough of the encoding to walk a function instruction by instruction
 * (legacy prefixes, REX, the one-, two- and three-byte opcode maps, VEX
 * and EVEX), for the caller graph of coverage.c: the assembler resolves
 * calls, jumps and RIP-relative operands between code of one section
 * without a relocation, so the bytes are the only complete record of
 * them.  Not a disassembler: it does not name instructions.
 */
#ifndef KLP_LIB_X86_DECODE_H
#define KLP_LIB_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_branch {
	X86_NONE,
	X86_CALL,		/* e8 rel32 */
	X86_JMP,		/* e9 rel32, eb rel8 */
	X86_JCC,		/* 0f 8x rel32, 7x rel8, e0-e3 rel8 */
};

struct x86_insn {
	unsigned int length;
	enum x86_branch branch;
	int64_t rel;		/* branch displacement, from the next insn */
	bool rip_relative;	/* a ModRM memory operand disp32(%rip) */
	int32_t disp;		/* its displacement, from the next insn */
	uint8_t opcode;		/* the last opcode byte */
	uint8_t map;		/* 0: one-byte, 1: 0f, 2: 0f 38, 3: 0f 3a */
};

/*
 * Decode the instruction at @code (@size bytes left).  False for an
 * opcode invalid in 64-bit mode or an instruction that runs past @size:
 * the walk has lost the instruction boundaries.
 */
bool x86_decode(const uint8_t *code, size_t size, struct x86_insn *insn);

#endif /* KLP_LIB_X86_DECODE_H */
