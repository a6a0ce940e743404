// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * template.c - render templates (template.h) with a tree of values
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

#include "log.h"

struct tval {
	char *key;
	char *str;			/* a value, or NULL for a list */
	struct klp_tdata **items;
	size_t nr_items;
	bool is_list;
};

struct klp_tdata {
	struct tval *vals;
	size_t nr;
};

struct klp_tdata *klp_tdata__new(void)
{
	return calloc(1, sizeof(struct klp_tdata));
}

void klp_tdata__free(struct klp_tdata *d)
{
	size_t i, j;

	if (!d)
		return;
	for (i = 0; i < d->nr; i++) {
		free(d->vals[i].key);
		free(d->vals[i].str);
		for (j = 0; j < d->vals[i].nr_items; j++)
			klp_tdata__free(d->vals[i].items[j]);
		free(d->vals[i].items);
	}
	free(d->vals);
	free(d);
}

static struct tval *get(const struct klp_tdata *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		if (!strcmp(d->vals[i].key, key))
			return &d->vals[i];
	return NULL;
}

static struct tval *get_or_add(struct klp_tdata *d, const char *key)
{
	struct tval *v = get(d, key);

	if (v)
		return v;
	v = realloc(d->vals, (d->nr + 1) * sizeof(*v));
	if (!v)
		return NULL;
	d->vals = v;
	v = &d->vals[d->nr];
	memset(v, 0, sizeof(*v));
	v->key = strdup(key);
	if (!v->key)
		return NULL;
	d->nr++;
	return v;
}

int klp_tdata__set(struct klp_tdata *d, const char *key, const char *value)
{
	struct tval *v = get_or_add(d, key);
	char *s;

	if (!v)
		return -ENOMEM;
	if (v->is_list)
		return -EINVAL;
	s = strdup(value ? value : "");
	if (!s)
		return -ENOMEM;
	free(v->str);
	v->str = s;
	return 0;
}

int klp_tdata__setf(struct klp_tdata *d, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = klp_tdata__set(d, key, s);
	free(s);
	return r;
}

int klp_tdata__set_bool(struct klp_tdata *d, const char *key, bool value)
{
	return klp_tdata__set(d, key, value ? "1" : "");
}

int klp_tdata__set_list(struct klp_tdata *d, const char *key)
{
	struct tval *v = get_or_add(d, key);

	if (!v)
		return -ENOMEM;
	if (v->str)
		return -EINVAL;
	v->is_list = true;
	return 0;
}

struct klp_tdata *klp_tdata__add(struct klp_tdata *d, const char *key)
{
	struct tval *v = get_or_add(d, key);
	struct klp_tdata **items, *e;

	if (!v || v->str)
		return NULL;
	v->is_list = true;
	items = realloc(v->items, (v->nr_items + 1) * sizeof(*items));
	if (!items)
		return NULL;
	v->items = items;
	e = klp_tdata__new();
	if (!e)
		return NULL;
	items[v->nr_items++] = e;
	return e;
}

/* Parsing */

enum tok_kind { T_TEXT, T_VAR, T_OPEN, T_INVERTED, T_CLOSE, T_COMMENT };

struct tok {
	enum tok_kind kind;
	const char *s;		/* text, or the tag's name */
	size_t len;
	unsigned int line;
};

struct parsed {
	struct tok *toks;
	size_t nr, cap;
};

static int push_tok(struct parsed *p, enum tok_kind kind, const char *s,
		    size_t len, unsigned int line)
{
	if (p->nr == p->cap) {
		struct tok *t = realloc(p->toks, (p->cap = p->cap * 2 + 64) * sizeof(*t));

		if (!t)
			return -ENOMEM;
		p->toks = t;
	}
	p->toks[p->nr].kind = kind;
	p->toks[p->nr].s = s;
	p->toks[p->nr].len = len;
	p->toks[p->nr].line = line;
	p->nr++;
	return 0;
}

static unsigned int count_lines(const char *s, size_t n)
{
	unsigned int c = 0;

	while (n--)
		c += *s++ == '\n';
	return c;
}

