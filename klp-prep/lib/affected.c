// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * affected.c - the closure of functions to patch (see klp_prep/affected.h)
 *
 * Every propagation step stays inside one unit: clones are local symbols
 * and INLINE/CALL records name bodies of their own block.  The closure is
 * a breadth-first walk over two kinds of events, "this origin is dirty in
 * this unit" and "this body is dirty", until nothing new turns dirty.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/affected.h>
#include <klp_prep/sympos.h>

#include "array.h"
#include "log.h"

#define ORIGIN_CLEAN	(-2)
#define ORIGIN_CHANGED	(-1)

struct asym {
	const char *name;
	uint64_t value;
	int unit;
};

struct ustate {
	int *func_node;		/* node index, -1 = clean */
	int *origin_cause;	/* ORIGIN_CLEAN, ORIGIN_CHANGED, or node index */
	unsigned char *origin_queued;
};

struct aobj {
	char *name;
	enum klp_affected_object_kind kind;
	enum klp_affected_source source;
	const struct klp_unit **units;
	size_t nr_units;
	struct ustate *state;
	struct asym *syms;
	size_t nr_syms, cap_syms;
	struct klp_sympos_table *sympos;	/* syms, in kallsyms order */
};

struct node {
	struct klp_affected_node pub;	/* first: pub pointers cast back */
	struct klp_affected_reason *reasons;
	size_t nr_reasons, cap_reasons;
	struct klp_affected_subfunc *subfuncs;
	size_t nr_subfuncs, cap_subfuncs;
	int obj;
	size_t unit;
	unsigned int func;
};

struct event {
	int obj;
	size_t unit;
	unsigned int origin;
};

struct klp_affected {
	struct aobj *objs;
	size_t nr_objs;

	struct event *changes;		/* (obj, unit, origin) the user changed */
	size_t nr_changes, cap_changes;
	char **change_names;		/* "foo (fs/x.c:10-20)", deduplicated */
	size_t nr_change_names;

	struct node **nodes;
	size_t nr_nodes, cap_nodes;

	struct event *queue;		/* dirty origins to process */
	size_t q_head, q_tail, q_cap;

	char **notes;
	size_t nr_notes;
	char **strings;			/* owned strings referenced by results */
	size_t nr_strings;
	bool computed;
};

/* ---- small helpers ------------------------------------------------------ */

__attribute__((format(printf, 2, 3)))
static const char *own_printf(struct klp_affected *a, const char *fmt, ...)
{
	char **strings;
	va_list ap;
	char *s;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return NULL;
	strings = realloc(a->strings, (a->nr_strings + 1) * sizeof(*strings));
	if (!strings) {
		free(s);
		return NULL;
	}
	a->strings = strings;
	a->strings[a->nr_strings++] = s;
	return s;
}

__attribute__((format(printf, 2, 3)))
static int add_note(struct klp_affected *a, const char *fmt, ...)
{
	char **notes;
	va_list ap;
	char *s;
	size_t i;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	for (i = 0; i < a->nr_notes; i++) {
		if (!strcmp(a->notes[i], s)) {
			free(s);
			return 0;
		}
	}
	notes = realloc(a->notes, (a->nr_notes + 1) * sizeof(*notes));
	if (!notes) {
		free(s);
		return -ENOMEM;
	}
	a->notes = notes;
	a->notes[a->nr_notes++] = s;
	return 0;
}

static bool str_empty(const char *s)
{
	return !s || !*s;
}

/* Skip "./" and "../" prefixes: the build dir's form of a source path. */
static const char *path_core(const char *p)
{
	if (!p)
		return "";
	for (;;) {
		if (!strncmp(p, "./", 2))
			p += 2;
		else if (!strncmp(p, "../", 3))
			p += 3;
		else
			return p;
	}
}

/*
 * Does the record's @file end in @want, on a path component boundary?
 * "fs/x.c" matches "fs/x.c", "/src/linux/fs/x.c" and "../fs/x.c"; so
 * does "x.c"; "s/x.c" does not.
 */
static bool file_matches(const char *file, const char *want)
{
	size_t lf, lw;

	if (!file)
		return false;
	want = path_core(want);
	lf = strlen(file);
	lw = strlen(want);
	if (!lw || lw > lf)
		return false;
	if (strcmp(file + lf - lw, want))
		return false;
	return lf == lw || file[lf - lw - 1] == '/';
}

static bool func_is_clone(const struct klp_func_record *f)
{
	return f->flags & (KLP_FUNC_F_PART | KLP_FUNC_F_ISRA |
			   KLP_FUNC_F_CONSTPROP | KLP_FUNC_F_OTHER_CLONE);
}

static const struct klp_origin *func_origin(const struct klp_unit *u,
					    const struct klp_func_record *f)
{
	return f->origin < u->nr_origins ? &u->origins[f->origin] : NULL;
}

/* ---- construction ------------------------------------------------------- */

struct klp_affected *klp_affected__new(void)
{
	return calloc(1, sizeof(struct klp_affected));
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->reasons);
	free(n->subfuncs);
	free(n);
}

