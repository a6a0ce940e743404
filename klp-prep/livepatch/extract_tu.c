// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * extract_tu.c - parse a unit with libclang and index its own file
 *
 * The index: the top-level declarations and directives of the unit's own
 * file with their byte ranges (the units of copying), every macro
 * definition of the unit by name (macros are found through tokens, since
 * libclang records only the outermost expansion of each macro use), and
 * the macro expansions of the unit's own file (to extend a range that
 * ends inside one, as `static DEFINE_MUTEX(lock)` does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract_internal.h"
#include "log.h"
#include "source_file.h"

char *cx_strdup(CXString s)
{
	const char *c = clang_getCString(s);
	char *out = strdup(c ? c : "");

	clang_disposeString(s);
	return out;
}

unsigned int tu_line(const struct klp_tu *tu, unsigned int offset)
{
	size_t lo = 0, hi = tu->nr_lines;

	/* The last line start <= offset. */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (tu->line_starts[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1;
}

unsigned int tu_line_start(const struct klp_tu *tu, unsigned int offset)
{
	return tu->line_starts[tu_line(tu, offset) - 1];
}

bool tu_in_main(const struct klp_tu *tu, CXSourceLocation loc,
		unsigned int *offset)
{
	CXFile file;
	unsigned int off;

	clang_getExpansionLocation(loc, &file, NULL, NULL, &off);
	if (!file || !clang_File_isEqual(file, tu->main))
		return false;
	if (offset)
		*offset = off;
	return true;
}

struct node *tu_node_at(const struct klp_tu *tu, unsigned int offset, CXCursor c)
{
	struct node *best = NULL;
	size_t lo = 0, hi = tu->nr_nodes, i;

	/* Nodes start in order; the holders of @offset start at or before
	 * it.  Ranges are short, so a backward scan from there is cheap
	 * (top-level ranges overlap only for "struct s {...} v;"). */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (tu->nodes[mid].start <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i-- > 0;) {
		struct node *n = &tu->nodes[i];

		if (n->end <= offset) {
			/* An earlier node may still hold it only if it
			 * overlaps this one; stop once far enough. */
			if (lo - i > 8)
				break;
			continue;
		}
		if (clang_equalCursors(n->cursor, c))
			return n;
		if (!best || n->end - n->start < best->end - best->start)
			best = n;
	}
	return best;
}

size_t tu_macros_named(const struct klp_tu *tu, const char *name, size_t *first)
{
	size_t lo = 0, hi = tu->nr_macros, n = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(tu->macros[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < tu->nr_macros && !strcmp(tu->macros[lo + n].name, name))
		n++;
	return n;
}

static int index_lines(struct klp_tu *tu)
{
	size_t i, n = 1;

	for (i = 0; i < tu->size; i++)
		n += tu->text[i] == '\n';
	tu->line_starts = malloc(n * sizeof(*tu->line_starts));
	if (!tu->line_starts)
		return -ENOMEM;
	tu->line_starts[0] = 0;
	tu->nr_lines = 1;
	for (i = 0; i < tu->size; i++)
		if (tu->text[i] == '\n')
			tu->line_starts[tu->nr_lines++] = i + 1;
	return 0;
}

struct index_ctx {
	struct klp_tu *tu;
	size_t nodes_cap, macros_cap, exp_cap;
	int err;
};

static int push_macro(struct index_ctx *x, CXCursor c, bool in_main,
		      unsigned int offset)
{
	struct klp_tu *tu = x->tu;
	struct macro *m;

	if (tu->nr_macros == x->macros_cap) {
		x->macros_cap = x->macros_cap * 2 + 1024;
		m = realloc(tu->macros, x->macros_cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		tu->macros = m;
	}
	m = &tu->macros[tu->nr_macros];
	m->own_name = cx_strdup(clang_getCursorSpelling(c));
	if (!m->own_name)
		return -ENOMEM;
	m->name = m->own_name;
	m->cursor = c;
	m->in_main = in_main;
	m->offset = offset;
	m->node = (size_t)-1;
	tu->nr_macros++;
	return 0;
}

static int push_expansion(struct index_ctx *x, unsigned int start,
			  unsigned int end)
{
	struct klp_tu *tu = x->tu;

	if (tu->nr_expansions == x->exp_cap) {
		struct expansion *e;

		x->exp_cap = x->exp_cap * 2 + 256;
		e = realloc(tu->expansions, x->exp_cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		tu->expansions = e;
	}
	tu->expansions[tu->nr_expansions].start = start;
	tu->expansions[tu->nr_expansions].end = end;
	tu->nr_expansions++;
	return 0;
}

static enum CXChildVisitResult index_visit(CXCursor c, CXCursor parent,
					   CXClientData data)
{
	struct index_ctx *x = data;
	struct klp_tu *tu = x->tu;
	enum CXCursorKind kind = clang_getCursorKind(c);
	CXSourceRange r = clang_getCursorExtent(c);
	unsigned int start = 0, end = 0;
	struct node *n;
	bool in_main;

	(void)parent;
	in_main = tu_in_main(tu, clang_getRangeStart(r), &start);
	if (kind == CXCursor_MacroDefinition) {
		CXFile f;

		if (!in_main) {
			clang_getExpansionLocation(clang_getCursorLocation(c),
						   &f, NULL, NULL, &start);
			if (!f)		/* built-in */
				return CXChildVisit_Continue;
		}
		x->err = push_macro(x, c, in_main, start);
		if (x->err)
			return CXChildVisit_Break;
	}
	if (!in_main)
		return CXChildVisit_Continue;
	tu_in_main(tu, clang_getRangeEnd(r), &end);
	if (kind == CXCursor_MacroExpansion) {
		x->err = push_expansion(x, start, end);
		return x->err ? CXChildVisit_Break : CXChildVisit_Continue;
	}
	if (kind == CXCursor_InclusionDirective && end > tu->last_include_end)
		tu->last_include_end = end;

	if (tu->nr_nodes == x->nodes_cap) {
		x->nodes_cap = x->nodes_cap * 2 + 256;
		n = realloc(tu->nodes, x->nodes_cap * sizeof(*n));
		if (!n) {
			x->err = -ENOMEM;
			return CXChildVisit_Break;
		}
		tu->nodes = n;
	}
	n = &tu->nodes[tu->nr_nodes];
	n->cursor = c;
	n->kind = kind;
	n->start = start;
	n->end = end > start ? end : start;
	n->name = cx_strdup(clang_getCursorSpelling(c));
	if (!n->name) {
		x->err = -ENOMEM;
		return CXChildVisit_Break;
	}
	tu->nr_nodes++;
	return CXChildVisit_Continue;
}

/*
 * A range that ends inside a macro expansion ends, as an expansion
 * location, at the start of that expansion: extend it to the
 * expansion's end.  Declarations also lose their ';'.
 */
static void fix_ends(struct klp_tu *tu)
{
	size_t i;

	for (i = 0; i < tu->nr_nodes; i++) {
		struct node *n = &tu->nodes[i];
		size_t lo = 0, hi = tu->nr_expansions;

		n->line = tu_line(tu, n->start);
		if (n->kind == CXCursor_MacroDefinition ||
		    n->kind == CXCursor_InclusionDirective)
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (tu->expansions[mid].start < n->end)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < tu->nr_expansions && tu->expansions[lo].start == n->end)
			n->end = tu->expansions[lo].end;
	}
}

static int cmp_node(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static int cmp_macro(const void *a, const void *b)
{
	const struct macro *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->in_main != y->in_main)
		return x->in_main ? 1 : -1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_expansion(const void *a, const void *b)
{
	const struct expansion *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Print the parse's errors; fail on those in the unit's own file. */
static int report_diagnostics(struct klp_tu *tu)
{
	unsigned int i, n = clang_getNumDiagnostics(tu->tu), shown = 0;
	unsigned int main_errors = 0, other_errors = 0;

	for (i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(tu->tu, i);
		enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
		CXSourceLocation loc = clang_getDiagnosticLocation(d);
		unsigned int line, col;
		CXFile file;
		char *msg, *fname;
		bool in_main;

		if (sev < CXDiagnostic_Error) {
			clang_disposeDiagnostic(d);
			continue;
		}
		clang_getSpellingLocation(loc, &file, &line, &col, NULL);
		in_main = file && clang_File_isEqual(file, tu->main);
		if (in_main)
			main_errors++;
		else
			other_errors++;
		msg = cx_strdup(clang_getDiagnosticSpelling(d));
		fname = in_main ? strdup(tu->display) :
			file ? cx_strdup(clang_getFileName(file)) : strdup("<command line>");
		if (shown++ < 20) {
			if (in_main)
				log_err("%s:%u:%u: error: %s (libclang)\n", fname, line, col,
					msg ? msg : "?");
			else
				log_warn("%s:%u:%u: warning: libclang: %s\n", fname ? fname : "?",
					 line, col, msg ? msg : "?");
		}
		free(msg);
		free(fname);
		clang_disposeDiagnostic(d);
	}
	if (other_errors && !main_errors)
		log_warn("%s: warning: libclang reported %u errors in headers; extraction goes on, "
			 "the module build will tell\n", tu->display, other_errors);
	if (main_errors) {
		log_err("%s: error: libclang cannot parse the unit (%u errors in it)\n",
			tu->display, main_errors);
		return -EINVAL;
	}
	return 0;
}

int klp_tu__parse(const struct klp_parse_opts *opts, struct klp_tu **out)
{
	struct CXUnsavedFile *unsaved = NULL;
	struct index_ctx x = { 0 };
	const char **args = NULL;
	struct klp_tu *tu;
	enum CXErrorCode cerr;
	int i, nargs = 0, err;
	size_t k;

	*out = NULL;
	tu = calloc(1, sizeof(*tu));
	if (!tu)
		return -ENOMEM;
	err = -ENOMEM;
	tu->file = strdup(opts->file);
	tu->display = strdup(opts->display_name ? opts->display_name : opts->file);
	if (!tu->file || !tu->display)
		goto fail;
	if (opts->contents) {
		tu->text = malloc(opts->size + 1);
		if (!tu->text)
			goto fail;
		memcpy(tu->text, opts->contents, opts->size);
		tu->text[opts->size] = '\0';
		tu->size = opts->size;
	} else {
		err = klp_gen_read_source(opts->file, &tu->text, &tu->size);
		if (err)
			goto fail;
	}
	err = index_lines(tu);
	if (err)
		goto fail;

	err = -ENOMEM;
	args = calloc(opts->argc + 4, sizeof(*args));
	if (!args)
		goto fail;
	for (i = 0; i < opts->argc; i++)
		args[nargs++] = opts->argv[i];
	/* Only errors matter; GCC-only attributes and the like warn. */
	args[nargs++] = "-w";
	args[nargs++] = "-ferror-limit=0";

	unsaved = calloc(opts->nr_headers + 1, sizeof(*unsaved));
	if (!unsaved) {
		free(args);
		goto fail;
	}
	unsaved[0].Filename = tu->file;
	unsaved[0].Contents = tu->text;
	unsaved[0].Length = tu->size;
	for (k = 0; k < opts->nr_headers; k++) {
		unsaved[k + 1].Filename = opts->headers[k].path;
		unsaved[k + 1].Contents = opts->headers[k].contents;
		unsaved[k + 1].Length = opts->headers[k].size;
	}
	tu->index = clang_createIndex(0, 0);
	cerr = clang_parseTranslationUnit2(tu->index, tu->file, args, nargs,
					   unsaved, opts->nr_headers + 1,
					   CXTranslationUnit_DetailedPreprocessingRecord |
					   CXTranslationUnit_KeepGoing,
					   &tu->tu);
	free(args);
	free(unsaved);
	if (cerr != CXError_Success || !tu->tu) {
		log_err("%s: error: libclang failed to parse it (error %d)\n",
			tu->display, (int)cerr);
		err = -EINVAL;
		goto fail;
	}
	tu->main = clang_getFile(tu->tu, tu->file);
	if (!tu->main) {
		log_err("%s: error: libclang lost the file\n", tu->display);
		err = -EINVAL;
		goto fail;
	}
	err = report_diagnostics(tu);
	if (err)
		goto fail;

	x.tu = tu;
	clang_visitChildren(clang_getTranslationUnitCursor(tu->tu), index_visit, &x);
	err = x.err;
	if (err)
		goto fail;
	if (tu->nr_nodes)
		qsort(tu->nodes, tu->nr_nodes, sizeof(*tu->nodes), cmp_node);
	if (tu->nr_expansions)
		qsort(tu->expansions, tu->nr_expansions, sizeof(*tu->expansions), cmp_expansion);
	if (tu->nr_macros)
		qsort(tu->macros, tu->nr_macros, sizeof(*tu->macros), cmp_macro);
	fix_ends(tu);
	for (k = 0; k < tu->nr_macros; k++) {
		struct macro *m = &tu->macros[k];
		struct node *n;

		if (!m->in_main)
			continue;
		n = tu_node_at(tu, m->offset, m->cursor);
		if (n && n->kind == CXCursor_MacroDefinition)
			m->node = n - tu->nodes;
	}
	*out = tu;
	return 0;
fail:
	klp_tu__free(tu);
	return err;
}

void klp_tu__free(struct klp_tu *tu)
{
	size_t i;

	if (!tu)
		return;
	for (i = 0; i < tu->nr_nodes; i++)
		free(tu->nodes[i].name);
	for (i = 0; i < tu->nr_macros; i++)
		free(tu->macros[i].own_name);
	free(tu->nodes);
	free(tu->macros);
	free(tu->expansions);
	if (tu->tu)
		clang_disposeTranslationUnit(tu->tu);
	if (tu->index)
		clang_disposeIndex(tu->index);
	free(tu->line_starts);
	free(tu->text);
	free(tu->file);
	free(tu->display);
	free(tu);
}

void klp_strv_free(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int klp_tu__functions_in(struct klp_tu *tu, const struct klp_line_range *ranges,
			 size_t nr_ranges, char ***names, size_t *nr_names)
{
	char **v = NULL;
	size_t i, j, n = 0;

	*names = NULL;
	*nr_names = 0;
	for (i = 0; i < tu->nr_nodes; i++) {
		const struct node *nd = &tu->nodes[i];
		unsigned int first, last;

		if (nd->kind != CXCursor_FunctionDecl ||
		    !clang_isCursorDefinition(nd->cursor))
			continue;
		first = nd->line;
		last = tu_line(tu, nd->end ? nd->end - 1 : 0);
		for (j = 0; j < nr_ranges; j++) {
			char **nv;

			if (ranges[j].last < first || ranges[j].first > last)
				continue;
			nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv || !(nv[n] = strdup(nd->name))) {
				klp_strv_free(nv ? nv : v, n);
				return -ENOMEM;
			}
			v = nv;
			n++;
			break;
		}
	}
	*names = v;
	*nr_names = n;
	return 0;
}

char *klp_tu__signature(struct klp_tu *tu, const char *name)
{
	size_t i;

	for (i = 0; i < tu->nr_nodes; i++) {
		const struct node *nd = &tu->nodes[i];
		CXType t;
		char *type, *sig;
		int r;

		if (nd->kind != CXCursor_FunctionDecl || strcmp(nd->name, name) ||
		    !clang_isCursorDefinition(nd->cursor))
			continue;
		t = clang_getCanonicalType(clang_getCursorType(nd->cursor));
		type = cx_strdup(clang_getTypeSpelling(t));
		if (!type)
			return NULL;
		r = asprintf(&sig, "%s cc%d", type, (int)clang_getFunctionTypeCallingConv(t));
		free(type);
		return r < 0 ? NULL : sig;
	}
	return NULL;
}

void klp_data_decls_free(struct klp_data_decl *decls, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(decls[i].name);
	free(decls);
}

int klp_tu__data_in(struct klp_tu *tu, const struct klp_line_range *ranges,
		    size_t nr_ranges, struct klp_data_decl **decls,
		    size_t *nr_decls)
{
	struct klp_data_decl *v = NULL;
	size_t i, j, n = 0;

	*decls = NULL;
	*nr_decls = 0;
	for (i = 0; i < tu->nr_nodes; i++) {
		const struct node *nd = &tu->nodes[i];
		struct klp_data_decl d = { 0 };

		/* Top-level nodes only: a static local is its function's. */
		if ((nd->kind == CXCursor_StructDecl || nd->kind == CXCursor_UnionDecl) &&
		    clang_isCursorDefinition(nd->cursor)) {
			d.kind = KLP_DATA_RECORD;
			d.tag = nd->kind == CXCursor_StructDecl ? "struct" : "union";
		} else if (nd->kind == CXCursor_VarDecl) {
			d.kind = KLP_DATA_VARIABLE;
			d.tag = clang_getCursorLinkage(nd->cursor) == CXLinkage_Internal ?
				"static" : "global";
		} else {
			continue;
		}
		d.first = nd->line;
		d.last = tu_line(tu, nd->end ? nd->end - 1 : 0);
		for (j = 0; j < nr_ranges; j++) {
			struct klp_data_decl *nv;

			if (ranges[j].last < d.first || ranges[j].first > d.last)
				continue;
			nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv || !(d.name = strdup(nd->name))) {
				klp_data_decls_free(nv ? nv : v, n);
				return -ENOMEM;
			}
			v = nv;
			v[n++] = d;
			break;
		}
	}
	*decls = v;
	*nr_decls = n;
	return 0;
}
