// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verify.c - read a built livepatch module's klp_func tables back, and
 * hold them against the module's own records and symbols
 *
 * Passes of klp_verify_module():
 *   klp_lp_table__read	the tables, from the relocations and bytes of
 *			the arrays that `patch` and `objs` point to
 *   klp_objfile__open	the module's records and function symbols
 *   verify_object	per klp_object: entries well formed, every new_name
 *			a part of its parent, every part named once
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/coverage.h>
#include <klp_prep/elf.h>
#include <klp_prep/sympos.h>

#include <klp_kernel_abi.h>

#include "verify.h"

#include "log.h"

/* A relocation of an array, resolved to where it points. */
struct ko_ref {
	uint64_t offset;		/* in the array */
	size_t shndx;			/* target section */
	uint64_t target;		/* offset in it */
};

static struct klp_elf *ko_open(const char *path)
{
	struct klp_elf *elf = klp_elf__open(path, 0);

	if (elf && !klp_elf__has_symtab(elf)) {
		log_err("%s: error: no symbol table\n", path);
		klp_elf__close(elf);
		errno = ENOEXEC;
		return NULL;
	}
	return elf;
}

/* The defined data symbol @name; NULL when there is none. */
static const struct klp_symbol *find_object(const struct klp_elf *elf, const char *name)
{
	const struct klp_symbol *sym;

	klp_elf__for_each_symbol_by_name(elf, name, sym)
		if (sym->type == STT_OBJECT && sym->shndx != SHN_UNDEF)
			return sym;
	return NULL;
}

/* The bytes of section @shndx, or NULL. */
static const unsigned char *section_bytes(const struct klp_elf *elf, size_t shndx, size_t *size)
{
	return klp_elf__section_data(elf, klp_elf__section(elf, shndx), size);
}

/* The NUL-terminated string at @shndx:@off, copied; NULL if none. */
static char *string_at(const struct klp_elf *elf, size_t shndx, uint64_t off)
{
	size_t size;
	const unsigned char *b = section_bytes(elf, shndx, &size);

	if (!b || off >= size || !memchr(b + off, 0, size - off))
		return NULL;
	return strdup((const char *)b + off);
}

/*
 * The relocations of section @shndx with offsets in [@lo, @hi), sorted by
 * offset, with offsets made relative to @lo.
 */
static int refs_in(const struct klp_elf *elf, size_t shndx, uint64_t lo, uint64_t hi,
		   struct ko_ref **out, size_t *nr)
{
	const struct klp_section *rsec;
	struct klp_reloc r;
	size_t i, j;

	*out = NULL;
	*nr = 0;
	klp_elf__for_each_reloc_section(elf, (unsigned int)shndx, rsec) {
		if (rsec->type != SHT_RELA)
			continue;
		klp_elf__for_each_reloc(elf, rsec, i, &r) {
			struct ko_ref *n;

			if (r.offset < lo || r.offset >= hi || !r.sym)
				continue;
			n = realloc(*out, (*nr + 1) * sizeof(**out));
			if (!n)
				return -ENOMEM;
			*out = n;
			n[*nr].offset = r.offset - lo;
			n[*nr].shndx = r.sym->shndx;
			n[*nr].target = (r.sym->type == STT_SECTION ? 0 : r.sym->value) +
					r.addend;
			(*nr)++;
		}
	}
	/* insertion sort: a few dozen entries */
	for (i = 1; i < *nr; i++)
		for (j = i; j > 0 && (*out)[j - 1].offset > (*out)[j].offset; j--) {
			struct ko_ref t = (*out)[j];

			(*out)[j] = (*out)[j - 1];
			(*out)[j - 1] = t;
		}
	return 0;
}

static const struct ko_ref *ref_at(const struct ko_ref *refs, size_t nr, uint64_t off)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (refs[i].offset == off)
			return &refs[i];
	return NULL;
}

static uint64_t read_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));	/* x86_64: little-endian, as the host */
	return v;
}