void klp_affected__free(struct klp_affected *a)
{
	size_t i, u;

	if (!a)
		return;
	for (i = 0; i < a->nr_objs; i++) {
		struct aobj *o = &a->objs[i];

		for (u = 0; o->state && u < o->nr_units; u++) {
			free(o->state[u].func_node);
			free(o->state[u].origin_cause);
			free(o->state[u].origin_queued);
		}
		free(o->state);
		free(o->units);
		free(o->name);
		free(o->syms);
		klp_sympos_table__free(o->sympos);
	}
	free(a->objs);
	free(a->changes);
	for (i = 0; i < a->nr_change_names; i++)
		free(a->change_names[i]);
	free(a->change_names);
	for (i = 0; i < a->nr_nodes; i++)
		node_free(a->nodes[i]);
	free(a->nodes);
	free(a->queue);
	for (i = 0; i < a->nr_notes; i++)
		free(a->notes[i]);
	free(a->notes);
	for (i = 0; i < a->nr_strings; i++)
		free(a->strings[i]);
	free(a->strings);
	free(a);
}

int klp_affected__add_object(struct klp_affected *a, const char *name,
			     enum klp_affected_object_kind kind,
			     enum klp_affected_source source,
			     const struct klp_unit *const *units,
			     size_t nr_units)
{
	struct aobj *objs, *o;
	size_t u;

	if (!a || !name || (nr_units && !units) || a->computed)
		return -EINVAL;
	objs = realloc(a->objs, (a->nr_objs + 1) * sizeof(*objs));
	if (!objs)
		return -ENOMEM;
	a->objs = objs;
	o = &objs[a->nr_objs];
	memset(o, 0, sizeof(*o));
	o->name = strdup(name);
	o->units = calloc(nr_units ? nr_units : 1, sizeof(*o->units));
	o->state = calloc(nr_units ? nr_units : 1, sizeof(*o->state));
	if (!o->name || !o->units || !o->state)
		goto enomem;
	o->kind = kind;
	o->source = source;
	o->nr_units = nr_units;
	for (u = 0; u < nr_units; u++) {
		const struct klp_unit *unit = units[u];
		struct ustate *s = &o->state[u];
		size_t i;

		o->units[u] = unit;
		s->func_node = malloc((unit->nr_funcs + 1) * sizeof(int));
		s->origin_cause = malloc((unit->nr_origins + 1) * sizeof(int));
		s->origin_queued = calloc(unit->nr_origins + 1, 1);
		if (!s->func_node || !s->origin_cause || !s->origin_queued)
			goto enomem;
		for (i = 0; i < unit->nr_funcs; i++)
			s->func_node[i] = -1;
		for (i = 0; i < unit->nr_origins; i++)
			s->origin_cause[i] = ORIGIN_CLEAN;
	}
	a->nr_objs++;
	return (int)(a->nr_objs - 1);

enomem:
	for (u = 0; o->state && u < nr_units; u++) {
		free(o->state[u].func_node);
		free(o->state[u].origin_cause);
		free(o->state[u].origin_queued);
	}
	free(o->state);
	free(o->units);
	free(o->name);
	return -ENOMEM;
}

int klp_affected__add_symbol(struct klp_affected *a, int obj, const char *name,
			     uint64_t value, int unit)
{
	struct aobj *o;
	int ret;

	if (!a || obj < 0 || (size_t)obj >= a->nr_objs || !name || a->computed)
		return -EINVAL;
	o = &a->objs[obj];
	if (unit < -2 || (unit >= 0 && (size_t)unit >= o->nr_units))
		return -EINVAL;
	ret = array_grow((void **)&o->syms, &o->cap_syms, o->nr_syms + 1,
			 sizeof(*o->syms));
	if (ret)
		return ret;
	o->syms[o->nr_syms] = (struct asym){
		.name = name, .value = value, .unit = unit,
	};
	o->nr_syms++;
	return 0;
}

/* ---- changes ------------------------------------------------------------ */

static int add_change(struct klp_affected *a, int obj, size_t unit,
		      unsigned int origin)
{
	const struct klp_origin *org = &a->objs[obj].units[unit]->origins[origin];
	char *name, **names;
	size_t i;
	int ret;

	for (i = 0; i < a->nr_changes; i++) {
		struct event *e = &a->changes[i];

		if (e->obj == obj && e->unit == unit && e->origin == origin)
			return 0;
	}
	ret = array_grow((void **)&a->changes, &a->cap_changes, a->nr_changes + 1,
			 sizeof(*a->changes));
	if (ret)
		return ret;
	a->changes[a->nr_changes++] = (struct event){ obj, unit, origin };

	if (org->end_line)
		ret = asprintf(&name, "%s (%s:%u-%u)", org->name,
			       path_core(org->file), org->line, org->end_line);
	else
		ret = asprintf(&name, "%s (%s:%u)", org->name,
			       path_core(org->file), org->line);
	if (ret < 0)
		return -ENOMEM;
	for (i = 0; i < a->nr_change_names; i++) {
		if (!strcmp(a->change_names[i], name)) {
			free(name);
			return 0;
		}
	}
	names = realloc(a->change_names,
			(a->nr_change_names + 1) * sizeof(*names));
	if (!names) {
		free(name);
		return -ENOMEM;
	}
	a->change_names = names;
	a->change_names[a->nr_change_names++] = name;
	return 0;
}

