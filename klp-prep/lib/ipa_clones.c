// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipa_clones.c - -fdump-ipa-clones dumps as partition records
 *
 * One dump becomes one struct klp_unit: an ORIGIN per source function
 * named in it, a FUNC per body (plain, or a clone with the flags of its
 * kind), an INLINE per "inlining to" line.  Removal lines clear EMITTED.
 * What a dump cannot say is listed in klp_prep/ipa_clones.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <klp_prep/elf.h>
#include <klp_prep/ipa_clones.h>

#include "array.h"
#include "log.h"

struct strmap {			/* name -> index, open addressing */
	const char **keys;
	unsigned int *vals;
	size_t cap, nr;
};

struct klp_ipa_dump {
	struct klp_unit unit;
	size_t cap_origins, cap_funcs, cap_inlines, cap_calls;
	char **strings;
	size_t nr_strings, cap_strings;
	struct strmap funcs_by_name;
	struct strmap origins_by_name;
	char **removed;
	size_t nr_removed, cap_removed;
	struct klp_ipa_stats stats;
	char *path;
};

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int map_put(struct strmap *m, const char *key, unsigned int val)
{
	size_t i;

	if ((m->nr + 1) * 2 > m->cap) {
		struct strmap n = { .cap = m->cap ? m->cap * 2 : 64 };

		n.keys = calloc(n.cap, sizeof(*n.keys));
		n.vals = calloc(n.cap, sizeof(*n.vals));
		if (!n.keys || !n.vals) {
			free(n.keys);
			free(n.vals);
			return -ENOMEM;
		}
		for (i = 0; i < m->cap; i++) {
			if (m->keys[i]) {
				size_t j = hash_str(m->keys[i]) & (n.cap - 1);

				while (n.keys[j])
					j = (j + 1) & (n.cap - 1);
				n.keys[j] = m->keys[i];
				n.vals[j] = m->vals[i];
			}
		}
		free(m->keys);
		free(m->vals);
		n.nr = m->nr;
		*m = n;
	}
	i = hash_str(key) & (m->cap - 1);
	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key)) {
			m->vals[i] = val;
			return 0;
		}
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->nr++;
	return 0;
}

static bool map_get(const struct strmap *m, const char *key, unsigned int *val)
{
	size_t i;

	if (!m->cap)
		return false;
	i = hash_str(key) & (m->cap - 1);
	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key)) {
			*val = m->vals[i];
			return true;
		}
		i = (i + 1) & (m->cap - 1);
	}
	return false;
}

static void map_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
}

static const char *intern(struct klp_ipa_dump *d, const char *s, size_t len)
{
	char *c;

	if (array_grow((void **)&d->strings, &d->cap_strings, d->nr_strings + 1,
		       sizeof(*d->strings)))
		return NULL;
	c = strndup(s, len);
	if (!c)
		return NULL;
	d->strings[d->nr_strings++] = c;
	return c;
}

/* ---- the model ---------------------------------------------------------- */

struct loc {
	const char *name;
	const char *file;
	unsigned int line;
};

/* The FUNC named @name, or -1. */
static int func_of(const struct klp_ipa_dump *d, const char *name)
{
	unsigned int i;

	return map_get(&d->funcs_by_name, name, &i) ? (int)i : -1;
}

static int origin_for(struct klp_ipa_dump *d, const struct loc *l)
{
	unsigned int i;
	int f = func_of(d, l->name);

	/* A clone's origin is its original's. */
	if (f >= 0)
		return (int)d->unit.funcs[f].origin;
	if (map_get(&d->origins_by_name, l->name, &i))
		return (int)i;
	if (array_grow((void **)&d->unit.origins, &d->cap_origins,
		       d->unit.nr_origins + 1, sizeof(*d->unit.origins)))
		return -ENOMEM;
	i = (unsigned int)d->unit.nr_origins++;
	d->unit.origins[i] = (struct klp_origin){
		.name = l->name, .file = l->file, .line = l->line,
		.flags = KLP_ORIGIN_F_DEFINED,
	};
	if (map_put(&d->origins_by_name, l->name, i))
		return -ENOMEM;
	return (int)i;
}

