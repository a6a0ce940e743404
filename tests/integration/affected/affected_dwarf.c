// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * affected_dwarf.c - hold klp-prep affected's answers against DWARF
 *
 * Usage: affected_dwarf ELF [MIN_CHECKED]
 *
 * ELF is a linked file (ET_EXEC, so DWARF addresses need no relocation)
 * built with -g and the klp_partition plugin.  DWARF's tree of
 * DW_TAG_inlined_subroutine entries says, independently of the plugin,
 * which emitted functions hold code of which source function.  For every
 * source function that DWARF shows inlined somewhere, this asks the
 * closure what to patch if it changed, and checks that every function
 * holding its code (at any depth, with code left: low_pc or ranges), and
 * every function with a call site into one of its clones
 * (DW_TAG_call_site whose DW_AT_call_origin is a clone's concrete DIE),
 * is in the answer: patched, a dirty clone, or refused as unpatchable.  A
 * miss would be a function the livepatch leaves running old code.
 *
 * Extra functions in the answer are counted, not failed: the closure is
 * conservative on purpose (an early inline spreads through every copy of
 * its caller; callers of dirty clones are patched).  Exit 0 when nothing
 * was missed and at least MIN_CHECKED (default 1) functions were checked.
 */
#define _GNU_SOURCE
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <klp_prep/affected.h>
#include <klp_prep/index.h>
#include <klp_prep/log.h>

struct pair {			/* function SYMBOL of unit CU holds code of ORIGIN */
	char *symbol, *cu, *origin, *decl_file;
};

static struct pair *pairs;
static size_t nr_pairs, cap_pairs;

struct fsym {
	const char *name;
	GElf_Addr addr;
};

static struct fsym *syms;
static size_t nr_syms;

static int add_pair(const char *symbol, const char *cu, const char *origin,
		    const char *decl_file)
{
	size_t i;

	for (i = 0; i < nr_pairs; i++)
		if (!strcmp(pairs[i].symbol, symbol) && !strcmp(pairs[i].cu, cu) &&
		    !strcmp(pairs[i].origin, origin))
			return 0;
	if (nr_pairs == cap_pairs) {
		cap_pairs = cap_pairs ? cap_pairs * 2 : 256;
		pairs = realloc(pairs, cap_pairs * sizeof(*pairs));
		if (!pairs)
			return -ENOMEM;
	}
	pairs[nr_pairs++] = (struct pair){ strdup(symbol), strdup(cu),
					   strdup(origin), strdup(decl_file ? decl_file : "") };
	return 0;
}

/* The name of a DIE, through abstract_origin/specification. */
static const char *die_origin_name(Dwarf_Die *die, const char **decl_file)
{
	Dwarf_Attribute attr;
	Dwarf_Die origin;
	const char *name = dwarf_diename(die);
	int depth = 0;

	while (!name && depth++ < 8) {
		if (dwarf_attr(die, DW_AT_abstract_origin, &attr) ||
		    dwarf_attr(die, DW_AT_specification, &attr)) {
			if (!dwarf_formref_die(&attr, &origin))
				return NULL;
			die = &origin;
			name = dwarf_diename(die);
		} else {
			return NULL;
		}
	}
	if (decl_file)
		*decl_file = dwarf_decl_file(die);
	return name;
}

static bool has_code(Dwarf_Die *die)
{
	Dwarf_Addr base, start, end;
	ptrdiff_t off;

	if (dwarf_hasattr(die, DW_AT_low_pc))
		return true;
	off = dwarf_ranges(die, 0, &base, &start, &end);
	return off > 0;
}

static const char *symbol_at(Dwarf_Addr addr);

/*
 * A call to a clone (foo.isra.0) is code that depends on foo too: when
 * foo changes, the clone's ABI may, and the caller must be patched.
 * DW_AT_call_origin of such a call names the clone's concrete DIE.
 */
static int add_clone_call(Dwarf_Die *site, const char *symbol, const char *cu)
{
	Dwarf_Attribute attr;
	Dwarf_Die callee;
	Dwarf_Addr low;
	const char *decl = NULL, *origin, *csym;

	if (!dwarf_attr(site, DW_AT_call_origin, &attr) &&
	    !dwarf_attr(site, DW_AT_abstract_origin, &attr))
		return 0;
	if (!dwarf_formref_die(&attr, &callee) || dwarf_lowpc(&callee, &low))
		return 0;
	csym = symbol_at(low);
	origin = die_origin_name(&callee, &decl);
	if (!csym || !origin || !strcmp(csym, origin) || !strchr(csym, '.'))
		return 0;
	return add_pair(symbol, cu, origin, decl);
}

static int walk_inlines(Dwarf_Die *die, const char *symbol, const char *cu)
{
	Dwarf_Die child;
	int ret;

	if (dwarf_child(die, &child))
		return 0;
	do {
		int tag = dwarf_tag(&child);

		if (tag == DW_TAG_inlined_subroutine && has_code(&child)) {
			const char *decl = NULL;
			const char *name = die_origin_name(&child, &decl);

			if (name) {
				ret = add_pair(symbol, cu, name, decl);
				if (ret)
					return ret;
			}
		}
		if (tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site) {
			ret = add_clone_call(&child, symbol, cu);
			if (ret)
				return ret;
		}
		if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) {
			ret = walk_inlines(&child, symbol, cu);
			if (ret)
				return ret;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

static int read_symbols(Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *data;
	size_t i, n;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		n = sh.sh_size / sh.sh_entsize;
		syms = calloc(n + 1, sizeof(*syms));
		if (!syms || !data)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			GElf_Sym s;

			if (!gelf_getsym(data, (int)i, &s) ||
			    GELF_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF)
				continue;
			syms[nr_syms++] = (struct fsym){
				elf_strptr(elf, sh.sh_link, s.st_name), s.st_value };
		}
		return 0;
	}
	return -ENOENT;
}

static const char *symbol_at(Dwarf_Addr addr)
{
	size_t i;

	for (i = 0; i < nr_syms; i++)
		if (syms[i].addr == addr)
			return syms[i].name;
	return NULL;
}

static int read_dwarf(const char *path)
{
	Dwarf *dw;
	Dwarf_Off off = 0, next;
	size_t hsize;
	Elf *elf;
	int fd, ret = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || read_symbols(elf)) {
		fprintf(stderr, "%s: no symbol table\n", path);
		return -ENOENT;
	}
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw) {
		fprintf(stderr, "%s: no DWARF: %s\n", path, dwarf_errmsg(-1));
		return -ENOENT;
	}
	while (!dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cudie, die;
		const char *cu;

		if (!dwarf_offdie(dw, off + hsize, &cudie))
			break;
		off = next;
		cu = dwarf_diename(&cudie);
		if (!cu || dwarf_child(&cudie, &die))
			continue;
		do {
			Dwarf_Addr low;
			size_t i;

			if (dwarf_tag(&die) != DW_TAG_subprogram ||
			    dwarf_lowpc(&die, &low))
				continue;
			/* Every function symbol at the concrete body's entry. */
			for (i = 0; i < nr_syms; i++) {
				if (syms[i].addr != low)
					continue;
				ret = walk_inlines(&die, syms[i].name, cu);
				if (ret)
					goto out;
			}
		} while (dwarf_siblingof(&die, &die) == 0);
	}
