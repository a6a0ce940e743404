// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check.c - hold the records against the symbol table
 *
 * Two directions.  Every function symbol with a GCC suffix must have a
 * record that explains it, with the origin and the steps its name spells:
 * otherwise the plugin missed a transformation and a livepatch built from
 * the records would miss that piece of code.  Every record of an emitted
 * function must name a symbol that exists: otherwise the records describe
 * some other compilation.
 *
 * In linked files a symbol is looked for among the local symbols of its
 * own unit (the STT_FILE group the unit matches), since static names
 * repeat across units.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include <klp_prep/check.h>
#include <klp_prep/record_names.h>
#include <klp_prep/symbol_name.h>

#include "check_internal.h"
#include "log.h"
#include "object_internal.h"

void klp_checker__report(struct klp_checker *c, enum klp_check_source source,
			 const char *symbol, const struct klp_unit *unit,
			 const char *fmt, ...)
{
	struct klp_mismatch m;
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	m.source = source;
	m.symbol = symbol;
	m.unit = unit ? unit->source : NULL;
	m.message = message;
	c->nr_mismatches++;
	if (c->fn)
		c->fn(&m, c->ctx);
}

/* Is unit @i one of those that can explain local symbol @sym? */
bool klp_checker__unit_may_own(const struct klp_checker *c, size_t i,
			       const struct klp_symbol *sym)
{
	const struct klp_objfile *obj = c->obj;

	if (sym->bind != STB_LOCAL || !sym->file ||
	    !c->file_has_unit[sym->file])
		return true;
	return obj->unit_files[i] == sym->file;
}

static bool same_steps(const struct klp_func_record *f, const struct klp_symbol_name *n)
{
	unsigned int i;

	if (f->nr_steps != n->nr_steps)
		return false;
	for (i = 0; i < n->nr_steps; i++)
		if (f->steps[i].kind != n->steps[i].kind ||
		    f->steps[i].number != n->steps[i].number)
			return false;
	return true;
}

/* The KLP_FUNC_F_* flag a step implies, 0 for none. */
static unsigned int step_flag(unsigned int kind)
{
	switch (kind) {
	case KLP_STEP_PART:		return KLP_FUNC_F_PART;
	case KLP_STEP_ISRA:		return KLP_FUNC_F_ISRA;
	case KLP_STEP_CONSTPROP:	return KLP_FUNC_F_CONSTPROP;
	case KLP_STEP_LOCALALIAS:	return KLP_FUNC_F_ALIAS;
	case KLP_STEP_LTO_PRIV:		return KLP_FUNC_F_LTO_PRIV;
	}
	return 0;
}

/* Steps as the suffixes they stand for: ".constprop.0.isra.1". */
static const char *format_suffixes(const struct klp_step *steps,
				   unsigned int nr, char *buf, size_t size)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < nr && used < size; i++) {
		const char *word = klp_step__name(steps[i].kind);
		bool numbered = steps[i].kind != KLP_STEP_LOCALALIAS &&
				steps[i].kind != KLP_STEP_COLD;
		int n;

		if (!word)
			n = snprintf(buf + used, size - used, ".step%u.%u",
				     steps[i].kind, steps[i].number);
		else if (numbered)
			n = snprintf(buf + used, size - used, ".%s.%u", word,
				     steps[i].number);
		else
			n = snprintf(buf + used, size - used, ".%s", word);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return nr ? buf : "no suffix";
}

/*
 * What is wrong with @f as the record of clone symbol @sym (name parsed in
 * @n); NULL if nothing.
 */
