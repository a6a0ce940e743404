// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * coverage.c - the caller graph of a linked kernel and the covering
 * callers of its split-off parts (see klp_prep/coverage.h and
 * docs/stock-kernels.md)
 *
 * The graph is read from four places:
 * - the instructions of every executable section, walked function by
 *   function (x86_decode.c): direct calls and jumps, and RIP-relative
 *   operands, whose targets the assembler resolves without a relocation
 *   when both ends are in one section of one unit;
 * - the absolute relocations of those sections (mov $foo, ...);
 * - the static-key, exception-fixup and alternatives tables, which move
 *   control where no instruction of the file branches;
 * - the relocations of the allocated data sections: function pointers,
 *   and __ksymtab*, the exports.  Tables that record code addresses for
 *   tools and never call through them (ORC, ftrace's __mcount_loc, the
 *   bug table, ...) are left out by name.
 * Code between function symbols (assembly without a size) is scanned
 * byte by byte for rel32 and rel8 branches: a false branch only adds a
 * caller, so the answer stays on the safe side.
 *
 * An object (ET_REL: a module's .ko, a unit's .o) has no addresses: each
 * allocated section gets a base of its own (layout_sections()), and a
 * symbol's address is its section's base plus st_value.  Its branches to
 * other sections and to global symbols are relocations on the rel32
 * field, whose bytes are zero: the target is S + A + (end of the
 * instruction - the field), the relocation's, not the bytes'.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include <klp_prep/coverage.h>

#include "array.h"
#include "log.h"
#include "x86_decode.h"

enum edge_kind {
	EDGE_CALL,	/* call: a return address into the caller */
	EDGE_JUMP,	/* jmp or jcc: runs in the jumper's frame */
	EDGE_REF,	/* any other reference: an address taken */
	EDGE_EXPORT,	/* a __ksymtab entry */
};

struct edge {
	uint64_t site;
	const char *section;	/* of the site */
	uint32_t to;		/* function index */
	int32_t from;		/* function index, -1: code in no function */
	uint8_t kind;
	uint8_t length;		/* of a call instruction, 0 if not known */
	bool mid;		/* to the middle, not the entry */
};

enum {
	FUNC_PATCHABLE	= 1 << 0,	/* __fentry__ call at entry */
	FUNC_INIT	= 1 << 1,	/* .init.text, .exit.text */
	FUNC_COLD	= 1 << 2,
};

struct func {
	uint64_t start, end;
	const struct klp_symbol *sym;	/* the first of its aliases */
	int32_t parent;			/* of a .cold part, by name; -1 */
	uint32_t flags;
	uint32_t first_edge, nr_edges;	/* incoming, in cov->edges */
};

/* A named code address, for naming sites in no function. */
struct label {
	uint64_t addr;
	const char *name;
};

struct range {
	uint64_t start, end;
};

/* A PC-relative relocation in the code section being walked (objects). */
struct code_reloc {
	uint64_t site;			/* of the field */
	struct klp_reloc rel;
	bool used;			/* read with its instruction */
};

struct klp_coverage {
	const struct klp_elf *elf;
	const char *path;
	struct func *funcs;
	size_t nr_funcs, cap_funcs;
	struct edge *edges;
	size_t nr_edges, cap_edges;
	struct label *labels;
	size_t nr_labels, cap_labels;
	struct range skip[8];		/* data ranges that never call */
	size_t nr_skip;
	uint64_t fentry;
	size_t nr_parts, undecodable, patchable;
	size_t *parts;			/* function indexes */
	/* objects only: */
	uint64_t *base;			/* by section index: its synthetic address */
	size_t nr_sections;
	struct code_reloc *crels;	/* of the code section being walked */
	size_t nr_crels, cap_crels;
	uint64_t *mcount;		/* __mcount_loc entries: __fentry__ sites */
	size_t nr_mcount, cap_mcount;
};

/* ---- addresses ---------------------------------------------------------- */

static bool is_object(const struct klp_coverage *cov)
{
	return cov->base;
}

static uint64_t section_base(const struct klp_coverage *cov,
			     const struct klp_section *sec)
{
	return is_object(cov) ? cov->base[sec->index] : sec->addr;
}

/* st_value, or in an object its section's base + st_value */
static uint64_t sym_addr(const struct klp_coverage *cov,
			 const struct klp_symbol *sym)
{
	if (!is_object(cov) || sym->shndx == SHN_UNDEF ||
	    sym->shndx >= cov->nr_sections)
		return sym->value;
	return cov->base[sym->shndx] + sym->value;
}

/* Where relocation @rel of section @sec applies. */
static uint64_t reloc_site(const struct klp_coverage *cov,
			   const struct klp_section *sec,
			   const struct klp_reloc *rel)
{
	return is_object(cov) ? cov->base[sec->index] + rel->offset :
				rel->offset;
}

/*
 * Lay an object's allocated sections out one after another, in section
 * header order, each on a 4 KiB boundary from 0x100000: deterministic,
 * no two overlap, and a section's offsets stay readable in the low bits.
 */
static int layout_sections(struct klp_coverage *cov)
{
	const struct klp_section *sec;
	uint64_t next = 0x100000;
	size_t i;

	cov->nr_sections = klp_elf__nr_sections(cov->elf);
	cov->base = calloc(cov->nr_sections ? cov->nr_sections : 1,
			   sizeof(*cov->base));
	if (!cov->base)
		return -ENOMEM;
	klp_elf__for_each_section(cov->elf, i, sec) {
		if (!(sec->flags & SHF_ALLOC) || sec->index >= cov->nr_sections)
			continue;
		cov->base[sec->index] = next;
		next = (next + sec->size + 0x1fff) & ~(uint64_t)0xfff;
	}
	return 0;
}


static int compare_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* qsort() of an empty array: its pointer may be NULL, which qsort() forbids */
static void sort(void *base, size_t nr, size_t size,
		 int (*compare)(const void *, const void *))
{
	if (nr > 1)
		qsort(base, nr, size, compare);
}

/* ---- names -------------------------------------------------------------- */

static bool suffix_at(const char *name, const char *suffix, const char **at)
{
	const char *p = NULL, *q = name;

	while ((q = strstr(q, suffix))) {
		p = q;
		q += strlen(suffix);
	}
	if (at)
		*at = p;
	return p;
}

/* ".cold" at the end, or ".cold.N" */
static const char *cold_suffix(const char *name)
{
	const char *p;

	if (!suffix_at(name, ".cold", &p))
		return NULL;
	if (!p[5])
		return p;
	if (p[5] == '.' && p[6] >= '0' && p[6] <= '9')
		return p;
	return NULL;
}

enum klp_part_kind klp_part_kind(const char *name)
{
	const char *part, *isra, *constprop;

