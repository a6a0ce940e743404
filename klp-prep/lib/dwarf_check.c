// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dwarf_check.c - hold the records against DWARF (libdw)
 *
 * DWARF is GCC's other account of the same compilation, written by code
 * that knows nothing of the plugin: a clone is a concrete
 * DW_TAG_subprogram with DW_AT_abstract_origin (and no name of its own)
 * whose entry is the clone's symbol; an inlined body is a
 * DW_TAG_inlined_subroutine, nested as the inlining was.  So:
 *
 *  - each concrete subprogram, found by its entry address in the symbol
 *    table, must have a FUNC record whose origin is DWARF's origin;
 *  - each inline instance within it must have an INLINE record of that
 *    FUNC with the same chain of callees (A in B in the function).  Not
 *    the other way round: an inline whose code was all optimised away
 *    leaves a record (KLP_INLINE_F_NO_CODE or not) but may leave no DIE;
 *  - each call site whose origin is a clone's concrete DIE must have a
 *    CALL record of the body it is in.
 *
 * libdwfl is used rather than bare libdw because it applies the
 * relocations of an ET_REL file's debug sections; without them every
 * address in an object's DWARF reads as 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <klp_prep/symbol_name.h>

#include "check_internal.h"
#include "log.h"
#include "object_internal.h"

struct addr_sym {
	Dwarf_Addr addr;
	const struct klp_symbol *sym;
};

/* The inline records of one unit as trees (index+1 links, 0 = none). */
struct inline_tree {
	size_t *func_first;		/* by FUNC */
	size_t *first_child;		/* by INLINE */
	size_t *next_sibling;		/* by INLINE */
};

struct dwarf_checker {
	struct klp_checker *c;
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	struct addr_sym *addrs;		/* function symbols by address */
	size_t nr_addrs;

	/* The CU being walked. */
	size_t unit_index;
	const struct klp_unit *unit;
	struct inline_tree tree;
	Dwarf_Files *files;
	size_t nr_files;
	int nesting;			/* depth of the DIE walk */
};