#define for_each_origin(a, oi, u, i, org)				\
	for ((oi) = 0; (oi) < (a)->nr_objs; (oi)++)			\
		for ((u) = 0; (u) < (a)->objs[oi].nr_units; (u)++)	\
			for ((i) = 0; (i) < (a)->objs[oi].units[u]->nr_origins && \
			     ((org) = &(a)->objs[oi].units[u]->origins[i]); (i)++)

/* An origin worth matching: something in the unit has code of it. */
static bool origin_has_code(const struct klp_unit *u, unsigned int i)
{
	size_t k;

	for (k = 0; k < u->nr_funcs; k++)
		if (u->funcs[k].origin == i)
			return true;
	for (k = 0; k < u->nr_inlines; k++)
		if (u->inlines[k].callee == i)
			return true;
	return false;
}

int klp_affected__change_function(struct klp_affected *a, const char *spec)
{
	const char *colon, *name, *file = NULL, *first_file = NULL;
	const struct klp_origin *org;
	size_t oi, u, i, nr = 0, nr_files = 0;
	char *fbuf = NULL;
	int ret = 0;

	if (!a || !spec || a->computed)
		return -EINVAL;
	colon = strrchr(spec, ':');
	name = colon ? colon + 1 : spec;
	if (colon) {
		fbuf = strndup(spec, colon - spec);
		if (!fbuf)
			return -ENOMEM;
		file = fbuf;
	}
	if (!*name || (file && !*file)) {
		klp_log(KLP_LOG_ERROR,
			"error: '%s': expected NAME or FILE:NAME\n", spec);
		free(fbuf);
		return -EINVAL;
	}

	/* Count the distinct definition files first: a bare name must be unique. */
	for_each_origin(a, oi, u, i, org) {
		if (strcmp(org->name, name) || (file && !file_matches(org->file, file)))
			continue;
		nr++;
		if (!first_file) {
			first_file = org->file;
			nr_files = 1;
		} else if (strcmp(path_core(first_file), path_core(org->file))) {
			nr_files++;
		}
	}
	if (!nr) {
		klp_log(KLP_LOG_ERROR,
			"error: %s: no function of that name in the records of %zu object(s) (a misspelling, a function new in the fix, or one whose every inlined copy left no code)\n",
			spec, a->nr_objs);
		free(fbuf);
		return -ENOENT;
	}
	if (nr_files > 1) {
		klp_log(KLP_LOG_ERROR,
			"error: %s: defined in several files; qualify it as FILE:%s:\n",
			spec, name);
		for_each_origin(a, oi, u, i, org) {
			if (strcmp(org->name, name) ||
			    (file && !file_matches(org->file, file)))
				continue;
			klp_log(KLP_LOG_ERROR, "  %s:%s (%s:%u, unit %s)\n",
				path_core(org->file), name, path_core(org->file),
				org->line, a->objs[oi].units[u]->source);
		}
		free(fbuf);
		return -EINVAL;
	}
	for_each_origin(a, oi, u, i, org) {
		if (strcmp(org->name, name) || (file && !file_matches(org->file, file)))
			continue;
		ret = add_change(a, (int)oi, u, (unsigned int)i);
		if (ret)
			break;
	}
	free(fbuf);
	return ret;
}

int klp_affected__change_lines(struct klp_affected *a, const char *file,
			       unsigned int first, unsigned int last)
{
	const struct klp_origin *org;
	size_t oi, u, i, nr = 0;
	int ret;

	if (!a || !file || !first || last < first || a->computed)
		return -EINVAL;
	for_each_origin(a, oi, u, i, org) {
		const struct klp_unit *unit = a->objs[oi].units[u];
		unsigned int end = org->end_line;

		if (!file_matches(org->file, file) || !org->line)
			continue;
		if (!end) {
			/* Unknown end: up to the next function of the file. */
			const struct klp_origin *o2;
			size_t k;

			end = ~0u;
			for (k = 0; k < unit->nr_origins; k++) {
				o2 = &unit->origins[k];
				if (o2->line > org->line && o2->line - 1 < end &&
				    o2->file && !strcmp(o2->file, org->file))
					end = o2->line - 1;
			}
		}
		if (org->line > last || end < first)
			continue;
		if (!origin_has_code(unit, (unsigned int)i))
			continue;
		ret = add_change(a, (int)oi, u, (unsigned int)i);
		if (ret)
			return ret;
		nr++;
	}
	return nr ? 0 : -ENOENT;
}