/*
 * sizeof(struct klp_func): the one size that cuts the array into entries
 * whose pointers sit at the pointer fields, none of them empty but the
 * last (the terminator, all zero).
 */
static size_t func_size(const unsigned char *a, uint64_t size, const struct ko_ref *refs,
			size_t nr)
{
	size_t s, found = 0, i, k;

	for (s = KLP_FUNC_EXTERNAL_SIZE; s <= size / 2; s += 8) {
		size_t n = size / s - 1;
		bool ok = !(size % s);

		for (i = 0; ok && i < nr; i++) {
			uint64_t in = refs[i].offset % s;

			ok = refs[i].offset / s < n &&
			     (in == KLP_FUNC_OLD_NAME || in == KLP_FUNC_NEW_FUNC ||
			      in == KLP_FUNC_NEW_NAME);
		}
		for (k = 0; ok && k <= n; k++) {
			const unsigned char *e = a + k * s;
			bool empty = !read_u64(e + KLP_FUNC_OLD_SYMPOS) &&
				     !e[KLP_FUNC_STACK_ONLY] &&
				     !read_u64(e + KLP_FUNC_NEW_SYMPOS);

			for (i = 0; i < nr; i++)
				empty &= refs[i].offset / s != k;
			ok = k < n ? !empty : empty;
		}
		if (ok) {
			if (found)
				return 0;	/* ambiguous */
			found = s;
		}
	}
	return found;
}

static int read_funcs(const struct klp_elf *f, struct klp_lp_table *t, struct klp_lp_object *o,
		      const struct klp_symbol *arr)
{
	const unsigned char *bytes;
	struct ko_ref *refs;
	size_t nr, size, k, s;
	int err;

	bytes = section_bytes(f, arr->shndx, &size);
	/* Symbol values are the file's word: no sum that can wrap. */
	if (!bytes || arr->value > size || arr->size > size - arr->value) {
		log_err("%s: error: %s: no contents\n", klp_elf__path(f), o->array);
		return -ENOEXEC;
	}
	bytes += arr->value;
	err = refs_in(f, arr->shndx, arr->value, arr->value + arr->size, &refs, &nr);
	if (err)
		return err;
	s = func_size(bytes, arr->size, refs, nr);
	if (!s || (t->func_size && s != t->func_size)) {
		log_err("%s: error: %s: cannot tell the size of struct klp_func from its "
			"%zu bytes and %zu relocations (a kernel without the stack_only "
			"support, or a table not generated by klp-prep?)\n",
			klp_elf__path(f), o->array, (size_t)arr->size, nr);
		free(refs);
		return -EBADMSG;
	}
	t->func_size = s;
	o->nr_funcs = arr->size / s - 1;
	o->funcs = calloc(o->nr_funcs, sizeof(*o->funcs));
	if (!o->funcs) {
		free(refs);
		return -ENOMEM;
	}
	for (k = 0; k < o->nr_funcs; k++) {
		struct klp_lp_func *fn = &o->funcs[k];
		const unsigned char *e = bytes + k * s;
		const struct ko_ref *r;

		fn->old_sympos = read_u64(e + KLP_FUNC_OLD_SYMPOS);
		fn->stack_only = e[KLP_FUNC_STACK_ONLY];
		fn->new_sympos = read_u64(e + KLP_FUNC_NEW_SYMPOS);
		if ((r = ref_at(refs, nr, k * s + KLP_FUNC_OLD_NAME)) &&
		    !(fn->old_name = string_at(f, r->shndx, r->target)))
			err = -EBADMSG;
		if ((r = ref_at(refs, nr, k * s + KLP_FUNC_NEW_NAME)) &&
		    !(fn->new_name = string_at(f, r->shndx, r->target)))
			err = -EBADMSG;
		if ((r = ref_at(refs, nr, k * s + KLP_FUNC_NEW_FUNC))) {
			const struct klp_symbol *func = klp_elf__find_symbol_at(f, r->shndx, r->target,
										  STT_FUNC);
			const char *fname = func ? func->name : NULL;

			if (!fname || !(fn->new_func = strdup(fname)))
				err = fname ? -ENOMEM : -EBADMSG;
		}
		if (err) {
			log_err("%s: error: %s[%zu]: a pointer that is neither a string nor a "
				"function\n", klp_elf__path(f), o->array, k);
			break;
		}
	}
	free(refs);
	return err;
}

