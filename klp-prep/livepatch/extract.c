// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * extract.c - the closure of what patched functions need from their unit
 *
 * Passes, in order (klp_tu__extract()):
 *   mark_patched	find the functions to patch, rename them, drop static
 *   closure		walk what is marked: every reference decides copy,
 *			externalize or leave to the headers (decide_*), and
 *			the tokens of marked text pull in the unit's macros
 *   emit_items		the marked text in source order, edits applied,
 *			with the externalized declarations in place
 *   emit_patched	the renamed functions with header prototypes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract_internal.h"
#include "log.h"
#include "extract_strset.h"

/* What a node is marked as; a higher value wins when both apply. */
enum mark {
	MARK_NONE = 0,
	MARK_INCLUDE,
	MARK_MACRO,
	MARK_DECL,
	MARK_TYPE,
	MARK_DATA,
	MARK_FUNC,
	MARK_PATCHED,
};

struct edit {
	unsigned int offset, len;
	const char *repl;		/* not owned */
};

struct ext_entry {
	unsigned int sort_offset;	/* where its declaration goes */
};

struct ctx {
	struct klp_tu *tu;
	const struct klp_extract_opts *opts;
	const struct klp_symbol_oracle *o;
	const char *prefix;
	struct klp_extract *ex;

	unsigned char *mark;		/* per node */
	size_t *queue;			/* nodes to walk */
	size_t nr_queue, cap_queue;
	struct edit *edits;
	size_t nr_edits, cap_edits;
	unsigned int *ext_offset;	/* per extern */
	bool *ext_early;		/* per extern: placed at a use, before it */
	char **new_names;		/* per opts->functions */

	char **owned;			/* replacement texts of edits */
	size_t nr_owned;
	struct strset walked;		/* USRs of header bodies walked */
	struct strset macros_seen;	/* header macros scanned */

	struct node *cur;		/* the node being walked */
	unsigned int cur_line;		/* its line, for messages */
	unsigned int errors;
	int err;			/* -ENOMEM */
};

static const struct klp_symbol_oracle default_oracle;

#define ctx_error(x, line, fmt, ...)					\
	do {								\
		log_err("%s:%u: error: " fmt "\n", (x)->tu->display,	\
			(line), ##__VA_ARGS__);			\
		(x)->errors++;						\
	} while (0)

static void nomem(struct ctx *x)
{
	x->err = -ENOMEM;
}

static void walk_types(struct ctx *x, CXCursor c);
static void walk_header_body(struct ctx *x, CXCursor def);
static void decide_static_local(struct ctx *x, CXCursor var);

static int patched_index(const struct ctx *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->opts->nr_functions; i++)
		if (!strcmp(x->opts->functions[i], name))
			return (int)i;
	return -1;
}

static void push_node(struct ctx *x, struct node *n, enum mark m)
{
	size_t i = n - x->tu->nodes;

	if (x->mark[i] >= m)
		return;
	x->mark[i] = m;
	if (x->nr_queue == x->cap_queue) {
		size_t *q;

		x->cap_queue = x->cap_queue * 2 + 64;
		q = realloc(x->queue, x->cap_queue * sizeof(*q));
		if (!q) {
			nomem(x);
			return;
		}
		x->queue = q;
	}
	x->queue[x->nr_queue++] = i;
}

static int strv_push_owned(struct ctx *x, char *s)
{
	char **v = realloc(x->owned, (x->nr_owned + 1) * sizeof(*v));

	if (!v) {
		nomem(x);
		return -ENOMEM;
	}
	x->owned = v;
	v[x->nr_owned++] = s;
	return 0;
}

static void add_edit(struct ctx *x, unsigned int offset, unsigned int len,
		     const char *repl)
{
	size_t i;

	for (i = 0; i < x->nr_edits; i++)
		if (x->edits[i].offset == offset)
			return;
	if (x->nr_edits == x->cap_edits) {
		struct edit *e;

		x->cap_edits = x->cap_edits * 2 + 32;
		e = realloc(x->edits, x->cap_edits * sizeof(*e));
		if (!e) {
			nomem(x);
			return;
		}
		x->edits = e;
	}
	x->edits[x->nr_edits].offset = offset;
	x->edits[x->nr_edits].len = len;
	x->edits[x->nr_edits].repl = repl;
	x->nr_edits++;
}

/* Line of a location in the unit's file, or the current node's line. */
static unsigned int use_line(struct ctx *x, CXCursor c)
{
	unsigned int off;

	if (tu_in_main(x->tu, clang_getCursorLocation(c), &off))
		return tu_line(x->tu, off);
	return x->cur_line;
}

static bool cursor_in_main(struct ctx *x, CXCursor c, unsigned int *off)
{
	if (clang_Cursor_isNull(c))
		return false;
	return tu_in_main(x->tu, clang_getCursorLocation(c), off);
}

/* Does the source of @c's declaration carry one of @words before @stop? */
static bool decl_has_word(struct ctx *x, CXCursor c, const char *const *words)
{
	CXSourceRange r = clang_getCursorExtent(c);
	CXToken *toks;
	unsigned int n, i, k;
	bool found = false;

	clang_tokenize(x->tu->tu, r, &toks, &n);
	for (i = 0; i < n && !found; i++) {
		CXString s;
		const char *t;

		if (clang_getTokenKind(toks[i]) != CXToken_Identifier)
			continue;
		/* Stop at a function body. */
		s = clang_getTokenSpelling(x->tu->tu, toks[i]);
		t = clang_getCString(s);
		for (k = 0; words[k] && !found; k++)
			found = !strcmp(t, words[k]);
		clang_disposeString(s);
	}
	clang_disposeTokens(x->tu->tu, toks, n);
	return found;
}

/* Prefix tokens only: from the declaration's start to its name. */
static bool prefix_has_word(struct ctx *x, CXCursor c, const char *const *words)
{
	CXSourceLocation start = clang_getRangeStart(clang_getCursorExtent(c));
	CXSourceRange r = clang_getRange(start, clang_getCursorLocation(c));
	CXToken *toks;
	unsigned int n, i, k;
	bool found = false;

	clang_tokenize(x->tu->tu, r, &toks, &n);
	for (i = 0; i < n && !found; i++) {
		CXString s = clang_getTokenSpelling(x->tu->tu, toks[i]);
		const char *t = clang_getCString(s);

		for (k = 0; words[k] && !found; k++)
			found = !strcmp(t, words[k]);
		clang_disposeString(s);
	}
	clang_disposeTokens(x->tu->tu, toks, n);
	return found;
}

static const char *const init_words[] = {
	"__init", "__exit", "__initdata", "__initconst", "__exitdata",
	"__meminit", "__meminitdata", "__meminitconst", "__ref", "__refdata",
	"__init_or_module", "__initdata_or_module", NULL,
};

/*
 * A per-CPU variable is defined by one of these macros.  The kernel
 * reaches every CPU's copy through the symbol's value (a zero-based
 * offset in vmlinux, the module's per-CPU area in a module), which the
 * livepatch core resolves like any other; it is declared as
 * DECLARE_PER_CPU() does (KLP_PREP_EXTERN_PER_CPU).  A __percpu pointer
 * is ordinary data: only the area it points to is per-CPU.
 */
static const char *const percpu_words[] = {
	"DEFINE_PER_CPU", "DEFINE_PER_CPU_SHARED_ALIGNED",
	"DEFINE_PER_CPU_ALIGNED", "DEFINE_PER_CPU_READ_MOSTLY",
	"DEFINE_PER_CPU_PAGE_ALIGNED", "DEFINE_PER_CPU_FIRST",
	"DEFINE_PER_CPU_DECRYPTED", "DEFINE_PER_CPU_SECTION",
	"DECLARE_PER_CPU", NULL,
};

/*
 * Is @def, a variable of the unit's file, defined by a per-CPU macro?
 * The words are looked for in its declaration's text as the unit has it:
 * libclang's extent of a declaration that starts inside nested macros
 * may begin at a macro argument, after the macro's name.
 */