static const char *clone_mismatch(const struct klp_unit *unit,
				  const struct klp_func_record *f,
				  const struct klp_symbol *sym,
				  const struct klp_symbol_name *n,
				  char *buf, size_t size)
{
	const char *origin = unit->origins[f->origin].name;
	unsigned int want = 0, have, i;
	char a[128], b[128];

	if (strlen(origin) != n->base_len ||
	    strncmp(origin, sym->name, n->base_len)) {
		snprintf(buf, size, "symbol %s: the record's origin is %s, the name says %.*s",
			 sym->name, origin, (int)n->base_len, sym->name);
		return buf;
	}
	if (!same_steps(f, n)) {
		snprintf(buf, size, "symbol %s: the name says %s, the record's steps say %s",
			 sym->name,
			 format_suffixes(n->steps, n->nr_steps, a, sizeof(a)),
			 format_suffixes(f->steps, f->nr_steps, b, sizeof(b)));
		return buf;
	}
	for (i = 0; i < n->nr_steps; i++)
		want |= step_flag(n->steps[i].kind);
	have = f->flags & (KLP_FUNC_F_PART | KLP_FUNC_F_ISRA |
			   KLP_FUNC_F_CONSTPROP | KLP_FUNC_F_ALIAS |
			   KLP_FUNC_F_LTO_PRIV);
	/*
	 * An alias may carry the clone flags of its target's name too; and a
	 * clone that ipa-icf folded into an identical one keeps its name but
	 * becomes an alias of the other (part_icf.c).
	 */
	if (!(want & KLP_FUNC_F_ALIAS) && f->alias_of &&
	    (have & ~KLP_FUNC_F_ALIAS) == want)
		want |= KLP_FUNC_F_ALIAS;
	if ((have & want) != want ||
	    (!(want & KLP_FUNC_F_ALIAS) && have != want)) {
		snprintf(buf, size, "symbol %s: the record's flags [%s] disagree with its name [%s]",
			 sym->name,
			 klp_flags__format(KLP_FLAGS_FUNC, have, ",", a,
					   sizeof(a)),
			 klp_flags__format(KLP_FLAGS_FUNC, want, ",", b,
					   sizeof(b)));
		return buf;
	}
	if (!(f->flags & KLP_FUNC_F_EMITTED)) {
		snprintf(buf, size, "symbol %s: the record says it was not emitted",
			 sym->name);
		return buf;
	}
	return NULL;
}

static const char *cold_mismatch(const struct klp_unit *unit,
				 const struct klp_func_record *f,
				 const struct klp_symbol *sym,
				 const struct klp_symbol_name *n,
				 char *buf, size_t size)
{
	const char *origin = unit->origins[f->origin].name;
	size_t hot_len = strlen(f->symbol);

	if (strlen(origin) != n->base_len ||
	    strncmp(origin, sym->name, n->base_len)) {
		snprintf(buf, size, "symbol %s: cold part of %s, whose origin is %s, but the name says %.*s",
			 sym->name, f->symbol, origin, (int)n->base_len,
			 sym->name);
		return buf;
	}
	if (strncmp(sym->name, f->symbol, hot_len) ||
	    strncmp(sym->name + hot_len, ".cold", 5)) {
		snprintf(buf, size, "symbol %s: the record makes it the cold part of %s",
			 sym->name, f->symbol);
		return buf;
	}
	if (!(f->flags & KLP_FUNC_F_COLD_SPLIT)) {
		snprintf(buf, size, "symbol %s: cold part of %s, whose record lacks the cold_split flag",
			 sym->name, f->symbol);
		return buf;
	}
	return NULL;
}

static void check_symbol(struct klp_checker *c, const struct klp_symbol *sym)
{
	const struct klp_objfile *obj = c->obj;
	const struct klp_unit *first_unit = NULL;
	struct klp_symbol_name n;
	char buf[512], first[512] = "";
	size_t i;

	if (!klp_symbol_name__parse(sym->name, &n))
		return;
	c->stats.symbols++;
	for (i = 0; i < obj->nr_units; i++) {
		const struct klp_unit *unit = obj->units[i];
		const struct klp_func_record *f;
		const char *why;

		if (!klp_checker__unit_may_own(c, i, sym))
			continue;
		f = n.cold ? klp_unit__find_func_by_cold(unit, sym->name)
			   : klp_unit__find_func(unit, sym->name);
		if (!f)
			continue;
		why = n.cold ? cold_mismatch(unit, f, sym, &n, buf, sizeof(buf))
			     : clone_mismatch(unit, f, sym, &n, buf,
					      sizeof(buf));
		if (!why)
			return;
		if (!first_unit) {
			first_unit = unit;
			snprintf(first, sizeof(first), "%s", why);
		}
	}
	if (first_unit)
		klp_checker__report(c, KLP_CHECK_SYMTAB, sym->name, first_unit,
				    "%s", first);
	else if (n.cold)
		klp_checker__report(c, KLP_CHECK_SYMTAB, sym->name, NULL,
				    "symbol %s: no record names it as a cold part",
				    sym->name);
	else
		klp_checker__report(c, KLP_CHECK_SYMTAB, sym->name, NULL,
				    "symbol %s: no record", sym->name);
}