int klp_lp_table__read(const char *ko, struct klp_lp_table **out)
{
	struct klp_lp_table *t;
	struct klp_elf *f;
	struct ko_ref *refs = NULL;
	const unsigned char *b;
	const struct ko_ref *objs;
	const struct klp_symbol *patch, *arr;
	size_t nr, i, size;
	const char *name;
	int err;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->path = strdup(ko))) {
		free(t);
		return -ENOMEM;
	}
	f = ko_open(ko);
	if (!f) {
		err = -errno;
		goto out;
	}
	/* klp_patch patch = { .mod, .objs = objs, ..., .replace } */
	if (!(patch = find_object(f, "patch")) ||
	    !(b = section_bytes(f, patch->shndx, &size)) ||
	    patch->value >= size || KLP_PATCH_REPLACE >= size - patch->value) {
		log_err("%s: error: no struct klp_patch 'patch' (not a livepatch module "
			"generated by klp-prep?)\n", ko);
		err = -EBADMSG;
		goto out;
	}
	t->replace = b[patch->value + KLP_PATCH_REPLACE];
	err = refs_in(f, patch->shndx, patch->value, patch->value + patch->size, &refs, &nr);
	if (err)
		goto out;
	objs = ref_at(refs, nr, KLP_PATCH_OBJS);
	if (!objs || !(arr = klp_elf__find_symbol_at(f, objs->shndx, objs->target, STT_OBJECT))) {
		log_err("%s: error: patch.objs points to no array\n", ko);
		err = -EBADMSG;
		goto out;
	}
	free(refs);
	refs = NULL;
	name = arr->name;
	err = refs_in(f, arr->shndx, arr->value, arr->value + arr->size, &refs, &nr);
	if (err)
		goto out;
	/* Each klp_object: .name (a string, none for vmlinux) then .funcs. */
	for (i = 0; !err && i < nr; i++) {
		const struct ko_ref *nm;
		struct klp_lp_object *o;
		const struct klp_symbol *fa;

		if (!(fa = klp_elf__find_symbol_at(f, refs[i].shndx, refs[i].target, STT_OBJECT)) ||
		    refs[i].offset < KLP_OBJECT_FUNCS)
			continue;
		o = realloc(t->objs, (t->nr_objs + 1) * sizeof(*o));
		if (!o) {
			err = -ENOMEM;
			break;
		}
		t->objs = o;
		o = &o[t->nr_objs++];
		memset(o, 0, sizeof(*o));
		nm = ref_at(refs, nr, refs[i].offset - KLP_OBJECT_FUNCS + KLP_OBJECT_NAME);
		o->name = nm ? string_at(f, nm->shndx, nm->target) : strdup("vmlinux");
		o->array = strdup(fa->name);
		if (!o->name || !o->array) {
			err = nm && o->array ? -EBADMSG : -ENOMEM;
			break;
		}
		err = read_funcs(f, t, o, fa);
	}
	if (!err && !t->nr_objs) {
		log_err("%s: error: the klp_object array '%s' has no funcs arrays\n", ko, name);
		err = -EBADMSG;
	}
out:
	free(refs);
	klp_elf__close(f);
	if (err)
		klp_lp_table__free(t);
	else
		*out = t;
	return err;
}