static bool is_per_cpu_definition(struct ctx *x, CXCursor def)
{
	const struct node *n;
	unsigned int off, i, k;

	if (!cursor_in_main(x, def, &off))
		return false;
	n = tu_node_at(x->tu, off, def);
	if (!n)
		return decl_has_word(x, def, percpu_words);
	for (i = n->start; i < n->end;) {
		const char *t = x->tu->text + i;
		size_t len = 0;

		if (*t == '"') {		/* a string: no word */
			for (i++; i < n->end && x->tu->text[i] != '"'; i++)
				if (x->tu->text[i] == '\\')
					i++;
			i++;
			continue;
		}
		while (i + len < n->end && (t[len] == '_' || (t[len] >= 'A' && t[len] <= 'Z') ||
					    (t[len] >= 'a' && t[len] <= 'z') ||
					    (len && t[len] >= '0' && t[len] <= '9')))
			len++;
		if (!len) {
			i++;
			continue;
		}
		for (k = 0; percpu_words[k]; k++)
			if (strlen(percpu_words[k]) == len && !strncmp(t, percpu_words[k], len))
				return true;
		i += (unsigned int)len;
	}
	return false;
}

/* Constant data: a const type, or an array of const elements. */
static bool is_const_data(CXType t)
{
	while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
	       t.kind == CXType_VariableArray || t.kind == CXType_DependentSizedArray)
		t = clang_getArrayElementType(t);
	return clang_isConstQualifiedType(t);
}

static bool type_is_nameable(const char *spelling)
{
	return !strstr(spelling, "(unnamed") && !strstr(spelling, "(anonymous");
}

/*
 * The definition of an unnamed struct or union of the unit, as written,
 * to declare a variable of that type again; its own types are marked.
 * NULL when the type is no such thing.
 */
static char *unnamed_record_text(struct ctx *x, CXType t)
{
	CXCursor rec = clang_getTypeDeclaration(clang_getCanonicalType(t));
	enum CXCursorKind k = clang_getCursorKind(rec);
	CXSourceRange r = clang_getCursorExtent(rec);
	unsigned int start, end;

	if ((k != CXCursor_StructDecl && k != CXCursor_UnionDecl) ||
	    !tu_in_main(x->tu, clang_getRangeStart(r), &start) ||
	    !tu_in_main(x->tu, clang_getRangeEnd(r), &end) || end <= start)
		return NULL;
	walk_types(x, rec);
	return strndup(x->tu->text + start, end - start);
}

/*
 * Externalize @name: a declaration of the running kernel's symbol.
 * @decl is a declaration of it; @local: static in the unit.  @soft:
 * found only in a header's inline body, so not finding the symbol is no
 * error (the reference may be compiled away).  @per_cpu: a per-CPU
 * variable (percpu_words).
 */
static struct klp_extern *push_extern(struct ctx *x, const char *name, const char *symbol,
				      char *type, const char *object, unsigned long pos,
				      unsigned int sort_off)
{
	struct klp_extract *ex = x->ex;
	struct klp_extern *e;
	unsigned int *eo;

	e = realloc(ex->externs, (ex->nr_externs + 1) * sizeof(*e));
	if (!e) {
		free(type);
		nomem(x);
		return NULL;
	}
	ex->externs = e;
	eo = realloc(x->ext_offset, (ex->nr_externs + 1) * sizeof(*eo));
	if (!eo) {
		free(type);
		nomem(x);
		return NULL;
	}
	x->ext_offset = eo;
	{
		bool *ee = realloc(x->ext_early, (ex->nr_externs + 1) * sizeof(*ee));

		if (!ee) {
			free(type);
			nomem(x);
			return NULL;
		}
		x->ext_early = ee;
		ee[ex->nr_externs] = false;
	}
	e = &ex->externs[ex->nr_externs];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	e->symbol = strdup(symbol);
	e->object = strdup(object);
	e->type = type;
	e->pos = pos;
	x->ext_offset[ex->nr_externs] = sort_off;
	ex->nr_externs++;
	if (!e->name || !e->symbol || !e->object) {
		nomem(x);
		return NULL;
	}
	return e;
}

static void externalize(struct ctx *x, CXCursor decl, const char *name,
			bool is_func, bool local, bool soft, bool per_cpu, unsigned int line)
{
	const struct klp_symbol_oracle *o = x->o;
	struct klp_extract *ex = x->ex;
	CXCursor canon = clang_getCanonicalCursor(decl);
	unsigned int canon_off = 0, def_off = 0, sort_off;
	const char *object = o->object ? o->object : "vmlinux";
	unsigned long pos = 0;
	struct klp_extern *e;
	char *type;
	size_t i;
	bool in_main;

	in_main = cursor_in_main(x, canon, &canon_off);
	for (i = 0; i < ex->nr_externs; i++) {
		if (ex->externs[i].static_local || strcmp(ex->externs[i].name, name))
			continue;
		/* Declared before its first use in the text. */
		if (!in_main && x->cur && x->cur->start < x->ext_offset[i]) {
			x->ext_offset[i] = x->cur->start;
			x->ext_early[i] = true;
		}
		return;
	}

	if (!in_main) {
		/*
		 * A header declares it: after the includes, or before the
		 * first use when that comes earlier (a unit may #include
		 * more headers further down).
		 */
		type = strdup(name);
		sort_off = x->tu->last_include_end;
		if (x->cur && x->cur->start < sort_off)
			sort_off = x->cur->start;
	} else {
		CXCursor def = clang_getCursorDefinition(decl);

		type = cx_strdup(clang_getTypeSpelling(clang_getCursorType(decl)));
		if (type && !type_is_nameable(type)) {
			/* "static struct { ... } tk_core;": the struct's text. */
			char *text = unnamed_record_text(x, clang_getCursorType(decl));

			if (!text) {
				ctx_error(x, line, "cannot name the type of '%s' (%s) to declare it; "
					  "give the type a name in the source", name, type);
				free(type);
				return;
			}
			free(type);
			type = text;
		}
		sort_off = canon_off;
		if (cursor_in_main(x, def, &def_off) && def_off < sort_off)
			sort_off = def_off;
		/* A function's own address, in its own text: before it. */
		if (x->cur && x->cur->start < sort_off)
			sort_off = x->cur->start;
	}
	if (!type) {
		nomem(x);
		return;
	}
	if (o->locate) {
		const char *obj = NULL;
		int err;

		if (soft && o->exported && o->exported(o->ctx, name)) {
			free(type);
			return;
		}
		err = o->locate(o->ctx, name, local, &obj, &pos);
		if (err) {
			free(type);
			if (soft)
				return;
			if (local)
				ctx_error(x, line, "cannot find '%s' of this unit in the original %s",
					  name, object);
			else
				/*
				 * No linked part of the kernel defines it: the
				 * kernel's own build dropped the reference (a
				 * size or branch check such as
				 * __bad_size_call_parameter); should the
				 * module's keep it, modpost names it.
				 */
				log_info("%s:%u: note: '%s' is neither exported nor found in %s; "
					 "left as it is\n", x->tu->display, line, name, object);
			if (in_main) {
				/* Its declaration in the unit (a new function
				 * of another unit of the fix) comes along. */
				struct node *n = tu_node_at(x->tu, canon_off, canon);

				if (n)
					push_node(x, n, MARK_DECL);
			}
			return;
		}
		if (obj)
			object = obj;
	}

	e = push_extern(x, name, name, type, object, pos, sort_off);
	if (!e)
		return;
	/* The declaration names the unit's own types (typedefs above all). */
	if (in_main)
		walk_types(x, clang_Cursor_isNull(clang_getCursorDefinition(decl)) ? decl
			   : clang_getCursorDefinition(decl));
	x->ext_early[ex->nr_externs - 1] = x->cur && sort_off == x->cur->start;
	e->is_func = is_func;
	e->local = local;
	/* A header's declaration carries its own attributes (typeof). */
	e->per_cpu = per_cpu && in_main;
	e->line = line;
}


static bool is_exported(struct ctx *x, const char *name)
{
	return x->o->exported && x->o->exported(x->o->ctx, name);
}