int klp_affected__change_lines_spec(struct klp_affected *a, const char *spec)
{
	const char *colon;
	unsigned long first, last;
	char *end, *file;
	int ret;

	if (!a || !spec)
		return -EINVAL;
	colon = strrchr(spec, ':');
	if (!colon || colon == spec)
		goto bad;
	errno = 0;
	first = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1)
		goto bad;
	last = first;
	if (*end == '-') {
		const char *p = end + 1;

		last = strtoul(p, &end, 10);
		if (errno || end == p)
			goto bad;
	}
	if (*end || !first || last < first || last > ~0u)
		goto bad;
	file = strndup(spec, colon - spec);
	if (!file)
		return -ENOMEM;
	ret = klp_affected__change_lines(a, file, (unsigned int)first,
					 (unsigned int)last);
	if (ret == -ENOENT)
		klp_log(KLP_LOG_ERROR,
			"error: %s:%lu-%lu: no function with code in the build overlaps these lines\n",
			file, first, last);
	free(file);
	return ret;
bad:
	klp_log(KLP_LOG_ERROR,
		"error: '%s': expected FILE:FIRST-LAST (lines from 1)\n", spec);
	return -EINVAL;
}

/* ---- sympos ------------------------------------------------------------- */

static int index_symbols(struct aobj *o)
{
	size_t i;
	int ret;

	if (!o->nr_syms || o->sympos)
		return 0;
	o->sympos = klp_sympos_table__new(o->kind == KLP_AFFECTED_VMLINUX ?
					  KLP_SYMPOS_VMLINUX : KLP_SYMPOS_MODULE);
	if (!o->sympos)
		return -ENOMEM;
	for (i = 0; i < o->nr_syms; i++) {
		ret = klp_sympos_table__add(o->sympos, o->syms[i].name,
					    o->syms[i].value);
		if (ret)
			return ret;
	}
	return klp_sympos_table__sort(o->sympos);
}

/*
 * old_sympos of @name as @unit's symbol (sympos.c counts it): 0 when the
 * name is unique in the object.  Returns -1 (and *why) when it cannot be
 * told which of the symbols of the name is the unit's.
 */
static long sympos_of(struct aobj *o, size_t unit, const char *name,
		      bool global, bool *estimated, const char **why)
{
	const size_t *order;
	size_t first, n, i, own = 0, nr_own = 0;

	*estimated = false;
	*why = NULL;
	if (!o->nr_syms) {
		/* No symbol table: count emitted bodies in unit order. */
		unsigned long pos = klp_sympos__estimate(o->units, o->nr_units,
							 unit, name);

		*estimated = true;
		return pos <= LONG_MAX ? (long)pos : 0;
	}
	n = klp_sympos_table__named(o->sympos, name, &first);
	if (n == 0) {
		*why = "not in the symbol table";
		return -1;
	}
	if (n == 1)
		return 0;
	order = klp_sympos_table__order(o->sympos);
	for (i = 0; i < n; i++) {
		const struct asym *s = &o->syms[order[first + i]];

		/* -1: a global symbol; -2: a unit not loaded, never ours */
		if (s->unit >= 0 ? (size_t)s->unit == unit : s->unit == -1 && global) {
			if (!nr_own++)
				own = order[first + i];
		}
	}
	if (nr_own != 1) {
		*why = nr_own ? "several symbols of that name belong to its unit" :
				"its unit's symbols cannot be told apart from the other units' (no matching STT_FILE group)";
		return -1;
	}
	return (long)klp_sympos_table__sympos(o->sympos, own);
}

/* ---- the walk ----------------------------------------------------------- */

static struct node *node_at(struct klp_affected *a, int i)
{
	return a->nodes[i];
}

static int add_reason(struct node *n, const struct klp_affected_reason *r)
{
	size_t i;
	int ret;

	for (i = 0; i < n->nr_reasons; i++) {
		const struct klp_affected_reason *q = &n->reasons[i];

		if (q->kind == r->kind && q->line == r->line &&
		    !strcmp(q->what ? q->what : "", r->what ? r->what : "") &&
		    !strcmp(q->file ? q->file : "", r->file ? r->file : "") &&
		    !strcmp(q->via ? q->via : "", r->via ? r->via : ""))
			return 0;
	}
	ret = array_grow((void **)&n->reasons, &n->cap_reasons, n->nr_reasons + 1,
			 sizeof(*n->reasons));
	if (ret)
		return ret;
	n->reasons[n->nr_reasons++] = *r;
	n->pub.reasons = n->reasons;
	n->pub.nr_reasons = n->nr_reasons;
	return 0;
}

static int queue_origin(struct klp_affected *a, int obj, size_t unit,
			unsigned int origin, int cause)
{
	struct ustate *s = &a->objs[obj].state[unit];
	int ret;

	if (origin >= a->objs[obj].units[unit]->nr_origins)
		return 0;
	if (s->origin_cause[origin] == ORIGIN_CLEAN)
		s->origin_cause[origin] = cause;
	if (s->origin_queued[origin])
		return 0;
	s->origin_queued[origin] = 1;
	ret = array_grow((void **)&a->queue, &a->q_cap, a->q_tail + 1,
			 sizeof(*a->queue));
	if (ret)
		return ret;
	a->queue[a->q_tail++] = (struct event){ obj, unit, origin };
	return 0;
}

static const char *section_unpatchable(const char *sec)
{
	if (str_empty(sec))
		return NULL;
	if (!strncmp(sec, ".init", 5))
		return "in .init code, which has run and may be freed";
	if (!strncmp(sec, ".exit", 5))
		return "in .exit code";
	if (!strcmp(sec, ".noinstr.text") || !strcmp(sec, ".entry.text"))
		return "in non-instrumentable code (.noinstr.text/.entry.text): no ftrace hook";
	return NULL;
}

