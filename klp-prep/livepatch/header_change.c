// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * header_change.c - what a fix changes in a header, by its tokens
 *
 * The tokens are C's, roughly: identifiers and numbers, string and
 * character literals whole, punctuators with their multi-character forms
 * (so that "a >> b" and "a > > b" differ), comments and whitespace
 * dropped.  A preprocessor line is a "#" token, its own tokens and an end
 * token ("#define F(x)" and "#define F (x)" differ: the first macro takes
 * an argument).  Top-level declarations end at a ';' outside brackets, or
 * a function's body at its closing brace.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "header_change.h"

struct tok {
	const char *s;
	size_t n;
	unsigned int line;
};

struct toks {
	struct tok *v;
	size_t nr, cap;
};

/* The end of a preprocessor line: no C token looks like it. */
static const char directive_end[] = "#end";
/* "(" right after a #define's name: a function-like macro. */
static const char macro_params[] = "#(";

static int push(struct toks *t, const char *s, size_t n, unsigned int line)
{
	if (t->nr == t->cap) {
		size_t cap = t->cap * 2 + 256;
		struct tok *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->nr++] = (struct tok){ .s = s, .n = n, .line = line };
	return 0;
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t punct_len(const char *p, const char *end)
{
	static const char *const multi[] = {
		"...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==",
		"!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##",
	};

	for (size_t i = 0; i < sizeof(multi) / sizeof(multi[0]); i++) {
		size_t n = strlen(multi[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, multi[i], n))
			return n;
	}
	return 1;
}

static int tokenize(const char *p, size_t size, struct toks *t)
{
	const char *end = p + size, *name_end = NULL;
	unsigned int line = 1, in_directive = 0;	/* tokens of it so far */
	bool bol = true, define = false;
	int err = 0;

	while (p < end && !err) {
		const char *start = p;
		unsigned int tok_line = line;

		if (*p == '\n') {
			if (in_directive)
				err = push(t, directive_end, sizeof(directive_end) - 1, line);
			in_directive = 0;
			line++, p++;
			bol = true;
			continue;
		}
		if (*p == '\\' && p + 1 < end && (p[1] == '\n' ||
		    (p[1] == '\r' && p + 2 < end && p[2] == '\n'))) {
			p += p[1] == '\n' ? 2 : 3;
			line++;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '/' && p + 1 < end && p[1] == '*') {
			for (p += 2; p < end && !(*p == '*' && p + 1 < end && p[1] == '/'); p++)
				line += *p == '\n';
			p = p < end ? p + 2 : end;
			continue;
		}
		if (*p == '/' && p + 1 < end && p[1] == '/') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (*p == '#' && bol && !in_directive) {
			bol = false;
			in_directive = 1;
			define = false;
			err = push(t, p, 1, line);
			p++;
			continue;
		}
		bol = false;
		if (is_ident_char(*p) || (*p == '.' && p + 1 < end && isdigit((unsigned char)p[1]))) {
			bool number = !isalpha((unsigned char)*p) && *p != '_';

			while (p < end && (is_ident_char(*p) || (number && *p == '.') ||
			       (number && (*p == '+' || *p == '-') && strchr("eEpP", p[-1]))))
				p++;
		} else if (*p == '"' || *p == '\'') {
			char quote = *p++;

			while (p < end && *p != quote && *p != '\n')
				p += *p == '\\' && p + 1 < end && p[1] != '\n' ? 2 : 1;
			if (p < end && *p == quote)
				p++;
		} else {
			p += punct_len(p, end);
		}
		if (in_directive) {
			in_directive++;
			if (in_directive == 2)
				define = p - start == 6 && !memcmp(start, "define", 6);
			else if (in_directive == 3 && define)
				name_end = p;
			else if (in_directive == 4 && define && start == name_end && *start == '(') {
				err = push(t, macro_params, sizeof(macro_params) - 1, tok_line);
				continue;
			}
		}
		err = push(t, start, p - start, tok_line);
	}
	if (!err && in_directive)
		err = push(t, directive_end, sizeof(directive_end) - 1, line);
	return err;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->s, s, t->n);
}

static bool tok_ident(const struct tok *t)
{
	return t->n && (isalpha((unsigned char)t->s[0]) || t->s[0] == '_');
}

enum item_kind { ITEM_OTHER, ITEM_RECORD, ITEM_VARIABLE };

struct item {
	size_t first, last;		/* token indexes, inclusive */
	enum item_kind kind;
	const char *tag;
	const struct tok *name;		/* NULL: anonymous */
};

struct items {
	struct item *v;
	size_t nr;
};

/* Past the preprocessor line starting at @i (a "#" token). */
static size_t skip_directive(const struct toks *t, size_t i)
{
	while (i < t->nr && t->v[i].s != directive_end)
		i++;
	return i < t->nr ? i + 1 : i;
}

/* An attribute-like identifier: "__attribute__", "__aligned", "__rcu"... */
static bool tok_reserved(const struct tok *t)
{
	return t->n > 2 && t->s[0] == '_' && t->s[1] == '_';
}