static int tokenize(const char *t, size_t len, const char *name, struct parsed *p)
{
	const char *pos = t, *end = t + len;
	unsigned int line = 1;
	int err;

	while (pos < end) {
		const char *open = memmem(pos, end - pos, "{{", 2), *close, *b, *e;
		enum tok_kind kind = T_VAR;

		if (!open) {
			return push_tok(p, T_TEXT, pos, end - pos, line);
		}
		if (open > pos) {
			err = push_tok(p, T_TEXT, pos, open - pos, line);
			if (err)
				return err;
			line += count_lines(pos, open - pos);
		}
		close = memmem(open + 2, end - open - 2, "}}", 2);
		if (!close) {
			log_err("%s:%u: error: '{{' without '}}'\n", name, line);
			return -EINVAL;
		}
		b = open + 2;
		switch (*b) {
		case '#': kind = T_OPEN; b++; break;
		case '^': kind = T_INVERTED; b++; break;
		case '/': kind = T_CLOSE; b++; break;
		case '!': kind = T_COMMENT; b++; break;
		}
		e = close;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (kind != T_COMMENT && (b == e || memchr(b, '\n', e - b) || memchr(b, '{', e - b))) {
			log_err("%s:%u: error: bad tag '%.*s'\n", name, line,
				(int)(close + 2 - open), open);
			return -EINVAL;
		}
		err = push_tok(p, kind, b, e - b, line);
		if (err)
			return err;
		line += count_lines(open, close + 2 - open);
		pos = close + 2;
	}
	return 0;
}

/*
 * Standalone tags: a section, end or comment tag alone on its line takes
 * the line's blanks and its newline with it.
 */
static int strip_standalone(struct parsed *p)
{
	size_t *tail, *head, i;
	bool *standalone;

	tail = calloc(p->nr + 1, sizeof(*tail));
	head = calloc(p->nr + 1, sizeof(*head));
	standalone = calloc(p->nr + 1, sizeof(*standalone));
	if (!tail || !head || !standalone) {
		free(tail);
		free(head);
		free(standalone);
		return -ENOMEM;
	}
	/* Decide on the text as written, then cut. */
	for (i = 0; i < p->nr; i++) {
		const struct tok *t = &p->toks[i];
		const struct tok *prev = i ? &p->toks[i - 1] : NULL;
		const struct tok *next = i + 1 < p->nr ? &p->toks[i + 1] : NULL;
		bool ok = true;
		size_t k;

		if (t->kind == T_TEXT || t->kind == T_VAR)
			continue;
		if ((prev && prev->kind != T_TEXT) || (next && next->kind != T_TEXT))
			continue;
		if (prev) {
			for (k = prev->len; k > 0 && ok; k--) {
				char c = prev->s[k - 1];

				if (c == '\n')
					break;
				if (c != ' ' && c != '\t')
					ok = false;
				else
					tail[i]++;
			}
			/* No newline before: a tag earlier on the line. */
			if (ok && k == 0 && i > 1)
				ok = false;
		}
		if (next && ok) {
			for (k = 0; k < next->len && ok; k++) {
				char c = next->s[k];

				if (c == '\n') {
					head[i] = k + 1;
					break;
				}
				if (c != ' ' && c != '\t')
					ok = false;
			}
			if (ok && k == next->len) {
				if (i + 2 < p->nr)
					ok = false;	/* a tag later on the line */
				else
					head[i] = k;
			}
		}
		standalone[i] = ok;
	}
	for (i = 0; i < p->nr; i++) {
		if (!standalone[i])
			continue;
		if (i)
			p->toks[i - 1].len -= tail[i];
		if (i + 1 < p->nr) {
			p->toks[i + 1].s += head[i];
			p->toks[i + 1].len -= head[i];
		}
	}
	free(tail);
	free(head);
	free(standalone);
	return 0;
}

/* Rendering */

struct out {
	char *p;
	size_t len, cap;
};

static int emit(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *p = realloc(o->p, cap);

		if (!p)
			return -ENOMEM;
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
	return 0;
}

#define MAX_DEPTH 32

struct render {
	const char *name;
	const struct parsed *p;
	const struct klp_tdata *stack[MAX_DEPTH];
	int depth;
	struct out out;
};

static const struct tval *lookup(const struct render *r, const struct tok *t)
{
	char key[128];
	int i;

	if (t->len >= sizeof(key))
		return NULL;
	memcpy(key, t->s, t->len);
	key[t->len] = '\0';
	for (i = r->depth - 1; i >= 0; i--) {
		const struct tval *v = get(r->stack[i], key);

		if (v)
			return v;
	}
	return NULL;
}