static const char *why_unpatchable(const struct aobj *o,
				   const struct klp_unit *u,
				   const struct klp_func_record *f)
{
	const struct klp_origin *org = func_origin(u, f);
	const char *why;

	why = section_unpatchable(f->section);
	if (!why && org)
		why = section_unpatchable(org->section);
	if (why)
		return why;
	if (org && (org->flags & KLP_ORIGIN_F_NOTRACE) &&
	    (org->flags & KLP_ORIGIN_F_DECLARED_INLINE) &&
	    !(org->flags & KLP_ORIGIN_F_PUBLIC))
		return "notrace: a static inline function GCC emitted out of line (the kernel's 'inline' implies notrace): no ftrace hook; only its callers can be patched";
	if (org && (org->flags & KLP_ORIGIN_F_NOTRACE))
		return "notrace: no ftrace hook to redirect";
	/* ipa-clones dumps do not say whether a function has a hook. */
	if (o->source == KLP_AFFECTED_FROM_PLUGIN &&
	    !(f->flags & KLP_FUNC_F_FENTRY))
		return "no fentry call (notrace or not instrumented): no ftrace hook to redirect";
	return NULL;
}

/* Find or create the node of body @func; *@created says which. */
static int get_node(struct klp_affected *a, int obj, size_t unit,
		    unsigned int func, bool *created)
{
	struct aobj *o = &a->objs[obj];
	const struct klp_unit *u = o->units[unit];
	const struct klp_func_record *f = &u->funcs[func];
	const struct klp_origin *org = func_origin(u, f);
	struct node *n;
	int ret, idx = o->state[unit].func_node[func];

	*created = false;
	if (idx >= 0)
		return idx;
	ret = array_grow((void **)&a->nodes, &a->cap_nodes, a->nr_nodes + 1,
			 sizeof(*a->nodes));
	if (ret)
		return ret;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->obj = obj;
	n->unit = unit;
	n->func = func;
	n->pub.symbol = f->symbol;
	n->pub.object = o->name;
	n->pub.unit = u->source;
	n->pub.origin = org ? org->name : f->symbol;
	n->pub.file = org ? org->file : NULL;
	n->pub.line = org ? org->line : 0;
	n->pub.section = f->section;
	if (!(f->flags & KLP_FUNC_F_EMITTED))
		n->pub.state = KLP_NODE_INLINED;
	else if (func_is_clone(f))
		n->pub.state = KLP_NODE_CLONE;
	else
		n->pub.state = KLP_NODE_PATCH;
	idx = (int)a->nr_nodes;
	a->nodes[a->nr_nodes++] = n;
	o->state[unit].func_node[func] = idx;
	*created = true;
	return idx;
}

static int mark_func(struct klp_affected *a, int obj, size_t unit,
		     unsigned int func, const struct klp_affected_reason *r);

/* A body is dirty for the first time: what follows from it. */
static int body_dirty(struct klp_affected *a, int idx)
{
	struct node *n = node_at(a, idx);
	struct aobj *o = &a->objs[n->obj];
	const struct klp_unit *u = o->units[n->unit];
	const struct klp_func_record *f = &u->funcs[n->func];
	size_t k;
	int ret, nr_callers = 0;

	switch (n->pub.state) {
	case KLP_NODE_INLINED:
		/* Never emitted: its code lives on in its inliners and clones. */
		return queue_origin(a, n->obj, n->unit, f->origin, idx);
	case KLP_NODE_CLONE:
		for (k = 0; k < u->nr_calls; k++) {
			const struct klp_call *c = &u->calls[k];
			struct klp_affected_reason r = {
				.kind = KLP_REASON_CALLS, .what = f->symbol,
				.file = c->call_file, .line = c->call_line,
				.flags = c->flags, .from = &n->pub,
			};

			if (str_empty(c->callee) || strcmp(c->callee, f->symbol) ||
			    c->func >= u->nr_funcs)
				continue;
			nr_callers++;
			if (c->func == n->func)
				continue;	/* recursion */
			ret = mark_func(a, n->obj, n->unit, c->func, &r);
			if (ret)
				return ret;
		}
		if (!nr_callers) {
			if (o->source == KLP_AFFECTED_FROM_IPA_CLONES) {
				n->pub.unpatchable = own_printf(a,
					"clone %s of a changed function: -fdump-ipa-clones does not say who calls it; find its callers in %s (e.g. in its object's relocations) and patch them",
					f->symbol, u->source);
			} else {
				n->pub.unpatchable = own_printf(a,
					"clone %s cannot be replaced from source and no caller of it is recorded in %s",
					f->symbol, u->source);
			}
			if (!n->pub.unpatchable)
				return -ENOMEM;
			n->pub.state = KLP_NODE_UNPATCHABLE;
		}
		return 0;
	case KLP_NODE_PATCH:
		n->pub.unpatchable = why_unpatchable(o, u, f);
		if (n->pub.unpatchable)
			n->pub.state = KLP_NODE_UNPATCHABLE;
		return 0;
	case KLP_NODE_UNPATCHABLE:
		return 0;
	}
	return 0;
}