/* The FUNC for @l; a new one is a clone of @origin with @flags. */
static int func_for(struct klp_ipa_dump *d, const struct loc *l, int origin,
		    unsigned int flags)
{
	unsigned int i;
	int f = func_of(d, l->name);

	if (f >= 0)
		return f;
	if (origin < 0) {
		origin = origin_for(d, l);
		if (origin < 0)
			return origin;
	}
	if (array_grow((void **)&d->unit.funcs, &d->cap_funcs, d->unit.nr_funcs + 1,
		       sizeof(*d->unit.funcs)))
		return -ENOMEM;
	i = (unsigned int)d->unit.nr_funcs++;
	d->unit.funcs[i] = (struct klp_func_record){
		.symbol = l->name, .origin = (unsigned int)origin,
		.flags = KLP_FUNC_F_EMITTED | flags,
	};
	if (map_put(&d->funcs_by_name, l->name, i))
		return -ENOMEM;
	return (int)i;
}

static unsigned int clone_flags(const char *reason)
{
	if (!strcmp(reason, "part"))
		return KLP_FUNC_F_PART;
	if (!strcmp(reason, "isra"))
		return KLP_FUNC_F_ISRA;
	if (!strcmp(reason, "constprop"))
		return KLP_FUNC_F_CONSTPROP;
	if (!strcmp(reason, "lto_priv"))
		return KLP_FUNC_F_LTO_PRIV;
	return KLP_FUNC_F_OTHER_CLONE;
}

#define CLONE_KIND_FLAGS (KLP_FUNC_F_PART | KLP_FUNC_F_ISRA | \
			  KLP_FUNC_F_CONSTPROP | KLP_FUNC_F_OTHER_CLONE)

static int add_clone(struct klp_ipa_dump *d, const struct loc *orig,
		     const struct loc *clone, const char *reason)
{
	int o, of, f;

	if (!strcmp(reason, "inlining to")) {
		int into;

		o = origin_for(d, orig);
		if (o < 0)
			return o;
		/* Make sure ORIG has a body too, so a removal can find it. */
		of = func_for(d, orig, o, 0);
		if (of < 0)
			return of;
		into = func_for(d, clone, -1, 0);
		if (into < 0)
			return into;
		if (array_grow((void **)&d->unit.inlines, &d->cap_inlines,
			       d->unit.nr_inlines + 1, sizeof(*d->unit.inlines)))
			return -ENOMEM;
		/* The dump has no call site: the caller's definition stands in. */
		d->unit.inlines[d->unit.nr_inlines++] = (struct klp_inline){
			.func = (unsigned int)into, .callee = (unsigned int)o,
			.call_file = clone->file, .call_line = clone->line,
			.flags = KLP_INLINE_F_EARLY,
		};
		d->stats.inlines++;
		return 0;
	}
	of = func_for(d, orig, -1, 0);
	if (of < 0)
		return of;
	o = (int)d->unit.funcs[of].origin;
	f = func_of(d, clone->name);
	if (f >= 0) {
		/* Seen before (as a caller): it is a clone after all. */
		d->unit.funcs[f].origin = (unsigned int)o;
		d->unit.funcs[f].flags |= clone_flags(reason) |
			(d->unit.funcs[of].flags & CLONE_KIND_FLAGS);
	} else {
		f = func_for(d, clone, o, clone_flags(reason) |
			     (d->unit.funcs[of].flags & CLONE_KIND_FLAGS));
		if (f < 0)
			return f;
	}
	d->stats.clones++;
	return 0;
}

/* ---- lines -------------------------------------------------------------- */

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_null_name(const char *s)
{
	return !*s || !strcmp(s, "(null)");
}

#define MAX_TOKENS 16

static int parse_loc(struct klp_ipa_dump *d, char **tok, struct loc *l,
		     const char **why)
{
	if (!is_number(tok[1]) || !is_number(tok[3]) || !is_number(tok[4])) {
		*why = "order, line and column must be numbers";
		return 1;
	}
	l->name = intern(d, tok[0], strlen(tok[0]));
	l->file = intern(d, tok[2], strlen(tok[2]));
	if (!l->name || !l->file)
		return -ENOMEM;
	l->line = (unsigned int)strtoul(tok[3], NULL, 10);
	return 0;
}