	if (cold_suffix(name))
		return KLP_PART_COLD;
	suffix_at(name, ".part.", &part);
	suffix_at(name, ".isra.", &isra);
	suffix_at(name, ".constprop.", &constprop);
	/* The last suffix is the last transformation. */
	if (part && part > (isra ? isra : name) &&
	    part > (constprop ? constprop : name))
		return KLP_PART_PART;
	if (isra && isra > (constprop ? constprop : name))
		return KLP_PART_ISRA;
	if (constprop)
		return KLP_PART_CONSTPROP;
	return KLP_PART_NONE;
}

char *klp_part_origin(const char *name)
{
	char *o = strdup(name), *dot;

	while (o && klp_part_kind(o) != KLP_PART_NONE && (dot = strrchr(o, '.'))) {
		*dot = '\0';
		/* .part.N, .isra.N, .constprop.N: the number went first */
		if ((dot = strrchr(o, '.')) && (!strcmp(dot, ".part") || !strcmp(dot, ".isra") ||
						!strcmp(dot, ".constprop")))
			*dot = '\0';
	}
	return o;
}

const char *klp_part_kind_name(enum klp_part_kind kind)
{
	static const char *const names[] = {
		[KLP_PART_NONE] = "function", [KLP_PART_COLD] = "cold",
		[KLP_PART_PART] = "part", [KLP_PART_ISRA] = "isra",
		[KLP_PART_CONSTPROP] = "constprop",
	};

	return kind <= KLP_PART_CONSTPROP ? names[kind] : "?";
}

const char *klp_coverage_problem_name(enum klp_coverage_problem_kind kind)
{
	static const char *const names[] = {
		[KLP_COV_ADDRESS_TAKEN] = "address_taken",
		[KLP_COV_EXPORTED] = "exported",
		[KLP_COV_UNKNOWN_CODE] = "unknown_code",
		[KLP_COV_TOO_DEEP] = "too_deep",
		[KLP_COV_TOO_MANY] = "too_many_callers",
		[KLP_COV_INIT_CALLER] = "init_caller",
	};

	return kind < KLP_COV_NR_PROBLEMS ? names[kind] : "?";
}

/* ---- functions ---------------------------------------------------------- */

static int compare_funcs(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* aliases: a global name first, then .symtab order */
	if (x->sym->bind != y->sym->bind)
		return x->sym->bind == STB_GLOBAL ? -1 :
		       y->sym->bind == STB_GLOBAL ? 1 : 0;
	return x->sym->sym_index < y->sym->sym_index ? -1 : 1;
}