/* A type of the unit's file is needed: mark its definition. */
static void decide_type(struct ctx *x, CXCursor ref)
{
	CXCursor def = clang_getCursorDefinition(ref);
	unsigned int off;
	struct node *n;

	if (clang_Cursor_isNull(def))
		def = ref;
	if (!cursor_in_main(x, def, &off))
		return;
	n = tu_node_at(x->tu, off, def);
	if (!n)
		return;
	/*
	 * An unnamed struct or union alone declares nothing: it comes with
	 * its typedef (marked through the typedef's name) or its variable
	 * (externalized with the struct's text, or copied whole).
	 */
	if ((n->kind == CXCursor_StructDecl || n->kind == CXCursor_UnionDecl) &&
	    (!*n->name || !type_is_nameable(n->name)))
		return;
	push_node(x, n, MARK_TYPE);
}

/*
 * Names that are never symbols of the running kernel: GCC's builtins
 * (__builtin_expect, which a kernel header may declare again for its
 * checkers), and compiletime_assert()'s __compiletime_assert_N, declared
 * with __attribute__((error)) so that a call left after optimization
 * fails the build: the kernel has none of them to resolve.
 */
static bool is_compiler_made(const char *name)
{
	return !strncmp(name, "__builtin_", 10) ||
	       !strncmp(name, "__compiletime_assert_", 21);
}

static bool is_new_function(struct ctx *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->opts->nr_new_functions; i++)
		if (!strcmp(x->opts->new_functions[i], name))
			return true;
	return false;
}

static bool is_shared_function(struct ctx *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->opts->nr_shared_functions; i++)
		if (!strcmp(x->opts->shared_functions[i], name))
			return true;
	return false;
}

/*
 * A function the fix adds: the module's own copy, static (only the
 * patched code, in this unit, can call it through the livepatch), with
 * its earlier declarations static too; global as the fix has it when
 * other units of the fix call it.
 */
static void copy_new_function(struct ctx *x, CXCursor def, unsigned int def_off,
			      enum CXLinkageKind linkage, const char *name)
{
	struct node *n = tu_node_at(x->tu, def_off, def);
	bool make_static = linkage != CXLinkage_Internal && !is_shared_function(x, name);
	size_t i;

	if (!n)
		return;
	if (make_static && x->mark[n - x->tu->nodes] == MARK_NONE)
		log_info("%s:%u: note: '%s' is new in the fix: the livepatch makes it "
			 "static, since only the patched code can call it\n",
			 x->tu->display, n->line, name);
	push_node(x, n, MARK_FUNC);
	if (make_static)
		add_edit(x, n->start, 0, "static ");
	/* Its declarations before the definition: forward declarations. */
	for (i = 0; i < x->tu->nr_nodes; i++) {
		struct node *d = &x->tu->nodes[i];

		if (d == n || d->kind != CXCursor_FunctionDecl || d->start >= n->start ||
		    strcmp(d->name, name))
			continue;
		push_node(x, d, MARK_DECL);
		if (make_static)
			add_edit(x, d->start, 0, "static ");
	}
}

/* Is the name that ends at @off called: is the next token "("? */
static bool called_at(const struct ctx *x, unsigned int off)
{
	const char *p = x->tu->text + off;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return *p == '(';
}

static void decide_function(struct ctx *x, CXCursor use, CXCursor ref)
{
	CXCursor def = clang_getCursorDefinition(ref);
	enum CXLinkageKind linkage = clang_getCursorLinkage(ref);
	unsigned int def_off, use_off, line = use_line(x, use);
	bool def_main = cursor_in_main(x, def, &def_off);
	char *name = cx_strdup(clang_getCursorSpelling(ref));
	CXFile file;
	int pi;

	if (!name) {
		nomem(x);
		return;
	}
	clang_getExpansionLocation(clang_getCursorLocation(ref), &file, NULL, NULL, NULL);
	if (!file || is_compiler_made(name))	/* a builtin */
		goto out;

	pi = def_main ? patched_index(x, name) : -1;
	if (pi >= 0) {
		/* Call the new code directly; rename where the name is
		 * spelled in the function's text: there, or as the argument
		 * of a macro (WRITE_ONCE(x, foo(0))), not inside a macro's
		 * body. */
		CXSourceLocation loc = clang_getCursorLocation(use);
		unsigned int sp_off, ex_off;
		CXFile sp_file;

		clang_getSpellingLocation(loc, &sp_file, NULL, NULL, &sp_off);
		if (sp_file && clang_File_isEqual(sp_file, x->tu->main) &&
		    tu_in_main(x->tu, loc, &ex_off) &&
		    x->cur && sp_off >= x->cur->start && sp_off < x->cur->end &&
		    ex_off >= x->cur->start && ex_off < x->cur->end &&
		    !strncmp(x->tu->text + sp_off, name, strlen(name))) {
			use_off = sp_off;
			if (!called_at(x, use_off + strlen(name))) {
				/*
				 * Its address: the original's, as the kernel's
				 * own code sees it (a pointer compared, or
				 * registered and later unregistered), as kpatch
				 * and klp-build resolve it.  A call through it
				 * still reaches the new code through ftrace.
				 */
				if (linkage == CXLinkage_Internal || !is_exported(x, name))
					externalize(x, linkage == CXLinkage_Internal ? def : ref,
						    name, true, linkage == CXLinkage_Internal,
						    false, false, line);
				goto out;
			}
			add_edit(x, use_off, strlen(name), x->new_names[pi]);
			goto out;
		}
		/* Named through a macro: the old function it is. */
	}

	if (def_main) {
		struct node *dn = tu_node_at(x->tu, def_off, def);

		/* Made by the invocation of a patched function's macro: it is
		 * in the patched text already (SYSCALL_DEFINE's __do_sys_*). */
		if (dn && x->mark[dn - x->tu->nodes] == MARK_PATCHED && pi < 0)
			goto out;
	}
	if (def_main && is_new_function(x, name)) {
		copy_new_function(x, def, def_off, linkage, name);
		goto out;
	}
	if (linkage == CXLinkage_Internal) {
		if (clang_Cursor_isNull(def))
			goto out;
		if (!def_main) {
			/* A header's static inline: its body is compiled into
			 * the module, look for what it references. */
			walk_header_body(x, def);
			goto out;
		}
		if (prefix_has_word(x, def, init_words)) {
			ctx_error(x, line, "'%s' is __init/__exit code, freed after boot; "
				  "a livepatch cannot use it", name);
			goto out;
		}
		if (x->o->callable ? x->o->callable(x->o->ctx, name)
				   : !clang_Cursor_isFunctionInlined(def)) {
			externalize(x, def, name, true, true, false, false, line);
		} else {
			CXCursor canon = clang_getCanonicalCursor(def);
			unsigned int canon_off;
			struct node *n = tu_node_at(x->tu, def_off, def);

			if (n)
				push_node(x, n, MARK_FUNC);
			if (!clang_equalCursors(canon, def) &&
			    cursor_in_main(x, canon, &canon_off) && canon_off < def_off) {
				n = tu_node_at(x->tu, canon_off, canon);
				if (n)
					push_node(x, n, MARK_DECL);
			}
		}
		goto out;
	}

	/*
	 * A header's extern inline (gnu_inline: the kernel's __FORTIFY_INLINE
	 * __fortify_strlen) has no out-of-line copy anywhere: like a static
	 * inline, its body is compiled into the module.
	 */
	if (!def_main && !clang_Cursor_isNull(def) && clang_Cursor_isFunctionInlined(def) &&
	    clang_Cursor_getStorageClass(def) == CX_SC_Extern) {
		walk_header_body(x, def);
		goto out;
	}

	/* External linkage: the running kernel has it. */
	if (def_main && prefix_has_word(x, def, init_words)) {
		ctx_error(x, line, "'%s' is __init/__exit code, freed after boot; "
			  "a livepatch cannot use it", name);
		goto out;
	}
	if (!is_exported(x, name)) {
		if (!x->o->exported && !def_main)
			goto out;	/* nothing known: leave it to the headers */
		externalize(x, ref, name, true, false, false, false, line);
	}
out:
	free(name);
}

/* Are lines @first..@last all within one range the fix added? */
static bool on_added_lines(const struct ctx *x, unsigned int first, unsigned int last)
{
	size_t i;

	for (i = 0; i < x->opts->nr_added; i++)
		if (first >= x->opts->added[i].first && last <= x->opts->added[i].last)
			return true;
	return false;
}

