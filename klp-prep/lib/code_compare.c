// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * code_compare.c - a rebuilt unit's code against the shipped file
 *
 * Byte comparison, not disassembly: a linker copies an input section
 * whole, so within it the only bytes that change are those relocations
 * cover, and a branch the assembler resolved (to a local function of the
 * same section) keeps its displacement.  Relocated fields are masked on
 * both sides; where the shipped file kept its relocations (a module, a
 * vmlinux linked with --emit-relocs) they must also sit at the same
 * offsets with the same types, and name the same function or object.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include <klp_prep/code_compare.h>

#include "log.h"

/* One relocated field, at its offset in the section. */
struct field {
	uint64_t offset;
	uint32_t type;
	unsigned int size;
	const struct klp_symbol *sym;
};

struct section_fields {
	bool loaded;
	struct field *fields;
	size_t nr;
};

struct comparer {
	const struct klp_objfile *rebuilt, *shipped;
	const struct klp_elf *relf, *self;
	struct section_fields *rfields, *sfields;	/* by section index */
	unsigned int file;
	klp_code_fn_t fn;
	void *ctx;
	struct klp_code_stats st;
};

const char *klp_code_verdict_name(enum klp_code_verdict verdict)
{
	switch (verdict) {
	case KLP_CODE_MATCH:		return "MATCH";
	case KLP_CODE_DIFF:		return "DIFF";
	case KLP_CODE_ONLY_REBUILT:	return "ONLY-REBUILT";
	case KLP_CODE_ONLY_SHIPPED:	return "ONLY-SHIPPED";
	case KLP_CODE_WEAK_OVERRIDDEN:	return "WEAK-OVERRIDDEN";
	}
	return "?";
}

/* Bytes an x86-64 relocation writes; -1 for a type this does not know. */
static int x86_64_field_size(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_8:
	case R_X86_64_PC8:
		return 1;
	case R_X86_64_16:
	case R_X86_64_PC16:
		return 2;
	case R_X86_64_PC32:
	case R_X86_64_GOT32:
	case R_X86_64_PLT32:
	case R_X86_64_GOTPCREL:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_TLSGD:
	case R_X86_64_TLSLD:
	case R_X86_64_DTPOFF32:
	case R_X86_64_GOTTPOFF:
	case R_X86_64_TPOFF32:
	case R_X86_64_GOTPC32:
	case R_X86_64_SIZE32:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		return 4;
	case R_X86_64_64:
	case R_X86_64_PC64:
	case R_X86_64_GOTOFF64:
	case R_X86_64_SIZE64:
		return 8;
	}
	return -1;
}