void klp_lp_table__free(struct klp_lp_table *t)
{
	size_t i, k;

	if (!t)
		return;
	for (i = 0; i < t->nr_objs; i++) {
		for (k = 0; k < t->objs[i].nr_funcs; k++) {
			free(t->objs[i].funcs[k].old_name);
			free(t->objs[i].funcs[k].new_func);
			free(t->objs[i].funcs[k].new_name);
		}
		free(t->objs[i].funcs);
		free(t->objs[i].name);
		free(t->objs[i].array);
	}
	free(t->objs);
	free(t->path);
	free(t);
}

size_t klp_lp_table__nr_patched(const struct klp_lp_table *t)
{
	size_t i, k, n = 0;

	for (i = 0; i < t->nr_objs; i++)
		for (k = 0; k < t->objs[i].nr_funcs; k++)
			n += !t->objs[i].funcs[k].stack_only;
	return n;
}

size_t klp_lp_table__nr_stack_only(const struct klp_lp_table *t)
{
	size_t i, k, n = 0;

	for (i = 0; i < t->nr_objs; i++)
		for (k = 0; k < t->objs[i].nr_funcs; k++)
			n += t->objs[i].funcs[k].stack_only;
	return n;
}

/* ---- the new side, from the module's records ----------------------------- */

/* The module's function symbols, for positions in .symtab order. */
static struct klp_sympos_table *module_sympos(const struct klp_objfile *ko)
{
	struct klp_sympos_table *t = klp_sympos_table__new(KLP_SYMPOS_MODULE);
	const struct klp_symbol *s;
	size_t i;

	if (!t)
		return NULL;
	klp_objfile__for_each_symbol(ko, i, s)
		if (klp_sympos_table__add(t, s->name, s->value))
			goto fail;
	if (!klp_sympos_table__sort(t))
		return t;
fail:
	klp_sympos_table__free(t);
	return NULL;
}

const struct klp_symbol *klp_lp_find_symbol(const struct klp_objfile *ko, const char *name,
					    unsigned long sympos)
{
	struct klp_sympos_table *t = module_sympos(ko);
	long i = t ? klp_sympos_table__find(t, name, sympos) : -1;

	klp_sympos_table__free(t);
	return i >= 0 ? klp_objfile__symbol(ko, (size_t)i) : NULL;
}

struct parts {
	const struct klp_objfile *ko;
	struct klp_sympos_table *sympos;
	size_t unit;
	const char *const *exclude;
	size_t nr_exclude;
	struct klp_lp_part *v;
	size_t nr;
};

/*
 * The position of @name as the symbol of unit p->unit's file group (or a
 * global one); -ENOTUNIQ when the group cannot tell.
 */
static int part_sympos(const struct parts *p, const char *name, unsigned long *pos)
{
	unsigned int file = klp_objfile__unit_file(p->ko, p->unit);
	const size_t *order = klp_sympos_table__order(p->sympos);
	size_t first, n = klp_sympos_table__named(p->sympos, name, &first), k;

	if (!n)
		return -ENOENT;
	for (k = 0; k < n; k++) {
		const struct klp_symbol *s = klp_objfile__symbol(p->ko, order[first + k]);

		if (n == 1 || (file && (s->file == file || s->bind != STB_LOCAL))) {
			*pos = klp_sympos_table__sympos(p->sympos, order[first + k]);
			return 0;
		}
	}
	return -ENOTUNIQ;
}

static bool parts_has(const struct parts *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (!strcmp(p->v[i].name, name))
			return true;
	return false;
}

