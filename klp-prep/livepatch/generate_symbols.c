// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_symbols.c - vmlinux's symbols and exports, and the oracle the
 * extraction asks about one unit
 *
 * Positions (old_sympos and the POS of .klp.sym.OBJ.NAME,POS) are counted
 * as the livepatch core does: for vmlinux klp_find_object_symbol() walks
 * kallsyms_on_each_match_symbol(), which visits equal names in address
 * order (scripts/kallsyms.c sorts names, then addresses); for a module,
 * module_kallsyms_on_each_symbol(), in the module's .symtab order.  0
 * when the name is unique.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract_log.h"
#include "generate_internal.h"

static int read_symvers(struct gen_symtab *st, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int err = 0;

	if (!path)
		return 0;
	f = fopen(path, "r");
	if (!f) {
		klp_gen_warn("%s: warning: %s; every kernel symbol the patch uses will be "
			     "treated as not exported\n", path, strerror(errno));
		return 0;
	}
	/* "0xcrc\tname\tmodule\tEXPORT_SYMBOL[_GPL]\tnamespace" */
	while (getline(&line, &cap, f) > 0) {
		char *name = strchr(line, '\t'), *end;

		if (!name)
			continue;
		name++;
		end = strchr(name, '\t');
		if (!end)
			continue;
		*end = '\0';
		if (strset_add(&st->exports, name) < 0) {
			err = -ENOMEM;
			break;
		}
	}
	free(line);
	fclose(f);
	st->have_exports = !err;
	return err;
}

static const struct gen_symtab *sort_st;