/*
 * The symbol @name of unit @i: among the unit's own local symbols when
 * the unit's file group is known and @local, else any of that name.
 */
const struct klp_symbol *klp_checker__find_symbol(const struct klp_checker *c,
						  size_t i, const char *name,
						  bool local)
{
	const struct klp_objfile *obj = c->obj;
	unsigned int file = obj->unit_files[i];
	const struct klp_symbol *sym, *any = NULL;

	klp_objfile__for_each_symbol_by_name(obj, name, sym) {
		if (local && file) {
			if (sym->bind == STB_LOCAL && sym->file == file)
				return sym;
			continue;
		}
		if (!local && sym->bind != STB_LOCAL)
			return sym;
		if (!any)
			any = sym;
	}
	return any;
}

static bool sections_differ(const struct klp_objfile *obj,
			    const struct klp_symbol *sym, const char *section)
{
	size_t len;

	/* A final link merges input sections: only objects keep names. */
	if (klp_objfile__elf_type(obj) != ET_REL || !section || !sym->section)
		return false;
	if (!strcmp(section, sym->section))
		return false;
	/*
	 * So do linker scripts of `ld -r` (kernel modules): .text.foo and
	 * .text.unlikely.foo gathered into .text.
	 */
	len = strlen(sym->section);
	return strncmp(section, sym->section, len) || section[len] != '.';
}

/*
 * A public function defined in several units: a weak definition that
 * another overrides.  A link keeps one symbol, the overriding one; the
 * others' code stays without a name.  Does some other unit's record of
 * @name describe @sym's section?
 */
static bool overridden(const struct klp_checker *c, size_t i, const char *name,
		       const struct klp_symbol *sym)
{
	const struct klp_objfile *obj = c->obj;
	size_t j;

	for (j = 0; j < obj->nr_units; j++) {
		const struct klp_func_record *g;

		if (j == i)
			continue;
		g = klp_unit__find_func(obj->units[j], name);
		if (g && (g->flags & KLP_FUNC_F_PUBLIC) &&
		    (g->flags & KLP_FUNC_F_EMITTED) &&
		    !sections_differ(obj, sym, g->section))
			return true;
	}
	return false;
}

static void missing_symbol(struct klp_checker *c, const struct klp_unit *unit,
			   const char *record, const char *name,
			   const char *section, const char *what)
{
	const struct klp_objfile *obj = c->obj;

	/*
	 * A final link drops code: --gc-sections, discarded .exit.text of
	 * built-in kernel code.  Only an object must have every symbol.
	 */
	if (klp_objfile__elf_type(obj) != ET_REL) {
		c->stats.discarded++;
		pr_debug(obj->path, "%s %s (%s): no symbol, discarded at link?",
			 what, name, section ? section : "no section");
		return;
	}
	if (!strcmp(record, name))
		klp_checker__report(c, KLP_CHECK_SYMTAB, name, unit,
				    "record %s: no such symbol%s%s", name,
				    unit->source ? " in the unit of " : "",
				    unit->source ? unit->source : "");
	else
		klp_checker__report(c, KLP_CHECK_SYMTAB, name, unit,
				    "record %s: no %s symbol %s", record, what,
				    name);
}