/* Past the bracket group opening at @i; @i itself when it opens none. */
static size_t skip_group(const struct toks *t, size_t i, size_t last)
{
	int depth = 0;

	for (size_t k = i; k <= last; k++) {
		const struct tok *x = &t->v[k];

		if (tok_is(x, "(") || tok_is(x, "[") || tok_is(x, "{"))
			depth++;
		else if (tok_is(x, ")") || tok_is(x, "]") || tok_is(x, "}"))
			depth--;
		if (!depth)
			return k;
	}
	return last;
}

/*
 * What a top-level declaration is: a struct or union definition (with
 * its name), a variable (with its name; an initializer may follow), or
 * anything else (functions and their prototypes, enums, typedefs of
 * other than records, macro invocations).
 */
static void classify(const struct toks *t, struct item *it)
{
	const struct tok *name = NULL, *record = NULL;
	bool is_static = false, is_typedef = false, declarator_paren = false;
	size_t k;

	it->kind = ITEM_OTHER;
	for (k = it->first; k <= it->last; k++) {
		const struct tok *x = &t->v[k];

		if (tok_is(x, "#")) {
			k = skip_directive(t, k) - 1;
			continue;
		}
		if (tok_is(x, "static"))
			is_static = true;
		else if (tok_is(x, "typedef"))
			is_typedef = true;
		else if (tok_is(x, "struct") || tok_is(x, "union") || tok_is(x, "enum"))
			record = x;
		else if (tok_reserved(x) && k < it->last && tok_is(&t->v[k + 1], "(")) {
			k = skip_group(t, k + 1, it->last);	/* an attribute */
			continue;
		} else if (tok_ident(x) && !tok_reserved(x) && x != record) {
			name = x;
		} else if (tok_is(x, "{")) {
			if (!record || tok_is(record, "enum"))
				return;		/* a function body, an enum */
			it->kind = ITEM_RECORD;
			it->tag = tok_is(record, "struct") ? "struct" : "union";
			/* its tag, or a typedef's name after the body */
			it->name = name && name > record ? name : NULL;
			if (!it->name && is_typedef) {
				k = skip_group(t, k, it->last);
				for (; k <= it->last; k++)
					if (tok_ident(&t->v[k]) && !tok_reserved(&t->v[k]))
						it->name = &t->v[k];
			}
			return;
		} else if (tok_is(x, "(")) {
			/* "(*name)": a pointer to a function, a variable */
			if (k + 1 <= it->last && tok_is(&t->v[k + 1], "*")) {
				declarator_paren = true;
				for (k += 2; k <= it->last && !tok_ident(&t->v[k]); k++)
					;
				if (k <= it->last)
					name = &t->v[k];
				break;
			}
			return;			/* a function, a macro invocation */
		} else if (tok_is(x, "=") || tok_is(x, "[") || tok_is(x, ":") ||
			   tok_is(x, ";") || tok_is(x, ",")) {
			break;
		}
	}
	if (is_typedef || !name)
		return;
	/* "struct foo;" declares a type, not a variable */
	if (!declarator_paren && record && name == record + 1 &&
	    (name + 1 > &t->v[it->last] || tok_is(name + 1, ";")))
		return;
	it->kind = ITEM_VARIABLE;
	it->tag = is_static ? "static" : "global";
	it->name = name;
}