static int cmp_by_name(const void *a, const void *b)
{
	const struct gen_sym *x = &sort_st->syms[*(const size_t *)a];
	const struct gen_sym *y = &sort_st->syms[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (!sort_st->is_module && x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

int gen_symtab__open(const char *path, const char *object, bool is_module,
		     const char *symvers, struct gen_symtab **out)
{
	struct gen_symtab *st;
	Elf_Scn *scn = NULL;
	Elf *elf = NULL;
	int fd, err = -ENOMEM;
	size_t i, cap = 0;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->is_module = is_module;
	st->path = strdup(path);
	st->object = strdup(object);
	if (!st->path || !st->object)
		goto fail;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		err = -errno;
		klp_gen_err("%s: error: %s\n", path, strerror(errno));
		goto fail;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		klp_gen_err("%s: error: elf_begin: %s\n", path, elf_errmsg(-1));
		close(fd);
		err = -ENOEXEC;
		goto fail;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			break;
		n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (i = 1; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			int type;

			if (!gelf_getsym(data, i, &sym))
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			type = GELF_ST_TYPE(sym.st_info);
			if (!name)
				continue;
			if (type == STT_FILE) {
				char **f = realloc(st->files, (st->nr_files + 2) * sizeof(*f));

				if (!f)
					goto fail_elf;
				st->files = f;
				if (!st->nr_files)
					f[0] = NULL;
				st->nr_files++;
				f[st->nr_files] = strdup(name);
				if (!f[st->nr_files])
					goto fail_elf;
				continue;
			}
			if (!*name || type == STT_SECTION || sym.st_shndx == SHN_UNDEF)
				continue;
			if (st->nr == cap) {
				struct gen_sym *s = realloc(st->syms, (cap = cap * 2 + 4096) * sizeof(*s));

				if (!s)
					goto fail_elf;
				st->syms = s;
			}
			st->syms[st->nr].name = strdup(name);
			if (!st->syms[st->nr].name)
				goto fail_elf;
			st->syms[st->nr].value = sym.st_value;
			st->syms[st->nr].type = type;
			st->syms[st->nr].bind = GELF_ST_BIND(sym.st_info);
			/* Globals follow the locals of the last file: no group. */
			st->syms[st->nr].file = GELF_ST_BIND(sym.st_info) == STB_LOCAL ?
						st->nr_files : 0;
			st->nr++;
		}
		break;
	}
	elf_end(elf);
	close(fd);
	if (!st->nr) {
		klp_gen_err("%s: error: no symbol table\n", path);
		err = -ENOEXEC;
		goto fail;
	}
	st->by_name = malloc(st->nr * sizeof(*st->by_name));
	if (!st->by_name)
		goto fail;
	for (i = 0; i < st->nr; i++)
		st->by_name[i] = i;
	sort_st = st;
	qsort(st->by_name, st->nr, sizeof(*st->by_name), cmp_by_name);
	sort_st = NULL;
	err = read_symvers(st, symvers);
	if (err)
		goto fail;
	*out = st;
	return 0;
fail_elf:
	elf_end(elf);
	close(fd);
	err = -ENOMEM;
fail:
	gen_symtab__free(st);
	return err;
}

void gen_symtab__free(struct gen_symtab *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nr; i++)
		free(st->syms[i].name);
	free(st->syms);
	for (i = 1; i <= st->nr_files; i++)
		free(st->files[i]);
	free(st->files);
	free(st->by_name);
	strset_free(&st->exports);
	free(st->path);
	free(st->object);
	free(st);
}

size_t gen_symtab__named(const struct gen_symtab *st, const char *name,
			 size_t *first)
{
	size_t lo = 0, hi = st->nr, n = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(st->syms[st->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < st->nr && !strcmp(st->syms[st->by_name[lo + n]].name, name))
		n++;
	return n;
}

unsigned long gen_symtab__sympos(const struct gen_symtab *st,
				 const struct gen_sym *s)
{
	size_t first, n = gen_symtab__named(st, s->name, &first), k;

	if (n <= 1)
		return 0;
	for (k = 0; k < n; k++)
		if (&st->syms[st->by_name[first + k]] == s)
			return k + 1;
	return 0;
}

static bool in_groups(const struct gen_unit_oracle *uo, unsigned int file)
{
	size_t i;

	for (i = 0; i < uo->nr_groups; i++)
		if (uo->groups[i] == file)
			return true;
	return false;
}

/*
 * The unit's local symbol @name: in one of the unit's file groups; if
 * several groups share the basename (two "core.c"), the symbol must be
 * in exactly one of them, else it is ambiguous (NULL, *@ambiguous).
 */
static const struct gen_sym *find_local(const struct gen_unit_oracle *uo,
					const char *name, int type, bool *ambiguous)
{
	const struct gen_symtab *st = uo->st;
	const struct gen_sym *found = NULL;
	size_t first, n = gen_symtab__named(st, name, &first), k;

	*ambiguous = false;
	for (k = 0; k < n; k++) {
		const struct gen_sym *s = &st->syms[st->by_name[first + k]];

		if (s->bind != STB_LOCAL || (type >= 0 && s->type != type) ||
		    !in_groups(uo, s->file))
			continue;
		if (found) {
			*ambiguous = true;
			return NULL;
		}
		found = s;
	}
	return found;
}

const struct gen_sym *gen_unit_oracle__local(const struct gen_unit_oracle *uo,
					     const char *name, int type)
{
	bool ambiguous;

	return find_local(uo, name, type, &ambiguous);
}

static bool o_callable(void *ctx, const char *name)
{
	return gen_unit_oracle__local(ctx, name, STT_FUNC) != NULL;
}

static bool o_has_data(void *ctx, const char *name)
{
	return gen_unit_oracle__local(ctx, name, STT_OBJECT) != NULL;
}

static bool o_exported(void *ctx, const char *name)
{
	const struct gen_unit_oracle *uo = ctx;

	return strset_has(&(uo->vmlinux ? uo->vmlinux : uo->st)->exports, name);
}

static int o_locate(void *ctx, const char *name, bool local,
		    const char **object, unsigned long *pos)
{
	const struct gen_unit_oracle *uo = ctx;
	const struct gen_symtab *st = uo->st;
	const struct gen_sym *s = NULL;
	size_t first, n, k;
	bool ambiguous = false;

	*object = st->object;
	if (local) {
		s = find_local(uo, name, -1, &ambiguous);
		if (ambiguous) {
			klp_gen_err("%s: error: '%s' is a local symbol of several units named %s in %s; "
				    "klp-prep cannot tell which is this one\n",
				    uo->display, name, uo->basename, st->path);
			return -EEXIST;
		}
	} else {
		const struct gen_symtab *in[] = { st, uo->vmlinux };
		size_t t;

		/* The module's own globals, else the kernel's. */
		for (t = 0; t < 2 && !s; t++) {
			if (!in[t] || (t && in[t] == st))
				continue;
			n = gen_symtab__named(in[t], name, &first);
			for (k = 0; k < n && !s; k++) {
				const struct gen_sym *c = &in[t]->syms[in[t]->by_name[first + k]];

				if (c->bind != STB_LOCAL) {
					s = c;
					st = in[t];
				}
			}
		}
	}
	if (!s)
		return -ENOENT;
	*object = st->object;
	*pos = gen_symtab__sympos(st, s);
	return 0;
}

/*
 * GCC names a function's static local "var.N" (N counts within the
 * unit).  The unit's local data symbols of that form: one is the answer;
 * several (two functions with a static of one name) cannot be told apart
 * from the symbol table.
 */
static int o_static_local(void *ctx, const char *func, const char *var,
			  const char **symbol, const char **object, unsigned long *pos)
{
	struct gen_unit_oracle *uo = ctx;
	const struct gen_symtab *st = uo->st;
	const struct gen_sym *found = NULL;
	size_t n = strlen(var), lo = 0, hi = st->nr, k, count = 0;
	char prefix[256];

	if (n + 2 > sizeof(prefix))
		return -ENOENT;
	snprintf(prefix, sizeof(prefix), "%s.", var);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(st->syms[st->by_name[mid]].name, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < st->nr; k++) {
		const struct gen_sym *s = &st->syms[st->by_name[k]];
		const char *d = s->name + n + 1;

		if (strncmp(s->name, prefix, n + 1))
			break;
		if (!*d || strspn(d, "0123456789") != strlen(d) || s->bind != STB_LOCAL ||
		    s->type != STT_OBJECT || !in_groups(uo, s->file))
			continue;
		count++;
		if (count == 1)
			found = s;
		else if (count == 2)
			snprintf(uo->candidates, sizeof(uo->candidates), "%s, %s", found->name,
				 s->name);
	}
	(void)func;
	if (count > 1) {
		*symbol = uo->candidates;
		return -EEXIST;
	}
	if (!count)
		return -ENOENT;
	*symbol = found->name;
	*object = st->object;
	*pos = gen_symtab__sympos(st, found);
	return 0;
}

int gen_unit_oracle__init(struct gen_unit_oracle *uo, const struct gen_symtab *st,
			  const struct gen_symtab *vmlinux, const char *unit_path,
			  const char *display)
{
	const char *slash = strrchr(unit_path, '/');
	size_t i;

	memset(uo, 0, sizeof(*uo));
	uo->st = st;
	uo->vmlinux = vmlinux;
	uo->display = display;
	uo->basename = strdup(slash ? slash + 1 : unit_path);
	uo->groups = calloc(st->nr_files + 1, sizeof(*uo->groups));
	if (!uo->basename || !uo->groups) {
		gen_unit_oracle__fini(uo);
		return -ENOMEM;
	}
	for (i = 1; i <= st->nr_files; i++)
		if (!strcmp(st->files[i], uo->basename))
			uo->groups[uo->nr_groups++] = i;
	if (!uo->nr_groups)
		klp_gen_warn("%s: warning: no STT_FILE symbol %s in %s: static symbols of the unit "
			     "cannot be told from others'\n", display, uo->basename, st->path);
	uo->oracle.ctx = uo;
	uo->oracle.object = st->object;
	uo->oracle.callable = o_callable;
	uo->oracle.has_data = o_has_data;
	uo->oracle.exported = (vmlinux ? vmlinux : st)->have_exports ? o_exported : NULL;
	uo->oracle.locate = o_locate;
	uo->oracle.static_local = o_static_local;
	return 0;
}

void gen_unit_oracle__fini(struct gen_unit_oracle *uo)
{
	free(uo->basename);
	free(uo->groups);
	uo->basename = NULL;
	uo->groups = NULL;
}