static int compare_labels(const void *a, const void *b)
{
	const struct label *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The function whose range holds @addr (the innermost of nested ones). */
static long func_at(const struct klp_coverage *cov, uint64_t addr)
{
	size_t lo = 0, hi = cov->nr_funcs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cov->funcs[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0) {
		const struct func *f = &cov->funcs[lo - 1];

		if (addr < f->end)
			return (long)(lo - 1);
		/* an enclosing range starts before a nested one ends */
		if (lo < 2 || cov->funcs[lo - 2].end <= f->start)
			break;
		lo--;
	}
	return -1;
}

/* The first function starting at or after @addr. */
static size_t first_func_from(const struct klp_coverage *cov, uint64_t addr)
{
	size_t lo = 0, hi = cov->nr_funcs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cov->funcs[mid].start < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct label *label_at(const struct klp_coverage *cov,
				    uint64_t addr)
{
	size_t lo = 0, hi = cov->nr_labels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cov->labels[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &cov->labels[lo - 1] : NULL;
}

static bool is_code(const struct klp_section *sec)
{
	return sec && sec->type == SHT_PROGBITS && (sec->flags & SHF_ALLOC) &&
	       (sec->flags & SHF_EXECINSTR);
}

static int read_functions(struct klp_coverage *cov)
{
	const struct klp_symbol *sym;
	size_t i, n;

	klp_elf__for_each_symbol(cov->elf, i, sym) {
		const struct klp_section *sec = klp_elf__section(cov->elf,
								 sym->shndx);

		if (!sym->section || !sec || !(sec->flags & SHF_ALLOC))
			continue;
		/* names for sites: code and data symbols */
		if (sym->type == STT_FUNC || sym->type == STT_NOTYPE ||
		    sym->type == STT_OBJECT) {
			if (array_grow((void **)&cov->labels, &cov->cap_labels,
				       cov->nr_labels + 1, sizeof(*cov->labels)))
				return -ENOMEM;
			cov->labels[cov->nr_labels++] = (struct label){
				sym_addr(cov, sym), sym->name };
		}
		if (!is_code(sec))
			continue;
		if (!strcmp(sym->name, "__fentry__"))
			cov->fentry = sym_addr(cov, sym);
		if (sym->type != STT_FUNC || !sym->size)
			continue;
		if (array_grow((void **)&cov->funcs, &cov->cap_funcs,
			       cov->nr_funcs + 1, sizeof(*cov->funcs)))
			return -ENOMEM;
		cov->funcs[cov->nr_funcs++] = (struct func){
			.start = sym_addr(cov, sym),
			.end = sym_addr(cov, sym) + sym->size,
			.sym = sym, .parent = -1,
		};
	}
	sort(cov->funcs, cov->nr_funcs, sizeof(*cov->funcs), compare_funcs);
	sort(cov->labels, cov->nr_labels, sizeof(*cov->labels),
	      compare_labels);
	/* Aliases are one function: keep the first of each address. */
	for (i = 0, n = 0; i < cov->nr_funcs; i++) {
		if (n && cov->funcs[n - 1].start == cov->funcs[i].start) {
			if (cov->funcs[i].end > cov->funcs[n - 1].end)
				cov->funcs[n - 1].end = cov->funcs[i].end;
			continue;
		}
		cov->funcs[n++] = cov->funcs[i];
	}
	cov->nr_funcs = n;
	return 0;
}

/* foo.cold's parent: foo of the same unit (file group), else the only foo. */
static void find_cold_parents(struct klp_coverage *cov)
{
	size_t i;

	for (i = 0; i < cov->nr_funcs; i++) {
		struct func *f = &cov->funcs[i];
		const struct klp_symbol *sym, *only = NULL, *same = NULL;
		const char *cold = cold_suffix(f->sym->name);
		size_t nr = 0;
		char *name;

		if (!cold)
			continue;
		f->flags |= FUNC_COLD;
		name = strndup(f->sym->name, (size_t)(cold - f->sym->name));
		if (!name)
			continue;
		klp_elf__for_each_symbol_by_name(cov->elf, name, sym) {
			if (sym->type != STT_FUNC)
				continue;
			nr++;
			only = sym;
			if (sym->file == f->sym->file)
				same = sym;
		}
		free(name);
		if (!same && nr == 1)
			same = only;
		if (same) {
			long p = func_at(cov, sym_addr(cov, same));

			if (p >= 0 && cov->funcs[p].start == sym_addr(cov, same))
				f->parent = (int32_t)p;
		}
	}
}

/* ---- edges -------------------------------------------------------------- */

static int add_edge(struct klp_coverage *cov, long from, uint64_t site,
		    const char *section, uint64_t target, enum edge_kind kind,
		    unsigned int length)
{
	long to = func_at(cov, target);
	bool mid;

	if (to < 0 || to == from)
		return 0;
	mid = target != cov->funcs[to].start;
	/* Jumps back from a .cold part into its parent are the parent's own. */
	if (mid && from >= 0 && cov->funcs[from].parent == to &&
	    kind != EDGE_REF)
		return 0;
	if (array_grow((void **)&cov->edges, &cov->cap_edges,
		       cov->nr_edges + 1, sizeof(*cov->edges)))
		return -ENOMEM;
	cov->edges[cov->nr_edges++] = (struct edge){
		.site = site, .section = section, .to = (uint32_t)to,
		.from = (int32_t)from, .kind = (uint8_t)kind,
		.length = (uint8_t)length, .mid = mid,
	};
	return 0;
}

static enum edge_kind branch_kind(enum x86_branch b)
{
	return b == X86_CALL ? EDGE_CALL : EDGE_JUMP;
}

/*
 * The first PC-relative relocation of the walked section in [start, end)
 * (@unread: the first not read yet).
 */
static struct code_reloc *code_reloc_in(struct klp_coverage *cov,
					uint64_t start, uint64_t end,
					bool unread)
{
	size_t lo = 0, hi = cov->nr_crels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cov->crels[mid].site < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < cov->nr_crels && cov->crels[lo].site < end; lo++)
		if (!unread || !cov->crels[lo].used)
			return &cov->crels[lo];
	return NULL;
}

static bool is_fentry(const struct klp_symbol *sym)
{
	return !strcmp(sym->name, "__fentry__");
}

static bool is_got(uint32_t type)
{
	return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
	       type == R_X86_64_REX_GOTPCRELX;
}

/*
 * Where a relocated field points, its instruction unknown: S + A - P is
 * its value, and a rel32 (or a disp32 with no immediate after it) counts
 * from P + 4; a GOT slot holds S.
 */
static uint64_t field_target(const struct klp_coverage *cov,
			     const struct code_reloc *cr)
{
	if (is_got(cr->rel.type))
		return sym_addr(cov, cr->rel.sym);
	return sym_addr(cov, cr->rel.sym) + (uint64_t)cr->rel.addend + 4;
}

/*
 * An object's PC-relative relocations in code whose instruction
 * boundaries are not known: e8 (call), e9 or 0f 8x (jump) before the
 * field is a branch, anything else a reference.
 */
static int scan_relocs(struct klp_coverage *cov, long from,
		       const struct klp_section *sec, const uint8_t *bytes,
		       uint64_t start, uint64_t end)
{
	uint64_t base = section_base(cov, sec);
	struct code_reloc *cr;
	int err;

	if (!is_object(cov))
		return 0;
	while ((cr = code_reloc_in(cov, start, end, true))) {
		const uint8_t *p = bytes + (cr->site - base);
		enum edge_kind kind = EDGE_REF;
		uint64_t site = cr->site;
		unsigned int length = 0;

		cr->used = true;
		if (cr->rel.sym->shndx == SHN_UNDEF)
			continue;
		if (cr->site > start && (p[-1] == 0xe8 || p[-1] == 0xe9)) {
			kind = p[-1] == 0xe8 ? EDGE_CALL : EDGE_JUMP;
			length = 5;
			site--;
		} else if (cr->site > start + 1 && p[-2] == 0x0f &&
			   (p[-1] & 0xf0) == 0x80) {
			kind = EDGE_JUMP;
			site -= 2;
		}
		err = add_edge(cov, from, site, sec->name,
			       field_target(cov, cr), kind, length);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Byte scan of code whose instruction boundaries are not known: every
 * e8/e9/0f 8x rel32 and eb/7x rel8 that lands on a function (rel32 on an
 * entry, rel8 anywhere outside @from) counts.
 */
static int scan_bytes(struct klp_coverage *cov, long from,
		      const struct klp_section *sec, const uint8_t *bytes,
		      uint64_t start, uint64_t end)
{
	uint64_t base = section_base(cov, sec), a;
	int err;

	err = scan_relocs(cov, from, sec, bytes, start, end);
	if (err)
		return err;
	for (a = start; a < end; a++) {
		const uint8_t *p = bytes + (a - base);
		uint64_t left = base + sec->size - a;
		uint64_t target;
		int32_t rel;
		long to;

		/* an object's relocated rel32: scan_relocs() read it */
		if (is_object(cov) &&
		    (code_reloc_in(cov, a + 1, a + 2, false) ||
		     code_reloc_in(cov, a + 2, a + 3, false)))
			continue;
		if ((p[0] == 0xe8 || p[0] == 0xe9) && left >= 5) {
			memcpy(&rel, p + 1, 4);
			target = a + 5 + (int64_t)rel;
			to = func_at(cov, target);
			if (to >= 0 && cov->funcs[to].start == target) {
				err = add_edge(cov, from, a, sec->name, target,
					       p[0] == 0xe8 ? EDGE_CALL :
					       EDGE_JUMP, 5);
				if (err)
					return err;
			}
		} else if (p[0] == 0x0f && left >= 6 &&
			   (p[1] & 0xf0) == 0x80) {
			memcpy(&rel, p + 2, 4);
			target = a + 6 + (int64_t)rel;
			to = func_at(cov, target);
			if (to >= 0 && cov->funcs[to].start == target) {
				err = add_edge(cov, from, a, sec->name, target,
					       EDGE_JUMP, 0);
				if (err)
					return err;
			}
		} else if ((p[0] == 0xeb || (p[0] & 0xf0) == 0x70) &&
			   left >= 2) {
			target = a + 2 + (int64_t)(int8_t)p[1];
			to = func_at(cov, target);
			if (to >= 0 && to != from &&
			    (target < start || target >= end)) {
				err = add_edge(cov, from, a, sec->name, target,
					       EDGE_JUMP, 0);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

/*
 * Where the branch or RIP-relative operand of @insn (its bytes @code, at
 * @a) goes.  In an object, a relocation on its field says so (*@cr, read
 * now): S + A - P is the field's value, the CPU adds the end of the
 * instruction.  Through the GOT (-fpie's call *__fentry__@GOTPCREL(%rip),
 * which ld turns into a direct call), the slot holds S: ff /2 calls S,
 * ff /4 jumps to it (@insn says so from now on), a load takes its address.
 */
static uint64_t insn_target(struct klp_coverage *cov, struct x86_insn *insn,
			    const uint8_t *code, uint64_t a,
			    struct code_reloc **cr)
{
	uint64_t next = a + insn->length;

	*cr = NULL;
	if (insn->branch == X86_NONE && !insn->rip_relative)
		return 0;
	if (is_object(cov) && (*cr = code_reloc_in(cov, a, next, true))) {
		(*cr)->used = true;
		if (is_got((*cr)->rel.type)) {
			uint8_t reg = (code[(*cr)->site - a - 1] >> 3) & 7;

			if (insn->map == 0 && insn->opcode == 0xff && reg == 2)
				insn->branch = X86_CALL;
			else if (insn->map == 0 && insn->opcode == 0xff && reg == 4)
				insn->branch = X86_JMP;
			return sym_addr(cov, (*cr)->rel.sym);
		}
		return sym_addr(cov, (*cr)->rel.sym) +
		       (uint64_t)(*cr)->rel.addend + (next - (*cr)->site);
	}
	return insn->branch != X86_NONE ? next + (uint64_t)insn->rel :
					  next + (uint64_t)(int64_t)insn->disp;
}

/* An object's __mcount_loc names @addr: a __fentry__ call site. */
static bool mcount_site(const struct klp_coverage *cov, uint64_t addr)
{
	size_t lo = 0, hi = cov->nr_mcount;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cov->mcount[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cov->nr_mcount && cov->mcount[lo] == addr;
}

/* Walk one function's instructions; fall back to a byte scan if lost. */
static int walk_function(struct klp_coverage *cov, size_t fi,
			 const struct klp_section *sec, const uint8_t *bytes)
{
	struct func *f = &cov->funcs[fi];
	uint64_t base = section_base(cov, sec), a = f->start;
	bool first = true;
	int err;

	uint64_t end = f->end < base + sec->size ? f->end : base + sec->size;

	while (a < end) {
		struct code_reloc *cr = NULL;
		struct x86_insn insn;
		uint64_t next, target = 0;

		if (!x86_decode(bytes + (a - base), end - a, &insn)) {
			pr_debug(cov->path, "%s+0x%llx: unknown instruction, scanning bytes",
				 f->sym->name,
				 (unsigned long long)(a - f->start));
			cov->undecodable++;
			return scan_bytes(cov, (long)fi, sec, bytes, a, end);
		}
		next = a + insn.length;
		/* endbr64 may come before the __fentry__ call */
		if (first && insn.map == 1 && insn.opcode == 0x1e &&
		    insn.length == 4 && next < end) {
			a = next;
			continue;
		}
		target = insn_target(cov, &insn, bytes + (a - base), a, &cr);
		if (first && ((insn.branch == X86_CALL &&
			       ((cov->fentry && target == cov->fentry) ||
				(cr && is_fentry(cr->rel.sym)))) ||
			      mcount_site(cov, a))) {
			f->flags |= FUNC_PATCHABLE;
			cov->patchable++;
		}
		first = false;
		/* an undefined symbol is outside the file: no function of it */
		if (cr && cr->rel.sym->shndx == SHN_UNDEF) {
			a = next;
			continue;
		}
		if (insn.branch != X86_NONE) {
			err = add_edge(cov, (long)fi, a, sec->name, target,
				       branch_kind(insn.branch), insn.length);
			if (err)
				return err;
		} else if (insn.rip_relative) {
			err = add_edge(cov, (long)fi, a, sec->name, target,
				       EDGE_REF, 0);
			if (err)
				return err;
		}
		a = next;
	}
	return 0;
}

/*
 * Tables whose entries start with two PC32 relocations, a code site and
 * a code address control goes to from there: struct alt_instr (site,
 * replacement), struct jump_entry (the static key's jump and its target),
 * struct exception_table_entry (the faulting instruction and its fixup);
 * in 6.1 and 6.12 alike.  The entries of [@start, @end) of @sec.
 */
struct pair {
	uint64_t site, to;
};

static int compare_pairs(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	return x->to < y->to ? -1 : x->to > y->to;
}

static int compare_relocs(const void *a, const void *b)
{
	const struct klp_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int read_pairs(struct klp_coverage *cov, const struct klp_section *sec,
		      uint64_t start, uint64_t end, struct pair **out,
		      size_t *nr_out)
{
	const struct klp_section *rsec;
	struct klp_reloc *rels = NULL, rel;
	size_t nr_rels = 0, cap_rels = 0, nr = 0, cap = 0, i;
	struct pair *pairs = NULL;

	klp_elf__for_each_reloc_section(cov->elf, sec->index, rsec) {
		klp_elf__for_each_reloc(cov->elf, rsec, i, &rel) {
			if (!rel.sym)
				continue;
			rel.offset = reloc_site(cov, sec, &rel);
			if (rel.offset < start || rel.offset >= end)
				continue;
			if (array_grow((void **)&rels, &cap_rels, nr_rels + 1,
				       sizeof(*rels)))
				goto nomem;
			rels[nr_rels++] = rel;
		}
	}
	sort(rels, nr_rels, sizeof(*rels), compare_relocs);
	for (i = 0; i + 1 < nr_rels; i++) {
		if (rels[i + 1].offset != rels[i].offset + 4)
			continue;
		if (array_grow((void **)&pairs, &cap, nr + 1, sizeof(*pairs)))
			goto nomem;
		pairs[nr++] = (struct pair){
			.site = sym_addr(cov, rels[i].sym) +
				(uint64_t)rels[i].addend,
			.to = sym_addr(cov, rels[i + 1].sym) +
			      (uint64_t)rels[i + 1].addend,
		};
		i++;
	}
	free(rels);
	sort(pairs, nr, sizeof(*pairs), compare_pairs);
	*out = pairs;
	*nr_out = nr;
	return 0;
nomem:
	free(rels);
	free(pairs);
	return -ENOMEM;
}

/* The section holding @addr. */
static const struct klp_section *section_at(const struct klp_coverage *cov,
					    uint64_t addr)
{
	const struct klp_section *sec;
	size_t i;

	klp_elf__for_each_section(cov->elf, i, sec)
		if ((sec->flags & SHF_ALLOC) && addr >= section_base(cov, sec) &&
		    addr < section_base(cov, sec) + sec->size)
			return sec;
	return NULL;
}

/*
 * A static key's jump and an exception's fixup move control within the
 * frame of the function that holds the site: they are that function's
 * jumps, to a .cold part as often as not.
 */
static int read_control_tables(struct klp_coverage *cov)
{
	static const char *const ranges[][3] = {
		{ "__start___jump_table", "__stop___jump_table", "__jump_table" },
		{ "__start___ex_table", "__stop___ex_table", "__ex_table" },
	};
	size_t r, i;
	int err;

	for (r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		const struct klp_symbol *start, *stop;
		const struct klp_section *sec;
		uint64_t from, to;
		struct pair *pairs;
		size_t nr;

		if (is_object(cov)) {
			/* not linked: the table is its own section */
			sec = klp_elf__find_section_by_name(cov->elf,
							    ranges[r][2]);
			if (!sec)
				continue;
			from = section_base(cov, sec);
			to = from + sec->size;
		} else {
			start = klp_elf__find_symbol_by_name(cov->elf,
							     ranges[r][0]);
			stop = klp_elf__find_symbol_by_name(cov->elf,
							    ranges[r][1]);
			if (!start || !stop || stop->value <= start->value ||
			    !(sec = section_at(cov, start->value)))
				continue;
			from = start->value;
			to = stop->value;
		}
		err = read_pairs(cov, sec, from, to, &pairs, &nr);
		if (err)
			return err;
		for (i = 0; i < nr && !err; i++)
			err = add_edge(cov, func_at(cov, pairs[i].site),
				       pairs[i].site, sec->name, pairs[i].to,
				       EDGE_JUMP, 0);
		free(pairs);
		if (err)
			return err;
	}
	return 0;
}

static int walk_replacements(struct klp_coverage *cov,
			     const struct klp_section *sec, const uint8_t *bytes,
			     const struct pair *alts, size_t nr)
{
	size_t i;
	int err;

	for (i = 0; i < nr; i++) {
		uint64_t base = section_base(cov, sec), a = alts[i].to;
		uint64_t end = base + sec->size;
		long from = func_at(cov, alts[i].site);

		if (a < base || a >= end)
			continue;
		if (i + 1 < nr && alts[i + 1].to < end)
			end = alts[i + 1].to;
		while (a < end) {
			struct code_reloc *cr;
			struct x86_insn insn;
			uint64_t target;

			if (!x86_decode(bytes + (a - base), end - a, &insn)) {
				err = scan_bytes(cov, from, sec, bytes, a, end);
				if (err)
					return err;
				break;
			}
			target = insn_target(cov, &insn, bytes + (a - base), a,
					     &cr);
			if (cr && cr->rel.sym->shndx == SHN_UNDEF)
				err = 0;
			else if (insn.branch != X86_NONE)
				err = add_edge(cov, from, a, sec->name, target,
					       branch_kind(insn.branch), 0);
			else if (insn.rip_relative)
				err = add_edge(cov, from, a, sec->name, target,
					       EDGE_REF, 0);
			else
				err = 0;
			if (err)
				return err;
			a += insn.length;
		}
	}
	return 0;
}

static bool is_pc_relative(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 ||
	       is_got(type);
}

static int compare_code_relocs(const void *a, const void *b)
{
	const struct code_reloc *x = a, *y = b;

	return x->site < y->site ? -1 : x->site > y->site;
}

/* An object's PC-relative relocations of code section @sec, by site. */
static int read_code_relocs(struct klp_coverage *cov,
			    const struct klp_section *sec)
{
	const struct klp_section *rsec;
	struct klp_reloc rel;
	size_t i;

	cov->nr_crels = 0;
	if (!is_object(cov))
		return 0;
	klp_elf__for_each_reloc_section(cov->elf, sec->index, rsec) {
		klp_elf__for_each_reloc(cov->elf, rsec, i, &rel) {
			if (!rel.sym || !is_pc_relative(rel.type))
				continue;
			if (array_grow((void **)&cov->crels, &cov->cap_crels,
				       cov->nr_crels + 1, sizeof(*cov->crels)))
				return -ENOMEM;
			cov->crels[cov->nr_crels++] = (struct code_reloc){
				.site = reloc_site(cov, sec, &rel), .rel = rel };
		}
	}
	sort(cov->crels, cov->nr_crels, sizeof(*cov->crels),
	     compare_code_relocs);
	return 0;
}

/*
 * PC-relative relocations of an object's code that no instruction read
 * (inside an instruction the decoder had no field for): references, on
 * the safe side.
 */
static int add_unread_relocs(struct klp_coverage *cov,
			     const struct klp_section *sec)
{
	size_t i;
	int err;

	for (i = 0; i < cov->nr_crels; i++) {
		const struct code_reloc *cr = &cov->crels[i];

		if (cr->used || cr->rel.sym->shndx == SHN_UNDEF)
			continue;
		err = add_edge(cov, func_at(cov, cr->site), cr->site, sec->name,
			       field_target(cov, cr), EDGE_REF, 0);
		if (err)
			return err;
	}
	cov->nr_crels = 0;
	return 0;
}

/*
 * An object's __mcount_loc (and __patchable_function_entries): the
 * __fentry__ call sites, which mark a function ftrace, and so a
 * livepatch, can hook even when the call was made a nop.
 */
static int read_mcount(struct klp_coverage *cov)
{
	static const char *const tables[] = {
		"__mcount_loc", "__patchable_function_entries",
	};
	const struct klp_section *sec, *rsec;
	struct klp_reloc rel;
	size_t t, i;

	if (!is_object(cov))
		return 0;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		sec = klp_elf__find_section_by_name(cov->elf, tables[t]);
		if (!sec)
			continue;
		klp_elf__for_each_reloc_section(cov->elf, sec->index, rsec) {
			klp_elf__for_each_reloc(cov->elf, rsec, i, &rel) {
				if (!rel.sym || rel.sym->shndx == SHN_UNDEF)
					continue;
				if (array_grow((void **)&cov->mcount,
					       &cov->cap_mcount,
					       cov->nr_mcount + 1,
					       sizeof(*cov->mcount)))
					return -ENOMEM;
				cov->mcount[cov->nr_mcount++] =
					sym_addr(cov, rel.sym) +
					(uint64_t)rel.addend;
			}
		}
	}
	sort(cov->mcount, cov->nr_mcount, sizeof(*cov->mcount),
	     compare_u64);
	return 0;
}

static int walk_code(struct klp_coverage *cov)
{
	const struct klp_section *sec;
	const struct klp_section *altinstr;
	struct pair *alts = NULL;
	size_t i, nr_alts = 0, fi = 0;
	int err;

	/* an alternative's replacement runs at the site it replaces */
	altinstr = klp_elf__find_section_by_name(cov->elf, ".altinstructions");
	if (altinstr) {
		err = read_pairs(cov, altinstr, section_base(cov, altinstr),
				 section_base(cov, altinstr) + altinstr->size,
				 &alts, &nr_alts);
		if (err)
			return err;
	}
	klp_elf__for_each_section(cov->elf, i, sec) {
		const uint8_t *bytes;
		uint64_t base = section_base(cov, sec), gap;
		size_t size;

		if (!is_code(sec))
			continue;
		bytes = klp_elf__section_rawdata(cov->elf, sec, &size);
		if (!bytes || size < sec->size)
			continue;
		err = read_code_relocs(cov, sec);
		if (err)
			break;
		if (!strcmp(sec->name, ".altinstr_replacement") && nr_alts) {
			err = walk_replacements(cov, sec, bytes, alts, nr_alts);
			if (!err)
				err = add_unread_relocs(cov, sec);
			if (err)
				break;
			continue;
		}
		/* functions in address order; the gaps between them scanned */
		fi = first_func_from(cov, base);
		gap = base;
		for (; fi < cov->nr_funcs &&
		       cov->funcs[fi].start < base + sec->size; fi++) {
			struct func *f = &cov->funcs[fi];

			if (!strncmp(sec->name, ".init.text", 10) ||
			    !strncmp(sec->name, ".exit.text", 10))
				f->flags |= FUNC_INIT;
			if (f->start > gap) {
				err = scan_bytes(cov, -1, sec, bytes, gap,
						 f->start);
				if (err)
					goto out;
			}
			err = walk_function(cov, fi, sec, bytes);
			if (err)
				goto out;
			if (f->end > gap)
				gap = f->end;
		}
		if (gap < base + sec->size)
			err = scan_bytes(cov, -1, sec, bytes, gap,
					 base + sec->size);
		if (!err)
			err = add_unread_relocs(cov, sec);
		if (err)
			break;
	}
out:
	free(alts);
	return err;
}

/* Tables of code addresses that nothing calls through. */
static const char *const table_sections[] = {
	".orc_unwind_ip", ".orc_unwind", ".orc_header", ".retpoline_sites",
	".return_sites", ".call_sites", ".ibt_endbr_seal", ".cfi_sites",
	".altinstructions", ".parainstructions", ".smp_locks",
	"__bug_table", "__ex_table", ".notes", ".static_call_sites",
	"__jump_table", "__mcount_loc", "__patchable_function_entries",
	"_error_injection_whitelist", "_kprobe_blacklist", ".BTF_ids",
	"__tracepoints_ptrs", ".eh_frame", ".eh_frame_hdr",
};

/* The same tables inside a bigger output section: start/stop symbols. */
static const char *const table_ranges[][2] = {
	{ "__start_mcount_loc", "__stop_mcount_loc" },
	{ "__start___jump_table", "__stop___jump_table" },
	{ "__start_static_call_sites", "__stop_static_call_sites" },
	{ "__start_static_call_tramp_key", "__stop_static_call_tramp_key" },
	{ "__start_kprobe_blacklist", "__stop_kprobe_blacklist" },
	{ "__start_error_injection_whitelist", "__stop_error_injection_whitelist" },
};

static void find_table_ranges(struct klp_coverage *cov)
{
	size_t i;

	for (i = 0; i < sizeof(table_ranges) / sizeof(table_ranges[0]); i++) {
		const struct klp_symbol *start, *stop;

		start = klp_elf__find_symbol_by_name(cov->elf, table_ranges[i][0]);
		stop = klp_elf__find_symbol_by_name(cov->elf, table_ranges[i][1]);
		if (!start || !stop || stop->value <= start->value ||
		    cov->nr_skip == sizeof(cov->skip) / sizeof(cov->skip[0]))
			continue;
		cov->skip[cov->nr_skip++] = (struct range){ start->value,
							    stop->value };
	}
}

static bool is_table(const struct klp_coverage *cov, const char *section,
		     uint64_t addr)
{
	size_t i;

	for (i = 0; i < sizeof(table_sections) / sizeof(table_sections[0]); i++)
		if (!strcmp(section, table_sections[i]))
			return true;
	/* an object's sections the final link throws away */
	if (!strncmp(section, ".discard", 8))
		return true;
	for (i = 0; i < cov->nr_skip; i++)
		if (addr >= cov->skip[i].start && addr < cov->skip[i].end)
			return true;
	return false;
}

static bool is_absolute(uint32_t type)
{
	return type == R_X86_64_64 || type == R_X86_64_32 ||
	       type == R_X86_64_32S;
}

static int read_references(struct klp_coverage *cov)
{
	const struct klp_section *rsec;
	bool have_text_relocs = false;
	size_t i;

	klp_elf__for_each_section(cov->elf, i, rsec) {
		const struct klp_section *to;
		struct klp_reloc rel;
		bool code, exports;
		size_t r;

		if (rsec->type != SHT_RELA && rsec->type != SHT_REL)
			continue;
		to = klp_elf__section(cov->elf, rsec->info);
		if (!to || !(to->flags & SHF_ALLOC))
			continue;
		code = is_code(to);
		if (code && !strcmp(to->name, ".text"))
			have_text_relocs = true;
		if (!code && is_table(cov, to->name, 0))
			continue;
		/* a unit's ___ksymtab+foo becomes __ksymtab in the module */
		exports = (!strncmp(to->name, "__ksymtab", 9) &&
			   strncmp(to->name, "__ksymtab_strings", 17)) ||
			  !strncmp(to->name, "___ksymtab", 10);
		klp_elf__for_each_reloc(cov->elf, rsec, r, &rel) {
			uint64_t target, site;
			int err;

			if (!rel.sym || rel.sym->shndx == SHN_UNDEF ||
			    rel.type == R_X86_64_NONE)
				continue;
			/* the instructions said where code branches and points */
			if (code && !is_absolute(rel.type))
				continue;
			site = reloc_site(cov, to, &rel);
			if (!code && is_table(cov, to->name, site))
				continue;
			target = sym_addr(cov, rel.sym) + (uint64_t)rel.addend;
			err = add_edge(cov, code ? func_at(cov, site) : -1,
				       site, to->name, target,
				       exports ? EDGE_EXPORT : EDGE_REF, 0);
			if (err)
				return err;
		}
	}
	/* an object has relocations by nature, a linked file by choice */
	if (!have_text_relocs && !is_object(cov)) {
		pr_err(cov->path, "no relocations for .text: link with --emit-relocs (Debian's -dbg vmlinux has them for 6.1, not for 6.12; see docs/stock-kernels.md)");
		return -ENOENT;
	}
	return 0;
}

static int compare_edges(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->site < y->site ? -1 : x->site > y->site;
}

static int index_edges(struct klp_coverage *cov)
{
	size_t i;

	sort(cov->edges, cov->nr_edges, sizeof(*cov->edges), compare_edges);
	for (i = 0; i < cov->nr_edges; i++) {
		struct func *f = &cov->funcs[cov->edges[i].to];

		if (!f->nr_edges)
			f->first_edge = (uint32_t)i;
		f->nr_edges++;
	}
	cov->parts = calloc(cov->nr_funcs ? cov->nr_funcs : 1,
			    sizeof(*cov->parts));
	if (!cov->parts)
		return -ENOMEM;
	for (i = 0; i < cov->nr_funcs; i++)
		if (klp_part_kind(cov->funcs[i].sym->name) != KLP_PART_NONE)
			cov->parts[cov->nr_parts++] = i;
	return 0;
}

struct klp_coverage *klp_coverage__new(const struct klp_elf *elf)
{
	struct klp_coverage *cov;
	int err;

	if (klp_elf__machine(elf) != EM_X86_64 ||
	    (klp_elf__type(elf) != ET_EXEC && klp_elf__type(elf) != ET_REL)) {
		pr_err(klp_elf__path(elf), "coverage reads an x86-64 vmlinux (ET_EXEC) or object (ET_REL: a module's .ko, a unit's .o)");
		errno = ENOTSUP;
		return NULL;
	}
	cov = calloc(1, sizeof(*cov));
	if (!cov) {
		errno = ENOMEM;
		return NULL;
	}
	cov->elf = elf;
	cov->path = klp_elf__path(elf);
	err = 0;
	if (klp_elf__type(elf) == ET_REL)
		err = layout_sections(cov);
	if (!err)
		err = read_mcount(cov);
	if (!err)
		err = read_functions(cov);
	if (!err) {
		find_cold_parents(cov);
		find_table_ranges(cov);
		err = walk_code(cov);
	}
	if (!err)
		err = read_control_tables(cov);
	if (!err)
		err = read_references(cov);
	if (!err)
		err = index_edges(cov);
	if (err) {
		if (err == -ENOMEM)
			pr_err(cov->path, "out of memory");
		klp_coverage__free(cov);
		errno = -err;
		return NULL;
	}
	return cov;
}

void klp_coverage__free(struct klp_coverage *cov)
{
	if (!cov)
		return;
	free(cov->funcs);
	free(cov->edges);
	free(cov->labels);
	free(cov->parts);
	free(cov->base);
	free(cov->crels);
	free(cov->mcount);
	free(cov);
}

void klp_coverage__stats(const struct klp_coverage *cov,
			 struct klp_coverage_stats *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->functions = cov->nr_funcs;
	out->patchable = cov->patchable;
	out->undecodable = cov->undecodable;
	out->parts = cov->nr_parts;
	for (i = 0; i < cov->nr_edges; i++) {
		switch (cov->edges[i].kind) {
		case EDGE_CALL: out->calls++; break;
		case EDGE_JUMP: out->jumps++; break;
		default: out->references++; break;
		}
	}
}

size_t klp_coverage__nr_parts(const struct klp_coverage *cov)
{
	return cov->nr_parts;
}

const struct klp_symbol *klp_coverage__part(const struct klp_coverage *cov,
					    size_t i)
{
	return i < cov->nr_parts ? cov->funcs[cov->parts[i]].sym : NULL;
}

/* ---- the analysis ------------------------------------------------------- */

/*
 * The walk is breadth-first, so that each function is expanded at the
 * fewest functions from the part: a depth limit then refuses only what
 * no shorter path reaches.
 */
struct walk {
	const struct klp_coverage *cov;
	const struct klp_coverage_limits *limits;
	struct klp_coverage_result *out;
	size_t cap_callers, cap_problems;
	uint32_t *depth;	/* by function: 0 unseen, else on the path */
	int32_t *pred;		/* by function: the callee it was reached from */
	bool *is_caller;	/* by function: already a covering caller */
	uint32_t *queue;
	size_t head, tail;
	size_t root;
};

static int add_problem(struct walk *w, enum klp_coverage_problem_kind kind,
		       const struct func *f, const struct edge *e, size_t depth)
{
	struct klp_coverage_result *out = w->out;
	struct klp_coverage_problem *p;
	size_t i;

	/* one of each kind per function is enough to say why */
	for (i = 0; i < out->nr_problems; i++)
		if (out->problems[i].kind == kind &&
		    out->problems[i].function_address == (f ? f->start : 0))
			return 0;
	if (array_grow((void **)&out->problems, &w->cap_problems,
		       out->nr_problems + 1, sizeof(*out->problems)))
		return -ENOMEM;
	p = &out->problems[out->nr_problems++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->depth = (unsigned int)(depth ? depth - 1 : 0);
	if (f) {
		p->function = f->sym->name;
		p->function_address = f->start;
	}
	if (e) {
		const struct label *l = label_at(w->cov, e->site);

		p->site = e->site;
		p->site_section = e->section;
		if (e->from >= 0) {
			p->site_symbol = w->cov->funcs[e->from].sym->name;
			p->site_offset = e->site - w->cov->funcs[e->from].start;
		} else if (l) {
			p->site_symbol = l->name;
			p->site_offset = e->site - l->addr;
		}
	}
	return 0;
}

/* A function on the path by name: the part as it was asked (an alias). */
static const char *path_name(const struct walk *w, int32_t fi)
{
	return fi == (int32_t)w->root ? w->out->part->name :
	       w->cov->funcs[fi].sym->name;
}

/* "part <- ... <- callee <- caller", from the predecessor links. */
static char *chain_string(const struct walk *w, size_t callee,
			  const char *caller)
{
	size_t len = strlen(caller) + 1;
	int32_t i;
	char *s, *p;

	for (i = (int32_t)callee; i >= 0; i = w->pred[i])
		len += strlen(path_name(w, i)) + 4;
	s = malloc(len);
	if (!s)
		return NULL;
	/* written backwards, from the caller to the part */
	p = s + len - 1;
	*p = 0;
	p -= strlen(caller);
	memcpy(p, caller, strlen(caller));
	for (i = (int32_t)callee; i >= 0; i = w->pred[i]) {
		const char *name = path_name(w, i);
		size_t n = strlen(name);

		p -= 4;
		memcpy(p, " <- ", 4);
		p -= n;
		memcpy(p, name, n);
	}
	return s;
}

static int add_caller(struct walk *w, size_t fi, size_t callee, size_t depth)
{
	const struct func *f = &w->cov->funcs[fi];
	struct klp_coverage_result *out = w->out;
	struct klp_coverage_caller *c;

	if (w->is_caller[fi])
		return 0;
	w->is_caller[fi] = true;
	if (array_grow((void **)&out->callers, &w->cap_callers,
		       out->nr_callers + 1, sizeof(*out->callers)))
		return -ENOMEM;
	c = &out->callers[out->nr_callers];
	*c = (struct klp_coverage_caller){
		.name = f->sym->name, .address = f->start, .file = f->sym->file,
		.depth = (unsigned int)depth,
	};
	c->chain = chain_string(w, callee, f->sym->name);
	if (!c->chain)
		return -ENOMEM;
	out->nr_callers++;
	return 0;
}

/* Walk @fi's frames later, one function further from the part. */
static void expand_later(struct walk *w, size_t fi, size_t from)
{
	if (w->depth[fi])
		return;
	w->depth[fi] = w->depth[from] + 1;
	w->pred[fi] = (int32_t)from;
	w->queue[w->tail++] = (uint32_t)fi;
}

/*
 * The frames above code of function @fi while it runs: for a call from
 * a patchable function G, G; for a call from a function whose range the
 * kernel does not check (notrace, noinstr, a .cold part), for a call
 * that ends G, and for a jump (the jumped-to code runs in the jumper's
 * frame), the frames above G.  Depth counts the functions on the path
 * (the part is 1).
 */
static int frames_above(struct walk *w, size_t fi)
{
	const struct klp_coverage *cov = w->cov;
	const struct func *f = &cov->funcs[fi];
	size_t depth = w->depth[fi], i;
	bool root = fi == w->root;
	int err;

	if (depth > w->limits->max_depth + 1)
		return add_problem(w, KLP_COV_TOO_DEEP, f, NULL, depth);

	for (i = f->first_edge; i < f->first_edge + f->nr_edges; i++) {
		const struct edge *e = &cov->edges[i];
		const struct func *g;

		err = 0;
		if (e->kind == EDGE_EXPORT) {
			err = add_problem(w, KLP_COV_EXPORTED, f, e, depth);
		} else if (e->kind == EDGE_REF) {
			/* a pointer into the middle is no entry, but into a part is */
			if (e->mid && !root)
				continue;
			err = add_problem(w, KLP_COV_ADDRESS_TAKEN, f, e, depth);
		} else if (e->from < 0) {
			/*
			 * .altinstr_aux blocks (static_cpu_has()) are jumped to
			 * from a function and jump back into it: its own code.
			 */
			if (e->mid && (!root ||
				       !strcmp(e->section, ".altinstr_aux")))
				continue;
			err = add_problem(w, KLP_COV_UNKNOWN_CODE, f, e, depth);
		} else {
			g = &cov->funcs[e->from];
			/*
			 * vmlinux frees its .init.text before any module, so
			 * any livepatch, can load, and never runs .exit.text.
			 * A module's init runs after klp_module_coming() has
			 * patched it (kernel/module/main.c: prepare_coming_module()
			 * before do_init_module(); a transition in progress
			 * marks the coming module's funcs transition too), a
			 * patch can be enabled while it runs (klp_alive is set
			 * from COMING), and its exit runs before
			 * klp_module_going(): in an object, such a frame can
			 * be on a stack during a transition, and no livepatch
			 * replaces it.
			 */
			if (g->flags & FUNC_INIT) {
				w->out->nr_init_callers++;
				if (is_object(cov))
					err = add_problem(w, KLP_COV_INIT_CALLER,
							  f, e, depth);
				if (err)
					return err;
				continue;
			}
			if (root && (f->flags & FUNC_COLD) && e->from != f->parent)
				w->out->nr_foreign_entries++;
			/*
			 * The check compares return addresses with [func,
			 * func + size): a call that ends its function (to a
			 * noreturn one) leaves an address past it.
			 */
			if (e->kind == EDGE_CALL && (g->flags & FUNC_PATCHABLE) &&
			    !(g->flags & FUNC_COLD) &&
			    e->site + e->length < g->end)
				err = add_caller(w, (size_t)e->from, fi, depth);
			else
				expand_later(w, (size_t)e->from, fi);
		}
		if (err)
			return err;
	}
	return 0;
}

/* Nearest the part first; at one depth, in the enum's order. */
static int compare_problems(const void *a, const void *b)
{
	const struct klp_coverage_problem *x = a, *y = b;

	/* a count over the whole walk: after the reasons found on the way */
	if ((x->kind == KLP_COV_TOO_MANY) != (y->kind == KLP_COV_TOO_MANY))
		return x->kind == KLP_COV_TOO_MANY ? 1 : -1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->site < y->site ? -1 : x->site > y->site;
}

int klp_coverage__analyse(const struct klp_coverage *cov,
			  const struct klp_symbol *part,
			  const struct klp_coverage_limits *limits,
			  struct klp_coverage_result *out)
{
	struct klp_coverage_limits defaults = {
		KLP_COVERAGE_DEFAULT_DEPTH, KLP_COVERAGE_DEFAULT_CALLERS };
	struct walk w = { .cov = cov, .out = out };
	long fi;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!part || part->type != STT_FUNC)
		return -EINVAL;
	if (part->shndx == SHN_UNDEF)
		return -EINVAL;
	fi = func_at(cov, sym_addr(cov, part));
	if (fi < 0 || cov->funcs[fi].start != sym_addr(cov, part))
		return -EINVAL;
	w.limits = limits ? limits : &defaults;
	if (w.limits->max_depth > KLP_COVERAGE_MAX_DEPTH)
		return -EINVAL;
	out->part = part;
	out->address = cov->funcs[fi].start;
	out->kind = klp_part_kind(part->name);
	w.depth = calloc(cov->nr_funcs, sizeof(*w.depth));
	w.pred = calloc(cov->nr_funcs, sizeof(*w.pred));
	w.is_caller = calloc(cov->nr_funcs, sizeof(*w.is_caller));
	w.queue = calloc(cov->nr_funcs, sizeof(*w.queue));
	if (!w.depth || !w.pred || !w.is_caller || !w.queue) {
		err = -ENOMEM;
		goto out;
	}
	w.root = (size_t)fi;
	w.depth[fi] = 1;
	w.pred[fi] = -1;
	w.queue[w.tail++] = (uint32_t)fi;
	while (!err && w.head < w.tail)
		err = frames_above(&w, w.queue[w.head++]);
	if (!err && out->nr_callers > w.limits->max_callers)
		err = add_problem(&w, KLP_COV_TOO_MANY, NULL, NULL, 0);
	out->coverable = !out->nr_problems;
	sort(out->problems, out->nr_problems, sizeof(*out->problems),
	      compare_problems);
out:
	free(w.depth);
	free(w.pred);
	free(w.is_caller);
	free(w.queue);
	if (err)
		klp_coverage_result__fini(out);
	return err;
}

void klp_coverage_result__fini(struct klp_coverage_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr_callers; i++)
		free(r->callers[i].chain);
	free(r->callers);
	free(r->problems);
	memset(r, 0, sizeof(*r));
}