static int split_items(const struct toks *t, struct items *out)
{
	size_t i = 0, cap = 0;

	out->v = NULL;
	out->nr = 0;
	while (i < t->nr) {
		size_t start = i;
		int depth = 0;
		bool paren = false, assign = false, body = false;

		if (tok_is(&t->v[i], "#")) {
			i = skip_directive(t, i);
		} else {
			for (; i < t->nr; i++) {
				const struct tok *x = &t->v[i];

				if (tok_is(x, "#")) {
					i = skip_directive(t, i) - 1;
				} else if (tok_is(x, "(") || tok_is(x, "[") || tok_is(x, "{")) {
					/* a '{' after a '(' and no '=': a function's body */
					if (!depth && tok_is(x, "{") && paren && !assign)
						body = true;
					if (!depth && tok_is(x, "("))
						paren = true;
					depth++;
				} else if (tok_is(x, ")") || tok_is(x, "]") || tok_is(x, "}")) {
					if (depth)
						depth--;
					if (!depth && body && tok_is(x, "}")) {
						i++;
						break;
					}
				} else if (!depth && tok_is(x, ";")) {
					i++;
					break;
				} else if (!depth && tok_is(x, "=")) {
					assign = true;
				}
			}
		}
		if (out->nr == cap) {
			struct item *v = realloc(out->v, (cap = cap * 2 + 64) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			out->v = v;
		}
		out->v[out->nr] = (struct item){ .first = start, .last = i - 1 };
		if (!tok_is(&t->v[start], "#"))
			classify(t, &out->v[out->nr]);
		out->nr++;
	}
	return 0;
}

static bool same_name(const struct item *a, const struct item *b)
{
	if (!a->name || !b->name)
		return !a->name && !b->name;
	return a->name->n == b->name->n && !memcmp(a->name->s, b->name->s, a->name->n);
}

/* The same kind of declaration of the same name (the @nth of them). */
static const struct item *find_item(const struct items *in, const struct item *like,
				    size_t nth)
{
	for (size_t i = 0; i < in->nr; i++) {
		const struct item *x = &in->v[i];

		if (x->kind == like->kind && !strcmp(x->tag, like->tag) &&
		    same_name(x, like) && !nth--)
			return x;
	}
	return NULL;
}

/* Which of the same-kind, same-name declarations @it is, from 0. */
static size_t nth_of(const struct items *in, const struct item *it)
{
	size_t n = 0;

	for (const struct item *x = in->v; x < it; x++)
		n += x->kind == it->kind && !strcmp(x->tag, it->tag) && same_name(x, it);
	return n;
}

static bool same_tokens(const struct toks *a, size_t a0, size_t a1,
			const struct toks *b, size_t b0, size_t b1)
{
	if (a1 - a0 != b1 - b0)
		return false;
	for (size_t k = 0; k <= a1 - a0; k++) {
		const struct tok *x = &a->v[a0 + k], *y = &b->v[b0 + k];

		if (x->n != y->n || memcmp(x->s, y->s, x->n))
			return false;
	}
	return true;
}

static int add_change(struct klp_header_change **changes, size_t *nr,
		      const struct item *it, const struct toks *t, bool removed)
{
	struct klp_header_change *c = realloc(*changes, (*nr + 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	*changes = c;
	c = &c[*nr];
	c->record = it->kind == ITEM_RECORD;
	c->tag = it->tag;
	c->name = it->name ? strndup(it->name->s, it->name->n) : strdup("");
	c->line = t->v[it->first].line;
	c->removed = removed;
	if (!c->name)
		return -ENOMEM;
	(*nr)++;
	return 0;
}

int klp_header__compare(const char *old, size_t old_size,
			const char *new, size_t new_size, bool *same,
			struct klp_header_change **changes, size_t *nr)
{
	struct toks a = { 0 }, b = { 0 };
	struct items ia = { 0 }, ib = { 0 };
	int err;

	*changes = NULL;
	*nr = 0;
	err = tokenize(old, old_size, &a);
	if (!err)
		err = tokenize(new, new_size, &b);
	if (err)
		goto out;
	*same = a.nr == b.nr && (!a.nr || same_tokens(&a, 0, a.nr - 1, &b, 0, b.nr - 1));
	if (*same)
		goto out;
	err = split_items(&a, &ia);
	if (!err)
		err = split_items(&b, &ib);
	/* Changed in the new text: differs from its old counterpart. */
	for (size_t i = 0; !err && i < ib.nr; i++) {
		const struct item *n = &ib.v[i], *o;

		if (n->kind == ITEM_OTHER)
			continue;
		o = find_item(&ia, n, nth_of(&ib, n));
		if (o && !same_tokens(&a, o->first, o->last, &b, n->first, n->last))
			err = add_change(changes, nr, n, &b, false);
	}
	/* Removed: in the old text only. */
	for (size_t i = 0; !err && i < ia.nr; i++) {
		const struct item *o = &ia.v[i];

		if (o->kind != ITEM_OTHER && !find_item(&ib, o, nth_of(&ia, o)))
			err = add_change(changes, nr, o, &a, true);
	}
out:
	free(a.v);
	free(b.v);
	free(ia.v);
	free(ib.v);
	if (err) {
		klp_header_changes__free(*changes, *nr);
		*changes = NULL;
		*nr = 0;
	}
	return err;
}

void klp_header_changes__free(struct klp_header_change *changes, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(changes[i].name);
	free(changes);
}

int klp_header__same_decl(const char *old, size_t old_size, const char *new,
			  size_t new_size, bool record, const char *name, bool *same)
{
	enum item_kind kind = record ? ITEM_RECORD : ITEM_VARIABLE;
	struct toks a = { 0 }, b = { 0 };
	struct items ia = { 0 }, ib = { 0 };
	size_t n = strlen(name), found = 0;
	int err;

	*same = false;
	err = tokenize(old, old_size, &a);
	if (!err)
		err = tokenize(new, new_size, &b);
	if (!err)
		err = split_items(&a, &ia);
	if (!err)
		err = split_items(&b, &ib);
	for (size_t i = 0; !err && n && i < ib.nr; i++) {
		const struct item *it = &ib.v[i], *o;

		if (it->kind != kind || !it->name || it->name->n != n ||
		    memcmp(it->name->s, name, n))
			continue;
		o = find_item(&ia, it, nth_of(&ib, it));
		if (!o || !same_tokens(&a, o->first, o->last, &b, it->first, it->last))
			goto out;
		found++;
	}
	*same = found > 0;
out:
	free(a.v);
	free(b.v);
	free(ia.v);
	free(ib.v);
	return err;
}