static int mark_func(struct klp_affected *a, int obj, size_t unit,
		     unsigned int func, const struct klp_affected_reason *r)
{
	const struct klp_unit *u = a->objs[obj].units[unit];
	const struct klp_func_record *f;
	bool created;
	int idx, ret;

	if (func >= u->nr_funcs)
		return 0;
	f = &u->funcs[func];
	if (f->flags & KLP_FUNC_F_ALIAS)
		return 0;	/* an alias shares its target's entry and hook */
	idx = get_node(a, obj, unit, func, &created);
	if (idx < 0)
		return idx;
	ret = add_reason(node_at(a, idx), r);
	if (ret)
		return ret;
	if (created) {
		ret = body_dirty(a, idx);
		if (ret)
			return ret;
	}
	/*
	 * Early inlining copies changed code into this body before any
	 * later copy of the body is made (inlined elsewhere, cloned), and
	 * those copies carry no record of it: the whole origin is dirty.
	 * ipa-clones dumps name only the immediate caller of every inline.
	 */
	if (r->kind == KLP_REASON_INLINES &&
	    ((r->flags & KLP_INLINE_F_EARLY) ||
	     a->objs[obj].source == KLP_AFFECTED_FROM_IPA_CLONES))
		return queue_origin(a, obj, unit, f->origin, idx);
	return 0;
}

/* "helper (x.c:200) > inner (x.c:210)": the copies around an inline. */
static const char *inline_via(struct klp_affected *a, const struct klp_unit *u,
			      const struct klp_inline *in)
{
	char *buf = NULL, *next;
	unsigned int p = in->parent, depth = 0;

	while (p && p <= u->nr_inlines && depth++ < 64) {
		const struct klp_inline *pi = &u->inlines[p - 1];
		const char *pname = pi->callee < u->nr_origins ?
				    u->origins[pi->callee].name : "?";
		int ret;

		ret = asprintf(&next, "%s (%s:%u)%s%s", pname,
			       path_core(pi->call_file), pi->call_line,
			       buf ? " > " : "", buf ? buf : "");
		free(buf);
		if (ret < 0)
			return NULL;
		buf = next;
		p = pi->parent;
	}
	if (!buf)
		return NULL;
	next = (char *)own_printf(a, "%s", buf);
	free(buf);
	return next;
}