static int parse_line(struct klp_ipa_dump *d, char *line, size_t lineno)
{
	char *tok[MAX_TOKENS], *p = line;
	const char *why = NULL;
	struct loc a, b;
	int n = 0, ret;

	d->stats.lines++;
	for (;;) {
		char *semi = strchr(p, ';');

		if (n == MAX_TOKENS) {
			why = "too many fields";
			goto malformed;
		}
		tok[n++] = p;
		if (!semi)
			break;
		*semi = 0;
		p = semi + 1;
	}

	if (!strcmp(tok[0], "Callgraph removal")) {
		if (n != 6) {
			why = "a removal line has 6 fields";
			goto malformed;
		}
		if (is_null_name(tok[1])) {
			d->stats.null_names++;
			return 0;
		}
		ret = parse_loc(d, tok + 1, &a, &why);
		if (ret < 0)
			return ret;
		if (ret)
			goto malformed;
		if (array_grow((void **)&d->removed, &d->cap_removed,
			       d->nr_removed + 1, sizeof(*d->removed)))
			return -ENOMEM;
		d->removed[d->nr_removed++] = (char *)a.name;
		d->stats.removals++;
		return 0;
	}
	if (strcmp(tok[0], "Callgraph clone")) {
		why = "neither a clone nor a removal line";
		goto malformed;
	}
	if (n == 14) {
		/* The older form: ORIG ... <- NEW ... optimization: REASON */
		if (strcmp(tok[6], "<-") || strcmp(tok[12], "optimization:")) {
			why = "a 14-field clone line has '<-' and 'optimization:'";
			goto malformed;
		}
		memmove(&tok[6], &tok[7], 5 * sizeof(*tok));
		tok[11] = tok[13];
	} else if (n != 12) {
		why = "a clone line has 12 fields (or 14 in the older form)";
		goto malformed;
	}
	if (is_null_name(tok[1]) || is_null_name(tok[6])) {
		d->stats.null_names++;
		return 0;
	}
	if (!*tok[11]) {
		why = "no reason";
		goto malformed;
	}
	ret = parse_loc(d, tok + 1, &a, &why);
	if (!ret)
		ret = parse_loc(d, tok + 6, &b, &why);
	if (ret < 0)
		return ret;
	if (ret)
		goto malformed;
	if (!strcmp(a.name, b.name)) {
		/* Recursive inlining: nothing spreads beyond the function. */
		if (!strcmp(tok[11], "inlining to")) {
			d->stats.inlines++;
			return 0;
		}
		why = "a function cloned into itself";
		goto malformed;
	}
	return add_clone(d, &a, &b, tok[11]);

malformed:
	d->stats.malformed++;
	klp_log(KLP_LOG_WARN, "%s:%zu: warning: skipped: %s\n", d->path,
		lineno, why);
	return 0;
}

static void apply_removals(struct klp_ipa_dump *d)
{
	size_t i;

	for (i = 0; i < d->nr_removed; i++) {
		int f = func_of(d, d->removed[i]);

		if (f >= 0)
			d->unit.funcs[f].flags &= ~KLP_FUNC_F_EMITTED;
	}
}

int klp_ipa_dump__parse(const char *path, const char *source, const char *text,
			size_t len, struct klp_ipa_dump **out)
{
	struct klp_ipa_dump *d;
	size_t pos = 0, lineno = 0;
	char *buf = NULL;
	size_t cap = 0;
	int ret = 0;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->path = strdup(path ? path : "<ipa-clones>");
	d->unit.source = intern(d, source ? source : "", source ? strlen(source) : 0);
	d->unit.producer = "GCC (-fdump-ipa-clones)";
	if (!d->path || !d->unit.source) {
		klp_ipa_dump__free(d);
		return -ENOMEM;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		if (array_grow((void **)&buf, &cap, l + 1, 1)) {
			ret = -ENOMEM;
			break;
		}
		memcpy(buf, text + pos, l);
		pos += l + (nl ? 1 : 0);
		while (l && (buf[l - 1] == '\r' || buf[l - 1] == ' '))
			l--;
		buf[l] = 0;
		if (!l)
			continue;
		if (memchr(buf, 0, l)) {
			d->stats.lines++;
			d->stats.malformed++;
			klp_log(KLP_LOG_WARN, "%s:%zu: warning: skipped: NUL byte in line\n",
				d->path, lineno);
			continue;
		}
		ret = parse_line(d, buf, lineno);
		if (ret)
			break;
	}
	free(buf);
	if (ret) {
		klp_ipa_dump__free(d);
		return ret;
	}
	apply_removals(d);
	*out = d;
	return 0;
}

