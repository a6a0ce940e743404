// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate.c - klp-prep generate: from a fix to a livepatch module source
 *
 * klp_generate() runs the passes below in order on one struct gen
 * (generate_internal.h); each file does one job:
 *
 *   generate_load.c	the build and the fix, parsed
 *   generate_plan.c	what to patch, its extraction, the klp_func table
 *   generate_render.c	the templates, into a temporary directory
 *   generate_output.c	that directory, renamed into place
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/affected.h>
#include <klp_prep/index.h>
#include "compdb.h"
#include "extract.h"
#include "generate.h"

#include "log.h"
#include "generate_internal.h"

static int (*const passes[])(struct gen *g) = {
	gen_check_output,	/* refuse to clobber an output without --force */
	gen_load_build,		/* compile database, vmlinux symbols and exports */
	gen_load_fix,		/* the fix's units: original and patched text, ranges */
	gen_load_records,	/* the units' objects, their partition records */
	gen_parse_units,	/* libclang, on the patched text */
	gen_find_patched,	/* klp-prep affected's closure on the records, or
				 * (no records) the changed functions */
	gen_extract_units,	/* extract.h, per unit, the symbols as the oracle */
	gen_plan_table,		/* the klp_func tables, with the new side given */
	gen_render,		/* the templates, into a temporary directory */
	gen_install,		/* rename it into place */
};

int gen_err_input(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	log_err("%s", s ? s : "error\n");
	free(s);
	return -EINVAL;
}

/* The livepatch's name: a C identifier fragment. */
static char *patch_name(const struct klp_generate_opts *o)
{
	const char *src = o->name;
	char *s, *p;

	if (!src && o->diff) {
		const char *slash = strrchr(o->diff, '/');

		src = slash ? slash + 1 : o->diff;
	}
	if (!src)
		src = "patch";
	s = strdup(src);
	if (!s)
		return NULL;
	if (!o->name) {
		/* "0001-proc-fix.patch" -> "0001_proc_fix" */
		p = strrchr(s, '.');
		if (p && p != s && (!strcmp(p, ".patch") || !strcmp(p, ".diff")))
			*p = '\0';
	}
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			*p = '_';
	return s;
}

static void gen_free(struct gen *g)
{
	size_t i, k, j;

	for (i = 0; i < g->nr_units; i++) {
		struct gen_unit *u = &g->units[i];

		free(u->path);
		free(u->flat);
		free(u->display);
		klp_compile_args__free(u->args);
		free(u->args);
		free(u->orig);
		free(u->patched);
		free(u->old_ranges);
		free(u->new_ranges);
		klp_strv_free(u->changed, u->nr_changed);
		klp_strv_free(u->new_funcs, u->nr_new_funcs);
		klp_strv_free(u->shared_funcs, u->nr_shared_funcs);
		klp_strv_free(u->notrace_copies, u->nr_notrace_copies);
		klp_tu__free(u->orig_tu);
		for (k = 0; k < u->nr_funcs; k++) {
			free(u->funcs[k].origin);
			free(u->funcs[k].symbol);
			free(u->funcs[k].new_name);
			free(u->funcs[k].reason);
			for (j = 0; j < u->funcs[k].nr_subs; j++) {
				free(u->funcs[k].subs[j].symbol);
				free(u->funcs[k].subs[j].why);
			}
			free(u->funcs[k].subs);
		}
		free(u->funcs);
		klp_extract__free(u->ex);
		klp_tu__free(u->tu);
		free(u->spdx);
	}
	free(g->units);
	klp_strv_free(g->overrides, g->nr_overrides);
	klp_affected__free(g->aff);
	klp_index__free(g->ix);
	for (i = 0; i < g->nr_unit_objs; i++)
		klp_objfile__free(g->unit_objs[i]);
	free(g->unit_objs);
	for (i = 0; i < g->nr_objs; i++) {
		free(g->objs[i].name);
		free(g->objs[i].path);
		gen_symtab__free(g->objs[i].st);
	}
	free(g->objs);
	for (i = 0; i < g->nr_headers; i++) {
		free(g->headers[i].path);
		free(g->headers[i].file);
		free(g->headers[i].patched);
		free(g->headers[i].old_ranges);
	}
	free(g->headers);
	klp_compdb__free(g->db);
	free(g->name);
	free(g->tmpdir);
	free(g->callbacks_text);
	klp_generate_result__free(g->res);
}

void klp_generate_result__free(struct klp_generate_result *r)
{
	size_t i, k, j;

	if (!r)
		return;
	for (i = 0; i < r->nr_objs; i++) {
		struct klp_generate_object *o = &r->objs[i];

		for (k = 0; k < o->nr_funcs; k++) {
			struct klp_generate_func *f = &o->funcs[k];

			for (j = 0; j < f->nr_parts; j++) {
				free(f->parts[j].old_name);
				free(f->parts[j].new_name);
				free(f->parts[j].why);
			}
			free(f->parts);
			free(f->old_name);
			free(f->new_name);
			free(f->reason);
			free(f->unit);
		}
		free(o->funcs);
		free(o->name);
	}
	free(r->objs);
	for (i = 0; i < r->nr_new_funcs; i++) {
		free(r->new_funcs[i].name);
		free(r->new_funcs[i].unit);
		free(r->new_funcs[i].reason);
	}
	free(r->new_funcs);
	for (i = 0; i < r->nr_externs; i++) {
		free(r->externs[i].object);
		free(r->externs[i].symbol);
		free(r->externs[i].unit);
	}
	free(r->externs);
	klp_strv_free(r->files, r->nr_files);
	free(r->name);
	free(r->module);
	free(r->output);
	free(r);
}

int klp_generate(const struct klp_generate_opts *opts, struct klp_generate_result **result)
{
	struct gen g = { .opts = opts };
	size_t i;
	int err = 0;

	if (result)
		*result = NULL;
	g.prefix = opts->prefix ? opts->prefix : "klpp_";
	g.name = patch_name(opts);
	g.res = calloc(1, sizeof(*g.res));
	if (!g.name || !g.res) {
		gen_free(&g);
		return -ENOMEM;
	}
	g.res->name = strdup(g.name);
	if (asprintf(&g.res->module, "livepatch-%s", g.name) < 0)
		g.res->module = NULL;
	g.res->output = opts->output ? strdup(opts->output) : NULL;
	if (!g.res->name || !g.res->module)
		err = -ENOMEM;

	for (i = 0; !err && i < sizeof(passes) / sizeof(passes[0]); i++)
		err = passes[i](&g);

	if (err && g.tmpdir)
		gen_output_remove(g.tmpdir);
	if (!err && result) {
		*result = g.res;
		g.res = NULL;
	}
	gen_free(&g);
	return err;
}
