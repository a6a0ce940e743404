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
};

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
				sym->value, sym->name };
		}
		if (!is_code(sec))
			continue;
		if (!strcmp(sym->name, "__fentry__"))
			cov->fentry = sym->value;
		if (sym->type != STT_FUNC || !sym->size)
			continue;
		if (array_grow((void **)&cov->funcs, &cov->cap_funcs,
			       cov->nr_funcs + 1, sizeof(*cov->funcs)))
			return -ENOMEM;
		cov->funcs[cov->nr_funcs++] = (struct func){
			.start = sym->value, .end = sym->value + sym->size,
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
			long p = func_at(cov, same->value);

			if (p >= 0 && cov->funcs[p].start == same->value)
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
 * Byte scan of code whose instruction boundaries are not known: every
 * e8/e9/0f 8x rel32 and eb/7x rel8 that lands on a function (rel32 on an
 * entry, rel8 anywhere outside @from) counts.
 */
static int scan_bytes(struct klp_coverage *cov, long from,
		      const struct klp_section *sec, const uint8_t *bytes,
		      uint64_t start, uint64_t end)
{
	uint64_t a;
	int err;

	for (a = start; a < end; a++) {
		const uint8_t *p = bytes + (a - sec->addr);
		uint64_t left = sec->addr + sec->size - a;
		uint64_t target;
		int32_t rel;
		long to;

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

/* Walk one function's instructions; fall back to a byte scan if lost. */
static int walk_function(struct klp_coverage *cov, size_t fi,
			 const struct klp_section *sec, const uint8_t *bytes)
{
	struct func *f = &cov->funcs[fi];
	uint64_t a = f->start;
	bool first = true;
	int err;

	uint64_t end = f->end < sec->addr + sec->size ? f->end :
		       sec->addr + sec->size;

	while (a < end) {
		struct x86_insn insn;
		uint64_t next;

		if (!x86_decode(bytes + (a - sec->addr), end - a, &insn)) {
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
		if (first && insn.branch == X86_CALL && cov->fentry &&
		    next + insn.rel == cov->fentry) {
			f->flags |= FUNC_PATCHABLE;
			cov->patchable++;
		}
		first = false;
		if (insn.branch != X86_NONE) {
			err = add_edge(cov, (long)fi, a, sec->name,
				       next + insn.rel,
				       branch_kind(insn.branch), insn.length);
			if (err)
				return err;
		} else if (insn.rip_relative) {
			err = add_edge(cov, (long)fi, a, sec->name,
				       next + insn.disp, EDGE_REF, 0);
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
			if (rel.offset < start || rel.offset >= end || !rel.sym)
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
			.site = rels[i].sym->value + (uint64_t)rels[i].addend,
			.to = rels[i + 1].sym->value +
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
		if ((sec->flags & SHF_ALLOC) && addr >= sec->addr &&
		    addr < sec->addr + sec->size)
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
	static const char *const ranges[][2] = {
		{ "__start___jump_table", "__stop___jump_table" },
		{ "__start___ex_table", "__stop___ex_table" },
	};
	size_t r, i;
	int err;

	for (r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		const struct klp_symbol *start, *stop;
		const struct klp_section *sec;
		struct pair *pairs;
		size_t nr;

		start = klp_elf__find_symbol_by_name(cov->elf, ranges[r][0]);
		stop = klp_elf__find_symbol_by_name(cov->elf, ranges[r][1]);
		if (!start || !stop || stop->value <= start->value ||
		    !(sec = section_at(cov, start->value)))
			continue;
		err = read_pairs(cov, sec, start->value, stop->value, &pairs,
				 &nr);
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
		uint64_t a = alts[i].to, end = sec->addr + sec->size;
		long from = func_at(cov, alts[i].site);

		if (a < sec->addr || a >= end)
			continue;
		if (i + 1 < nr && alts[i + 1].to < end)
			end = alts[i + 1].to;
		while (a < end) {
			struct x86_insn insn;

			if (!x86_decode(bytes + (a - sec->addr), end - a, &insn)) {
				err = scan_bytes(cov, from, sec, bytes, a, end);
				if (err)
					return err;
				break;
			}
			if (insn.branch != X86_NONE)
				err = add_edge(cov, from, a, sec->name,
					       a + insn.length + insn.rel,
					       branch_kind(insn.branch), 0);
			else if (insn.rip_relative)
				err = add_edge(cov, from, a, sec->name,
					       a + insn.length + insn.disp,
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
		err = read_pairs(cov, altinstr, altinstr->addr,
				 altinstr->addr + altinstr->size, &alts,
				 &nr_alts);
		if (err)
			return err;
	}
	klp_elf__for_each_section(cov->elf, i, sec) {
		const uint8_t *bytes;
		uint64_t gap;
		size_t size;

		if (!is_code(sec))
			continue;
		bytes = klp_elf__section_rawdata(cov->elf, sec, &size);
		if (!bytes || size < sec->size)
			continue;
		if (!strcmp(sec->name, ".altinstr_replacement") && nr_alts) {
			err = walk_replacements(cov, sec, bytes, alts, nr_alts);
			if (err)
				break;
			continue;
		}
		/* functions in address order; the gaps between them scanned */
		fi = first_func_from(cov, sec->addr);
		gap = sec->addr;
		for (; fi < cov->nr_funcs &&
		       cov->funcs[fi].start < sec->addr + sec->size; fi++) {
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
		if (gap < sec->addr + sec->size)
			err = scan_bytes(cov, -1, sec, bytes, gap,
					 sec->addr + sec->size);
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
		exports = !strncmp(to->name, "__ksymtab", 9) &&
			  strncmp(to->name, "__ksymtab_strings", 17);
		klp_elf__for_each_reloc(cov->elf, rsec, r, &rel) {
			uint64_t target;
			int err;

			if (!rel.sym || rel.sym->shndx == SHN_UNDEF ||
			    rel.type == R_X86_64_NONE)
				continue;
			/* the instructions said where code branches and points */
			if (code && !is_absolute(rel.type))
				continue;
			if (!code && is_table(cov, to->name, rel.offset))
				continue;
			target = rel.sym->value + (uint64_t)rel.addend;
			err = add_edge(cov, code ? func_at(cov, rel.offset) : -1,
				       rel.offset, to->name, target,
				       exports ? EDGE_EXPORT : EDGE_REF, 0);
			if (err)
				return err;
		}
	}
	if (!have_text_relocs) {
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

	if (klp_elf__machine(elf) != EM_X86_64 || klp_elf__type(elf) != ET_EXEC) {
		pr_err(klp_elf__path(elf), "coverage reads a linked x86-64 kernel (ET_EXEC), like vmlinux");
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
			if (g->flags & FUNC_INIT) {
				w->out->nr_init_callers++;
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
	fi = func_at(cov, part->value);
	if (fi < 0 || cov->funcs[fi].start != part->value)
		return -EINVAL;
	w.limits = limits ? limits : &defaults;
	if (w.limits->max_depth > KLP_COVERAGE_MAX_DEPTH)
		return -EINVAL;
	out->part = part;
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