/* The index of the T_CLOSE that matches the section opened at @i. */
static size_t find_close(const struct render *r, size_t i, size_t end)
{
	const struct tok *o = &r->p->toks[i];
	int depth = 0;
	size_t k;

	for (k = i + 1; k < end; k++) {
		const struct tok *t = &r->p->toks[k];

		if (t->len != o->len || memcmp(t->s, o->s, o->len))
			continue;
		if (t->kind == T_OPEN || t->kind == T_INVERTED)
			depth++;
		else if (t->kind == T_CLOSE && depth-- == 0)
			return k;
	}
	return (size_t)-1;
}

static bool truthy(const struct tval *v)
{
	if (!v)
		return false;
	if (v->is_list)
		return v->nr_items > 0;
	return v->str && v->str[0];
}

static int render_range(struct render *r, size_t begin, size_t end)
{
	size_t i;
	int err;

	for (i = begin; i < end; i++) {
		const struct tok *t = &r->p->toks[i];
		const struct tval *v;
		size_t close;

		switch (t->kind) {
		case T_TEXT:
			err = emit(&r->out, t->s, t->len);
			if (err)
				return err;
			break;
		case T_COMMENT:
			break;
		case T_VAR:
			v = lookup(r, t);
			if (!v || v->is_list) {
				log_err("%s:%u: error: %s '%.*s'\n", r->name, t->line,
					v ? "a list used as a value:" : "no value for",
					(int)t->len, t->s);
				return -EINVAL;
			}
			err = emit(&r->out, v->str, strlen(v->str));
			if (err)
				return err;
			break;
		case T_CLOSE:
			log_err("%s:%u: error: '{{/%.*s}}' closes nothing\n", r->name,
				t->line, (int)t->len, t->s);
			return -EINVAL;
		case T_OPEN:
		case T_INVERTED:
			close = find_close(r, i, end);
			if (close == (size_t)-1) {
				log_err("%s:%u: error: section '%.*s' is not closed\n",
					r->name, t->line, (int)t->len, t->s);
				return -EINVAL;
			}
			v = lookup(r, t);
			if (t->kind == T_INVERTED) {
				if (!truthy(v)) {
					err = render_range(r, i + 1, close);
					if (err)
						return err;
				}
			} else if (v && v->is_list) {
				size_t k;

				if (r->depth == MAX_DEPTH) {
					log_err("%s:%u: error: sections nested too deep\n",
						r->name, t->line);
					return -EINVAL;
				}
				for (k = 0; k < v->nr_items; k++) {
					r->stack[r->depth++] = v->items[k];
					err = render_range(r, i + 1, close);
					r->depth--;
					if (err)
						return err;
				}
			} else if (truthy(v)) {
				err = render_range(r, i + 1, close);
				if (err)
					return err;
			}
			i = close;
			break;
		}
	}
	return 0;
}

int klp_template__render(const char *tmpl, size_t len, const char *name,
			 const struct klp_tdata *d, char **out, size_t *out_len)
{
	struct parsed p = { 0 };
	struct render r = { .name = name, .p = &p };
	int err;

	*out = NULL;
	err = tokenize(tmpl, len, name, &p);
	if (!err) {
		err = strip_standalone(&p);
		r.stack[r.depth++] = d;
		if (!err)
			err = emit(&r.out, "", 0);
	}
	if (!err)
		err = render_range(&r, 0, p.nr);
	free(p.toks);
	if (err) {
		free(r.out.p);
		return err;
	}
	*out = r.out.p;
	if (out_len)
		*out_len = r.out.len;
	return 0;
}

int klp_template__render_file(const char *dir, const char *file,
			      const struct klp_tdata *d, char **out,
			      size_t *out_len)
{
	char *path, *text = NULL;
	size_t size = 0, cap = 0, n;
	FILE *fp;
	int err;

	*out = NULL;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	fp = fopen(path, "r");
	if (!fp) {
		err = -errno;
		log_err("%s: error: cannot read the template: %s\n", path, strerror(errno));
		free(path);
		return err;
	}
	do {
		if (size + 4096 > cap) {
			char *t = realloc(text, cap = cap * 2 + 16384);

			if (!t) {
				free(text);
				fclose(fp);
				free(path);
				return -ENOMEM;
			}
			text = t;
		}
		n = fread(text + size, 1, cap - size, fp);
		size += n;
	} while (n);
	fclose(fp);
	/* Messages name the template as the templates directory has it. */
	err = klp_template__render(text, size, file, d, out, out_len);
	free(text);
	free(path);
	return err;
}