static int by_offset(const void *a, const void *b)
{
	const struct field *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * The relocated fields of section @index of @elf, sorted, loaded once.
 * In a linked file r_offset is an address: made a section offset here.
 */
static const struct section_fields *fields_of(const struct klp_elf *elf,
					      struct section_fields *cache,
					      unsigned int index)
{
	const struct klp_section *sec = klp_elf__section(elf, index);
	struct section_fields *sf = &cache[index];
	const struct klp_section *rsec;
	struct klp_reloc rel;
	size_t i, cap = 0;

	if (sf->loaded)
		return sf;
	klp_elf__for_each_reloc_section(elf, index, rsec)
		cap += klp_elf__nr_relocs(elf, rsec);
	sf->fields = calloc(cap ? cap : 1, sizeof(*sf->fields));
	if (!sf->fields) {
		pr_err(klp_elf__path(elf), "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	klp_elf__for_each_reloc_section(elf, index, rsec) {
		klp_elf__for_each_reloc(elf, rsec, i, &rel) {
			int size = x86_64_field_size(rel.type);
			struct field *f;

			if (size < 0) {
				pr_err(klp_elf__path(elf), "%s: relocation type %u at %#llx: not known to the code comparison",
				       rsec->name, rel.type,
				       (unsigned long long)rel.offset);
				errno = ENOTSUP;
				return NULL;
			}
			if (!size)
				continue;
			f = &sf->fields[sf->nr++];
			f->offset = rel.offset;
			if (klp_elf__type(elf) != ET_REL)
				f->offset -= sec->addr;
			f->type = rel.type;
			f->size = (unsigned int)size;
			f->sym = rel.sym;
		}
	}
	qsort(sf->fields, sf->nr, sizeof(*sf->fields), by_offset);
	sf->loaded = true;
	return sf;
}

/* The first field at or after @offset. */
static size_t first_field(const struct section_fields *sf, uint64_t offset)
{
	size_t lo = 0, hi = sf->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sf->fields[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void report(struct comparer *c, enum klp_code_verdict verdict,
		   const char *name, const struct klp_symbol *rsym,
		   const struct klp_symbol *ssym, uint64_t offset,
		   const char *why)
{
	struct klp_code_result r = {
		.verdict = verdict, .function = name, .rebuilt = rsym,
		.shipped = ssym, .offset = offset, .why = why,
	};

	switch (verdict) {
	case KLP_CODE_MATCH:		c->st.match++; break;
	case KLP_CODE_DIFF:		c->st.diff++; break;
	case KLP_CODE_ONLY_REBUILT:	c->st.only_rebuilt++; break;
	case KLP_CODE_ONLY_SHIPPED:	c->st.only_shipped++; break;
	case KLP_CODE_WEAK_OVERRIDDEN:	c->st.weak_overridden++; break;
	}
	if (c->fn)
		c->fn(&r, c->ctx);
}

/* Do two relocations name the same thing?  Section symbols are not told. */
static bool same_target(const struct klp_symbol *a, const struct klp_symbol *b)
{
	if (!a || !b || a->type == STT_SECTION || b->type == STT_SECTION ||
	    !*a->name || !*b->name)
		return true;
	return !strcmp(a->name, b->name);
}

/* A function's bytes, or NULL (logged) when its symbol points outside. */
static const unsigned char *code_of(const struct klp_elf *elf,
				    const struct klp_symbol *sym,
				    uint64_t *start)
{
	const struct klp_section *sec = klp_elf__section(elf, sym->shndx);
	const unsigned char *data;
	size_t size;

	if (!sec || sec->type == SHT_NOBITS)
		return NULL;
	data = klp_elf__section_rawdata(elf, sec, &size);
	*start = sym->value - (klp_elf__type(elf) == ET_REL ? 0 : sec->addr);
	if (!data || *start > size || sym->size > size - *start) {
		pr_err(klp_elf__path(elf), "function %s lies outside its section %s",
		       sym->name, sec->name);
		return NULL;
	}
	return data + *start;
}

/* Mark the fields of @sf within [@start, @start + @size) in @mask. */
static void mask_fields(const struct section_fields *sf, uint64_t start,
			    uint64_t size, unsigned char *mask)
{
	size_t i;

	for (i = first_field(sf, start);
	     i < sf->nr && sf->fields[i].offset < start + size; i++) {
		uint64_t off = sf->fields[i].offset - start, k;

		for (k = 0; k < sf->fields[i].size && off + k < size; k++)
			mask[off + k] = 1;
	}
}

/*
 * Hold two sides' fields within a function to each other: the first
 * offset where they disagree in place, type or target, or UINT64_MAX.
 */

static uint64_t first_reloc_difference(const struct section_fields *a,
				       uint64_t a_start,
				       const struct section_fields *b,
				       uint64_t b_start, uint64_t size)
{
	size_t i = first_field(a, a_start), j = first_field(b, b_start);

	for (;;) {
		bool a_end = i >= a->nr || a->fields[i].offset >= a_start + size;
		bool b_end = j >= b->nr || b->fields[j].offset >= b_start + size;
		uint64_t ao, bo;

		if (a_end && b_end)
			return UINT64_MAX;
		ao = a_end ? UINT64_MAX : a->fields[i].offset - a_start;
		bo = b_end ? UINT64_MAX : b->fields[j].offset - b_start;
		if (ao != bo)
			return ao < bo ? ao : bo;
		if (a->fields[i].type != b->fields[j].type ||
		    !same_target(a->fields[i].sym, b->fields[j].sym))
			return ao;
		i++;
		j++;
	}
}

static int compare_function(struct comparer *c, const struct klp_symbol *rsym,
			    const struct klp_symbol *ssym)
{
	const struct section_fields *rf, *sf = NULL;
	const unsigned char *rcode, *scode;
	uint64_t rstart, sstart, size, k, diff = UINT64_MAX;
	unsigned char *mask;
	const char *why = "code";

	rcode = code_of(c->relf, rsym, &rstart);
	scode = code_of(c->self, ssym, &sstart);
	if (!rcode || !scode) {
		report(c, KLP_CODE_DIFF, rsym->name, rsym, ssym, 0, "section");
		return 0;
	}
	rf = fields_of(c->relf, c->rfields, rsym->shndx);
	if (!rf)
		return -errno;
	if (c->st.shipped_relocs) {
		sf = fields_of(c->self, c->sfields, ssym->shndx);
		if (!sf)
			return -errno;
	}
	size = rsym->size < ssym->size ? rsym->size : ssym->size;
	mask = calloc(size ? size : 1, 1);
	if (!mask) {
		pr_err(klp_elf__path(c->self), "out of memory");
		return -ENOMEM;
	}
	mask_fields(rf, rstart, size, mask);
	if (sf) {
		mask_fields(sf, sstart, size, mask);
		diff = first_reloc_difference(rf, rstart, sf, sstart, size);
		if (diff != UINT64_MAX)
			why = "relocation";
	}
	for (k = 0; k < size && k < diff; k++) {
		c->st.masked += mask[k];
		if (!mask[k] && rcode[k] != scode[k]) {
			diff = k;
			why = "code";
			break;
		}
	}
	free(mask);
	c->st.bytes += size;
	if (diff == UINT64_MAX && rsym->size != ssym->size) {
		diff = size;
		why = "size";
	}
	if (diff == UINT64_MAX)
		report(c, KLP_CODE_MATCH, rsym->name, rsym, ssym, 0, NULL);
	else
		report(c, KLP_CODE_DIFF, rsym->name, rsym, ssym, diff, why);
	return 0;
}

static const struct klp_symbol *local_twin(const struct klp_objfile *shipped,
					   const char *name, unsigned int file)
{
	const struct klp_symbol *sym;

	if (!file)
		return NULL;
	klp_objfile__for_each_symbol_by_name(shipped, name, sym)
		if (sym->bind == STB_LOCAL && sym->file == file)
			return sym;
	return NULL;
}

static const struct klp_symbol *global_twin(const struct klp_objfile *shipped,
					    const char *name)
{
	const struct klp_symbol *sym;

	klp_objfile__for_each_symbol_by_name(shipped, name, sym)
		if (sym->bind != STB_LOCAL)
			return sym;
	return NULL;
}

/*
 * Does group @file lay the unit's local functions out as the unit does:
 * each at the distance from a global function of its section that it has
 * in the rebuilt object?  @checked counts the pairs held.
 */
static bool layout_fits(const struct comparer *c, unsigned int file,
			size_t *checked)
{
	const struct klp_symbol *g, *l, *sg, *sl;
	size_t i, j;

	*checked = 0;
	klp_objfile__for_each_symbol(c->rebuilt, i, g) {
		if (g->bind == STB_LOCAL || !(sg = global_twin(c->shipped, g->name)) ||
		    sg->bind != g->bind)
			continue;
		klp_objfile__for_each_symbol(c->rebuilt, j, l) {
			if (l->bind != STB_LOCAL || l->shndx != g->shndx)
				continue;
			sl = local_twin(c->shipped, l->name, file);
			if (!sl || sl->shndx != sg->shndx ||
			    sl->value - sg->value != l->value - g->value)
				return false;
			(*checked)++;
		}
		return true;	/* one anchor is enough */
	}
	return true;
}

/*
 * When no group holds every local function of the unit (it was compiled
 * otherwise: other clones, other names), the one group of its name that
 * holds the most of them, so that each function can still be reported;
 * 0 groups when none holds any or two hold as many.
 */
static size_t closest_group(const struct comparer *c, const char *base,
			    const char *const *names, size_t nr_names,
			    unsigned int *cands)
{
	size_t nr_files = klp_elf__nr_files(c->self), i, best = 0, nr_best = 0;
	const struct klp_symbol *sym;
	unsigned int file;
	size_t *held = calloc(nr_files + 1, sizeof(*held));

	if (!held)
		return 0;
	for (i = 0; i < nr_names; i++)
		klp_objfile__for_each_symbol_by_name(c->shipped, names[i], sym)
			if (sym->bind == STB_LOCAL && sym->file &&
			    !strcmp(klp_elf__file_name(c->self, sym->file), base))
				held[sym->file]++;
	for (file = 1; file <= nr_files; file++) {
		if (!held[file] || held[file] < best)
			continue;
		nr_best = held[file] == best ? nr_best + 1 : 1;
		best = held[file];
		cands[0] = file;
	}
	free(held);
	return nr_best == 1;
}

/* The shipped STT_FILE group of the unit's local functions (c->file). */
static int find_group(struct comparer *c)
{
	const char *path = klp_objfile__path(c->rebuilt), *base;
	const struct klp_symbol *sym;
	unsigned int cands[16], fit = 0;
	size_t i, nr_names = 0, nr, nr_fit = 0, checked;
	const char **names;

	names = calloc(klp_objfile__nr_symbols(c->rebuilt) + 1, sizeof(*names));
	if (!names) {
		pr_err(path, "out of memory");
		return -ENOMEM;
	}
	klp_objfile__for_each_symbol(c->rebuilt, i, sym)
		if (sym->bind == STB_LOCAL)
			names[nr_names++] = sym->name;
	if (!nr_names) {
		free(names);
		return 0;	/* only globals: nothing to tie */
	}
	base = klp_elf__nr_files(c->relf) ? klp_elf__file_name(c->relf, 1) : NULL;
	if (!base) {
		pr_err(path, "no STT_FILE symbol: cannot tie its local functions to the shipped ones");
		free(names);
		return -ESRCH;
	}
	nr = klp_objfile__files_holding(c->shipped, base, names, nr_names,
					cands, sizeof(cands) / sizeof(*cands));
	if (!nr)
		nr = closest_group(c, base, names, nr_names, cands);
	free(names);
	if (nr > sizeof(cands) / sizeof(*cands))
		nr = sizeof(cands) / sizeof(*cands);
	for (i = 0; i < nr; i++) {
		if (nr > 1 && (!layout_fits(c, cands[i], &checked) || !checked))
			continue;
		fit = cands[i];
		nr_fit++;
	}
	if (nr_fit != 1) {
		pr_err(path, "its %zu local functions fit %zu STT_FILE groups named %s in %s (%zu by layout): cannot tell its shipped twins",
		       nr_names, nr, base, klp_objfile__path(c->shipped), nr_fit);
		return -ESRCH;
	}
	c->file = fit;
	return 0;
}

static bool has_code_relocs(const struct klp_elf *elf)
{
	const struct klp_section *sec, *target;
	size_t i;

	klp_elf__for_each_section(elf, i, sec) {
		if (sec->type != SHT_RELA && sec->type != SHT_REL)
			continue;
		target = klp_elf__section(elf, sec->info);
		if (target && (target->flags & SHF_EXECINSTR))
			return true;
	}
	return false;
}

static void free_fields(struct section_fields *sf, size_t n)
{
	size_t i;

	if (!sf)
		return;
	for (i = 0; i < n; i++)
		free(sf[i].fields);
	free(sf);
}

int klp_code_compare(const struct klp_objfile *rebuilt,
		     const struct klp_objfile *shipped, klp_code_fn_t fn,
		     void *ctx, struct klp_code_stats *stats)
{
	struct comparer c = {
		.rebuilt = rebuilt, .shipped = shipped, .fn = fn, .ctx = ctx,
		.relf = klp_objfile__elf(rebuilt), .self = klp_objfile__elf(shipped),
	};
	const struct klp_symbol *rsym, *ssym;
	size_t i;
	int err;

	if (klp_elf__type(c.relf) != ET_REL) {
		pr_err(klp_objfile__path(rebuilt), "not a relocatable object: the rebuilt side is one compiled unit");
		return -EINVAL;
	}
	if (klp_elf__machine(c.relf) != EM_X86_64 ||
	    klp_elf__machine(c.self) != EM_X86_64) {
		pr_err(klp_elf__machine(c.relf) != EM_X86_64 ?
		       klp_objfile__path(rebuilt) : klp_objfile__path(shipped),
		       "the code comparison knows x86-64 relocations only");
		return -ENOTSUP;
	}
	c.st.shipped_relocs = has_code_relocs(c.self);
	c.rfields = calloc(klp_elf__nr_sections(c.relf) + 1, sizeof(*c.rfields));
	c.sfields = calloc(klp_elf__nr_sections(c.self) + 1, sizeof(*c.sfields));
	if (!c.rfields || !c.sfields) {
		pr_err(klp_objfile__path(shipped), "out of memory");
		err = -ENOMEM;
		goto out;
	}
	err = find_group(&c);
	if (err)
		goto out;
	c.st.file = c.file;

	klp_objfile__for_each_symbol(rebuilt, i, rsym) {
		if (rsym->bind == STB_LOCAL)
			ssym = local_twin(shipped, rsym->name, c.file);
		else
			ssym = global_twin(shipped, rsym->name);
		if (!ssym) {
			report(&c, KLP_CODE_ONLY_REBUILT, rsym->name, rsym, NULL, 0, NULL);
			continue;
		}
		if (rsym->bind == STB_WEAK && ssym->bind == STB_GLOBAL) {
			report(&c, KLP_CODE_WEAK_OVERRIDDEN, rsym->name, rsym, ssym, 0, NULL);
			continue;
		}
		err = compare_function(&c, rsym, ssym);
		if (err)
			goto out;
	}
	if (c.file) {
		klp_objfile__for_each_symbol(shipped, i, ssym) {
			const struct klp_symbol *r;
			bool found = false;

			if (ssym->bind != STB_LOCAL || ssym->file != c.file)
				continue;
			klp_objfile__for_each_symbol_by_name(rebuilt, ssym->name, r)
				found |= r->bind == STB_LOCAL;
			if (!found)
				report(&c, KLP_CODE_ONLY_SHIPPED, ssym->name, NULL, ssym, 0, NULL);
		}
	}
	err = (int)(c.st.diff + c.st.only_rebuilt + c.st.only_shipped);
out:
	free_fields(c.rfields, klp_elf__nr_sections(c.relf) + 1);
	free_fields(c.sfields, klp_elf__nr_sections(c.self) + 1);
	if (stats)
		*stats = c.st;
	return err;
}