static const char DUMP_SUFFIX[] = ".000i.ipa-clones";

int klp_ipa_dump__read(const char *path, const char *root,
		       struct klp_ipa_dump **out)
{
	struct stat st;
	char *text = NULL, *source;
	size_t len = 0, rl, sl = strlen(DUMP_SUFFIX);
	const char *rel = path;
	ssize_t n;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		klp_log(KLP_LOG_ERROR, "%s: error: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, text + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			klp_log(KLP_LOG_ERROR, "%s: error: read: %s\n", path,
				strerror(errno));
			free(text);
			close(fd);
			return ret;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);

	if (root && *root) {
		size_t lr = strlen(root);

		if (!strncmp(path, root, lr)) {
			rel = path + lr;
			while (*rel == '/')
				rel++;
		}
	}
	rl = strlen(rel);
	if (rl > sl && !strcmp(rel + rl - sl, DUMP_SUFFIX))
		rl -= sl;
	source = strndup(rel, rl);
	if (!source) {
		free(text);
		return -ENOMEM;
	}
	ret = klp_ipa_dump__parse(path, source, text, len, out);
	free(source);
	free(text);
	return ret;
}

char *klp_ipa_dump__object_path(const char *dump_path)
{
	size_t l = strlen(dump_path), sl = strlen(DUMP_SUFFIX);
	char *o, *dot, *slash;

	if (l <= sl || strcmp(dump_path + l - sl, DUMP_SUFFIX))
		return NULL;
	o = malloc(l + 3);
	if (!o)
		return NULL;
	memcpy(o, dump_path, l - sl);
	o[l - sl] = 0;
	dot = strrchr(o, '.');
	slash = strrchr(o, '/');
	if (dot && (!slash || dot > slash))
		*dot = 0;
	strcat(o, ".o");
	return o;
}

/* ---- calls from relocations --------------------------------------------- */

static int add_call(struct klp_ipa_dump *d, const char *caller,
		    const char *callee, bool tail)
{
	char *base = NULL;
	const char *name = caller;
	size_t l = strlen(caller), k;
	struct loc loc;
	int f;

	/* Code in foo.cold is foo's. */
	if (l > 5 && !strcmp(caller + l - 5, ".cold")) {
		base = strndup(caller, l - 5);
		if (!base)
			return -ENOMEM;
		name = base;
	}
	f = func_of(d, name);
	if (f < 0) {
		loc = (struct loc){ .name = intern(d, name, strlen(name)),
				    .file = d->unit.source };
		free(base);
		if (!loc.name)
			return -ENOMEM;
		f = func_for(d, &loc, -1, 0);
		if (f < 0)
			return f;
	} else {
		free(base);
	}
	callee = intern(d, callee, strlen(callee));
	if (!callee)
		return -ENOMEM;
	for (k = 0; k < d->unit.nr_calls; k++) {
		struct klp_call *c = &d->unit.calls[k];

		if (c->func == (unsigned int)f && !strcmp(c->callee, callee)) {
			if (!tail)
				c->flags &= ~KLP_CALL_F_TAIL;
			return 0;
		}
	}
	if (array_grow((void **)&d->unit.calls, &d->cap_calls, d->unit.nr_calls + 1,
		       sizeof(*d->unit.calls)))
		return -ENOMEM;
	d->unit.calls[d->unit.nr_calls++] = (struct klp_call){
		.func = (unsigned int)f, .callee = callee,
		.call_file = d->unit.source, .flags = tail ? KLP_CALL_F_TAIL : 0,
	};
	d->stats.calls++;
	return 0;
}

struct fsym {
	const char *name;
	size_t shndx;
	GElf_Addr value, size;
};

static const struct fsym *enclosing(const struct fsym *syms, size_t nr,
				    size_t shndx, GElf_Addr off)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (syms[i].shndx == shndx && off >= syms[i].value &&
		    off < syms[i].value + syms[i].size)
			return &syms[i];
	return NULL;
}