static void check_record(struct klp_checker *c, size_t i,
			 const struct klp_func_record *f)
{
	const struct klp_unit *unit = c->obj->units[i];
	const struct klp_objfile *obj = c->obj;
	const struct klp_symbol *sym, *cold, *target;
	bool public = f->flags & KLP_FUNC_F_PUBLIC;

	c->stats.records++;
	sym = klp_checker__find_symbol(c, i, f->symbol, !public);
	if (!sym) {
		missing_symbol(c, unit, f->symbol, f->symbol, f->section,
			       "function");
	} else {
		/*
		 * A final link turns hidden globals local (LTO's promoted
		 * .lto_priv statics among them): only an object keeps
		 * every public function global.
		 */
		if (public != (sym->bind != STB_LOCAL) &&
		    (klp_objfile__elf_type(obj) == ET_REL || !public))
			klp_checker__report(c, KLP_CHECK_SYMTAB, f->symbol, unit,
					    "symbol %s: %s, the record says %s",
					    sym->name,
					    sym->bind == STB_LOCAL ? "local" : "global",
					    public ? "public" : "local");
		if (sections_differ(obj, sym, f->section) &&
		    !(public && overridden(c, i, f->symbol, sym)))
			klp_checker__report(c, KLP_CHECK_SYMTAB, f->symbol, unit,
					    "symbol %s: in section %s, the record says %s",
					    sym->name, sym->section, f->section);
	}

	if (!f->cold_symbol != !(f->flags & KLP_FUNC_F_COLD_SPLIT))
		klp_checker__report(c, KLP_CHECK_SYMTAB, f->symbol, unit,
				    "record %s: %s", f->symbol,
				    f->cold_symbol ? "a cold symbol without the cold_split flag"
						   : "the cold_split flag without a cold symbol");
	if (f->cold_symbol) {
		cold = klp_checker__find_symbol(c, i, f->cold_symbol, true);
		if (!cold)
			missing_symbol(c, unit, f->symbol, f->cold_symbol,
				       f->cold_section, "cold");
		else if (sections_differ(obj, cold, f->cold_section))
			klp_checker__report(c, KLP_CHECK_SYMTAB, f->cold_symbol,
					    unit, "symbol %s: in section %s, the record says %s",
					    cold->name, cold->section,
					    f->cold_section);
	}

	/* A weak alias another unit's definition overrode: not this code. */
	if (f->alias_of && sym &&
	    !(public && overridden(c, i, f->symbol, sym))) {
		const struct klp_func_record *t = &unit->funcs[f->alias_of - 1];

		target = klp_checker__find_symbol(c, i, t->symbol,
						  !(t->flags & KLP_FUNC_F_PUBLIC));
		if (target && (target->shndx != sym->shndx ||
			       target->value != sym->value))
			klp_checker__report(c, KLP_CHECK_SYMTAB, f->symbol, unit,
					    "symbol %s: at %s+0x%llx, but its alias target %s is at %s+0x%llx",
					    sym->name,
					    sym->section ? sym->section : "?",
					    (unsigned long long)sym->value,
					    target->name,
					    target->section ? target->section : "?",
					    (unsigned long long)target->value);
	}
}

int klp_objfile__check(const struct klp_objfile *obj, unsigned int flags,
		      klp_mismatch_fn_t fn, void *ctx,
		      struct klp_check_stats *stats)
{
	struct klp_checker c = { .obj = obj, .fn = fn, .ctx = ctx };
	size_t i, j;
	int err = 0;

	if (!obj->has_records) {
		pr_err(obj->path, "no %s section: compiled without the klp-prep plugin",
		       KLP_PARTITION_SECTION_NAME);
		return -ENODATA;
	}
	if (obj->symbols_skipped) {
		pr_err(obj->path, "opened without its symbols (KLP_OPEN_NO_SYMBOLS): nothing to check against");
		return -EINVAL;
	}
	if (!klp_objfile__has_symtab(obj)) {
		pr_err(obj->path, "no symbol table (.symtab): stripped? check needs an unstripped file");
		return -ENOEXEC;
	}
	c.file_has_unit = calloc(klp_objfile__nr_files(obj) + 1,
				 sizeof(*c.file_has_unit));
	if (!c.file_has_unit)
		return -ENOMEM;
	for (i = 0; i < obj->nr_units; i++)
		c.file_has_unit[obj->unit_files[i]] = true;
	c.file_has_unit[0] = false;

	/* symbols -> records */
	for (i = 0; i < klp_objfile__nr_symbols(obj); i++)
		check_symbol(&c, klp_objfile__symbol(obj, i));

	/* records -> symbols */
	for (i = 0; i < obj->nr_units; i++) {
		const struct klp_unit *unit = obj->units[i];

		for (j = 0; j < unit->nr_funcs; j++)
			if (unit->funcs[j].flags & KLP_FUNC_F_EMITTED)
				check_record(&c, i, &unit->funcs[j]);
	}

	if (!(flags & KLP_CHECK_NO_DWARF))
		err = klp_checker__check_dwarf(&c);

	free(c.file_has_unit);
	if (stats)
		*stats = c.stats;
	if (err)
		return err;
	return c.nr_mismatches;
}