/*
 * Is @def (a file-scope definition of the unit) on lines the fix added
 * whole?  Then the original has no such variable: new data, the
 * module's own, with its initializer.
 */
static bool defined_on_added_lines(const struct ctx *x, CXCursor def)
{
	CXSourceRange r = clang_getCursorExtent(def);
	unsigned int first, last;

	clang_getSpellingLocation(clang_getRangeStart(r), NULL, &first, NULL, NULL);
	clang_getSpellingLocation(clang_getRangeEnd(r), NULL, &last, NULL, NULL);
	return on_added_lines(x, first, last);
}

static void decide_variable(struct ctx *x, CXCursor use, CXCursor ref)
{
	CXCursor parent = clang_getCursorSemanticParent(ref);
	enum CX_StorageClass sc = clang_Cursor_getStorageClass(ref);
	enum CXLinkageKind linkage = clang_getCursorLinkage(ref);
	CXCursor def = clang_getCursorDefinition(ref);
	unsigned int line = use_line(x, use), off;
	enum CXCursorKind pk = clang_getCursorKind(parent);
	char *name;

	if (pk != CXCursor_TranslationUnit && pk != CXCursor_UnexposedDecl)
		return;		/* a local; static locals are seen at their
				 * declaration (closure_visit) */
	if (sc == CX_SC_Register)
		return;		/* a register (current_stack_pointer), no symbol */
	if (clang_Cursor_isNull(def))
		def = ref;
	name = cx_strdup(clang_getCursorSpelling(ref));
	if (!name) {
		nomem(x);
		return;
	}
	if (linkage == CXLinkage_Internal || sc == CX_SC_Static) {
		if (!cursor_in_main(x, def, &off))
			goto out;	/* a header's static: the module's own */
		if (prefix_has_word(x, def, init_words) || decl_has_word(x, def, init_words)) {
			ctx_error(x, line, "'%s' is __init/__exit data, freed after boot", name);
			goto out;
		}
		if (!x->o->has_data || x->o->has_data(x->o->ctx, name)) {
			externalize(x, def, name, false, true, false,
				    is_per_cpu_definition(x, def), line);
		} else if (is_const_data(clang_getCursorType(def)) ||
			   clang_Type_getSizeOf(clang_getCursorType(def)) == 0 ||
			   defined_on_added_lines(x, def)) {
			/*
			 * Folded away in the original, no state at all (an
			 * empty lock struct), or new in the fix: a copy is the
			 * same, or the only one.
			 */
			struct node *n = tu_node_at(x->tu, off, def);

			if (n)
				push_node(x, n, MARK_DATA);
		} else {
			ctx_error(x, line, "static variable '%s' has no symbol in the original %s "
				  "(optimized away?); its state cannot be shared", name,
				  x->o->object ? x->o->object : "vmlinux");
		}
		goto out;
	}
	if (!is_exported(x, name)) {
		bool main = cursor_in_main(x, def, &off);

		if (x->o->exported || main)
			externalize(x, ref, name, false, false, false,
				    is_per_cpu_definition(x, def), line);
	}
out:
	free(name);
}

static void decide(struct ctx *x, CXCursor use, CXCursor ref)
{
	switch (clang_getCursorKind(ref)) {
	case CXCursor_FunctionDecl:
		decide_function(x, use, ref);
		break;
	case CXCursor_VarDecl:
		decide_variable(x, use, ref);
		break;
	case CXCursor_EnumConstantDecl:
	case CXCursor_FieldDecl:
		decide_type(x, clang_getCursorSemanticParent(ref));
		break;
	case CXCursor_StructDecl:
	case CXCursor_UnionDecl:
	case CXCursor_EnumDecl:
	case CXCursor_TypedefDecl:
		decide_type(x, ref);
		break;
	default:
		break;
	}
}

static enum CXChildVisitResult closure_visit(CXCursor c, CXCursor parent,
					     CXClientData data)
{
	struct ctx *x = data;
	enum CXCursorKind kind = clang_getCursorKind(c);

	(void)parent;
	if (x->err)
		return CXChildVisit_Break;
	switch (kind) {
	case CXCursor_VarDecl:
		if (clang_Cursor_getStorageClass(c) == CX_SC_Static &&
		    clang_getCursorKind(clang_getCursorSemanticParent(c)) == CXCursor_FunctionDecl)
			decide_static_local(x, c);
		break;
	case CXCursor_DeclRefExpr:
	case CXCursor_MemberRefExpr:
	case CXCursor_TypeRef:
		decide(x, c, clang_getCursorReferenced(c));
		break;
	default:
		break;
	}
	return CXChildVisit_Recurse;
}

/*
 * A function's static local, in a function that is copied: its state
 * must stay the original's.  When the original has its symbol ("var.N"),
 * the declaration is replaced in place by an externalized one; a constant
 * the original folded away stays as it is; anything else is refused.
 */
static void decide_static_local(struct ctx *x, CXCursor var)
{
	const struct klp_symbol_oracle *o = x->o;
	CXCursor fn = clang_getCursorSemanticParent(var);
	char *name = cx_strdup(clang_getCursorSpelling(var));
	char *fname = cx_strdup(clang_getCursorSpelling(fn));
	char *type = NULL, *text = NULL;
	unsigned int line = use_line(x, var), start, end;
	const char *symbol = NULL, *object = NULL;
	unsigned long pos = 0;
	struct klp_extern *e;
	int r = -ENOENT;

	if (!name || !fname) {
		nomem(x);
		goto out;
	}
	if (on_added_lines(x, line, line))
		goto out;	/* new in the fix: the module's own */
	{
		/*
		 * Declared by a macro of a header (lockdep keys of
		 * spin_lock_init(), the once flags of WARN_ONCE(), ratelimit
		 * states): bookkeeping of the macro's own, which starts
		 * afresh in the livepatch, as in any new code using it.
		 */
		unsigned int off;

		/* (libclang's spelling locations of macro bodies are their
		 * expansions: the text tells.) */
		if (!tu_in_main(x->tu, clang_getCursorLocation(var), &off) ||
		    strncmp(x->tu->text + off, name, strlen(name))) {
			log_debug("%s:%u: static '%s' of '%s' comes from a macro: the "
				  "livepatch's own\n", x->tu->display, line, name, fname);
			goto out;
		}
	}
	if (o->static_local && x->opts->spell_extern)
		r = o->static_local(o->ctx, fname, name, &symbol, &object, &pos);
	if (r == -ENOENT && o->static_local && x->opts->spell_extern &&
	    is_const_data(clang_getCursorType(var)))
		goto out;	/* folded away: a constant copy is the same */
	if (r == -EEXIST) {
		ctx_error(x, line, "static local variable '%s' of '%s': the original has several "
			  "candidates (%s) and its symbols cannot tell whose is whose; "
			  "klp-prep refuses it", name, fname, symbol ? symbol : "?");
		goto out;
	}
	if (r) {
		ctx_error(x, line, "static local variable '%s' of '%s': the original's cannot "
			  "be found, and a copy would not share its state; klp-prep refuses it",
			  name, fname);
		goto out;
	}
	/* The declaration, up to its ';', in the text being copied. */
	if (!tu_in_main(x->tu, clang_getRangeStart(clang_getCursorExtent(var)), &start) ||
	    !tu_in_main(x->tu, clang_getRangeEnd(clang_getCursorExtent(var)), &end) ||
	    !x->cur || start < x->cur->start || end > x->cur->end) {
		ctx_error(x, line, "static local variable '%s' of '%s' is declared by a macro; "
			  "klp-prep cannot replace its declaration", name, fname);
		goto out;
	}
	while (end < x->tu->size && (x->tu->text[end] == ' ' || x->tu->text[end] == '\t'))
		end++;
	if (end >= x->tu->size || x->tu->text[end] != ';') {
		ctx_error(x, line, "static local variable '%s' of '%s' shares its declaration "
			  "with others; declare it on its own", name, fname);
		goto out;
	}
	type = cx_strdup(clang_getTypeSpelling(clang_getCursorType(var)));
	if (!type) {
		nomem(x);
		goto out;
	}
	if (!type_is_nameable(type)) {
		ctx_error(x, line, "cannot name the type of static local '%s' (%s)", name, type);
		free(type);
		goto out;
	}
	e = push_extern(x, name, symbol, type, object ? object : "vmlinux", pos, (unsigned int)-1);
	if (!e)
		goto out;
	e->local = true;
	e->static_local = true;
	e->line = line;
	walk_types(x, var);
	text = x->opts->spell_extern(x->opts->spell_ctx, e);
	if (!text) {
		nomem(x);
		goto out;
	}
	/* The edit owns nothing: keep the text with the extraction. */
	if (strv_push_owned(x, text)) {
		free(text);
		goto out;
	}
	add_edit(x, start, end + 1 - start, text);
out:
	free(name);
	free(fname);
}