static int parts_add(struct parts *p, const char *name, const char *kind)
{
	struct klp_lp_part *n;
	int err;

	if (parts_has(p, name))
		return 0;
	n = realloc(p->v, (p->nr + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->v = n;
	n = &n[p->nr];
	n->kind = kind;
	n->sympos = 0;
	err = part_sympos(p, name, &n->sympos);
	if (err) {
		log_err("%s: error: '%s' (%s): %s\n", klp_objfile__path(p->ko), name, kind,
			err == -ENOENT ? "the records name it, the symbol table does not" :
			"several symbols of the name, and none tells which is this unit's");
		return -EBADMSG;
	}
	n->name = strdup(name);
	if (!n->name)
		return -ENOMEM;
	p->nr++;
	return 0;
}

static bool excluded(const struct parts *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr_exclude; i++)
		if (!strcmp(p->exclude[i], name))
			return true;
	return false;
}

/* @fn's .cold part, then the clones it calls, and theirs. */
static int collect_parts(struct parts *p, const struct klp_unit *u, const struct klp_func_record *fn,
			 int depth)
{
	size_t idx = fn - u->funcs, i;
	int err = 0;

	if (depth > 16)
		return 0;
	if (fn->cold_symbol && (fn->flags & KLP_FUNC_F_COLD_SPLIT))
		err = parts_add(p, fn->cold_symbol, depth ? "cold part of a clone called by" : "cold part of");
	for (i = 0; !err && i < u->nr_calls; i++) {
		const struct klp_call *c = &u->calls[i];
		const struct klp_func_record *callee;

		if (c->func != idx || !c->callee || excluded(p, c->callee) ||
		    parts_has(p, c->callee))
			continue;
		callee = klp_unit__find_func(u, c->callee);
		if (!callee || !(callee->flags & KLP_FUNC_F_EMITTED))
			continue;
		err = parts_add(p, c->callee, callee->flags & KLP_FUNC_F_PART ? "partial-inlining tail called by" :
				(c->flags & KLP_CALL_F_TAIL) ? "clone tail-called by" : "clone called by");
		if (!err)
			err = collect_parts(p, u, callee, depth + 1);
	}
	return err;
}

int klp_lp_new_parts(const struct klp_objfile *ko, const char *func, const char *const *exclude,
		     size_t nr_exclude, struct klp_lp_part **out, size_t *nr_out)
{
	struct parts p = { .ko = ko, .exclude = exclude, .nr_exclude = nr_exclude };
	const struct klp_unit *u;
	const struct klp_func_record *fn = NULL;
	size_t i;
	int err;

	*out = NULL;
	*nr_out = 0;
	p.sympos = module_sympos(ko);
	if (!p.sympos)
		return -ENOMEM;
	klp_objfile__for_each_unit(ko, i, u) {
		fn = klp_unit__find_func(u, func);
		if (fn && (fn->flags & KLP_FUNC_F_EMITTED)) {
			p.unit = i;
			break;
		}
		fn = NULL;
	}
	if (!fn) {
		klp_sympos_table__free(p.sympos);
		return -ENOENT;
	}
	err = collect_parts(&p, u, fn, 0);
	klp_sympos_table__free(p.sympos);
	if (err) {
		klp_lp_parts__free(p.v, p.nr);
		return err;
	}
	*out = p.v;
	*nr_out = p.nr;
	return 0;
}

void klp_lp_parts__free(struct klp_lp_part *parts, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(parts[i].name);
	free(parts);
}

int klp_lp_table__new_funcs(const struct klp_lp_table *t, const char ***funcs, size_t *nr)
{
	size_t i, k;

	*funcs = NULL;
	*nr = 0;
	for (i = 0; i < t->nr_objs; i++)
		for (k = 0; k < t->objs[i].nr_funcs; k++) {
			const char **n;

			if (t->objs[i].funcs[k].stack_only || !t->objs[i].funcs[k].new_func)
				continue;
			n = realloc(*funcs, (*nr + 1) * sizeof(*n));
			if (!n) {
				free(*funcs);
				*funcs = NULL;
				*nr = 0;
				return -ENOMEM;
			}
			*funcs = n;
			n[(*nr)++] = t->objs[i].funcs[k].new_func;
		}
	return 0;
}

/* ---- verification ----------------------------------------------------------- */

#define verr(res, ...) do { log_err(__VA_ARGS__); (res)->errors++; } while (0)

/* What verify_object() needs besides the table and the module. */
struct verify_ctx {
	const struct klp_lp_table *t;
	const struct klp_objfile *ko;
	const char *const *parents;
	size_t nr_parents;
	bool stock;
	bool uncovered;			/* stock, parts left to escape */
	struct klp_coverage *cov;	/* a stock table's: the module's graph */
	bool cov_tried;
	struct klp_verify_result *res;
};

static bool is_parent(const struct verify_ctx *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nr_parents; i++)
		if (!strcmp(v->parents[i], name))
			return true;
	return false;
}

