// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_dump.c - klp-prep dump: print the partition records of ELF files
 *
 * Text for people: one paragraph per function, inlined callees as an
 * indented tree.  JSON for build systems: the records as they are, with
 * indexes (see docs/json-schema.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/object.h>
#include <klp_prep/record_names.h>
#include <klp_prep/symbol_name.h>

#include "cli.h"
#include "json_writer.h"

static const char dump_usage[] =
"usage: klp-prep dump [--json | -f NAME...] FILE...\n"
"\n"
"Print the .klp_prep.partition records of each FILE (object, ld -r output,\n"
"executable, kernel module or vmlinux): per compilation unit, each function\n"
"body GCC had with its kind (part, isra, constprop, localalias, lto_priv and\n"
"combinations such as constprop+isra), origin (name, file:line), sections,\n"
"cold part, alias target, parameter changes, the tree of inlined callees\n"
"with their call sites, its calls to clones and the callers of a clone.\n"
"\n"
"  --json      one JSON document for all files (schema: docs/json-schema.md)\n"
"  -f, --function NAME\n"
"              only the functions whose symbol, cold part or origin is NAME\n"
"              (text only; repeat for several)\n"
"  -v          also print library notes (-vv: where each was raised)\n"
"  -h, --help  this text\n"
"\n"
"exit status: 0 ok, 1 a file has no records (compiled without the plugin),\n"
"2 bad usage or unreadable input.\n";

/* Inline records as trees: children in record order. */
struct unit_tree {
	size_t *func_first_inline;	/* by FUNC: inline index+1 */
	size_t *first_child;		/* by INLINE: inline index+1 */
	size_t *next_sibling;		/* by INLINE: inline index+1 */
	size_t *func_first_call;	/* by FUNC: call index+1 */
	size_t *next_call;		/* by CALL: call index+1 */
};

static void unit_tree__free(struct unit_tree *t)
{
	free(t->func_first_inline);
	free(t->first_child);
	free(t->next_sibling);
	free(t->func_first_call);
	free(t->next_call);
}

static int unit_tree__build(struct unit_tree *t, const struct klp_unit *unit)
{
	size_t i;

	t->func_first_inline = calloc(unit->nr_funcs + 1, sizeof(size_t));
	t->first_child = calloc(unit->nr_inlines + 1, sizeof(size_t));
	t->next_sibling = calloc(unit->nr_inlines + 1, sizeof(size_t));
	t->func_first_call = calloc(unit->nr_funcs + 1, sizeof(size_t));
	t->next_call = calloc(unit->nr_calls + 1, sizeof(size_t));
	if (!t->func_first_inline || !t->first_child || !t->next_sibling ||
	    !t->func_first_call || !t->next_call) {
		unit_tree__free(t);
		return -ENOMEM;
	}
	/* Backwards, prepending: lists come out in record order. */
	for (i = unit->nr_inlines; i-- > 0;) {
		const struct klp_inline *in = &unit->inlines[i];
		size_t *head = in->parent ? &t->first_child[in->parent - 1]
					  : &t->func_first_inline[in->func];

		t->next_sibling[i] = *head;
		*head = i + 1;
	}
	for (i = unit->nr_calls; i-- > 0;) {
		size_t *head = &t->func_first_call[unit->calls[i].func];

		t->next_call[i] = *head;
		*head = i + 1;
	}
	return 0;
}

static void print_location(const char *file, unsigned int line)
{
	if (file && line)
		printf("%s:%u", file, line);
	else if (file)
		printf("%s", file);
	else
		printf("?");
}

static void print_inlines(const struct klp_unit *unit,
			  const struct unit_tree *t, size_t first, int depth)
{
	size_t i;
	char flags[64];

	for (i = first; i; i = t->next_sibling[i - 1]) {
		const struct klp_inline *in = &unit->inlines[i - 1];

		printf("%*s%s at ", 6 + 2 * depth, "",
		       unit->origins[in->callee].name);
		print_location(in->call_file, in->call_line);
		if (in->flags)
			printf(" [%s]", klp_flags__format(KLP_FLAGS_INLINE,
							  in->flags, ",", flags,
							  sizeof(flags)));
		printf("\n");
		print_inlines(unit, t, t->first_child[i - 1], depth + 1);
	}
}

static const char *func_kind(const struct klp_func_record *f, char *buf, size_t size)
{
	if (!f->nr_steps)
		return "function";
	return klp_steps__format(f->steps, f->nr_steps, buf, size);
}

static void print_func(const struct klp_unit *unit, const struct unit_tree *t,
		       size_t index)
{
	const struct klp_func_record *f = &unit->funcs[index];
	const struct klp_origin *o = &unit->origins[f->origin];
	char kind[128], flags[256];
	unsigned int i;
	size_t c;
	bool header;

	printf("\n  %s [%s]%s\n", f->symbol, func_kind(f, kind, sizeof(kind)),
	       f->flags & KLP_FUNC_F_EMITTED ? "" : " (not emitted)");
	printf("    origin    %s ", o->name);
	print_location(o->file, o->line);
	if (o->end_line)
		printf("-%u", o->end_line);
	if (o->section)
		printf(" in %s", o->section);
	if (o->flags)
		printf(" [%s]", klp_flags__format(KLP_FLAGS_ORIGIN, o->flags,
						  ",", flags, sizeof(flags)));
	printf("\n");
	printf("    flags     %s\n",
	       f->flags ? klp_flags__format(KLP_FLAGS_FUNC, f->flags, ",",
					    flags, sizeof(flags))
			: "none");
	if (f->section)
		printf("    section   %s\n", f->section);
	if (f->cold_symbol)
		printf("    cold      %s in %s\n", f->cold_symbol,
		       f->cold_section ? f->cold_section : "?");
	if (f->alias_of)
		printf("    alias of  %s\n", unit->funcs[f->alias_of - 1].symbol);
	for (i = 0; i < f->nr_params; i++) {
		const struct klp_param *p = &f->params[i];
		const char *change = klp_param_change__name(p->change);

		printf("    param     #%u ", p->index);
		if (change)
			printf("%s", change);
		else
			printf("change%u", p->change);
		if (p->value)
			printf(" %s", p->value);
		printf("\n");
	}
	if (f->flags & KLP_FUNC_F_RETURN_DROPPED)
		printf("    return    dropped\n");
	if (t->func_first_inline[index]) {
		printf("    inlined\n");
		print_inlines(unit, t, t->func_first_inline[index], 0);
	}
	for (c = t->func_first_call[index]; c; c = t->next_call[c - 1]) {
		const struct klp_call *call = &unit->calls[c - 1];

		printf("    calls     %s at ", call->callee);
		print_location(call->call_file, call->call_line);
		if (call->flags)
			printf(" [%s]", klp_flags__format(KLP_FLAGS_CALL,
							  call->flags, ",",
							  flags, sizeof(flags)));
		printf("\n");
	}
	header = false;
	for (c = 0; c < unit->nr_calls; c++) {
		const struct klp_call *call = &unit->calls[c];

		if (strcmp(call->callee, f->symbol))
			continue;
		printf("    %s %s at ", header ? "         " : "called by",
		       unit->funcs[call->func].symbol);
		print_location(call->call_file, call->call_line);
		printf("\n");
		header = true;
	}
}

/* -f NAME...: the functions to show; none given = all. */
static char **only;
static int nr_only;

static bool wanted(const struct klp_unit *unit, const struct klp_func_record *f)
{
	int i;

	if (!nr_only)
		return true;
	for (i = 0; i < nr_only; i++)
		if (!strcmp(f->symbol, only[i]) ||
		    (f->cold_symbol && !strcmp(f->cold_symbol, only[i])) ||
		    !strcmp(unit->origins[f->origin].name, only[i]))
			return true;
	return false;
}

static int dump_unit_text(const struct klp_unit *unit, size_t n)
{
	struct unit_tree t = { 0 };
	char flags[128];
	size_t i, shown = 0;

	for (i = 0; i < unit->nr_funcs; i++)
		shown += wanted(unit, &unit->funcs[i]);
	if (!shown)
		return 0;
	if (unit_tree__build(&t, unit))
		return -ENOMEM;
	printf("\nunit %zu: %s\n", n, unit->source ? unit->source : "?");
	printf("  producer %s, flags %s\n",
	       unit->producer ? unit->producer : "?",
	       unit->flags ? klp_flags__format(KLP_FLAGS_UNIT, unit->flags,
					       ",", flags, sizeof(flags))
			   : "none");
	printf("  block at 0x%zx, %zu bytes (strings %zu): %zu origins, %zu functions, %zu inlines, %zu calls\n",
	       unit->block_offset, unit->block_size, unit->strtab_size,
	       unit->nr_origins, unit->nr_funcs, unit->nr_inlines,
	       unit->nr_calls);
	for (i = 0; i < unit->nr_funcs; i++)
		if (wanted(unit, &unit->funcs[i]))
			print_func(unit, &t, i);
	unit_tree__free(&t);
	return 0;
}

static int dump_text(const struct klp_objfile *obj)
{
	const struct klp_unit *unit;
	size_t i;

	printf("%s: %zu unit%s\n", klp_objfile__path(obj),
	       klp_objfile__nr_units(obj),
	       klp_objfile__nr_units(obj) == 1 ? "" : "s");
	klp_objfile__for_each_unit(obj, i, unit)
		if (dump_unit_text(unit, i))
			return -ENOMEM;
	return 0;
}

static void json_flags(struct json_writer *w, enum klp_flag_set set,
		       unsigned int flags)
{
	unsigned int bit;

	json_begin_array(w);
	for (bit = 0; bit < 32; bit++) {
		const char *name = klp_flag__name(set, bit);
		char unknown[16];

		if (!(flags & (1u << bit)))
			continue;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "bit%u", bit);
			name = unknown;
		}
		json_string(w, name);
	}
	json_end_array(w);
}