/* Types only: parameters and declared types, not bodies or initializers. */
static enum CXChildVisitResult types_visit(CXCursor c, CXCursor parent,
					   CXClientData data)
{
	struct ctx *x = data;
	enum CXCursorKind kind = clang_getCursorKind(c);

	(void)parent;
	if (kind == CXCursor_TypeRef) {
		decide(x, c, clang_getCursorReferenced(c));
		return CXChildVisit_Continue;
	}
	if (clang_isExpression(kind) || clang_isStatement(kind))
		return CXChildVisit_Continue;
	return CXChildVisit_Recurse;
}

static void walk_types(struct ctx *x, CXCursor c)
{
	clang_visitChildren(c, types_visit, x);
}

static enum CXChildVisitResult header_visit(CXCursor c, CXCursor parent,
					    CXClientData data)
{
	struct ctx *x = data;
	enum CXCursorKind kind = clang_getCursorKind(c);
	CXCursor ref, def;
	char *name;

	(void)parent;
	if (x->err)
		return CXChildVisit_Break;
	if (kind != CXCursor_DeclRefExpr)
		return CXChildVisit_Recurse;
	ref = clang_getCursorReferenced(c);
	kind = clang_getCursorKind(ref);
	if (kind != CXCursor_FunctionDecl && kind != CXCursor_VarDecl)
		return CXChildVisit_Recurse;
	if (kind == CXCursor_VarDecl &&
	    clang_getCursorKind(clang_getCursorSemanticParent(ref)) != CXCursor_TranslationUnit)
		return CXChildVisit_Recurse;
	def = clang_getCursorDefinition(ref);
	if (clang_getCursorLinkage(ref) == CXLinkage_Internal) {
		if (kind == CXCursor_FunctionDecl && !clang_Cursor_isNull(def))
			walk_header_body(x, def);
		return CXChildVisit_Recurse;
	}
	if (kind == CXCursor_FunctionDecl && !clang_Cursor_isNull(def) &&
	    !cursor_in_main(x, def, NULL))
		return CXChildVisit_Recurse;	/* extern inline in a header */
	name = cx_strdup(clang_getCursorSpelling(ref));
	if (!name) {
		nomem(x);
		return CXChildVisit_Break;
	}
	if (!is_exported(x, name))
		externalize(x, ref, name, kind == CXCursor_FunctionDecl, false, true, false,
			    x->cur_line);
	free(name);
	return CXChildVisit_Recurse;
}

/*
 * A header's inline function used by copied code: whatever it references
 * that the kernel does not export must be externalized too (tracepoints
 * and the like).  Only with an oracle that knows the exports.
 */
static void walk_header_body(struct ctx *x, CXCursor def)
{
	char *usr;
	int r;

	if (!x->o->exported)
		return;
	usr = cx_strdup(clang_getCursorUSR(def));
	if (!usr) {
		nomem(x);
		return;
	}
	r = strset_add(&x->walked, usr);
	free(usr);
	if (r < 0)
		nomem(x);
	if (r <= 0)
		return;
	clang_visitChildren(def, header_visit, x);
}

/*
 * Find the unit's macros named by the tokens of @r: those defined in the
 * unit's file before @before, and, through the bodies of header macros,
 * those the headers' macros use (pr_fmt through pr_info).
 */
static void scan_macros(struct ctx *x, CXSourceRange r, unsigned int before)
{
	struct klp_tu *tu = x->tu;
	CXToken *toks;
	unsigned int n, i;

	clang_tokenize(tu->tu, r, &toks, &n);
	for (i = 0; i < n && !x->err; i++) {
		CXString s;
		const char *name;
		size_t first, count, k;
		struct macro *main_def = NULL, *hdr_def = NULL;

		if (clang_getTokenKind(toks[i]) != CXToken_Identifier)
			continue;
		s = clang_getTokenSpelling(tu->tu, toks[i]);
		name = clang_getCString(s);
		count = tu_macros_named(tu, name, &first);
		for (k = first; k < first + count; k++) {
			struct macro *m = &tu->macros[k];

			if (m->in_main && m->offset < before && m->node != (size_t)-1)
				main_def = m;
			else if (!m->in_main && !hdr_def)
				hdr_def = m;
		}
		if (main_def) {
			push_node(x, &tu->nodes[main_def->node], MARK_MACRO);
		} else if (hdr_def) {
			int added = strset_add(&x->macros_seen, name);

			if (added < 0)
				nomem(x);
			else if (added)
				scan_macros(x, clang_getCursorExtent(hdr_def->cursor), before);
		}
		clang_disposeString(s);
	}
	clang_disposeTokens(tu->tu, toks, n);
}

static CXSourceRange node_range(struct ctx *x, const struct node *n)
{
	CXTranslationUnit t = x->tu->tu;

	return clang_getRange(clang_getLocationForOffset(t, x->tu->main, n->start),
			      clang_getLocationForOffset(t, x->tu->main, n->end));
}

static void walk_node(struct ctx *x, size_t i)
{
	struct node *n = &x->tu->nodes[i];

	x->cur = n;
	x->cur_line = n->line;
	switch (x->mark[i]) {
	case MARK_INCLUDE:
		break;
	case MARK_MACRO:
		scan_macros(x, node_range(x, n), n->start);
		break;
	case MARK_DECL:
		walk_types(x, n->cursor);
		break;
	default:
		clang_visitChildren(n->cursor, closure_visit, x);
		scan_macros(x, node_range(x, n), n->start);
		break;
	}
	x->cur = NULL;
}

static void closure(struct ctx *x)
{
	size_t i;

	for (i = 0; i < x->nr_queue && !x->err; i++)
		walk_node(x, x->queue[i]);
}

static const char *const drop_words[] = {
	"static", "inline", "__inline", "__inline__", "__always_inline", NULL,
};

/*
 * A function whose name a macro makes from one of its arguments
 * (SYSCALL_DEFINE3(open, ...) makes __x64_sys_open): renaming the
 * argument makes the macro make the new name (__x64_sys_klpp_open), and
 * the invocation with the body that follows it is the patched text.
 */
