// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * object.c - read an ELF file's partition records and function symbols
 *
 * Works the same on every kind of ELF file the toolchain meets: the
 * section is non-allocated and needs no relocation, so its bytes are read
 * as they are; the function symbols are a view of the symbols of the
 * struct klp_elf below (elf.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include "log.h"
#include "object_internal.h"

static int add_units(struct klp_objfile *obj, struct klp_unit **units,
		     size_t nr_units)
{
	struct klp_unit **all;

	all = realloc(obj->units, (obj->nr_units + nr_units) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	memcpy(all + obj->nr_units, units, nr_units * sizeof(*units));
	obj->units = all;
	obj->nr_units += nr_units;
	return 0;
}

static int read_partition(struct klp_objfile *obj,
			  const struct klp_section *sec)
{
	struct klp_decode_error derr = { 0 };
	struct klp_unit **units;
	size_t nr_units, size;
	const void *data;
	int err;

	obj->has_records = true;
	if (sec->type == SHT_NOBITS) {
		pr_err(obj->path, "%s has no contents (SHT_NOBITS)",
		       KLP_PARTITION_SECTION_NAME);
		return -EBADMSG;
	}
	if (sec->flags & SHF_COMPRESSED) {
		pr_err(obj->path, "%s is compressed; decompress the file first (objcopy --decompress-debug-sections)",
		       KLP_PARTITION_SECTION_NAME);
		return -EBADMSG;
	}
	data = klp_elf__section_rawdata(obj->elf, sec, &size);
	if (!data && sec->size) {
		pr_err(obj->path, "cannot read %s: %s",
		       KLP_PARTITION_SECTION_NAME, elf_errmsg(-1));
		return -ENOEXEC;
	}
	err = klp_partition__decode(data ? data : "", data ? size : 0,
				    &units, &nr_units, &derr);
	if (err == -ENODATA) {
		pr_err(obj->path, "%s: %s", KLP_PARTITION_SECTION_NAME,
		       derr.message);
		return -EBADMSG;
	}
	if (err == -EPROTONOSUPPORT) {
		pr_err(obj->path, "%s: block at 0x%zx: %s (rebuild with the plugin of this klp-prep, or update klp-prep)",
		       KLP_PARTITION_SECTION_NAME, derr.block, derr.message);
		return err;
	}
	if (err == -EBADMSG) {
		pr_err(obj->path, "%s: corrupt block at 0x%zx: at 0x%zx: %s (a damaged file, or not written by the klp_partition plugin: rebuild it)",
		       KLP_PARTITION_SECTION_NAME, derr.block, derr.offset,
		       derr.message);
		return err;
	}
	if (err)
		return err;
	err = add_units(obj, units, nr_units);
	if (err) {
		klp_units__free(units, nr_units);
		return err;
	}
	free(units);	/* the units themselves now belong to obj */
	return 0;
}

/* The format uses no relocations; a producer that adds some is not ours. */
static void warn_relocations(struct klp_objfile *obj,
			     const struct klp_section *partition)
{
	const struct klp_section *rsec;

	klp_elf__for_each_reloc_section(obj->elf, partition->index, rsec)
		pr_warn(obj->path, "%s has relocations (%s); the format uses none, they are ignored",
			KLP_PARTITION_SECTION_NAME, rsec->name);
}

static int read_sections(struct klp_objfile *obj)
{
	const struct klp_section *sec;
	size_t i;
	int err;

	klp_elf__for_each_section(obj->elf, i, sec) {
		if (strcmp(sec->name, KLP_PARTITION_SECTION_NAME))
			continue;
		if (sec->flags & SHF_ALLOC)
			pr_warn(obj->path, "%s is allocated (SHF_ALLOC); it should take no memory at run time",
				KLP_PARTITION_SECTION_NAME);
		err = read_partition(obj, sec);
		if (err)
			return err;
		warn_relocations(obj, sec);
	}
	return 0;
}

/*
 * objtool names the padding it leaves before each function of a kernel
 * built with CONFIG_CALL_PADDING (x86 IBT, call depth tracking)
 * "__pfx_NAME", an STT_FUNC of its own, and clang's kCFI preamble
 * "__cfi_NAME": neither is code GCC compiled as a function.
 */
static bool is_padding(const char *name)
{
	return !strncmp(name, "__pfx_", 6) || !strncmp(name, "__cfi_", 6);
}

static bool is_function(const struct klp_symbol *sym)
{
	return (sym->type == STT_FUNC || sym->type == STT_GNU_IFUNC) &&
	       sym->shndx != SHN_UNDEF && !is_padding(sym->name);
}

/* The function view: defined STT_FUNC and STT_GNU_IFUNC symbols. */
static int read_symbols(struct klp_objfile *obj)
{
	const struct klp_symbol *sym;
	size_t i;

	obj->funcs = calloc(klp_elf__nr_symbols(obj->elf) + 1,
			    sizeof(*obj->funcs));
	if (!obj->funcs)
		return -ENOMEM;
	klp_elf__for_each_symbol(obj->elf, i, sym)
		if (is_function(sym))
			obj->funcs[obj->nr_funcs++] = sym;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Does file group @file hold a local function symbol @name? */
static bool group_has_local(const struct klp_objfile *obj, const char *name,
			    unsigned int file)
{
	const struct klp_symbol *sym;

	klp_objfile__for_each_symbol_by_name(obj, name, sym)
		if (sym->bind == STB_LOCAL && sym->file == file)
			return true;
	return false;
}

/*
 * Does file group @file hold every local symbol unit @unit emitted (its
 * non-public bodies and every .cold part)?  *@need says how many that is.
 */
static bool group_holds(const struct klp_objfile *obj,
			const struct klp_unit *unit, unsigned int file,
			size_t *need)
{
	size_t k, n, hits = 0;

	*need = 0;
	for (k = 0; k < unit->nr_funcs; k++) {
		const struct klp_func_record *f = &unit->funcs[k];
		const char *names[2] = {
			(f->flags & KLP_FUNC_F_PUBLIC) ? NULL : f->symbol,
			f->cold_symbol,
		};

		if (!(f->flags & KLP_FUNC_F_EMITTED) ||
		    (f->flags & KLP_FUNC_F_ALIAS))
			continue;
		for (n = 0; n < 2; n++) {
			if (!names[n])
				continue;
			(*need)++;
			hits += group_has_local(obj, names[n], file);
		}
	}
	return hits == *need;
}

/*
 * How many groups of @base no unit owns yet (without local function
 * symbols, when @has_locals); the @rank-th of them in *@pick.
 */
static size_t free_groups_named(const struct klp_objfile *obj,
				const unsigned int *owner, const bool *has_locals,
				const char *base, size_t rank, unsigned int *pick)
{
	unsigned int file;
	size_t n = 0;

	for (file = 1; file <= klp_elf__nr_files(obj->elf); file++) {
		if (owner[file] || (has_locals && has_locals[file]) ||
		    strcmp(klp_elf__file_name(obj->elf, file), base))
			continue;
		if (n++ == rank)
			*pick = file;
	}
	return n;
}

/*
 * The one of the @nr candidate groups at @cands[@first] no unit owns yet;
 * 0 for none or several.  (An index, not cands + first: @cands is NULL
 * when no unit has a candidate.)
 */
static unsigned int one_free(const unsigned int *owner, const unsigned int *cands,
			     size_t first, size_t nr)
{
	unsigned int only = 0;
	size_t j;

	for (j = first; j < first + nr; j++) {
		if (owner[cands[j]])
			continue;
		if (only)
			return 0;
		only = cands[j];
	}
	return only;
}

/*
 * Tie each unit to the file group of its local symbols.  The assembler
 * names the STT_FILE symbol after the basename of the main input file,
 * the unit records the input file as given; basenames repeat (ftrace.c
 * is arch/x86/kernel/ftrace.c and kernel/trace/ftrace.c), and GNU ld need
 * not write the groups in link order: in a vmlinux, kernel/trace's group
 * came first.  So a group is tied by content, never by rank: a unit's
 * candidates are the groups of its basename holding every local symbol
 * it emitted (.cold parts included).  A unit left with one candidate
 * that no other unit is left with alone owns it, which takes it from the
 * others' candidates, until nothing changes; a unit whose symbols fit
 * several groups, or the same one as another unit, is left at 0: a wrong
 * group would pair it with another unit's statics.  A unit without local
 * symbols has nothing to tell apart: it takes the last group of its
 * basename when it is the last unit of it (a .o's one unit and group),
 * else one of the groups without local function symbols when there are
 * as many as such units (which of them does not matter: none holds a
 * static to look up).
 */
static int match_unit_files(struct klp_objfile *obj)
{
	size_t nr_units = obj->nr_units, nr_groups = klp_elf__nr_files(obj->elf) + 1;
	size_t i, j, need, nr_cands = 0, cap = 0, *first = NULL, *nr = NULL,
	       *need_of = NULL;
	unsigned int *cands = NULL, *owner = NULL, *claims = NULL, file;
	bool progress = true, *has_locals = NULL;
	int err = -ENOMEM;

	obj->unit_files = calloc(nr_units ? nr_units : 1,
				 sizeof(*obj->unit_files));
	first = calloc(nr_units ? nr_units : 1, sizeof(*first));
	nr = calloc(nr_units ? nr_units : 1, sizeof(*nr));
	owner = calloc(nr_groups, sizeof(*owner));	/* unit + 1 */
	claims = calloc(nr_groups, sizeof(*claims));
	need_of = calloc(nr_units ? nr_units : 1, sizeof(*need_of));
	has_locals = calloc(nr_groups, sizeof(*has_locals));
	if (!obj->unit_files || !first || !nr || !owner || !claims ||
	    !need_of || !has_locals)
		goto out;
	err = 0;
	if (!klp_elf__nr_files(obj->elf))
		goto out;	/* no .symtab, or not read */
	err = -ENOMEM;
	for (i = 0; i < obj->nr_funcs; i++)
		if (obj->funcs[i]->bind == STB_LOCAL)
			has_locals[obj->funcs[i]->file] = true;

	/* Each unit's candidates, in cands[first[i] .. + nr[i]). */
	for (i = 0; i < nr_units; i++) {
		const struct klp_unit *unit = obj->units[i];
		const char *base;

		first[i] = nr_cands;
		if (!unit->source)
			continue;
		group_holds(obj, unit, 0, &need_of[i]);	/* only counts */
		if (!need_of[i])
			continue;
		base = base_name(unit->source);
		for (file = 1; file <= klp_elf__nr_files(obj->elf); file++) {
			if (strcmp(klp_elf__file_name(obj->elf, file), base) ||
			    !group_holds(obj, unit, file, &need))
				continue;
			if (nr_cands == cap) {
				unsigned int *more;

				cap = cap ? 2 * cap : 64;
				more = realloc(cands, cap * sizeof(*cands));
				if (!more)
					goto out;
				cands = more;
			}
			cands[nr_cands++] = file;
			nr[i]++;
		}
	}

	while (progress) {
		progress = false;
		/* claims[g]: the untied units left with g alone. */
		memset(claims, 0, nr_groups * sizeof(*claims));
		for (i = 0; i < nr_units; i++)
			if (!obj->unit_files[i])
				claims[one_free(owner, cands, first[i], nr[i])]++;
		for (i = 0; i < nr_units; i++) {
			unsigned int only;

			if (obj->unit_files[i])
				continue;
			only = one_free(owner, cands, first[i], nr[i]);
			if (!only || claims[only] != 1)
				continue;
			obj->unit_files[i] = only;
			owner[only] = (unsigned int)i + 1;
			progress = true;
		}
	}

	for (i = 0; i < nr_units; i++) {
		const char *source = obj->units[i]->source, *base;
		size_t nr_free_units = 0, nr_bare_units = 0, rank = 0;

		if (!source || obj->unit_files[i])
			continue;
		if (need_of[i]) {
			pr_debug(obj->path, "unit %s: its local symbols fit %zu STT_FILE groups named %s: left untied",
				 source, nr[i], base_name(source));
			continue;
		}
		base = base_name(source);
		for (j = 0; j < nr_units; j++) {
			const char *other = obj->units[j]->source;

			if (!other || obj->unit_files[j] ||
			    strcmp(base_name(other), base))
				continue;
			nr_free_units++;
			if (!need_of[j]) {
				rank += j < i;
				nr_bare_units++;
			}
		}
		file = 0;
		if (nr_free_units == 1 &&
		    free_groups_named(obj, owner, NULL, base, 0, &file) != 1)
			file = 0;
		if (!file &&
		    free_groups_named(obj, owner, has_locals, base, rank,
				      &file) != nr_bare_units)
			file = 0;
		if (file) {
			obj->unit_files[i] = file;
			owner[file] = (unsigned int)i + 1;
		}
	}
	err = 0;
out:
	free(first);
	free(nr);
	free(cands);
	free(owner);
	free(claims);
	free(need_of);
	free(has_locals);
	return err;
}

struct klp_objfile *klp_objfile__open(const char *path, unsigned int flags)
{
	struct klp_objfile *obj;
	int err = 0;

	obj = calloc(1, sizeof(*obj));
	if (!obj || !(obj->path = strdup(path))) {
		free(obj);
		errno = ENOMEM;
		return NULL;
	}
	obj->elf = klp_elf__open(path, flags & KLP_OPEN_NO_SYMBOLS ?
				 KLP_ELF_NO_SYMBOLS : 0);
	if (!obj->elf) {
		err = -errno;
		klp_objfile__free(obj);
		errno = -err;
		return NULL;
	}
	obj->symbols_skipped = flags & KLP_OPEN_NO_SYMBOLS;
	err = read_sections(obj);
	if (!err)
		err = read_symbols(obj);
	if (!err)
		err = match_unit_files(obj);
	if (err) {
		if (err == -ENOMEM)
			pr_err(path, "out of memory");
		klp_objfile__free(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

void klp_objfile__free(struct klp_objfile *obj)
{
	if (!obj)
		return;
	klp_units__free(obj->units, obj->nr_units);
	free(obj->unit_files);
	free(obj->funcs);
	klp_elf__close(obj->elf);
	free(obj->path);
	free(obj);
}

const struct klp_elf *klp_objfile__elf(const struct klp_objfile *obj)
{
	return obj->elf;
}

const char *klp_objfile__path(const struct klp_objfile *obj)
{
	return obj->path;
}

unsigned int klp_objfile__elf_type(const struct klp_objfile *obj)
{
	return klp_elf__type(obj->elf);
}

bool klp_objfile__has_records(const struct klp_objfile *obj)
{
	return obj->has_records;
}

size_t klp_objfile__nr_units(const struct klp_objfile *obj)
{
	return obj->nr_units;
}

const struct klp_unit *klp_objfile__unit(const struct klp_objfile *obj, size_t i)
{
	return i < obj->nr_units ? obj->units[i] : NULL;
}

bool klp_objfile__has_symtab(const struct klp_objfile *obj)
{
	return klp_elf__has_symtab(obj->elf);
}

size_t klp_objfile__nr_symbols(const struct klp_objfile *obj)
{
	return obj->nr_funcs;
}

const struct klp_symbol *klp_objfile__symbol(const struct klp_objfile *obj,
					    size_t i)
{
	return i < obj->nr_funcs ? obj->funcs[i] : NULL;
}

/* The function symbols among the symbols of a name, from @sym on. */
static const struct klp_symbol *function_from(const struct klp_objfile *obj,
					      const struct klp_symbol *sym)
{
	while (sym && !is_function(sym))
		sym = klp_elf__next_symbol_by_name(obj->elf, sym);
	return sym;
}

const struct klp_symbol *
klp_objfile__find_symbol_by_name(const struct klp_objfile *obj, const char *name)
{
	return function_from(obj, klp_elf__find_symbol_by_name(obj->elf, name));
}

const struct klp_symbol *
klp_objfile__next_symbol_by_name(const struct klp_objfile *obj,
				const struct klp_symbol *sym)
{
	return function_from(obj, klp_elf__next_symbol_by_name(obj->elf, sym));
}

size_t klp_objfile__nr_files(const struct klp_objfile *obj)
{
	return klp_elf__nr_files(obj->elf);
}

const char *klp_objfile__file_name(const struct klp_objfile *obj,
				  unsigned int file)
{
	return klp_elf__file_name(obj->elf, file);
}

unsigned int klp_objfile__unit_file(const struct klp_objfile *obj, size_t i)
{
	return i < obj->nr_units ? obj->unit_files[i] : 0;
}

size_t klp_objfile__files_holding(const struct klp_objfile *obj,
				  const char *base, const char *const *names,
				  size_t nr_names, unsigned int *files,
				  size_t max_files)
{
	unsigned int file;
	size_t n, nr = 0;

	for (file = 1; file <= klp_elf__nr_files(obj->elf); file++) {
		if (strcmp(klp_elf__file_name(obj->elf, file), base))
			continue;
		for (n = 0; n < nr_names; n++)
			if (!group_has_local(obj, names[n], file))
				break;
		if (n < nr_names)
			continue;
		if (nr < max_files)
			files[nr] = file;
		nr++;
	}
	return nr;
}

const struct klp_func_record *klp_unit__find_func(const struct klp_unit *unit,
					   const char *name)
{
	size_t i;

	for (i = 0; i < unit->nr_funcs; i++)
		if (!strcmp(unit->funcs[i].symbol, name))
			return &unit->funcs[i];
	return NULL;
}

const struct klp_func_record *
klp_unit__find_func_by_cold(const struct klp_unit *unit, const char *name)
{
	size_t i;

	for (i = 0; i < unit->nr_funcs; i++)
		if (unit->funcs[i].cold_symbol &&
		    !strcmp(unit->funcs[i].cold_symbol, name))
			return &unit->funcs[i];
	return NULL;
}