/*
 * The table's own reference to a new function (.new_func): the entry
 * ftrace gives the old function's callers, all of them patched when the
 * old side is covered, so not an address taken.
 */
static bool table_entry(const struct verify_ctx *v, const struct klp_coverage_problem *p)
{
	size_t i;

	if (p->kind != KLP_COV_ADDRESS_TAKEN || !p->function || !p->site_symbol ||
	    !is_parent(v, p->function))
		return false;
	for (i = 0; i < v->t->nr_objs; i++)
		if (v->t->objs[i].array && !strcmp(v->t->objs[i].array, p->site_symbol))
			return true;
	return false;
}

static size_t table_entries(const struct verify_ctx *v, const struct klp_coverage_result *r)
{
	size_t k, n = 0;

	for (k = 0; k < r->nr_problems; k++)
		n += table_entry(v, &r->problems[k]);
	return n;
}

/*
 * Is @part split from a new function of the table ("klpp_foo.cold")?
 * Otherwise it is the module's copy of another function's code
 * (klp_demo_wait.constprop.0): a task in it for a new function has that
 * function's frame above it, which the check holds, as on the old side.
 */
static bool patch_code(const struct verify_ctx *v, const char *part)
{
	char *origin = klp_part_origin(part);
	bool mine;

	mine = origin && is_parent(v, origin);
	free(origin);
	return mine;
}

/* A part not covered: an error, or a -v note where the author let it escape. */
#define cover_err(v, ...)						\
	do {								\
		if ((v)->uncovered)					\
			log_info(__VA_ARGS__);				\
		else							\
			log_err(__VA_ARGS__);				\
		(v)->res->errors++;					\
	} while (0)

/*
 * A stock table: new part @part of @p must be covered by new functions
 * of the table, in the module's own code.
 */
static int verify_covered(struct verify_ctx *v, const struct klp_lp_object *o,
			  const struct klp_lp_func *p, const struct klp_lp_part *part)
{
	struct klp_verify_result *res = v->res;
	size_t errors = res->errors;
	const struct klp_symbol *sym;
	struct klp_coverage_result r;
	size_t k;
	int err;

	if (!patch_code(v, part->name)) {
		log_info("%s: %s: '%s' (%s '%s') needs no cover: code of another function, "
			 "below '%s' when it runs for it\n", v->t->path, o->name, part->name,
			 part->kind, p->new_func, p->new_func);
		return 0;
	}
	if (!v->cov_tried) {
		v->cov_tried = true;
		v->cov = klp_coverage__new(klp_objfile__elf(v->ko));
		if (!v->cov && errno == ENOMEM)
			return -ENOMEM;
	}
	if (!v->cov && v->uncovered) {
		res->new_only++;
		return 0;
	}
	if (!v->cov) {
		cover_err(v, "%s: error: %s: cannot read the module's callers to prove that '%s' "
		     "(%s '%s') is covered\n", v->t->path, o->name, part->name, part->kind,
		     p->new_func);
		return 0;
	}
	sym = klp_lp_find_symbol(v->ko, part->name, part->sympos);
	if (!sym) {
		cover_err(v, "%s: error: %s: '%s' is not a symbol of the module\n", v->t->path,
		     o->name, part->name);
		return 0;
	}
	err = klp_coverage__analyse(v->cov, sym, NULL, &r);
	if (err)
		return err;
	for (k = 0; k < r.nr_problems; k++) {
		if (table_entry(v, &r.problems[k]))
			continue;
		cover_err(v, "%s: error: %s: the new '%s' (%s '%s') is not covered: '%s' is %s\n",
		     v->t->path, o->name, part->name, part->kind, p->new_func,
		     r.problems[k].function ? r.problems[k].function : part->name,
		     klp_coverage_problem_name(r.problems[k].kind));
	}
	if (!r.nr_callers && (r.coverable || r.nr_problems == table_entries(v, &r)))
		cover_err(v, "%s: error: %s: the new '%s' (%s '%s') runs in the frame of a function "
		     "no code of the module calls: its callers are the kernel's, which the "
		     "patch does not replace, so a task in it escapes the check on disable\n",
		     v->t->path, o->name, part->name, part->kind, p->new_func);
	for (k = 0; k < r.nr_callers; k++)
		if (!is_parent(v, r.callers[k].name))
			cover_err(v, "%s: error: %s: the new '%s' (%s '%s') runs below '%s' (%s), which "
			     "the table does not patch: a task in it escapes the check on "
			     "disable\n", v->t->path, o->name, part->name, part->kind,
			     p->new_func, r.callers[k].name, r.callers[k].chain);
	klp_coverage_result__fini(&r);
	if (res->errors == errors)
		res->covered++;
	else if (v->uncovered)
		res->errors = errors, res->new_only++;	/* the author let it escape */
	return 0;
}