static bool rename_macro_made(struct ctx *x, size_t f, struct node *n)
{
	struct klp_tu *tu = x->tu;
	const char *name = x->opts->functions[f];
	const struct expansion *e = NULL;
	struct node *body = n;
	unsigned int nt, k, best_off = 0;
	size_t i, best_len = 0;
	char *best = NULL, *new_name, *arg, *at;
	CXToken *toks;
	CXSourceRange r;

	for (i = 0; i < tu->nr_expansions && !e; i++)
		if (tu->expansions[i].start == n->start)
			e = &tu->expansions[i];
	if (!e)
		return false;
	r = clang_getRange(clang_getLocationForOffset(tu->tu, tu->main, e->start),
			   clang_getLocationForOffset(tu->tu, tu->main, e->end));
	clang_tokenize(tu->tu, r, &toks, &nt);
	/* The longest identifier argument in the name (the first of them). */
	for (k = 1; k < nt; k++) {
		CXString sp;
		const char *t;

		if (clang_getTokenKind(toks[k]) != CXToken_Identifier)
			continue;
		sp = clang_getTokenSpelling(tu->tu, toks[k]);
		t = clang_getCString(sp);
		if (strlen(t) > best_len && strstr(name, t)) {
			free(best);
			best = strdup(t);
			best_len = strlen(t);
			clang_getSpellingLocation(clang_getTokenLocation(tu->tu, toks[k]),
						  NULL, NULL, NULL, &best_off);
		}
		clang_disposeString(sp);
	}
	clang_disposeTokens(tu->tu, toks, nt);
	if (!best)
		return false;

	/* The name with the argument's part prefixed: the last match. */
	for (at = strstr(name, best); at && strstr(at + 1, best); at = strstr(at + 1, best))
		;
	if (asprintf(&new_name, "%.*s%s%s%s", (int)(at - name), name, x->prefix, best,
		     at + best_len) < 0 ||
	    asprintf(&arg, "%s%s", x->prefix, best) < 0) {
		free(best);
		nomem(x);
		return true;
	}
	free(best);
	free(x->new_names[f]);
	x->new_names[f] = new_name;
	if (strv_push_owned(x, arg)) {
		free(arg);
		return true;
	}
	add_edit(x, best_off, best_len, arg);

	/* The definitions the invocation makes; the one with the body ends last. */
	for (i = 0; i < tu->nr_nodes; i++)
		if (tu->nodes[i].start == n->start && tu->nodes[i].end > body->end)
			body = &tu->nodes[i];
	push_node(x, n, MARK_PATCHED);
	push_node(x, body, MARK_PATCHED);
	return true;
}

static enum CXChildVisitResult find_body(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_CompoundStmt) {
		*(CXCursor *)data = c;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Continue;
}

/*
 * Does the fix change lines of a patched function's signature (before its
 * body)?  ftrace sends every caller of the old function to the new one,
 * the callers the livepatch leaves alone too.
 */
static bool signature_changed(struct ctx *x, const struct node *n)
{
	CXCursor body = clang_getNullCursor();
	unsigned int off, last;
	size_t i;

	if (!x->opts->nr_added)
		return false;
	clang_visitChildren(n->cursor, find_body, &body);
	if (clang_Cursor_isNull(body) ||
	    !tu_in_main(x->tu, clang_getRangeStart(clang_getCursorExtent(body)), &off))
		return false;
	/* The line of the '{' is the body's; a signature ends before. */
	last = tu_line(x->tu, off);
	if (last <= n->line)
		return false;
	last--;
	for (i = 0; i < x->opts->nr_added; i++)
		if (x->opts->added[i].first <= last && x->opts->added[i].last >= n->line)
			break;
	if (i == x->opts->nr_added)
		return false;
	/* Changed lines: only the type counts, not an added noinline or optimize(). */
	if (x->opts->orig_signature) {
		char *old = x->opts->orig_signature(x->opts->orig_ctx, n->name);
		char *now = old ? klp_tu__signature(x->tu, n->name) : NULL;
		bool same = now && !strcmp(old, now);

		if (old && !now)
			nomem(x);
		free(old);
		free(now);
		return !same;
	}
	return true;
}

/* New functions other units of the fix call: roots of their own. */
static void mark_shared(struct ctx *x)
{
	size_t i, k;

	for (k = 0; k < x->opts->nr_shared_functions; k++) {
		const char *name = x->opts->shared_functions[k];
		bool found = false;

		for (i = 0; i < x->tu->nr_nodes && !found; i++) {
			struct node *n = &x->tu->nodes[i];
			unsigned int off;

			if (n->kind != CXCursor_FunctionDecl || strcmp(n->name, name) ||
			    !clang_isCursorDefinition(n->cursor) ||
			    !cursor_in_main(x, n->cursor, &off))
				continue;
			found = true;
			x->cur = n;
			copy_new_function(x, n->cursor, off, clang_getCursorLinkage(n->cursor), name);
			x->cur = NULL;
		}
		if (!found) {
			log_err("%s: error: no definition of '%s' in the unit\n", x->tu->display, name);
			x->errors++;
		}
	}
}

static void mark_patched(struct ctx *x)
{
	struct klp_tu *tu = x->tu;
	size_t f, i;

	for (f = 0; f < x->opts->nr_functions && !x->err; f++) {
		const char *name = x->opts->functions[f];
		struct node *n = NULL;
		CXSourceRange r;
		CXToken *toks;
		unsigned int nt, k, name_off;
		CXFile sp_file;

		for (i = 0; i < tu->nr_nodes; i++) {
			struct node *c = &tu->nodes[i];

			if (c->kind == CXCursor_FunctionDecl && !strcmp(c->name, name) &&
			    clang_isCursorDefinition(c->cursor)) {
				n = c;
				break;
			}
		}
		if (!n) {
			log_err("%s: error: no definition of '%s' in the unit\n",
				tu->display, name);
			x->errors++;
			continue;
		}
		if (prefix_has_word(x, n->cursor, init_words)) {
			ctx_error(x, n->line, "'%s' is __init/__exit code, freed after boot: "
				  "nothing to livepatch", name);
			continue;
		}
		if (clang_getCursorLinkage(n->cursor) == CXLinkage_Internal &&
		    x->o->callable && !x->o->callable(x->o->ctx, name)) {
			ctx_error(x, n->line, "'%s' has no callable symbol in the original %s "
				  "(inlined or only cloned): patch its callers instead "
				  "(klp-prep affected lists them)", name,
				  x->o->object ? x->o->object : "vmlinux");
			continue;
		}
		if (signature_changed(x, n)) {
			ctx_error(x, n->line, "the fix changes the signature of '%s': callers "
				  "the livepatch does not replace would call the new code the "
				  "old way; give the new function a new name in the fix", name);
			continue;
		}
		clang_getSpellingLocation(clang_getCursorLocation(n->cursor), &sp_file,
					  NULL, NULL, &name_off);
		if (!sp_file || !clang_File_isEqual(sp_file, tu->main) ||
		    strncmp(tu->text + name_off, name, strlen(name))) {
			if (!rename_macro_made(x, f, n))
				ctx_error(x, n->line, "cannot rename '%s': a macro makes its name, "
					  "and not from one of its arguments", name);
			continue;
		}
		push_node(x, n, MARK_PATCHED);
		add_edit(x, name_off, strlen(name), x->new_names[f]);

		/* The new function is global: drop static and inline. */
		r = clang_getRange(clang_getLocationForOffset(tu->tu, tu->main, n->start),
				   clang_getLocationForOffset(tu->tu, tu->main, name_off));
		clang_tokenize(tu->tu, r, &toks, &nt);
		for (k = 0; k < nt; k++) {
			CXString s = clang_getTokenSpelling(tu->tu, toks[k]);
			const char *t = clang_getCString(s);
			size_t w;

			for (w = 0; drop_words[w]; w++) {
				unsigned int off, len = strlen(t);

				if (strcmp(t, drop_words[w]))
					continue;
				clang_getSpellingLocation(clang_getTokenLocation(tu->tu, toks[k]),
							  NULL, NULL, NULL, &off);
				while (off + len < tu->size &&
				       (tu->text[off + len] == ' ' || tu->text[off + len] == '\t'))
					len++;
				add_edit(x, off, len, "");
			}
			clang_disposeString(s);
		}
		clang_disposeTokens(tu->tu, toks, nt);
	}
}

/*
 * The unit's #include lines stay: the copied code needs its headers.  Not
 * those inside a declaration (kernel/sched/core.c builds a table by
 * including "features.h" in an initializer): out of it they make no sense.
 */
static void mark_includes(struct ctx *x)
{
	struct klp_tu *tu = x->tu;
	size_t i, k;

	for (i = 0; i < tu->nr_nodes; i++) {
		struct node *n = &tu->nodes[i];
		bool inside = false;

		if (n->kind != CXCursor_InclusionDirective)
			continue;
		for (k = 0; k < tu->nr_nodes && !inside; k++) {
			const struct node *d = &tu->nodes[k];

			if (d->start > n->start)
				break;
			inside = d->kind != CXCursor_InclusionDirective &&
				 d->kind != CXCursor_MacroDefinition &&
				 d->start < n->start && n->start < d->end;
		}
		if (!inside)
			push_node(x, n, MARK_INCLUDE);
	}
}

