// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * x86_decode.c - x86-64 instruction lengths (see x86_decode.h)
 *
 * Written from the opcode maps of the Intel SDM, volume 2, appendix A,
 * for 64-bit mode: per opcode, whether a ModRM byte follows and the
 * size of the immediate.  Checked against objdump over the whole .text
 * of Debian's 6.1 vmlinux (docs/stock-kernels.md).
 */
#include <string.h>

#include "x86_decode.h"

enum {
	M = 0x10,		/* a ModRM byte follows */
	X = 0x20,		/* invalid in 64-bit mode */
	/* immediates */
	I0 = 0, IB = 1, IW = 2, IZ = 3, IV = 4, ENTER = 5, MOFFS = 6,
	REL8 = 7, REL32 = 8, GRP3B = 9, GRP3 = 10,
};

#define IMM(a) ((a) & 0x0f)

/* The one-byte map.  Prefixes (and REX, VEX, EVEX) are taken before. */
static const uint8_t one_byte[256] = {
	/* 00-3f: ALU ops in blocks of 8; 06/07/0e/16/17/1e/1f/27/2f/37/3f invalid */
	[0x00] = M, M, M, M, IB, IZ, X, X, M, M, M, M, IB, IZ, X, 0,
	[0x10] = M, M, M, M, IB, IZ, X, X, M, M, M, M, IB, IZ, X, X,
	[0x20] = M, M, M, M, IB, IZ, 0, X, M, M, M, M, IB, IZ, 0, X,
	[0x30] = M, M, M, M, IB, IZ, 0, X, M, M, M, M, IB, IZ, 0, X,
	/* 40-4f REX (taken before), 50-5f push/pop */
	[0x60] = X, X, X, M, 0, 0, 0, 0, IZ, M | IZ, IB, M | IB, 0, 0, 0, 0,
	[0x70] = REL8, REL8, REL8, REL8, REL8, REL8, REL8, REL8,
		 REL8, REL8, REL8, REL8, REL8, REL8, REL8, REL8,
	[0x80] = M | IB, M | IZ, X, M | IB, M, M, M, M, M, M, M, M, M, M, M, M,
	[0x90] = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, X, 0, 0, 0, 0, 0,
	[0xa0] = MOFFS, MOFFS, MOFFS, MOFFS, 0, 0, 0, 0, IB, IZ, 0, 0, 0, 0, 0, 0,
	[0xb0] = IB, IB, IB, IB, IB, IB, IB, IB, IV, IV, IV, IV, IV, IV, IV, IV,
	[0xc0] = M | IB, M | IB, IW, 0, X, X, M | IB, M | IZ,
		 ENTER, 0, IW, 0, 0, IB, X, 0,
	[0xd0] = M, M, M, M, X, X, X, 0, M, M, M, M, M, M, M, M,
	[0xe0] = REL8, REL8, REL8, REL8, IB, IB, IB, IB,
		 REL32, REL32, X, REL8, 0, 0, 0, 0,
	[0xf0] = 0, 0, 0, 0, 0, 0, M | GRP3B, M | GRP3, 0, 0, 0, 0, 0, 0, M, M,
};

/* The 0f map (legacy encoding). */
static const uint8_t two_byte[256] = {
	[0x00] = M, M, M, M, X, 0, 0, 0, 0, 0, X, 0, X, M, 0, M | IB,
	[0x10] = M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	[0x20] = M, M, M, M, X, X, X, X, M, M, M, M, M, M, M, M,
	[0x30] = 0, 0, 0, 0, 0, 0, X, 0, X, X, X, X, X, X, X, X,
	[0x40] = M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	[0x50] = M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	[0x60] = M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	[0x70] = M | IB, M | IB, M | IB, M | IB, M, M, M, 0,
		 M, M, X, X, M, M, M, M,
	[0x80] = REL32, REL32, REL32, REL32, REL32, REL32, REL32, REL32,
		 REL32, REL32, REL32, REL32, REL32, REL32, REL32, REL32,
	[0x90] = M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	[0xa0] = 0, 0, 0, M, M | IB, M, X, X, 0, 0, 0, M, M | IB, M, M, M,
	[0xb0] = M, M, M, M, M, M, M, M, M, M, M | IB, M, M, M, M, M,
	[0xc0] = M, M, M | IB, M, M | IB, M | IB, M | IB, M,
		 0, 0, 0, 0, 0, 0, 0, 0,
	[0xd0] = M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	[0xe0] = M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	[0xf0] = M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
};

/* Map 1 opcodes that take an imm8 under VEX/EVEX too. */
static bool vex_map1_imm8(uint8_t op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 ||
	       (op >= 0xc4 && op <= 0xc6);
}