static void json_index_plus_one(struct json_writer *w, unsigned int v)
{
	if (v)
		json_uint(w, v - 1);
	else
		json_null(w);
}

static void json_func(struct json_writer *w, const struct klp_unit *unit,
		      const struct klp_func_record *f)
{
	char kind[128], unknown[32];
	unsigned int i;

	json_begin_object(w);
	json_key(w, "symbol");
	json_string(w, f->symbol);
	json_key(w, "kind");
	json_string(w, func_kind(f, kind, sizeof(kind)));
	json_key(w, "origin");
	json_uint(w, f->origin);
	json_key(w, "origin_name");
	json_string(w, unit->origins[f->origin].name);
	json_key(w, "flags");
	json_flags(w, KLP_FLAGS_FUNC, f->flags);
	json_key(w, "section");
	json_string(w, f->section);
	json_key(w, "cold_symbol");
	json_string(w, f->cold_symbol);
	json_key(w, "cold_section");
	json_string(w, f->cold_section);
	json_key(w, "alias_of");
	json_index_plus_one(w, f->alias_of);
	json_key(w, "steps");
	json_begin_array(w);
	for (i = 0; i < f->nr_steps; i++) {
		const char *name = klp_step__name(f->steps[i].kind);

		if (!name) {
			snprintf(unknown, sizeof(unknown), "step%u",
				 f->steps[i].kind);
			name = unknown;
		}
		json_begin_object(w);
		json_key(w, "kind");
		json_string(w, name);
		json_key(w, "number");
		json_uint(w, f->steps[i].number);
		json_end_object(w);
	}
	json_end_array(w);
	json_key(w, "params");
	json_begin_array(w);
	for (i = 0; i < f->nr_params; i++) {
		const char *change = klp_param_change__name(f->params[i].change);

		if (!change) {
			snprintf(unknown, sizeof(unknown), "change%u",
				 f->params[i].change);
			change = unknown;
		}
		json_begin_object(w);
		json_key(w, "index");
		json_uint(w, f->params[i].index);
		json_key(w, "change");
		json_string(w, change);
		json_key(w, "value");
		json_string(w, f->params[i].value);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

static void json_unit(struct json_writer *w, const struct klp_unit *unit)
{
	size_t i;

	json_begin_object(w);
	json_key(w, "source");
	json_string(w, unit->source);
	json_key(w, "producer");
	json_string(w, unit->producer);
	json_key(w, "flags");
	json_flags(w, KLP_FLAGS_UNIT, unit->flags);
	json_key(w, "block_offset");
	json_uint(w, unit->block_offset);
	json_key(w, "block_size");
	json_uint(w, unit->block_size);

	json_key(w, "origins");
	json_begin_array(w);
	for (i = 0; i < unit->nr_origins; i++) {
		const struct klp_origin *o = &unit->origins[i];

		json_begin_object(w);
		json_key(w, "name");
		json_string(w, o->name);
		json_key(w, "file");
		json_string(w, o->file);
		json_key(w, "line");
		json_uint(w, o->line);
		json_key(w, "end_line");
		json_uint(w, o->end_line);
		json_key(w, "section");
		json_string(w, o->section);
		json_key(w, "flags");
		json_flags(w, KLP_FLAGS_ORIGIN, o->flags);
		json_end_object(w);
	}
	json_end_array(w);

	json_key(w, "funcs");
	json_begin_array(w);
	for (i = 0; i < unit->nr_funcs; i++)
		json_func(w, unit, &unit->funcs[i]);
	json_end_array(w);

	json_key(w, "inlines");
	json_begin_array(w);
	for (i = 0; i < unit->nr_inlines; i++) {
		const struct klp_inline *in = &unit->inlines[i];

		json_begin_object(w);
		json_key(w, "func");
		json_uint(w, in->func);
		json_key(w, "parent");
		json_index_plus_one(w, in->parent);
		json_key(w, "callee");
		json_uint(w, in->callee);
		json_key(w, "callee_name");
		json_string(w, unit->origins[in->callee].name);
		json_key(w, "call_file");
		json_string(w, in->call_file);
		json_key(w, "call_line");
		json_uint(w, in->call_line);
		json_key(w, "flags");
		json_flags(w, KLP_FLAGS_INLINE, in->flags);
		json_end_object(w);
	}
	json_end_array(w);

	json_key(w, "calls");
	json_begin_array(w);
	for (i = 0; i < unit->nr_calls; i++) {
		const struct klp_call *call = &unit->calls[i];

		json_begin_object(w);
		json_key(w, "func");
		json_uint(w, call->func);
		json_key(w, "callee");
		json_string(w, call->callee);
		json_key(w, "call_file");
		json_string(w, call->call_file);
		json_key(w, "call_line");
		json_uint(w, call->call_line);
		json_key(w, "flags");
		json_flags(w, KLP_FLAGS_CALL, call->flags);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

/* One entry of "files"; @obj NULL when the file could not be read. */
static void json_file(struct json_writer *w, const char *path,
		      const struct klp_objfile *obj, const char *error)
{
	const struct klp_unit *unit;
	size_t i;

	json_begin_object(w);
	json_key(w, "file");
	json_string(w, path);
	json_key(w, "error");
	json_string(w, error);
	json_key(w, "has_records");
	json_bool(w, obj && klp_objfile__has_records(obj));
	json_key(w, "units");
	json_begin_array(w);
	if (obj)
		klp_objfile__for_each_unit(obj, i, unit)
			json_unit(w, unit);
	json_end_array(w);
	json_end_object(w);
}

int cmd_dump(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "function", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_writer w;
	bool json = false;
	int status = KLP_EXIT_OK;
	int opt, i;

	only = calloc(argc, sizeof(*only));
	if (!only) {
		usage_error("out of memory");
		return KLP_EXIT_USAGE;
	}
	nr_only = 0;
	while ((opt = getopt_long(argc, argv, "f:hjv", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			only[nr_only++] = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			klp_verbose++;
			break;
		case 'h':
			fputs(dump_usage, stdout);
			status = KLP_EXIT_OK;
			goto out;
		default:
			fputs(dump_usage, stderr);
			status = KLP_EXIT_USAGE;
			goto out;
		}
	}
	if (optind >= argc) {
		usage_error("dump: no FILE given; see 'klp-prep dump --help'");
		status = KLP_EXIT_USAGE;
		goto out;
	}
	if (json && nr_only) {
		usage_error("dump: --function is for the text dump; --json gives every record (indexes refer to them)");
		status = KLP_EXIT_USAGE;
		goto out;
	}

	if (json) {
		json_init(&w, stdout);
		json_begin_object(&w);
		json_key(&w, "klp_prep_dump");
		json_uint(&w, 1);
		json_key(&w, "files");
		json_begin_array(&w);
	}
	for (i = optind; i < argc; i++) {
		struct klp_objfile *obj = klp_objfile__open(argv[i],
							  KLP_OPEN_NO_SYMBOLS);

		if (!obj) {
			/* The library said what is wrong, naming the file. */
			if (json)
				json_file(&w, argv[i], NULL, strerror(errno));
			status = KLP_EXIT_USAGE;
			continue;
		}
		if (!klp_objfile__has_records(obj)) {
			report_no_records(argv[i]);
			if (json)
				json_file(&w, argv[i], obj, "no records");
			if (status == KLP_EXIT_OK)
				status = KLP_EXIT_MISMATCH;
		} else if (json) {
			json_file(&w, argv[i], obj, NULL);
		} else if (dump_text(obj)) {
			fprintf(stderr, "%s: %s: error: out of memory\n",
				klp_prog, argv[i]);
			status = KLP_EXIT_USAGE;
		}
		klp_objfile__free(obj);
	}
	if (json) {
		json_end_array(&w);
		json_end_object(&w);
		json_finish(&w);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: error writing the output: %s\n", klp_prog,
			strerror(errno));
		status = KLP_EXIT_USAGE;
	}
out:
	free(only);
	only = NULL;
	return status;
}