out:
	dwarf_end(dw);
	elf_end(elf);
	close(fd);
	return ret;
}

static int quiet_log(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list ap)
{
	(void)ctx;
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static bool in_answer(const struct klp_affected *a, const char *symbol,
		      const char *cu)
{
	size_t i;

	for (i = 0; i < klp_affected__nr_nodes(a); i++) {
		const struct klp_affected_node *n = klp_affected__node(a, i);

		if (n->state != KLP_NODE_INLINED && !strcmp(n->symbol, symbol) &&
		    n->unit && !strcmp(n->unit, cu))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : NULL;
	size_t min_checked = argc > 2 ? strtoul(argv[2], NULL, 0) : 1;
	size_t i, j, checked = 0, missed = 0, extra = 0, patched = 0, skipped = 0;
	struct klp_index_options opts = { 0 };
	struct klp_index *ix;
	char **done = NULL;
	size_t nr_done = 0;

	if (!path) {
		fprintf(stderr, "usage: affected_dwarf ELF [MIN_CHECKED]\n");
		return 2;
	}
	if (read_dwarf(path)) {
		fprintf(stderr, "%s: cannot read DWARF and symbols\n", path);
		return 2;
	}
	if (klp_index__open_files((const char *const *)&path, 1, &opts, &ix)) {
		fprintf(stderr, "%s: cannot read the records\n", path);
		return 2;
	}
	klp_set_log_fn(quiet_log);
	done = calloc(nr_pairs + 1, sizeof(*done));

	/* One query per (origin, declaring file) that DWARF shows inlined. */
	for (i = 0; i < nr_pairs; i++) {
		struct klp_affected *a;
		char *spec;
		bool seen = false;

		if (asprintf(&spec, "%s:%s", pairs[i].decl_file, pairs[i].origin) < 0)
			return 2;
		for (j = 0; j < nr_done && !seen; j++)
			seen = !strcmp(done[j], spec);
		if (seen) {
			free(spec);
			continue;
		}
		done[nr_done++] = spec;

		a = klp_affected__new();
		if (!a || klp_index__add_to(ix, a))
			return 2;
		if (klp_affected__change_function(a, spec) ||
		    klp_affected__compute(a)) {
			/* Not in the records under that file: say so, go on. */
			skipped++;
			klp_affected__free(a);
			continue;
		}
		checked++;
		patched += klp_affected__count(a, KLP_NODE_PATCH);
		for (j = 0; j < nr_pairs; j++) {
			if (strcmp(pairs[j].origin, pairs[i].origin) ||
			    strcmp(pairs[j].decl_file, pairs[i].decl_file))
				continue;
			if (!in_answer(a, pairs[j].symbol, pairs[j].cu)) {
				missed++;
				printf("MISSED: %s holds code of %s (DWARF) in %s, not in the answer\n",
				       pairs[j].symbol, spec, pairs[j].cu);
			}
		}
		for (j = 0; j < klp_affected__nr_nodes(a); j++) {
			const struct klp_affected_node *n = klp_affected__node(a, j);
			size_t k;
			bool in_dwarf = false;

			if (n->state == KLP_NODE_INLINED ||
			    !strcmp(n->origin, pairs[i].origin))
				continue;
			for (k = 0; k < nr_pairs && !in_dwarf; k++)
				in_dwarf = !strcmp(pairs[k].symbol, n->symbol) &&
					   !strcmp(pairs[k].origin, pairs[i].origin);
			if (!in_dwarf && n->nr_reasons &&
			    n->reasons[0].kind == KLP_REASON_INLINES)
				extra++;
		}
		klp_affected__free(a);
	}
	printf("%s: %zu functions checked against DWARF (%zu holder pairs: inlined copies and calls to clones), %zu missed, "
	       "%zu extra by inlining (conservative), %zu functions to patch in all, %zu not matched by name\n",
	       path, checked, nr_pairs, missed, extra, patched, skipped);
	for (i = 0; i < nr_done; i++)
		free(done[i]);
	free(done);
	klp_index__free(ix);
	if (checked < min_checked) {
		printf("FAIL: fewer than %zu functions checked\n", min_checked);
		return 1;
	}
	return missed ? 1 : 0;
}
