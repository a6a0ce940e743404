// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_symbols.c - vmlinux's symbols and exports, and the oracle the
 * extraction asks about one unit
 *
 * Positions (old_sympos and the POS of .klp.sym.OBJ.NAME,POS) are counted
 * by sympos.c, as the livepatch core does: for vmlinux by address among
 * equal names, for a module in .symtab order; 0 when the name is unique.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/elf.h>
#include <klp_prep/sympos.h>

#include "log.h"
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
		log_warn("%s: warning: %s; every kernel symbol the patch uses will be "
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

int gen_symtab__open(const char *path, const char *object, bool is_module,
		     const char *symvers, struct gen_symtab **out)
{
	const struct klp_symbol *sym;
	struct gen_symtab *st;
	int err = -ENOMEM;
	size_t i;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->is_module = is_module;
	st->path = strdup(path);
	st->object = strdup(object);
	if (!st->path || !st->object)
		goto fail;
	st->elf = klp_elf__open(path, 0);
	if (!st->elf) {
		err = -errno;
		goto fail;
	}
	st->syms = calloc(klp_elf__nr_symbols(st->elf) + 1, sizeof(*st->syms));
	st->sympos = klp_sympos_table__new(is_module ? KLP_SYMPOS_MODULE :
						       KLP_SYMPOS_VMLINUX);
	if (!st->syms || !st->sympos)
		goto fail;
	klp_elf__for_each_symbol(st->elf, i, sym) {
		if (!*sym->name || sym->type == STT_FILE || sym->type == STT_SECTION ||
		    sym->shndx == SHN_UNDEF)
			continue;
		st->syms[st->nr++] = (struct gen_sym){
			.name = sym->name, .value = sym->value, .type = sym->type,
			.bind = sym->bind, .file = sym->file,
		};
		if (klp_sympos_table__add(st->sympos, sym->name, sym->value))
			goto fail;
	}
	if (!st->nr) {
		log_err("%s: error: no symbol table\n", path);
		err = -ENOEXEC;
		goto fail;
	}
	if (klp_sympos_table__sort(st->sympos))
		goto fail;
	st->by_name = klp_sympos_table__order(st->sympos);
	err = read_symvers(st, symvers);
	if (err)
		goto fail;
	*out = st;
	return 0;
fail:
	gen_symtab__free(st);
	return err;
}

void gen_symtab__free(struct gen_symtab *st)
{
	if (!st)
		return;
	free(st->syms);
	klp_sympos_table__free(st->sympos);
	klp_elf__close(st->elf);
	strset_free(&st->exports);
	free(st->path);
	free(st->object);
	free(st);
}

size_t gen_symtab__named(const struct gen_symtab *st, const char *name,
			 size_t *first)
{
	return klp_sympos_table__named(st->sympos, name, first);
}

unsigned long gen_symtab__sympos(const struct gen_symtab *st,
				 const struct gen_sym *s)
{
	return klp_sympos_table__sympos(st->sympos, (size_t)(s - st->syms));
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
			log_err("%s: error: '%s' is a local symbol of several units named %s in %s; "
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
	size_t n = strlen(var), k, count = 0;
	char prefix[256];

	if (n + 2 > sizeof(prefix))
		return -ENOENT;
	snprintf(prefix, sizeof(prefix), "%s.", var);
	for (k = klp_sympos_table__lower_bound(st->sympos, prefix); k < st->nr; k++) {
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
	uo->groups = calloc(klp_elf__nr_files(st->elf) + 1, sizeof(*uo->groups));
	if (!uo->basename || !uo->groups) {
		gen_unit_oracle__fini(uo);
		return -ENOMEM;
	}
	for (i = 1; i <= klp_elf__nr_files(st->elf); i++)
		if (!strcmp(klp_elf__file_name(st->elf, (unsigned int)i), uo->basename))
			uo->groups[uo->nr_groups++] = i;
	if (!uo->nr_groups)
		log_warn("%s: warning: no STT_FILE symbol %s in %s: static symbols of the unit "
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
