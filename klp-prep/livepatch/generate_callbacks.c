// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_callbacks.c - the author's callbacks file (--callbacks FILE.c)
 *
 * A fix that needs more than new code (set up a shadow variable for the
 * objects that exist already, flip state once every task runs the new
 * code) does it in klp_object callbacks, as SUSE's kernel-livepatch
 * sources do.  The author writes them in a C file of their own, never
 * in generated text: klp_prep_pre_patch_OBJECT(), _post_patch_,
 * _pre_unpatch_, _post_unpatch_ (OBJECT as the livepatch's table names
 * it: vmlinux, or the module with '-' as '_').  The file is copied into
 * the module as callbacks.c, each function found becomes its object's
 * callback, and a name of that form for no object of the livepatch is
 * an error: a typo would otherwise leave a callback silently unused.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate_internal.h"
#include "source_file.h"
#include "template.h"

#include "log.h"

static const char *const kinds[] = {
	"pre_patch", "post_patch", "pre_unpatch", "post_unpatch",
};

/* The line of @p in @text, for messages. */
static unsigned int line_of(const char *text, const char *p)
{
	unsigned int line = 1;

	for (; text < p; text++)
		line += *text == '\n';
	return line;
}

/* Does @text define (name, then '(') function @name? */
static bool defines(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	while ((p = strstr(p, name))) {
		const char *q = p + n;
		bool start = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');

		while (*q == ' ' || *q == '\t')
			q++;
		if (start && *q == '(')
			return true;
		p += n;
	}
	return false;
}

/* @ident ("vmlinux", "klp_demo") is an object of the livepatch? */
static bool is_object(const struct gen *g, const char *ident, size_t len)
{
	size_t o, i;

	for (o = 0; o < g->res->nr_objs; o++) {
		const char *name = g->res->objs[o].name;

		if (strlen(name) != len)
			continue;
		for (i = 0; i < len; i++)
			if ((name[i] == '-' ? '_' : name[i]) != ident[i])
				break;
		if (i == len)
			return true;
	}
	return false;
}

/* Every klp_prep_KIND_OBJECT( of @text names a kind and an object. */
static int check_names(const struct gen *g, const char *path, const char *text)
{
	const char *p = text;
	int errors = 0;

	while ((p = strstr(p, "klp_prep_"))) {
		const char *id = p, *end = p, *q;
		size_t k, n;

		while (isalnum((unsigned char)*end) || *end == '_')
			end++;
		p = end;
		for (q = end; *q == ' ' || *q == '\t'; q++)
			;
		if (*q != '(' || (id > text && (isalnum((unsigned char)id[-1]) || id[-1] == '_')))
			continue;
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			n = strlen("klp_prep_") + strlen(kinds[k]);
			if (!strncmp(id + strlen("klp_prep_"), kinds[k], strlen(kinds[k])) &&
			    id[n] == '_' && is_object(g, id + n + 1, end - id - n - 1))
				break;
		}
		if (k == sizeof(kinds) / sizeof(kinds[0])) {
			log_err("%s:%u: error: '%.*s' is no callback of this livepatch: the "
				"names are klp_prep_{pre,post}_{patch,unpatch}_OBJECT, OBJECT one of "
				"the objects it patches\n", path, line_of(text, id),
				(int)(end - id), id);
			errors++;
		}
	}
	return errors ? -EINVAL : 0;
}

int gen_callbacks_load(struct gen *g)
{
	const char *path = g->opts->callbacks;

	if (!path)
		return 0;
	g->callbacks_text = klp_read_text_file(path);
	if (!g->callbacks_text) {
		log_err("%s: error: cannot read the callbacks file: %s\n", path, strerror(errno));
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	}
	return check_names(g, path, g->callbacks_text);
}

int gen_callbacks_object(struct gen *g, struct klp_tdata *root, struct klp_tdata *obj,
			 const char *object)
{
	struct klp_tdata *proto;
	bool any = false;
	char name[256], *p;
	size_t k;

	for (k = 0; g->callbacks_text && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		snprintf(name, sizeof(name), "klp_prep_%s_%s", kinds[k], object);
		for (p = name; *p; p++)
			*p = *p == '-' ? '_' : *p;
		if (!defines(g->callbacks_text, name))
			continue;
		any = true;
		proto = klp_tdata__add(root, "callbacks");
		if (!proto || klp_tdata__set(proto, "name", name) ||
		    klp_tdata__set(proto, "type", k ? "void" : "int") ||
		    klp_tdata__set(obj, kinds[k], name))
			return -ENOMEM;
	}
	return klp_tdata__set_bool(obj, "has_callbacks", any) ? -ENOMEM : 0;
}

int gen_callbacks_write(struct gen *g)
{
	if (!g->callbacks_text)
		return 0;
	return gen_output_write(g, "callbacks.c", g->callbacks_text, strlen(g->callbacks_text));
}
