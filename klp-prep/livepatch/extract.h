/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * extract.h - cut the functions to patch, and what they need, out of a
 * patched compilation unit (libclang)
 *
 * The result is a livepatch's view of one unit: the unit's own #include
 * lines, the patched functions renamed (prefix "klpp_" by default), and
 * the closure of what they need that lives in the unit's .c file itself:
 *
 *   - types (struct, union, enum, typedef) defined in the .c file;
 *   - macros defined in the .c file, found through the tokens of what is
 *     copied and through the bodies of the header macros those use (so
 *     the .c file's pr_fmt follows pr_info);
 *   - static functions (inline or not) that the original object has no
 *     callable symbol for (inlined away, or only ABI-changed clones such
 *     as foo.isra.0): copied, recursively;
 *   - everything else of the running kernel is referenced, never copied:
 *     exported symbols directly, the others ("externalized": static
 *     functions and variables of the unit, non-exported globals) through
 *     the livepatch relocation format, by a declaration whose assembler
 *     name is ".klp.sym.OBJ.NAME,POS" (see generate.h for the post-link).
 *
 * Per-CPU variables are externalized too, declared as DECLARE_PER_CPU()
 * does.  Everything declared in headers stays behind the unit's
 * #includes.  What cannot be done safely is refused with a "file:line:
 * error:" message: references to __init/__exit code and data, a data
 * symbol the original does not have, a static local of a copied function
 * that the original's symbols cannot tell (static locals the original has
 * are declared in place as the original's, constant ones it folded away
 * stay as they are).
 */
#ifndef KLP_PREP_EXTRACT_H
#define KLP_PREP_EXTRACT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "diff.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What the original build knows, asked by the extraction.  NULL
 * callbacks answer as noted.  @name is the name in the source.
 */
struct klp_symbol_oracle {
	void *ctx;
	/* The object the unit was linked into: "vmlinux" or a module. */
	const char *object;
	/*
	 * Does static function @name of the unit exist in the original
	 * object as a callable symbol with its source ABI (not only as
	 * inlined copies or clones)?  NULL: yes unless declared inline.
	 */
	bool (*callable)(void *ctx, const char *name);
	/* Does static variable @name of the unit have a symbol?  NULL: yes. */
	bool (*has_data)(void *ctx, const char *name);
	/* Is @name exported to modules?  NULL: no. */
	bool (*exported)(void *ctx, const char *name);
	/*
	 * The object and the position (0 when unique) of @name as the
	 * livepatch core counts (kallsyms order within the object); @local:
	 * the unit's own static symbol.  Returns 0, or -ENOENT / -EEXIST
	 * after logging why.  NULL: @object, position 0.
	 */
	int (*locate)(void *ctx, const char *name, bool local,
		      const char **object, unsigned long *pos);
	/*
	 * The symbol of static local @var of function @func in the original
	 * (GCC names it "var.N"), with its object and position.  Returns 0,
	 * -ENOENT (it has none: folded away), -EEXIST (several candidates,
	 * named in *@symbol).  NULL: static locals are refused.
	 */
	int (*static_local)(void *ctx, const char *func, const char *var,
			    const char **symbol, const char **object,
			    unsigned long *pos);
};

/* A file the parse sees with other contents than on disk: a patched header. */
struct klp_unsaved_file {
	const char *path;		/* absolute, as the includes find it */
	const char *contents;
	size_t size;
};

struct klp_parse_opts {
	const char *file;		/* the unit's source, absolute */
	const char *display_name;	/* for messages and output, e.g.
					 * "fs/proc/cmdline.c"; NULL: @file */
	const char *const *argv;	/* filtered flags (compdb.h) */
	int argc;
	const char *contents;		/* the patched text, or NULL: the
					 * file as it is on disk */
	size_t size;
	const struct klp_unsaved_file *headers;	/* the fix's headers, patched */
	size_t nr_headers;
};

struct klp_tu;

/*
 * Parse a unit.  Errors of the parse are printed with their locations;
 * errors in the unit's own file fail it (-EINVAL), errors only in
 * headers are warnings.  Returns 0, -EINVAL, -ENOMEM.
 */
int klp_tu__parse(const struct klp_parse_opts *opts, struct klp_tu **tu);
void klp_tu__free(struct klp_tu *tu);

/*
 * The function definitions of the unit that overlap any of @ranges
 * (lines of the parsed text), in source order, as a malloc'd array of
 * malloc'd names (free with klp_strv_free()).
 */
int klp_tu__functions_in(struct klp_tu *tu, const struct klp_line_range *ranges,
			 size_t nr_ranges, char ***names, size_t *nr_names);
void klp_strv_free(char **v, size_t n);

/*
 * The signature of function @name as its callers see it: the canonical
 * type of its definition in @tu ("long (struct tty_struct *, int, ...)",
 * calling-convention attributes included) and its calling convention.
 * Attributes of the function itself (noinline, optimize, cold, section)
 * are not part of it.  malloc'd; NULL if @tu does not define @name, or
 * with errno ENOMEM.
 */
char *klp_tu__signature(struct klp_tu *tu, const char *name);

/*
 * A definition other than a function's that a fix touches: what a
 * livepatch cannot replace (the running kernel keeps its data and every
 * unchanged function its idea of a type's layout).
 */
enum klp_data_kind {
	KLP_DATA_RECORD,	/* struct or union definition */
	KLP_DATA_VARIABLE,	/* file-scope variable (global or static) */
};