static int verify_parent(struct verify_ctx *v, const struct klp_lp_object *o, size_t at)
{
	const struct klp_lp_table *t = v->t;
	const struct klp_objfile *ko = v->ko;
	const char *const *parents = v->parents;
	size_t nr_parents = v->nr_parents;
	struct klp_verify_result *res = v->res;
	const struct klp_lp_func *p = &o->funcs[at], *e;
	struct klp_lp_part *parts;
	bool *named;
	size_t nr, k, j;
	int err;

	res->patched++;
	if (!p->new_func) {
		verr(res, "%s: error: %s: '%s' has no new_func\n", t->path, o->name, p->old_name);
		return 0;
	}
	err = klp_lp_new_parts(ko, p->new_func, parents, nr_parents, &parts, &nr);
	if (err == -ENOENT) {
		verr(res, "%s: error: no partition records of '%s': the module was built without "
		     "the klp-prep plugin, so what GCC split off it is unknown\n", t->path,
		     p->new_func);
		return 0;
	}
	if (err)
		return err == -EBADMSG ? (res->errors++, 0) : err;
	named = calloc(nr + 1, sizeof(*named));
	if (!named) {
		klp_lp_parts__free(parts, nr);
		return -ENOMEM;
	}
	for (k = at + 1; k < o->nr_funcs && o->funcs[k].stack_only; k++) {
		const struct klp_symbol *s;

		e = &o->funcs[k];
		if (e->old_name && e->new_name)
			res->pairs++;
		else if (e->old_name)
			res->old_only++;
		else if (e->new_name)
			res->new_only++;
		if (!e->new_name)
			continue;
		s = klp_lp_find_symbol(ko, e->new_name, e->new_sympos);
		if (!s) {
			verr(res, "%s: error: %s: stack_only new_name '%s' (new_sympos %lu) of '%s' "
			     "is not a symbol of the module%s\n", t->path, o->name, e->new_name,
			     e->new_sympos, p->new_func, e->new_sympos ? "" : " (or not a unique one)");
			continue;
		}
		for (j = 0; j < nr; j++)
			if (!strcmp(parts[j].name, e->new_name) && parts[j].sympos == e->new_sympos)
				break;
		if (j == nr) {
			verr(res, "%s: error: %s: stack_only new_name '%s' is not a part of '%s' by the "
			     "module's records\n", t->path, o->name, e->new_name, p->new_func);
		} else if (named[j]) {
			verr(res, "%s: error: %s: '%s' is named by two stack_only entries of '%s'\n",
			     t->path, o->name, e->new_name, p->new_func);
		}
		named[j] = true;
	}
	for (j = 0; j < nr && !err; j++)
		if (!named[j] && v->stock)
			err = verify_covered(v, o, p, &parts[j]);
		else if (!named[j])
			verr(res, "%s: error: %s: '%s' (%s '%s') is in the module, but no stack_only "
			     "entry names it: a task in it would escape the stack check\n", t->path,
			     o->name, parts[j].name, parts[j].kind, p->new_func);
	free(named);
	klp_lp_parts__free(parts, nr);
	return err;
}