/*
 * Macros the unit defines before one of its #includes configure that
 * header (INCLUDE_VERMAGIC for linux/vermagic.h, DEBUG, pr_fmt): they
 * stay, so the headers read as they did.  Not CREATE_TRACE_POINTS: the
 * tracepoints are vmlinux's, a livepatch must not define them again.
 */
static void mark_config_macros(struct ctx *x)
{
	static const char *const never[] = { "CREATE_TRACE_POINTS", NULL };
	struct klp_tu *tu = x->tu;
	unsigned int last_include = 0;
	size_t i, k;

	for (i = 0; i < tu->nr_nodes; i++)
		if (x->mark[i] == MARK_INCLUDE && tu->nodes[i].start > last_include)
			last_include = tu->nodes[i].start;
	for (i = 0; i < tu->nr_nodes; i++) {
		struct node *n = &tu->nodes[i];
		bool skip = false;

		if (n->kind != CXCursor_MacroDefinition || n->start >= last_include)
			continue;
		for (k = 0; never[k] && !skip; k++)
			skip = !strcmp(n->name, never[k]);
		if (!skip)
			push_node(x, n, MARK_MACRO);
	}
}

/* Output */

struct piece {
	unsigned int start, end;	/* text range; start == end: extern */
	enum mark mark;
	size_t node;			/* or extern index */
	bool is_extern;
	int rank;			/* at one offset: early externs, text,
					 * then the others (after a type they
					 * need, "struct s {...} v;") */
};

static int cmp_piece(const void *a, const void *b)
{
	const struct piece *p = a, *q = b;

	if (p->start != q->start)
		return p->start < q->start ? -1 : 1;
	if (p->rank != q->rank)
		return p->rank < q->rank ? -1 : 1;
	return p->node < q->node ? -1 : p->node > q->node;
}

static int cmp_edit(const void *a, const void *b)
{
	const struct edit *p = a, *q = b;

	return p->offset < q->offset ? -1 : p->offset > q->offset;
}

static enum klp_item_kind item_kind(enum mark m)
{
	switch (m) {
	case MARK_INCLUDE:
		return KLP_ITEM_INCLUDE;
	case MARK_MACRO:
		return KLP_ITEM_MACRO;
	case MARK_DECL:
		return KLP_ITEM_DECL;
	case MARK_TYPE:
		return KLP_ITEM_TYPE;
	case MARK_DATA:
		return KLP_ITEM_DATA;
	case MARK_FUNC:
		return KLP_ITEM_FUNC;
	default:
		return KLP_ITEM_PATCHED;
	}
}

/* The text of [start, end) with the edits applied. */
static char *edited_text(struct ctx *x, unsigned int start, unsigned int end,
			 bool want_semicolon)
{
	const char *t = x->tu->text;
	size_t cap = (end - start) + 64, len = 0, i;
	unsigned int pos = start;
	char *out = malloc(cap);

	if (!out)
		return NULL;
#define APPEND(s, n)							\
	do {								\
		size_t n_ = (n);					\
		if (len + n_ + 2 > cap) {				\
			char *o_ = realloc(out, cap = (len + n_ + 2) * 2); \
			if (!o_) {					\
				free(out);				\
				return NULL;				\
			}						\
			out = o_;					\
		}							\
		memcpy(out + len, (s), n_);				\
		len += n_;						\
	} while (0)
	for (i = 0; i < x->nr_edits; i++) {
		const struct edit *e = &x->edits[i];

		if (e->offset < pos || e->offset >= end)
			continue;
		APPEND(t + pos, e->offset - pos);
		APPEND(e->repl, strlen(e->repl));
		pos = e->offset + e->len;
	}
	if (pos < end)
		APPEND(t + pos, end - pos);
	while (len && (out[len - 1] == ' ' || out[len - 1] == '\t' || out[len - 1] == '\n'))
		len--;
	if (want_semicolon && (!len || out[len - 1] != ';'))
		APPEND(";", 1);
#undef APPEND
	out[len] = '\0';
	return out;
}

static int push_item(struct klp_extract *ex, enum klp_item_kind kind,
		     const char *name, char *text, unsigned int line,
		     struct klp_extern *ext)
{
	struct klp_item *it = realloc(ex->items, (ex->nr_items + 1) * sizeof(*it));

	if (!it) {
		free(text);
		return -ENOMEM;
	}
	ex->items = it;
	it = &ex->items[ex->nr_items++];
	it->kind = kind;
	it->name = strdup(name ? name : "");
	it->text = text;
	it->line = line;
	it->ext = ext;
	return it->name ? 0 : -ENOMEM;
}

/* Extend a declaration's range over the ';' that ends it. */
static unsigned int semicolon_end(const struct klp_tu *tu, unsigned int end)
{
	unsigned int p = end;

	while (p < tu->size && (tu->text[p] == ' ' || tu->text[p] == '\t'))
		p++;
	return p < tu->size && tu->text[p] == ';' ? p + 1 : end;
}

static void emit_items(struct ctx *x)
{
	struct klp_tu *tu = x->tu;
	struct piece *p;
	size_t nr = 0, i, j;

	p = calloc(tu->nr_nodes + x->ex->nr_externs + 1, sizeof(*p));
	if (!p) {
		nomem(x);
		return;
	}
	for (i = 0; i < tu->nr_nodes; i++) {
		struct node *n = &tu->nodes[i];
		enum mark m = x->mark[i];

		if (m == MARK_NONE)
			continue;
		p[nr].mark = m;
		p[nr].node = i;
		p[nr].rank = 1;
		p[nr].start = n->start;
		p[nr].end = n->end;
		if (m == MARK_MACRO || m == MARK_INCLUDE)
			p[nr].start = tu_line_start(tu, n->start);
		else if (!(n->kind == CXCursor_FunctionDecl &&
			   clang_isCursorDefinition(n->cursor)))
			p[nr].end = semicolon_end(tu, n->end);
		nr++;
	}
	for (i = 0; i < x->ex->nr_externs; i++) {
		if (x->ex->externs[i].static_local)
			continue;	/* declared in place */
		p[nr].is_extern = true;
		p[nr].rank = x->ext_early[i] ? 0 : 2;
		p[nr].node = i;
		p[nr].start = p[nr].end = x->ext_offset[i];
		nr++;
	}
	if (nr)
		qsort(p, nr, sizeof(*p), cmp_piece);
	if (x->nr_edits)
		qsort(x->edits, x->nr_edits, sizeof(*x->edits), cmp_edit);

	for (i = 0; i < nr && !x->err; i = j) {
		struct piece cur = p[i];
		const struct node *n;
		char *text;

		if (cur.is_extern) {
			struct klp_extern *e = &x->ex->externs[cur.node];

			if (push_item(x->ex, KLP_ITEM_EXTERN, e->name, NULL,
				      tu_line(tu, cur.start), e))
				nomem(x);
			j = i + 1;
			continue;
		}
		/* Merge what overlaps ("struct s {...} v;" is two nodes). */
		for (j = i + 1; j < nr && !p[j].is_extern && p[j].start < cur.end; j++) {
			if (p[j].end > cur.end)
				cur.end = p[j].end;
			if (p[j].mark > cur.mark) {
				cur.mark = p[j].mark;
				cur.node = p[j].node;
			}
		}
		n = &tu->nodes[cur.node];
		text = edited_text(x, cur.start, cur.end,
				   cur.mark == MARK_TYPE || cur.mark == MARK_DECL ||
				   cur.mark == MARK_DATA);
		if (!text || push_item(x->ex, item_kind(cur.mark), n->name, text,
				       tu_line(tu, cur.start), NULL))
			nomem(x);
	}
	free(p);
}