static int origin_dirty(struct klp_affected *a, const struct event *e)
{
	struct aobj *o = &a->objs[e->obj];
	const struct klp_unit *u = o->units[e->unit];
	const struct klp_origin *org = &u->origins[e->origin];
	int cause = o->state[e->unit].origin_cause[e->origin];
	const struct klp_affected_node *from =
		cause >= 0 ? &node_at(a, cause)->pub : NULL;
	size_t k;
	int ret;

	/* Every body of the origin: the function itself and its clones. */
	for (k = 0; k < u->nr_funcs; k++) {
		const struct klp_func_record *f = &u->funcs[k];
		struct klp_affected_reason r = {
			.kind = KLP_REASON_CLONE_OF, .what = org->name,
			.file = org->file, .line = org->line, .from = from,
		};

		if (f->origin != e->origin)
			continue;
		if (cause >= 0 && o->state[e->unit].func_node[k] == cause)
			continue;	/* the body that made the origin dirty */
		if (cause == ORIGIN_CHANGED && !func_is_clone(f))
			r.kind = KLP_REASON_CHANGED;
		ret = mark_func(a, e->obj, e->unit, (unsigned int)k, &r);
		if (ret)
			return ret;
	}
	/* Every body holding an inlined copy of it. */
	for (k = 0; k < u->nr_inlines; k++) {
		const struct klp_inline *in = &u->inlines[k];
		struct klp_affected_reason r = {
			.kind = KLP_REASON_INLINES, .what = org->name,
			.file = in->call_file, .line = in->call_line,
			.flags = in->flags, .from = from,
		};

		if (in->callee != e->origin || in->func >= u->nr_funcs)
			continue;
		if (in->parent) {
			r.via = inline_via(a, u, in);
			if (!r.via)
				return -ENOMEM;
		}
		ret = mark_func(a, e->obj, e->unit, in->func, &r);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- stack_only subfunctions -------------------------------------------- */

static int add_subfunc(struct klp_affected *a, struct node *n,
		       enum klp_subfunc_kind kind, const char *symbol,
		       bool tail, const char *parent, size_t unit)
{
	struct aobj *o = &a->objs[n->obj];
	const char *why;
	bool est;
	long pos;
	size_t i;
	int ret;

	for (i = 0; i < n->nr_subfuncs; i++) {
		if (!strcmp(n->subfuncs[i].symbol, symbol)) {
			n->subfuncs[i].tail |= tail;
			return 0;
		}
	}
	pos = sympos_of(o, unit, symbol, false, &est, &why);
	if (pos < 0) {
		ret = add_note(a, "%s: stack_only %s of %s: position unknown: %s",
			       o->name, symbol, n->pub.symbol, why);
		if (ret)
			return ret;
		pos = 0;
	} else if (est && pos) {
		ret = add_note(a, "%s: %s: old_sympos %ld counted from the records, not a symbol table",
			       o->name, symbol, pos);
		if (ret)
			return ret;
	}
	ret = array_grow((void **)&n->subfuncs, &n->cap_subfuncs, n->nr_subfuncs + 1,
			 sizeof(*n->subfuncs));
	if (ret)
		return ret;
	n->subfuncs[n->nr_subfuncs++] = (struct klp_affected_subfunc){
		.kind = kind, .symbol = symbol, .sympos = (unsigned long)pos,
		.tail = tail, .parent = parent,
	};
	n->pub.subfuncs = n->subfuncs;
	n->pub.nr_subfuncs = n->nr_subfuncs;
	return 0;
}

static int find_func_by_symbol(const struct klp_unit *u, const char *sym)
{
	size_t k;

	for (k = 0; k < u->nr_funcs; k++)
		if (u->funcs[k].symbol && !strcmp(u->funcs[k].symbol, sym) &&
		    (u->funcs[k].flags & KLP_FUNC_F_EMITTED))
			return (int)k;
	return -1;
}

/*
 * The clones @body calls that a task may still be running old code in
 * once @n is patched: dirty (abandoned) clones and .part bodies, their
 * .cold parts, and on through the dirty clones they call in turn.
 */
static int collect_called(struct klp_affected *a, struct node *n,
			  unsigned int body, unsigned char *seen)
{
	struct aobj *o = &a->objs[n->obj];
	const struct klp_unit *u = o->units[n->unit];
	size_t k;
	int ret;

	for (k = 0; k < u->nr_calls; k++) {
		const struct klp_call *c = &u->calls[k];
		const struct klp_func_record *cf;
		bool tail = c->flags & KLP_CALL_F_TAIL;
		bool dirty;
		int ci;

		if (c->func != body || str_empty(c->callee))
			continue;
		ci = find_func_by_symbol(u, c->callee);
		if (ci < 0)
			continue;
		cf = &u->funcs[ci];
		dirty = o->state[n->unit].func_node[ci] >= 0;
		if (!dirty && !(cf->flags & KLP_FUNC_F_PART))
			continue;
		if ((size_t)ci == n->func || seen[ci])
			continue;
		seen[ci] = 1;
		ret = add_subfunc(a, n, dirty ? KLP_SUBFUNC_CLONE : KLP_SUBFUNC_PART,
				  cf->symbol, tail, NULL, n->unit);
		if (ret)
			return ret;
		if (cf->cold_symbol) {
			ret = add_subfunc(a, n, KLP_SUBFUNC_CLONE_COLD,
					  cf->cold_symbol, false, cf->symbol,
					  n->unit);
			if (ret)
				return ret;
		}
		if (dirty) {
			ret = collect_called(a, n, (unsigned int)ci, seen);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int finish_node(struct klp_affected *a, struct node *n)
{
	struct aobj *o = &a->objs[n->obj];
	const struct klp_unit *u = o->units[n->unit];
	const struct klp_func_record *f = &u->funcs[n->func];
	const char *why;
	unsigned char *seen;
	bool est;
	long pos;
	int ret;

	if (n->pub.state != KLP_NODE_PATCH &&
	    !(n->pub.state == KLP_NODE_UNPATCHABLE && !func_is_clone(f) &&
	      (f->flags & KLP_FUNC_F_EMITTED)))
		return 0;

	pos = sympos_of(o, n->unit, f->symbol, f->flags & KLP_FUNC_F_PUBLIC,
			&est, &why);
	if (pos < 0) {
		if (n->pub.state == KLP_NODE_PATCH) {
			n->pub.state = KLP_NODE_UNPATCHABLE;
			n->pub.unpatchable = own_printf(a,
				"old_sympos of %s in %s cannot be told: %s",
				f->symbol, o->name, why);
			if (!n->pub.unpatchable)
				return -ENOMEM;
		}
		pos = 0;
	}
	n->pub.sympos = (unsigned long)pos;
	n->pub.sympos_estimated = est;
	if (est) {
		ret = add_note(a, "%s: no kernel symbol table (not vmlinux or a module, or no .symtab): old_sympos counted from the records in link order, not from kallsyms",
			       o->name);
		if (ret)
			return ret;
	}

	if (f->cold_symbol) {
		ret = add_subfunc(a, n, KLP_SUBFUNC_COLD, f->cold_symbol, false,
				  f->symbol, n->unit);
		if (ret)
			return ret;
	}
	seen = calloc(u->nr_funcs + 1, 1);
	if (!seen)
		return -ENOMEM;
	ret = collect_called(a, n, n->func, seen);
	free(seen);
	return ret;
}

int klp_affected__compute(struct klp_affected *a)
{
	size_t i;
	int ret;

	if (!a || a->computed)
		return -EINVAL;
	a->computed = true;
	for (i = 0; i < a->nr_objs; i++) {
		ret = index_symbols(&a->objs[i]);
		if (ret)
			return ret;
		if (a->objs[i].source == KLP_AFFECTED_FROM_IPA_CLONES) {
			ret = add_note(a, "%s: from -fdump-ipa-clones: call sites, nested inline chains, inlines that left no code and fentry hooks are not known, and every inline is taken to spread through its caller's other copies; .cold parts, which bodies were emitted and the calls to clones are known only from objects beside the dumps (calls by a scan of branch instructions, a heuristic)",
				       a->objs[i].name);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < a->nr_changes; i++) {
		const struct event *e = &a->changes[i];

		ret = queue_origin(a, e->obj, e->unit, e->origin, ORIGIN_CHANGED);
		if (ret)
			return ret;
		a->objs[e->obj].state[e->unit].origin_cause[e->origin] = ORIGIN_CHANGED;
	}
	while (a->q_head < a->q_tail) {
		struct event e = a->queue[a->q_head++];

		ret = origin_dirty(a, &e);
		if (ret)
			return ret;
	}
	for (i = 0; i < a->nr_nodes; i++) {
		ret = finish_node(a, a->nodes[i]);
		if (ret)
			return ret;
	}
	if (a->nr_changes && !a->nr_nodes) {
		ret = add_note(a, "the changed functions have no code of their own in the build (unused, or only declared): nothing to patch");
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- results ------------------------------------------------------------ */

size_t klp_affected__nr_nodes(const struct klp_affected *a)
{
	return a ? a->nr_nodes : 0;
}

const struct klp_affected_node *klp_affected__node(const struct klp_affected *a,
						   size_t i)
{
	return a && i < a->nr_nodes ? &a->nodes[i]->pub : NULL;
}

size_t klp_affected__count(const struct klp_affected *a,
			   enum klp_affected_node_state state)
{
	size_t i, n = 0;

	for (i = 0; a && i < a->nr_nodes; i++)
		n += a->nodes[i]->pub.state == state;
	return n;
}

size_t klp_affected__nr_changes(const struct klp_affected *a)
{
	return a ? a->nr_change_names : 0;
}

const char *klp_affected__change(const struct klp_affected *a, size_t i)
{
	return a && i < a->nr_change_names ? a->change_names[i] : NULL;
}

size_t klp_affected__nr_notes(const struct klp_affected *a)
{
	return a ? a->nr_notes : 0;
}

const char *klp_affected__note(const struct klp_affected *a, size_t i)
{
	return a && i < a->nr_notes ? a->notes[i] : NULL;
}

const char *klp_reason_kind_name(enum klp_affected_reason_kind kind)
{
	switch (kind) {
	case KLP_REASON_CHANGED:	return "changed";
	case KLP_REASON_INLINES:	return "inlines";
	case KLP_REASON_CALLS:		return "calls";
	case KLP_REASON_CLONE_OF:	return "clone-of";
	}
	return "?";
}

const char *klp_node_state_name(enum klp_affected_node_state state)
{
	switch (state) {
	case KLP_NODE_PATCH:		return "patch";
	case KLP_NODE_CLONE:		return "clone";
	case KLP_NODE_INLINED:		return "inlined";
	case KLP_NODE_UNPATCHABLE:	return "unpatchable";
	}
	return "?";
}

const char *klp_subfunc_kind_name(enum klp_subfunc_kind kind)
{
	switch (kind) {
	case KLP_SUBFUNC_COLD:		return "cold";
	case KLP_SUBFUNC_CLONE:		return "clone";
	case KLP_SUBFUNC_CLONE_COLD:	return "clone-cold";
	case KLP_SUBFUNC_PART:		return "part";
	}
	return "?";
}

char *klp_affected_reason__format(const struct klp_affected_node *n,
				  const struct klp_affected_reason *r,
				  char *buf, size_t size)
{
	char site[256];
	const char *file = site;

	/* "fs/x.c:120", or "fs/x.c" / "site unknown" when the records lack it */
	if (!str_empty(r->file) && r->line)
		snprintf(site, sizeof(site), "%s:%u", path_core(r->file), r->line);
	else if (!str_empty(r->file))
		snprintf(site, sizeof(site), "%s", path_core(r->file));
	else
		snprintf(site, sizeof(site), "site unknown");

	switch (r->kind) {
	case KLP_REASON_CHANGED:
		snprintf(buf, size, "%s: changed (%s)", n->symbol, file);
		break;
	case KLP_REASON_INLINES:
		snprintf(buf, size, "%s: inlines %s (%s)%s%s%s", n->symbol,
			 r->what, file, r->via ? " via " : "",
			 r->via ? r->via : "",
			 (r->flags & KLP_INLINE_F_NO_CODE) ? " [no code left]" : "");
		break;
	case KLP_REASON_CALLS:
		snprintf(buf, size, "%s: %s %s (%s)", n->symbol,
			 (r->flags & KLP_CALL_F_TAIL) ? "tail-calls" : "calls",
			 r->what, file);
		break;
	case KLP_REASON_CLONE_OF:
		snprintf(buf, size, "%s: %s %s", n->symbol,
			 n->state == KLP_NODE_INLINED ? "body of" : "clone of",
			 r->what);
		break;
	}
	return buf;
}
