/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.h - hold an object's records against its symbols and DWARF
 *
 * The records claim what GCC did; the symbol table and the debug info show
 * what came out.  A disagreement means the plugin missed or misnamed
 * something (or the file was post-processed), and anything built on the
 * records (klp-prep affected) would be wrong for that function.
 */
#ifndef KLP_PREP_CHECK_H
#define KLP_PREP_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <klp_prep/export.h>
#include <klp_prep/object.h>

#ifdef __cplusplus
extern "C" {
#endif

enum klp_check_source {
	KLP_CHECK_SYMTAB,		/* records against .symtab */
	KLP_CHECK_DWARF,		/* records against DWARF */
};

struct klp_mismatch {
	enum klp_check_source source;
	const char *symbol;		/* the symbol or record's symbol */
	const char *unit;		/* the unit's source, NULL if none */
	const char *message;		/* "symbol foo.isra.0: no record" */
};

typedef void (*klp_mismatch_fn_t)(const struct klp_mismatch *mismatch,
				  void *ctx);

struct klp_check_stats {
	size_t symbols;			/* suffixed symbols held to records */
	size_t records;			/* emitted FUNC records held to symbols */
	size_t discarded;		/* ... whose symbol a final link dropped */
	bool dwarf;			/* the file had DWARF and it was used */
	size_t dwarf_subprograms;	/* concrete subprograms matched */
	size_t dwarf_inlines;		/* inline instances held to records */
	size_t dwarf_calls;		/* call sites of clones held to records */
};

/* Flags of klp_objfile__check(). */
#define KLP_CHECK_NO_DWARF	(1u << 0)

/*
 * Report each mismatch to @fn and return how many there were, or a
 * negative errno (logged) when the check itself could not run: -ENODATA
 * for a file without records, -ENOEXEC without a symbol table, -EINVAL
 * for an object opened with KLP_OPEN_NO_SYMBOLS.  @stats
 * may be NULL.  The object must have been opened with its symbols.
 */
KLP_API int klp_objfile__check(const struct klp_objfile *obj, unsigned int flags,
			      klp_mismatch_fn_t fn, void *ctx,
			      struct klp_check_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_CHECK_H */