/* Tag types ("struct x") in @spelling, for forward declarations. */
static void collect_tags(struct ctx *x, const char *spelling)
{
	static const char *const kw[] = { "struct ", "union ", NULL };
	size_t k, i;

	for (k = 0; kw[k]; k++) {
		const char *s = spelling;

		while ((s = strstr(s, kw[k]))) {
			const char *b = s + strlen(kw[k]), *e = b;
			char *tag, **tags;

			if (s != spelling && (s[-1] == '_' || (s[-1] >= 'a' && s[-1] <= 'z'))) {
				s = b;
				continue;
			}
			while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') ||
			       (*e >= '0' && *e <= '9') || *e == '_')
				e++;
			if (e == b) {
				s = b;
				continue;
			}
			if (asprintf(&tag, "%.*s%.*s", (int)strlen(kw[k]), kw[k],
				     (int)(e - b), b) < 0) {
				nomem(x);
				return;
			}
			for (i = 0; i < x->ex->nr_tags; i++)
				if (!strcmp(x->ex->tags[i], tag))
					break;
			if (i < x->ex->nr_tags) {
				free(tag);
			} else {
				tags = realloc(x->ex->tags, (x->ex->nr_tags + 1) * sizeof(*tags));
				if (!tags) {
					free(tag);
					nomem(x);
					return;
				}
				x->ex->tags = tags;
				tags[x->ex->nr_tags++] = tag;
			}
			s = e;
		}
	}
}

/*
 * A declarator "TYPE name" from a canonical type spelling: function
 * pointers and arrays go through __typeof__, enums become their integer
 * type (compatible, and declarable without the enum's definition).
 */
static char *declarator(struct ctx *x, CXType t, const char *name)
{
	CXType canon = clang_getCanonicalType(t);
	char *sp, *out;
	int r;

	if (canon.kind == CXType_Enum)
		canon = clang_getEnumDeclIntegerType(clang_getTypeDeclaration(canon));
	sp = cx_strdup(clang_getTypeSpelling(canon));
	if (!sp)
		return NULL;
	/* va_list: the compiler's own type, which no tag can declare. */
	if (!strcmp(sp, "struct __va_list_tag[1]") || !strcmp(sp, "struct __va_list_tag *") ||
	    !strcmp(sp, "struct __va_list_tag (*)[1]")) {
		const char *va = sp[strlen(sp) - 1] == ']' && strchr(sp, '*') ?
				 "__builtin_va_list *" : "__builtin_va_list";

		free(sp);
		sp = strdup(va);
		if (!sp)
			return NULL;
	}
	if (!type_is_nameable(sp)) {
		free(sp);
		return strdup("");
	}
	collect_tags(x, sp);
	if (strchr(sp, '(') || strchr(sp, '['))
		r = asprintf(&out, "__typeof__(%s)%s%s", sp, *name ? " " : "", name);
	else if (sp[strlen(sp) - 1] == '*')
		r = asprintf(&out, "%s%s", sp, name);
	else
		r = asprintf(&out, "%s%s%s", sp, *name ? " " : "", name);
	free(sp);
	return r < 0 ? NULL : out;
}

static char *prototype(struct ctx *x, CXCursor fn, const char *new_name,
		       unsigned int line)
{
	CXType t = clang_getCursorType(fn);
	int nargs = clang_Cursor_getNumArguments(fn), i;
	char *head, *out = NULL;
	size_t len;

	head = declarator(x, clang_getResultType(t), new_name);
	if (!head)
		return NULL;
	if (!*head)
		goto unnameable;
	len = strlen(head) + 2;
	out = malloc(len);
	if (!out) {
		free(head);
		return NULL;
	}
	snprintf(out, len, "%s(", head);
	free(head);
	for (i = 0; i < nargs; i++) {
		CXCursor a = clang_Cursor_getArgument(fn, i);
		char *an = cx_strdup(clang_getCursorSpelling(a));
		char *d = an ? declarator(x, clang_getCursorType(a), an) : NULL;
		char *o;

		free(an);
		if (!d) {
			free(out);
			return NULL;
		}
		if (!*d) {
			free(d);
			free(out);
			goto unnameable;
		}
		len = strlen(out) + strlen(d) + 3;
		o = realloc(out, len);
		if (!o) {
			free(d);
			free(out);
			return NULL;
		}
		out = o;
		strcat(out, i ? ", " : "");
		strcat(out, d);
		free(d);
	}
	{
		const char *tail = nargs <= 0 ? "void)" :
				   clang_isFunctionTypeVariadic(t) ? ", ...)" : ")";
		char *o = realloc(out, strlen(out) + strlen(tail) + 1);

		if (!o) {
			free(out);
			return NULL;
		}
		out = o;
		strcat(out, tail);
	}
	return out;
unnameable:
	ctx_error(x, line, "cannot write a prototype of '%s': a parameter or the result "
		  "has an unnamed type", new_name);
	return strdup("");
}

static void emit_patched(struct ctx *x)
{
	struct klp_tu *tu = x->tu;
	size_t f, i;

	x->ex->patched = calloc(x->opts->nr_functions + 1, sizeof(*x->ex->patched));
	if (!x->ex->patched) {
		nomem(x);
		return;
	}
	for (f = 0; f < x->opts->nr_functions && !x->err; f++) {
		struct klp_patched *p = &x->ex->patched[x->ex->nr_patched];

		for (i = 0; i < tu->nr_nodes; i++)
			if (x->mark[i] == MARK_PATCHED &&
			    !strcmp(tu->nodes[i].name, x->opts->functions[f]))
				break;
		if (i == tu->nr_nodes)
			continue;
		p->name = strdup(x->opts->functions[f]);
		p->new_name = strdup(x->new_names[f]);
		p->line = tu->nodes[i].line;
		p->prototype = prototype(x, tu->nodes[i].cursor, x->new_names[f], p->line);
		x->ex->nr_patched++;
		if (!p->name || !p->new_name || !p->prototype)
			nomem(x);
	}
}

int klp_tu__extract(struct klp_tu *tu, const struct klp_extract_opts *opts,
		    struct klp_extract **out)
{
	struct ctx x = {
		.tu = tu,
		.opts = opts,
		.o = opts->oracle ? opts->oracle : &default_oracle,
		.prefix = opts->prefix ? opts->prefix : "klpp_",
	};
	size_t i;
	int err;

	*out = NULL;
	x.ex = calloc(1, sizeof(*x.ex));
	x.mark = calloc(tu->nr_nodes + 1, 1);
	x.new_names = calloc(opts->nr_functions + 1, sizeof(*x.new_names));
	if (!x.ex || !x.mark || !x.new_names) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < opts->nr_functions; i++)
		if ((opts->new_names && opts->new_names[i] ?
		     asprintf(&x.new_names[i], "%s", opts->new_names[i]) :
		     asprintf(&x.new_names[i], "%s%s", x.prefix, opts->functions[i])) < 0) {
			x.new_names[i] = NULL;
			err = -ENOMEM;
			goto out;
		}

	mark_patched(&x);
	mark_shared(&x);
	mark_includes(&x);
	mark_config_macros(&x);
	closure(&x);
	emit_items(&x);
	emit_patched(&x);

	err = x.err;
	if (!err && x.errors) {
		log_err("%s: error: %u problem%s: no livepatch source for this unit\n",
			tu->display, x.errors, x.errors == 1 ? "" : "s");
		err = -EINVAL;
	}
out:
	for (i = 0; x.new_names && i < opts->nr_functions; i++)
		free(x.new_names[i]);
	free(x.new_names);
	free(x.mark);
	free(x.queue);
	free(x.edits);
	free(x.ext_offset);
	free(x.ext_early);
	klp_strv_free(x.owned, x.nr_owned);
	strset_free(&x.walked);
	strset_free(&x.macros_seen);
	if (err) {
		klp_extract__free(x.ex);
		return err;
	}
	*out = x.ex;
	return 0;
}

void klp_extract__free(struct klp_extract *ex)
{
	size_t i;

	if (!ex)
		return;
	for (i = 0; i < ex->nr_items; i++) {
		free(ex->items[i].name);
		free(ex->items[i].text);
	}
	free(ex->items);
	for (i = 0; i < ex->nr_patched; i++) {
		free(ex->patched[i].name);
		free(ex->patched[i].new_name);
		free(ex->patched[i].prototype);
	}
	free(ex->patched);
	for (i = 0; i < ex->nr_externs; i++) {
		free(ex->externs[i].name);
		free(ex->externs[i].symbol);
		free(ex->externs[i].type);
		free(ex->externs[i].object);
	}
	free(ex->externs);
	klp_strv_free(ex->tags, ex->nr_tags);
	klp_strv_free(ex->cflags, ex->nr_cflags);
	free(ex);
}
