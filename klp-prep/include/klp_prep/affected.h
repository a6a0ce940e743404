/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * affected.h - which functions a livepatch must replace when some change
 *
 * Given the partition records of every unit of the original build, grouped
 * by the object they were linked into (vmlinux or a module), and the
 * functions whose source changed, compute the closed set of functions to
 * patch: the changed ones that exist as replaceable symbols, the callers
 * that inlined them (through bodies that were never emitted), the callers
 * of their ABI-changed clones (.isra/.constprop/.part), recursively.  Each
 * patched function carries its old_sympos as the livepatch core counts it,
 * the reasons that put it there, and the subfunctions that must become
 * stack_only entries: its own .cold part, the abandoned clones of changed
 * functions it calls (and their .cold parts), .part bodies it calls.
 *
 * The rules, and why (docs/json-schema.md has the output):
 *
 *  - A body is "dirty" when its code changes: its origin changed, or it
 *    holds an inlined copy of a changed origin, or it calls a dirty clone
 *    (the clone's ABI may change, so the call sites are recompiled).
 *  - A dirty emitted plain body is patched: ftrace redirects its entry.
 *  - A dirty clone (.isra/.constprop/.part, other clones) cannot be made
 *    from source with the same ABI: its callers (CALL records) are dirty
 *    instead, and the clone is a stack_only subfunction of each patched
 *    caller (old code a task may still be running, tail calls above all).
 *  - A dirty body never emitted, or one that inlined changed code early
 *    (KLP_INLINE_F_EARLY: later copies of it carry that code without a
 *    record of their own), makes its origin dirty in its unit: every body
 *    that inlined it, and every clone of it, is dirty too.
 *  - All propagation is unit-local (clones are local symbols); a changed
 *    function is matched in every unit that has code of it (header
 *    inlines), in every object.
 *  - Patched functions that have no fentry hook (KLP_FUNC_F_FENTRY unset,
 *    notrace), or live in .init.text/.exit.text/.noinstr.text (or other
 *    .init/.exit sections), cannot be patched safely; neither can a dirty
 *    clone without recorded callers.  They are reported with the reason.
 *
 * Strings in the results point into the units passed in (and into the
 * klp_affected itself): keep the units alive until klp_affected__free().
 */
#ifndef KLP_PREP_AFFECTED_H
#define KLP_PREP_AFFECTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klp_prep/export.h>
#include <klp_prep/records.h>

#ifdef __cplusplus
extern "C" {
#endif

struct klp_affected;

/* How the livepatch core orders same-named symbols of an object. */
enum klp_affected_object_kind {
	/*
	 * vmlinux: kallsyms_on_each_match_symbol() walks the names sorted by
	 * scripts/kallsyms.c's compare_names(): equal names by address, then
	 * by `nm -n` order.
	 */
	KLP_AFFECTED_VMLINUX,
	/*
	 * A module: module_kallsyms_on_each_symbol() walks the module's
	 * .symtab in file order, skipping undefined symbols.
	 */
	KLP_AFFECTED_MODULE,
};

/* Where the records came from: what the closure can know. */
enum klp_affected_source {
	KLP_AFFECTED_FROM_PLUGIN,	/* .klp_prep.partition records */
	/*
	 * -fdump-ipa-clones: no .cold parts, no calls to clones, the
	 * immediate caller of each inline only; every inline propagates
	 * through its caller's origin, as an early one does.
	 */
	KLP_AFFECTED_FROM_IPA_CLONES,
};

KLP_API struct klp_affected *klp_affected__new(void);
KLP_API void klp_affected__free(struct klp_affected *a);

/*
 * Add an object (vmlinux or a module, named as the livepatch core names
 * it: "vmlinux", or the module name with '-' as '_'): its units, in link
 * order.  Returns the object's index (>= 0) or -errno.
 */
KLP_API int klp_affected__add_object(struct klp_affected *a, const char *name,
				     enum klp_affected_object_kind kind,
				     enum klp_affected_source source,
				     const struct klp_unit *const *units,
				     size_t nr_units);

/*
 * Add one symbol of object @obj, in .symtab order, for old_sympos: @unit
 * is the index of the unit whose local symbol it is (its STT_FILE group),
 * -1 for a global symbol or one of no known unit, -2 for a local symbol of
 * a unit that was not added (counted, never taken as the unit's own).  Without symbols the
 * positions are counted from the records (emitted FUNCs, in unit order)
 * and flagged as estimates.
 */
KLP_API int klp_affected__add_symbol(struct klp_affected *a, int obj,
				     const char *name, uint64_t value,
				     int unit);

/*
 * Mark changed functions.  @spec is "NAME" or "FILE:NAME" (FILE matches a
 * record's file by whole trailing path components, so "x.c:foo" and
 * "fs/x.c:foo" both match "fs/x.c").  An unqualified name defined in
 * several files is ambiguous: -EINVAL, with the candidates logged.  No
 * match at all is -ENOENT.
 */
KLP_API int klp_affected__change_function(struct klp_affected *a,
					  const char *spec);

/*
 * Mark the functions of @file whose definition overlaps lines
 * @first..@last (ORIGIN line..end_line).  Origins without an end_line
 * match when the range starts inside the span up to the next function
 * of the file.  No function there: -ENOENT, not logged (the caller
 * knows what the lines were).
 */
KLP_API int klp_affected__change_lines(struct klp_affected *a,
				       const char *file, unsigned int first,
				       unsigned int last);

/* Parse "FILE:FIRST-LAST" (or "FILE:LINE") and call the above. */
KLP_API int klp_affected__change_lines_spec(struct klp_affected *a,
					    const char *spec);

/* Compute the closure.  Returns 0 or -errno (-ENOMEM). */
KLP_API int klp_affected__compute(struct klp_affected *a);

/* ---- results ---------------------------------------------------------- */

enum klp_affected_reason_kind {
	KLP_REASON_CHANGED,	/* its origin is one of the changed functions */
	KLP_REASON_INLINES,	/* holds an inlined copy of a dirty origin */
	KLP_REASON_CALLS,	/* calls a dirty clone */
	KLP_REASON_CLONE_OF,	/* a body of a dirty origin (clone or not) */
};

struct klp_affected_node;

struct klp_affected_reason {
	enum klp_affected_reason_kind kind;
	/*
	 * INLINES: the inlined origin's name; CALLS: the clone's symbol;
	 * CLONE_OF and CHANGED: the origin's name.
	 */
	const char *what;
	/*
	 * INLINES: the chain from the outermost copy inward, e.g.
	 * "bar (x.c:200) > foo (x.c:120)" when foo came in through bar;
	 * NULL when the copy is directly in the body.
	 */
	const char *via;
	const char *file;		/* call site, or the definition */
	unsigned int line;
	unsigned int flags;		/* KLP_INLINE_F_* or KLP_CALL_F_* */
	/* The dirty node this follows from; NULL for CHANGED. */
	const struct klp_affected_node *from;
};

enum klp_affected_node_state {
	KLP_NODE_PATCH,		/* replaced by the livepatch */
	KLP_NODE_CLONE,		/* dirty clone: its callers are patched */
	KLP_NODE_INLINED,	/* dirty, not emitted: its inliners are patched */
	KLP_NODE_UNPATCHABLE,	/* dirty, cannot be patched safely */
};

enum klp_subfunc_kind {
	KLP_SUBFUNC_COLD,		/* the patched function's own .cold */
	KLP_SUBFUNC_CLONE,		/* an abandoned clone it calls */
	KLP_SUBFUNC_CLONE_COLD,		/* that clone's .cold */
	KLP_SUBFUNC_PART,		/* a .part body it calls */
};

struct klp_affected_subfunc {
	enum klp_subfunc_kind kind;
	const char *symbol;
	unsigned long sympos;
	bool tail;			/* reached by a tail call */
	const char *parent;		/* the body whose part it is */
};

struct klp_affected_node {
	enum klp_affected_node_state state;
	const char *symbol;		/* FUNC symbol (for PATCH: as the kernel sees it) */
	const char *object;		/* "vmlinux" or the module name */
	const char *unit;		/* the unit's source file */
	const char *origin;		/* the source function's name */
	const char *file;		/* its definition */
	unsigned int line;
	const char *section;
	unsigned long sympos;		/* old_sympos: 0 = unique */
	bool sympos_estimated;		/* no symbol table: from the records */
	const char *unpatchable;	/* why, for KLP_NODE_UNPATCHABLE */

	const struct klp_affected_reason *reasons;	/* first = primary */
	size_t nr_reasons;

	const struct klp_affected_subfunc *subfuncs;	/* stack_only */
	size_t nr_subfuncs;
};

/* Every dirty node, in the order found (breadth-first from the changes). */
KLP_API size_t klp_affected__nr_nodes(const struct klp_affected *a);
KLP_API const struct klp_affected_node *
klp_affected__node(const struct klp_affected *a, size_t i);

/* Counts of nodes in each state. */
KLP_API size_t klp_affected__count(const struct klp_affected *a,
				   enum klp_affected_node_state state);

/* The changes as matched: "name (file:line-end)" strings. */
KLP_API size_t klp_affected__nr_changes(const struct klp_affected *a);
KLP_API const char *klp_affected__change(const struct klp_affected *a,
					 size_t i);

/*
 * Warnings about what the inputs could not tell (sympos estimated, a
 * changed function with no code in the build, ipa-clones limits).
 */
KLP_API size_t klp_affected__nr_notes(const struct klp_affected *a);
KLP_API const char *klp_affected__note(const struct klp_affected *a,
				       size_t i);

KLP_API const char *klp_reason_kind_name(enum klp_affected_reason_kind kind);
KLP_API const char *klp_node_state_name(enum klp_affected_node_state state);
KLP_API const char *klp_subfunc_kind_name(enum klp_subfunc_kind kind);

/* "bar: inlines foo (fs/x.c:120)" into @buf; returns @buf. */
KLP_API char *klp_affected_reason__format(const struct klp_affected_node *n,
					  const struct klp_affected_reason *r,
					  char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_AFFECTED_H */