struct klp_data_decl {
	enum klp_data_kind kind;
	char *name;		/* "" for an anonymous struct or union */
	const char *tag;	/* "struct", "union", "static", "global" */
	unsigned int first, last;	/* lines of the parsed text */
};

/*
 * The struct/union definitions and file-scope variable declarations of
 * the unit's own file that overlap any of @ranges, in source order.
 * *@decls is malloc'd; free with klp_data_decls_free().
 */
int klp_tu__data_in(struct klp_tu *tu, const struct klp_line_range *ranges,
		    size_t nr_ranges, struct klp_data_decl **decls,
		    size_t *nr_decls);
void klp_data_decls_free(struct klp_data_decl *decls, size_t n);

/* What an extracted piece of text is. */
enum klp_item_kind {
	KLP_ITEM_INCLUDE,	/* an #include line of the unit */
	KLP_ITEM_MACRO,		/* a #define of the unit */
	KLP_ITEM_TYPE,		/* struct/union/enum/typedef */
	KLP_ITEM_DECL,		/* a forward declaration of a copied function */
	KLP_ITEM_FUNC,		/* a copied static function, unchanged, or
				 * one new in the fix (made static) */
	KLP_ITEM_DATA,		/* a copied const variable the original lacks */
	KLP_ITEM_EXTERN,	/* an externalized symbol (no text) */
	KLP_ITEM_PATCHED,	/* a patched function, renamed */
};

struct klp_extern {
	char *name;		/* in the source */
	char *symbol;		/* in the object: the name, or "var.N" for a
				 * static local */
	char *type;		/* for __typeof__(): a type, or the name itself
				 * when a header declares it */
	char *object;		/* "vmlinux" or a module */
	unsigned long pos;	/* as the livepatch core counts; 0: unique */
	bool is_func;
	bool local;		/* static in the unit */
	bool per_cpu;		/* a per-CPU variable with @type spelled:
				 * declared as DECLARE_PER_CPU() does */
	bool static_local;	/* a function's static: declared in place
				 * (see klp_extract_opts.spell_extern) */
	unsigned int line;	/* first use */
};

struct klp_item {
	enum klp_item_kind kind;
	char *name;		/* the declared name ("" for an #include) */
	char *text;		/* source text, edits applied; NULL for EXTERN */
	unsigned int line;	/* in the parsed text */
	struct klp_extern *ext;	/* KLP_ITEM_EXTERN: into extract->externs */
};

struct klp_patched {
	char *name;		/* old name */
	char *new_name;		/* prefix + name */
	char *prototype;	/* "int klpp_foo(struct seq_file *m, void *v)",
				 * canonical types, for a shared header */
	unsigned int line;
};

struct klp_extract {
	struct klp_item *items;		/* in source order */
	size_t nr_items;
	struct klp_patched *patched;	/* in the order asked */
	size_t nr_patched;
	struct klp_extern *externs;	/* by name */
	size_t nr_externs;
	char **tags;			/* "struct seq_file", for forward
					 * declarations of the prototypes */
	size_t nr_tags;
	char **cflags;			/* the unit's own -D/-I beyond the
					 * kernel's, for Kbuild; not filled here */
	size_t nr_cflags;
};

struct klp_extract_opts {
	const char *prefix;			/* NULL: "klpp_" */
	const char *const *functions;		/* the functions to patch */
	size_t nr_functions;
	/*
	 * Their new names, parallel to @functions; NULL (or a NULL entry):
	 * prefix + name.  For names that must differ, e.g. two units'
	 * static functions of one name patched together.
	 */
	const char *const *new_names;
	const struct klp_symbol_oracle *oracle;	/* NULL: defaults above */
	/*
	 * The text of an externalized declaration that replaces a static
	 * local's in a copied function (the caller's template); malloc'd.
	 * NULL: static locals are refused.
	 */
	char *(*spell_extern)(void *ctx, const struct klp_extern *e);
	void *spell_ctx;
	/*
	 * Lines the fix added (the diff's new side): a static local declared
	 * there is new, has no original, and stays the module's own.
	 */
	const struct klp_line_range *added;
	size_t nr_added;
	/*
	 * The signature (klp_tu__signature()) of @name in the original
	 * unit, malloc'd, or NULL.  A fix that touches the lines of a
	 * patched function's signature is refused unless this says the
	 * signature is the same.  NULL callback: always refused.
	 */
	char *(*orig_signature)(void *ctx, const char *name);
	void *orig_ctx;
	/*
	 * Functions the fix adds (defined in the patched unit, not in the
	 * original): nothing in the running kernel to replace or to call.
	 * One a copied function calls is copied as the module's own, with
	 * what it needs, and made static if it is not (a note says so).
	 */
	const char *const *new_functions;
	size_t nr_new_functions;
	/*
	 * Those of @new_functions that other units of the fix call: copied
	 * whether or not this unit's patched code calls them, global and
	 * named as the fix names them, for those units' parts to link to.
	 */
	const char *const *shared_functions;
	size_t nr_shared_functions;
};

/*
 * Extract @opts->functions from @tu.  Every problem is logged as
 * "file:line: error: ..."; after all of them, returns -EINVAL (an
 * unknown function, or something that cannot be livepatched safely),
 * or 0 with *@out filled.  -ENOMEM.
 */
int klp_tu__extract(struct klp_tu *tu, const struct klp_extract_opts *opts,
		    struct klp_extract **out);
void klp_extract__free(struct klp_extract *ex);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_EXTRACT_H */