/* The clone FUNC starting at @off of section @shndx, or -1. */
static int clone_at(const struct klp_ipa_dump *d, const struct fsym *syms,
		    size_t nr, size_t shndx, GElf_Addr off)
{
	size_t i;
	int f;

	for (i = 0; i < nr; i++) {
		if (syms[i].shndx != shndx || syms[i].value != off)
			continue;
		f = func_of(d, syms[i].name);
		if (f >= 0 && (d->unit.funcs[f].flags & CLONE_KIND_FLAGS))
			return f;
	}
	return -1;
}

static int cmp_addr(const void *a, const void *b)
{
	GElf_Addr x = *(const GElf_Addr *)a, y = *(const GElf_Addr *)b;

	return x < y ? -1 : x > y;
}

/* The relocations against .symtab that apply to section @index, or NULL. */
static const struct klp_section *code_relocs(const struct klp_elf *elf,
					     unsigned int index)
{
	const struct klp_section *rsec;

	klp_elf__for_each_reloc_section(elf, index, rsec)
		if (rsec->type == SHT_RELA && rsec->entsize &&
		    rsec->link == klp_elf__symtab_index(elf))
			return rsec;
	return NULL;
}

/*
 * What the object says that the dump does not: which bodies were emitted
 * (a symbol exists), their .cold parts (a "NAME.cold" symbol), and the
 * calls to clones.  Calls across sections carry a relocation against the
 * clone's symbol; calls within a section were resolved by the assembler,
 * so the code is scanned for x86 branches (e8 call, e9 jmp, 0f 8x jcc,
 * rel32) that land exactly on a clone's first byte at an offset no
 * relocation covers.  A byte pattern inside another instruction could in
 * principle look like such a branch: the calls found this way are a
 * heuristic, which the dump-based answer says in its notes.
 */