static int verify_object(struct verify_ctx *v, const struct klp_lp_object *o)
{
	const struct klp_lp_table *t = v->t;
	struct klp_verify_result *res = v->res;
	size_t k;
	int err = 0;

	if (!o->nr_funcs)
		verr(res, "%s: error: %s: an empty funcs array\n", t->path, o->name);
	for (k = 0; !err && k < o->nr_funcs; k++) {
		const struct klp_lp_func *e = &o->funcs[k];

		if (!e->stack_only) {
			if (!e->old_name)
				verr(res, "%s: error: %s[%zu]: a patched function without old_name\n",
				     t->path, o->array, k);
			if (e->new_name || e->new_sympos)
				verr(res, "%s: error: %s[%zu] '%s': new_name/new_sympos outside a "
				     "stack_only entry\n", t->path, o->array, k, e->old_name);
			err = verify_parent(v, o, k);
			continue;
		}
		if (v->stock)
			verr(res, "%s: error: %s[%zu]: a stack_only entry in a table for a kernel "
			     "without stack_only\n", t->path, o->array, k);
		if (!k)
			verr(res, "%s: error: %s: a stack_only entry first, with no function to "
			     "belong to\n", t->path, o->array);
		if (e->new_func)
			verr(res, "%s: error: %s[%zu]: a stack_only entry with new_func\n", t->path,
			     o->array, k);
		if (!e->old_name && !e->new_name)
			verr(res, "%s: error: %s[%zu]: a stack_only entry with neither old_name nor "
			     "new_name\n", t->path, o->array, k);
	}
	return err;
}

int klp_verify_module(const char *ko_path, struct klp_verify_result *res)
{
	return klp_verify_module_stock(ko_path, KLP_VERIFY_STACK_ONLY, res);
}

int klp_verify_module_stock(const char *ko_path, enum klp_verify_kernel kernel,
			    struct klp_verify_result *res)
{
	struct verify_ctx v = {
		.stock = kernel != KLP_VERIFY_STACK_ONLY,
		.uncovered = kernel == KLP_VERIFY_STOCK_UNCOVERED,
		.res = res,
	};
	struct klp_lp_table *t;
	struct klp_objfile *ko;
	const char **parents = NULL;
	size_t nr_parents = 0, i;
	int err;

	memset(res, 0, sizeof(*res));
	err = klp_lp_table__read(ko_path, &t);
	if (err)
		return err;
	ko = klp_objfile__open(ko_path, 0);
	if (!ko) {
		err = -errno;
		klp_lp_table__free(t);
		return err ? err : -EINVAL;
	}
	if (!klp_objfile__has_records(ko))
		verr(res, "%s: error: no .klp_prep.partition section: the module was built "
		     "without the klp-prep plugin\n", ko_path);
	err = klp_lp_table__new_funcs(t, &parents, &nr_parents);
	v.t = t;
	v.ko = ko;
	v.parents = parents;
	v.nr_parents = nr_parents;
	for (i = 0; !err && i < t->nr_objs; i++)
		err = verify_object(&v, &t->objs[i]);
	klp_coverage__free(v.cov);
	if (!err && res->errors)
		err = -EBADMSG;
	free(parents);
	klp_objfile__free(ko);
	klp_lp_table__free(t);
	return err;
}