static unsigned int imm_size(unsigned int imm, bool opsize16, bool rex_w,
			     bool addr32, uint8_t modrm)
{
	switch (imm) {
	case IB: case REL8:	return 1;
	case IW:		return 2;
	case IZ:		return opsize16 ? 2 : 4;
	case IV:		return rex_w ? 8 : opsize16 ? 2 : 4;
	case ENTER:		return 3;
	case MOFFS:		return addr32 ? 4 : 8;
	case REL32:		return 4;
	case GRP3B:		/* f6 /0 and /1: test with an immediate */
		return ((modrm >> 3) & 7) < 2 ? 1 : 0;
	case GRP3:		/* f7 /0 and /1 */
		return ((modrm >> 3) & 7) < 2 ? (opsize16 ? 2 : 4) : 0;
	}
	return 0;
}

/* ModRM, SIB and displacement bytes after the opcode. */
static bool modrm_size(const uint8_t *p, size_t left, unsigned int *len,
		       bool *rip, int32_t *disp_at)
{
	uint8_t modrm, mod, rm;

	if (left < 1)
		return false;
	modrm = p[0];
	mod = modrm >> 6;
	rm = modrm & 7;
	*len = 1;
	*rip = false;
	*disp_at = -1;
	if (mod == 3)
		return true;
	if (rm == 4) {
		if (left < 2)
			return false;
		(*len)++;
		if (mod == 0 && (p[1] & 7) == 5) {
			*disp_at = (int32_t)*len;
			*len += 4;
			return true;
		}
	} else if (mod == 0 && rm == 5) {
		*rip = true;
		*disp_at = 1;
		*len += 4;
		return true;
	}
	if (mod == 1)
		*len += 1;
	else if (mod == 2)
		*len += 4;
	return true;
}

static int32_t read_s32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return (int32_t)v;
}

bool x86_decode(const uint8_t *code, size_t size, struct x86_insn *insn)
{
	const uint8_t *p = code, *end = code + size;
	bool opsize16 = false, addr32 = false, rex_w = false;
	unsigned int attr, map = 0, mlen = 0, ilen;
	int32_t disp_at = -1;
	bool rip = false;
	uint8_t op, modrm = 0;

	memset(insn, 0, sizeof(*insn));
	/* Legacy prefixes, then at most one REX right before the opcode. */
	for (; p < end && p - code < 15; p++) {
		if (*p == 0x66)
			opsize16 = true;
		else if (*p == 0x67)
			addr32 = true;
		else if (*p != 0xf0 && *p != 0xf2 && *p != 0xf3 &&
			 *p != 0x2e && *p != 0x3e && *p != 0x26 &&
			 *p != 0x36 && *p != 0x64 && *p != 0x65)
			break;
	}
	if (p < end && (*p & 0xf0) == 0x40) {
		rex_w = *p & 8;
		p++;
	}
	if (p >= end)
		return false;

	op = *p++;
	if (op == 0xc5 || op == 0xc4 || op == 0x62) {
		/* VEX2: c5 RvvvvLpp; VEX3: c4 RXBmmmmm WvvvvLpp; EVEX: 62 P0 P1 P2 */
		unsigned int extra = op == 0xc5 ? 1 : op == 0xc4 ? 2 : 3;

		if (end - p < (ptrdiff_t)extra + 1)
			return false;
		map = op == 0xc5 ? 1 : op == 0xc4 ? (p[0] & 0x1f) : (p[0] & 0x07);
		if (map < 1 || map > 3)
			return false;
		p += extra;
		op = *p++;
		attr = M | (map == 3 || (map == 1 && vex_map1_imm8(op)) ? IB : 0);
		/* vzeroupper, vzeroall (VEX only): no ModRM */
		if (map == 1 && op == 0x77 && extra < 3)
			attr = 0;
	} else if (op == 0x0f) {
		if (p >= end)
			return false;
		op = *p++;
		if (op == 0x38 || op == 0x3a) {
			map = op == 0x38 ? 2 : 3;
			if (p >= end)
				return false;
			op = *p++;
			attr = M | (map == 3 ? IB : 0);
		} else {
			map = 1;
			attr = two_byte[op];
		}
	} else {
		attr = one_byte[op];
	}
	if (attr & X)
		return false;

	if (attr & M) {
		if (!modrm_size(p, (size_t)(end - p), &mlen, &rip, &disp_at))
			return false;
		modrm = p[0];
		if (rip && (size_t)(end - p) >= 5)
			insn->disp = read_s32(p + 1);
	}
	ilen = imm_size(IMM(attr), opsize16, rex_w, addr32, modrm);
	if ((size_t)(end - p) < mlen + ilen)
		return false;
	p += mlen;

	insn->opcode = op;
	insn->map = (uint8_t)map;
	insn->rip_relative = rip;
	if (IMM(attr) == REL32 || IMM(attr) == REL8) {
		insn->rel = IMM(attr) == REL32 ? read_s32(p) : (int8_t)p[0];
		if (map == 1)
			insn->branch = X86_JCC;
		else if (op == 0xe8)
			insn->branch = X86_CALL;
		else if (op == 0xe9 || op == 0xeb)
			insn->branch = X86_JMP;
		else
			insn->branch = X86_JCC;
	}
	p += ilen;
	insn->length = (unsigned int)(p - code);
	return true;
}