/* Only the file itself: never look for separate debuginfo. */
static int find_no_debuginfo(Dwfl_Module *mod, void **userdata,
			     const char *modname, Dwarf_Addr base,
			     const char *file_name,
			     const char *debuglink_file,
			     GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod; (void)userdata; (void)modname; (void)base;
	(void)file_name; (void)debuglink_file; (void)debuglink_crc;
	(void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = find_no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static int compare_addr(const void *a, const void *b)
{
	const struct addr_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->sym->sym_index < y->sym->sym_index ? -1 :
	       x->sym->sym_index > y->sym->sym_index;
}

/* Our function symbols at dwfl's (relocated) addresses. */
static int map_symbols(struct dwarf_checker *d)
{
	const struct klp_objfile *obj = d->c->obj;
	int nr = dwfl_module_getsymtab(d->mod), i;
	size_t j = 0, nr_syms = klp_objfile__nr_symbols(obj);

	if (nr < 0)
		return 0;
	d->addrs = calloc(nr_syms ? nr_syms : 1,
			  sizeof(*d->addrs));
	if (!d->addrs)
		return -ENOMEM;
	/* Both walk .symtab in order; ours holds the function symbols. */
	for (i = 1; i < nr && j < nr_syms; i++) {
		const struct klp_symbol *sym = klp_objfile__symbol(obj, j);
		GElf_Addr addr;
		GElf_Sym gsym;
		GElf_Word shndx;
		const char *name;

		if ((unsigned int)i < sym->sym_index)
			continue;
		name = dwfl_module_getsym_info(d->mod, i, &gsym, &addr, &shndx,
					       NULL, NULL);
		j++;
		if (!name || strcmp(name, sym->name))
			continue;
		d->addrs[d->nr_addrs].addr = addr;
		d->addrs[d->nr_addrs].sym = sym;
		d->nr_addrs++;
	}
	qsort(d->addrs, d->nr_addrs, sizeof(*d->addrs), compare_addr);
	return 0;
}

/* The first symbol at @addr, or NULL; more follow in d->addrs. */
static const struct addr_sym *symbols_at(const struct dwarf_checker *d,
					 Dwarf_Addr addr)
{
	size_t lo = 0, hi = d->nr_addrs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->addrs[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nr_addrs && d->addrs[lo].addr == addr ? &d->addrs[lo]
							      : NULL;
}

static void inline_tree__free(struct inline_tree *t)
{
	free(t->func_first);
	free(t->first_child);
	free(t->next_sibling);
	memset(t, 0, sizeof(*t));
}

static int inline_tree__build(struct inline_tree *t, const struct klp_unit *u)
{
	size_t i;

	t->func_first = calloc(u->nr_funcs + 1, sizeof(size_t));
	t->first_child = calloc(u->nr_inlines + 1, sizeof(size_t));
	t->next_sibling = calloc(u->nr_inlines + 1, sizeof(size_t));
	if (!t->func_first || !t->first_child || !t->next_sibling) {
		inline_tree__free(t);
		return -ENOMEM;
	}
	for (i = u->nr_inlines; i-- > 0;) {
		const struct klp_inline *in = &u->inlines[i];
		size_t *head = in->parent ? &t->first_child[in->parent - 1]
					  : &t->func_first[in->func];

		t->next_sibling[i] = *head;
		*head = i + 1;
	}
	return 0;
}

/*
 * The names of the function a DIE is an instance of: its source name and,
 * when it differs (an __asm__ label), its linkage name.
 */
struct die_names {
	const char *name;
	const char *linkage;
};

static bool origin_names(Dwarf_Die *die, struct die_names *n)
{
	Dwarf_Attribute attr;
	Dwarf_Die cur = *die, next;
	int depth;

	n->name = n->linkage = NULL;
	for (depth = 0; depth < 8; depth++) {
		if (!dwarf_attr(&cur, DW_AT_abstract_origin, &attr) &&
		    !dwarf_attr(&cur, DW_AT_specification, &attr)) {
			n->name = dwarf_diename(&cur);
			if (dwarf_attr(&cur, DW_AT_linkage_name, &attr) ||
			    dwarf_attr(&cur, DW_AT_MIPS_linkage_name, &attr))
				n->linkage = dwarf_formstring(&attr);
			return n->name != NULL;
		}
		if (!dwarf_formref_die(&attr, &next))
			return false;
		cur = next;
	}
	return false;
}

/*
 * Does an ORIGIN's name (an assembler name) denote what DWARF names?
 * The linkage name when there is one; else the source name, which GCC
 * numbers for a GNU C nested function ("inner" is "inner.0").
 */
static bool same_function(const char *record, const struct die_names *n)
{
	size_t len = strlen(n->name);
	const char *p;

	if (n->linkage)
		return !strcmp(record, n->linkage);
	if (!strcmp(record, n->name))
		return true;
	if (strncmp(record, n->name, len) || record[len] != '.' ||
	    !record[len + 1])
		return false;
	for (p = record + len + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static const char *display_name(const struct die_names *n)
{
	return n->linkage ? n->linkage : n->name;
}

static void call_site(struct dwarf_checker *d, Dwarf_Die *die, char *buf,
		      size_t size)
{
	Dwarf_Attribute attr;
	Dwarf_Word file = 0, line = 0;
	const char *name = NULL;

	if (dwarf_attr(die, DW_AT_call_file, &attr))
		dwarf_formudata(&attr, &file);
	if (dwarf_attr(die, DW_AT_call_line, &attr))
		dwarf_formudata(&attr, &line);
	if (d->files && file < d->nr_files)
		name = dwarf_filesrc(d->files, file, NULL, NULL);
	snprintf(buf, size, "%s:%llu", name ? name : "?",
		 (unsigned long long)line);
}

struct chain {
	const char *names[64];
	int depth;
};

static void format_chain(const struct chain *ch, const char *func, char *buf,
			 size_t size)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = ch->depth - 1; i >= 0 && used < size; i--) {
		int n = snprintf(buf + used, size - used, "%s in ",
				 ch->names[i]);

		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (used < size)
		snprintf(buf + used, size - used, "%s", func);
}

/*
 * Walk the DIEs below @parent (inline instances nest through lexical
 * blocks too).  @first is the first of the INLINE records that can match
 * at this level (a sibling list).  An instance that none matches is
 * reported (when @report) once, at the topmost such instance.  Returns
 * the number of such instances, or a negative errno.
 */
static int walk_inlines(struct dwarf_checker *d, Dwarf_Die *parent,
			const struct klp_func_record *f, size_t first,
			struct chain *ch, bool report);

static int walk_inlines_below(struct dwarf_checker *d, Dwarf_Die *parent,
			      const struct klp_func_record *f, size_t first,
			      struct chain *ch, bool report)
{
	const struct klp_unit *u = d->unit;
	Dwarf_Die child;
	int ret, misses = 0;

	if (dwarf_child(parent, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);
		struct die_names callee;
		size_t i, best = 0, nr_matched = 0;
		int best_misses = -1;

		if (tag == DW_TAG_lexical_block) {
			ret = walk_inlines(d, &child, f, first, ch, report);
			if (ret < 0)
				return ret;
			misses += ret;
			continue;
		}
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		if (!origin_names(&child, &callee))
			continue;
		if (report)
			d->c->stats.dwarf_inlines++;
		if (ch->depth == (int)(sizeof(ch->names) / sizeof(ch->names[0])))
			continue;	/* deeper than any real code */
		ch->names[ch->depth++] = display_name(&callee);

		/*
		 * The same callee may be inlined several times at one level:
		 * follow the record under which the nested instances match
		 * best (tried quietly first when there is a choice).
		 */
		for (i = first; i; i = d->tree.next_sibling[i - 1]) {
			const struct klp_inline *in = &u->inlines[i - 1];

			if (!same_function(u->origins[in->callee].name, &callee))
				continue;
			nr_matched++;
			if (!best)
				best = i;
		}
		if (nr_matched > 1) {
			for (i = first; i && best_misses; i = d->tree.next_sibling[i - 1]) {
				const struct klp_inline *in = &u->inlines[i - 1];

				if (!same_function(u->origins[in->callee].name,
						   &callee))
					continue;
				ret = walk_inlines(d, &child, f,
						   d->tree.first_child[i - 1],
						   ch, false);
				if (ret < 0)
					return ret;
				if (best_misses < 0 || ret < best_misses) {
					best_misses = ret;
					best = i;
				}
			}
		}
		if (!best) {
			misses++;
			if (report) {
				char where[256], chain[512];

				call_site(d, &child, where, sizeof(where));
				format_chain(ch, f->symbol, chain, sizeof(chain));
				klp_checker__report(d->c, KLP_CHECK_DWARF,
						    f->symbol, u,
						    "symbol %s: DWARF inlines %s (call at %s), no INLINE record does",
						    f->symbol, chain, where);
			}
		} else {
			ret = walk_inlines(d, &child, f,
					   d->tree.first_child[best - 1], ch,
					   report);
			if (ret < 0)
				return ret;
			misses += ret;
		}
		ch->depth--;
	} while ((ret = dwarf_siblingof(&child, &child)) == 0);
	return ret < 0 ? -EINVAL : misses;
}

/*
 * Real code nests a few dozen levels; a deeper tree is a corrupt (or
 * hostile) file, refused before it exhausts the stack.
 */
#define MAX_NESTING 1024

static int walk_inlines(struct dwarf_checker *d, Dwarf_Die *parent,
			const struct klp_func_record *f, size_t first,
			struct chain *ch, bool report)
{
	int ret = -EINVAL;

	if (d->nesting < MAX_NESTING) {
		d->nesting++;
		ret = walk_inlines_below(d, parent, f, first, ch, report);
		d->nesting--;
	}
	return ret;
}

/*
 * The entry of a concrete subprogram: low_pc, or for a hot/cold split
 * function (DW_AT_ranges) the range start that is not a .cold symbol.
 */
static const struct addr_sym *subprogram_symbol(struct dwarf_checker *d,
						Dwarf_Die *die)
{
	Dwarf_Addr low, base, start, end;
	const struct addr_sym *at;
	ptrdiff_t offset = 0;

	if (dwarf_lowpc(die, &low) == 0)
		return symbols_at(d, low + d->bias);
	while ((offset = dwarf_ranges(die, offset, &base, &start, &end)) > 0) {
		struct klp_symbol_name n;

		at = symbols_at(d, start + d->bias);
		if (!at)
			continue;
		klp_symbol_name__parse(at->sym->name, &n);
		if (!n.cold)
			return at;
	}
	return NULL;
}

static bool has_code(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	return dwarf_attr(die, DW_AT_low_pc, &attr) ||
	       dwarf_attr(die, DW_AT_ranges, &attr);
}

static bool has_call(const struct klp_unit *u, const struct klp_func_record *f,
		     const char *callee)
{
	unsigned int func = f - u->funcs;
	size_t i;

	for (i = 0; i < u->nr_calls; i++)
		if (u->calls[i].func == func &&
		    !strcmp(u->calls[i].callee, callee))
			return true;
	return false;
}

/*
 * Calls to clones: a DW_TAG_call_site (DW_TAG_GNU_call_site before DWARF
 * 5) whose origin is the concrete DIE of a clone must have a CALL record
 * of the body it is in, inlined code included.  klp-prep affected patches
 * the callers of a changed function's clones from these records.
 */
static int walk_calls(struct dwarf_checker *d, Dwarf_Die *parent,
		      const struct klp_func_record *f);

static int walk_calls_below(struct dwarf_checker *d, Dwarf_Die *parent,
			    const struct klp_func_record *f)
{
	const struct klp_unit *u = d->unit;
	Dwarf_Die child, callee;
	Dwarf_Attribute attr;
	int ret;

	if (dwarf_child(parent, &child) != 0)
		return 0;
	do {
		const struct addr_sym *at;
		struct klp_symbol_name n;
		int tag = dwarf_tag(&child);

		if (tag == DW_TAG_lexical_block ||
		    tag == DW_TAG_inlined_subroutine) {
			ret = walk_calls(d, &child, f);
			if (ret)
				return ret;
			continue;
		}
		if (tag != DW_TAG_call_site && tag != DW_TAG_GNU_call_site)
			continue;
		if (!dwarf_attr(&child, DW_AT_call_origin, &attr) &&
		    !dwarf_attr(&child, DW_AT_abstract_origin, &attr))
			continue;
		if (!dwarf_formref_die(&attr, &callee) || !has_code(&callee))
			continue;	/* not a body of this file */
		at = subprogram_symbol(d, &callee);
		if (!at || !klp_symbol_name__parse(at->sym->name, &n) ||
		    !n.nr_steps)
			continue;	/* a plain function */
		d->c->stats.dwarf_calls++;
		if (has_call(u, f, at->sym->name))
			continue;
		klp_checker__report(d->c, KLP_CHECK_DWARF, f->symbol, u,
				    "symbol %s: DWARF has a call to %s%s, no CALL record does",
				    f->symbol, at->sym->name,
				    dwarf_hasattr(&child, DW_AT_call_tail_call) ||
				    dwarf_hasattr(&child, DW_AT_GNU_tail_call) ?
				    " (tail call)" : "");
	} while ((ret = dwarf_siblingof(&child, &child)) == 0);
	return ret < 0 ? -EINVAL : 0;
}

static int walk_calls(struct dwarf_checker *d, Dwarf_Die *parent,
		      const struct klp_func_record *f)
{
	int ret = -EINVAL;

	if (d->nesting < MAX_NESTING) {
		d->nesting++;
		ret = walk_calls_below(d, parent, f);
		d->nesting--;
	}
	return ret;
}

static int check_subprogram(struct dwarf_checker *d, Dwarf_Die *die)
{
	const struct klp_objfile *obj = d->c->obj;
	const struct klp_unit *u = d->unit;
	const struct addr_sym *at, *a;
	const struct klp_func_record *f = NULL;
	struct chain ch = { .depth = 0 };
	struct die_names names;
	const char *name;
	int ret;

	if (!has_code(die) || !origin_names(die, &names))
		return 0;
	name = display_name(&names);
	at = subprogram_symbol(d, die);
	if (!at) {
		/*
		 * A final link leaves DWARF of discarded code behind; any
		 * link leaves that of a weak definition another overrode
		 * (its name is on the other's code).
		 */
		const struct klp_symbol *sym;
		bool named_elsewhere = false;

		klp_objfile__for_each_symbol_by_name(obj, name, sym)
			if (sym->bind != STB_LOCAL)
				named_elsewhere = true;
		if (klp_objfile__elf_type(obj) == ET_REL && !named_elsewhere)
			klp_checker__report(d->c, KLP_CHECK_DWARF, name, u,
					    "function %s: DWARF has code of it at an address without a function symbol",
					    name);
		return 0;
	}
	/*
	 * Several symbols may share the entry (foo and foo.localalias): the
	 * body's record is the one that is not an alias.
	 */
	for (a = at; a < d->addrs + d->nr_addrs && a->addr == at->addr; a++) {
		const struct klp_func_record *g = klp_unit__find_func(u, a->sym->name);

		if (g && (!f || (f->flags & KLP_FUNC_F_ALIAS)))
			f = g;
	}
	d->c->stats.dwarf_subprograms++;
	if (!f) {
		klp_checker__report(d->c, KLP_CHECK_DWARF, at->sym->name, u,
				    "symbol %s: DWARF has a subprogram of %s there, no record",
				    at->sym->name, name);
		return 0;
	}
	if (!same_function(u->origins[f->origin].name, &names)) {
		klp_checker__report(d->c, KLP_CHECK_DWARF, f->symbol, u,
				    "symbol %s: DWARF's origin is %s, the record's is %s",
				    f->symbol, name, u->origins[f->origin].name);
		return 0;
	}
	ret = walk_inlines(d, die, f, d->tree.func_first[f - u->funcs], &ch,
			   true);
	if (ret < 0)
		return ret;
	return walk_calls(d, die, f);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * The unit a CU belongs to: same source name (both are the main input
 * file as given to GCC), the k-th CU of a name being the k-th unit of it.
 * lto1 names its CUs "<artificial>" and its units after the ltrans
 * object: the k-th such CU is the k-th LTO unit.
 */
static long unit_of_cu(const struct klp_objfile *obj, const char *cu_name,
		       size_t rank)
{
	bool lto = !strcmp(cu_name, "<artificial>");
	size_t i, seen = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0, seen = 0; i < obj->nr_units; i++) {
			const struct klp_unit *unit = obj->units[i];
			const char *source = unit->source;

			if (lto) {
				if (!(unit->flags & KLP_UNIT_F_LTO))
					continue;
			} else if (!source ||
				   (pass == 0 ? strcmp(source, cu_name)
					      : strcmp(base_name(source),
						       base_name(cu_name)))) {
				continue;
			}
			if (seen++ == rank)
				return (long)i;
		}
		if (lto)
			break;
	}
	return -1;
}

static int check_cu(struct dwarf_checker *d, Dwarf_Die *cu, size_t *ranks,
		    const char **names, size_t *nr_names)
{
	const struct klp_objfile *obj = d->c->obj;
	const char *cu_name = dwarf_diename(cu);
	size_t rank = 0, i;
	Dwarf_Die die;
	long unit;
	int ret;

	if (!cu_name)
		return 0;
	/* How many CUs of this name came before. */
	for (i = 0; i < *nr_names; i++)
		if (!strcmp(names[i], cu_name))
			break;
	if (i == *nr_names) {
		names[i] = cu_name;
		ranks[i] = 0;
		(*nr_names)++;
	}
	rank = ranks[i]++;
	unit = unit_of_cu(obj, cu_name, rank);
	if (unit < 0) {
		pr_debug(obj->path, "DWARF unit %s has no records", cu_name);
		return 0;
	}
	d->unit_index = (size_t)unit;
	d->unit = obj->units[unit];
	if (dwarf_getsrcfiles(cu, &d->files, &d->nr_files)) {
		d->files = NULL;
		d->nr_files = 0;
	}
	ret = inline_tree__build(&d->tree, d->unit);
	if (ret)
		return ret;
	if (dwarf_child(cu, &die) == 0) {
		do {
			if (dwarf_tag(&die) != DW_TAG_subprogram)
				continue;
			ret = check_subprogram(d, &die);
			if (ret)
				break;
		} while (dwarf_siblingof(&die, &die) == 0);
	}
	inline_tree__free(&d->tree);
	return ret;
}

int klp_checker__check_dwarf(struct klp_checker *c)
{
	const struct klp_objfile *obj = c->obj;
	struct dwarf_checker d = { .c = c };
	size_t *ranks = NULL, nr_names = 0, nr_cus = 0;
	const char **names = NULL;
	Dwarf_Die *cu = NULL;
	Dwarf_Addr bias;
	Dwfl *dwfl;
	int ret = 0;

	dwfl = dwfl_begin(&offline_callbacks);
	if (!dwfl) {
		pr_err(obj->path, "libdwfl: %s", dwfl_errmsg(-1));
		return -ENOMEM;
	}
	d.mod = dwfl_report_offline(dwfl, "", obj->path, -1);
	if (!d.mod || dwfl_report_end(dwfl, NULL, NULL)) {
		pr_warn(obj->path, "cannot read DWARF: %s; checked without it",
			dwfl_errmsg(-1));
		goto out;
	}
	if (!dwfl_module_getdwarf(d.mod, &d.bias)) {
		pr_debug(obj->path, "no DWARF");
		goto out;
	}
	ret = map_symbols(&d);
	if (ret)
		goto out;

	while ((cu = dwfl_module_nextcu(d.mod, cu, &bias)))
		nr_cus++;
	names = calloc(nr_cus + 1, sizeof(*names));
	ranks = calloc(nr_cus + 1, sizeof(*ranks));
	if (!names || !ranks) {
		ret = -ENOMEM;
		goto out;
	}
	c->stats.dwarf = true;
	while (!ret && (cu = dwfl_module_nextcu(d.mod, cu, &bias))) {
		d.bias = bias;
		ret = check_cu(&d, cu, ranks, names, &nr_names);
	}
	if (ret == -EINVAL) {
		pr_err(obj->path, "corrupt DWARF (unreadable DIEs, or nested deeper than %d): %s; check --no-dwarf checks without it",
		       MAX_NESTING, dwarf_errmsg(-1));
		ret = -EBADMSG;
	}
out:
	free(names);
	free(ranks);
	free(d.addrs);
	dwfl_end(dwfl);
	return ret;
}