int klp_ipa_dump__add_calls(struct klp_ipa_dump *d, const char *object_path)
{
	const struct klp_section *tsec, *rsec;
	const struct klp_symbol *sym;
	struct klp_elf *elf;
	struct fsym *fs = NULL;
	GElf_Addr *relocs = NULL;
	size_t nr_fs = 0, cap_fs = 0, i, k, nr_rel, cap_rel = 0;
	int ret = 0;

	elf = klp_elf__open(object_path, 0);
	if (!elf)
		return -errno;
	if (!klp_elf__has_symtab(elf))
		goto out;	/* stripped: nothing to learn */
	klp_elf__for_each_symbol(elf, i, sym) {
		if (sym->type != STT_FUNC || sym->shndx == SHN_UNDEF)
			continue;
		if (array_grow((void **)&fs, &cap_fs, nr_fs + 1, sizeof(*fs))) {
			ret = -ENOMEM;
			goto out;
		}
		fs[nr_fs++] = (struct fsym){ sym->name, sym->shndx, sym->value,
					     sym->size };
	}

	/* Emitted bodies and their cold parts. */
	for (k = 0; k < d->unit.nr_funcs; k++) {
		struct klp_func_record *f = &d->unit.funcs[k];
		char *cold;
		bool emitted = false, has_cold = false;

		if (asprintf(&cold, "%s.cold", f->symbol) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		for (i = 0; i < nr_fs; i++) {
			emitted |= !strcmp(fs[i].name, f->symbol);
			has_cold |= !strcmp(fs[i].name, cold);
		}
		if (emitted)
			f->flags |= KLP_FUNC_F_EMITTED;
		else
			f->flags &= ~KLP_FUNC_F_EMITTED;
		if (has_cold && emitted && !f->cold_symbol) {
			f->cold_symbol = intern(d, cold, strlen(cold));
			f->flags |= KLP_FUNC_F_COLD_SPLIT;
		}
		free(cold);
		if (has_cold && !f->cold_symbol) {
			ret = -ENOMEM;
			goto out;
		}
	}

	/* Each code section, with its relocations if it has any. */
	klp_elf__for_each_section(elf, k, tsec) {
		const unsigned char *code;
		size_t code_size;
		unsigned int shndx = tsec->index;
		size_t c;

		if (!(tsec->flags & SHF_EXECINSTR) || tsec->type != SHT_PROGBITS)
			continue;
		code = klp_elf__section_data(elf, tsec, &code_size);
		if (!code)
			continue;
		rsec = code_relocs(elf, shndx);
		nr_rel = rsec ? klp_elf__nr_relocs(elf, rsec) : 0;
		if (array_grow((void **)&relocs, &cap_rel, nr_rel + 1, sizeof(*relocs))) {
			ret = -ENOMEM;
			goto out;
		}
		/* Calls through relocations (to clones in other sections). */
		for (i = 0; i < nr_rel; i++) {
			const struct fsym *caller;
			const char *callee;
			struct klp_reloc r;
			int cf;
			bool tail = false;

			relocs[i] = ~(GElf_Addr)0;
			if (!klp_elf__reloc(elf, rsec, i, &r))
				continue;
			relocs[i] = r.offset;
			if (!r.sym)
				continue;
			callee = r.sym->name;
			if (!*callee)
				continue;
			cf = func_of(d, callee);
			if (cf < 0 || !(d->unit.funcs[cf].flags & CLONE_KIND_FLAGS))
				continue;
			caller = enclosing(fs, nr_fs, shndx, r.offset);
			if (!caller || !strcmp(caller->name, callee))
				continue;
			if (r.offset >= 2 && r.offset - 1 < code_size) {
				unsigned char op = code[r.offset - 1];

				tail = op == 0xe9 || (code[r.offset - 2] == 0x0f &&
						      (op & 0xf0) == 0x80);
			}
			ret = add_call(d, caller->name, callee, tail);
			if (ret)
				goto out;
		}
		qsort(relocs, nr_rel, sizeof(*relocs), cmp_addr);

		/* Calls the assembler resolved: branches onto a clone's entry. */
		for (c = 0; c < nr_fs; c++) {
			const struct fsym *caller = &fs[c];
			GElf_Addr at, end = caller->value + caller->size;

			if (caller->shndx != shndx || end > code_size)
				continue;
			for (at = caller->value; at < end; at++) {
				unsigned int len, opl;
				GElf_Addr disp_at;
				int32_t rel;
				int cf;
				bool tail;

				GElf_Addr target;
				bool short_jump = false;

				if (code[at] == 0xe8 || code[at] == 0xe9) {
					opl = 1;
				} else if (code[at] == 0x0f && at + 1 < end &&
					   (code[at + 1] & 0xf0) == 0x80) {
					opl = 2;
				} else if (code[at] == 0xeb || (code[at] & 0xf0) == 0x70) {
					/* jmp/jcc rel8: a tail call to a neighbour */
					opl = 1;
					short_jump = true;
				} else {
					continue;
				}
				len = opl + (short_jump ? 1 : 4);
				if (at + len > end)
					continue;
				disp_at = at + opl;
				if (bsearch(&disp_at, relocs, nr_rel, sizeof(*relocs),
					    cmp_addr))
					continue;
				if (short_jump) {
					rel = (int8_t)code[disp_at];
				} else {
					memcpy(&rel, code + disp_at, 4);
				}
				target = at + len + (GElf_Addr)(int64_t)rel;
				/* A branch inside the function is no call. */
				if (target >= caller->value && target < end)
					continue;
				cf = clone_at(d, fs, nr_fs, shndx, target);
				if (cf < 0 || !strcmp(d->unit.funcs[cf].symbol,
						      caller->name))
					continue;
				tail = code[at] != 0xe8;
				ret = add_call(d, caller->name,
					       d->unit.funcs[cf].symbol, tail);
				if (ret)
					goto out;
				at += len - 1;
			}
		}
	}
out:
	free(relocs);
	free(fs);
	klp_elf__close(elf);
	return ret;
}

const struct klp_unit *klp_ipa_dump__unit(const struct klp_ipa_dump *d)
{
	return d ? &d->unit : NULL;
}

const struct klp_ipa_stats *klp_ipa_dump__stats(const struct klp_ipa_dump *d)
{
	return d ? &d->stats : NULL;
}

void klp_ipa_dump__free(struct klp_ipa_dump *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr_strings; i++)
		free(d->strings[i]);
	free(d->strings);
	free(d->unit.origins);
	free(d->unit.funcs);
	free(d->unit.inlines);
	free(d->unit.calls);
	free(d->removed);
	map_free(&d->funcs_by_name);
	map_free(&d->origins_by_name);
	free(d->path);
	free(d);
}
