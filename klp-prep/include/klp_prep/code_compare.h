/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * code_compare.h - a rebuilt unit's code against the shipped file it was
 * linked into
 *
 * Records made by recompiling a unit of a kernel that was built without
 * the plugin (a distribution's kernel) describe the shipped binary only
 * if the rebuilt code is the shipped code.  This holds every function of
 * the rebuilt relocatable object against its twin in the shipped vmlinux
 * or module, byte for byte, except the fields a relocation covers (the
 * rebuilt unit's, and the shipped file's own where it kept them): the
 * linker fills those in, so they may differ.
 *
 * The twin of a global function is the global of its name; the twin of a
 * local one is the local of its name in the shipped STT_FILE group of the
 * unit, found by content as klp_objfile__unit_file() ties groups
 * (klp_objfile__files_holding()), and where several groups fit, the one
 * whose functions lie at the distances they have in the rebuilt unit (a
 * linker moves an input section whole).  A unit compiled otherwise, whose
 * locals no group holds all of, is held against the one group of its
 * name that holds the most of them, so that what differs is still named
 * function by function.
 */
#ifndef KLP_PREP_CODE_COMPARE_H
#define KLP_PREP_CODE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klp_prep/export.h>
#include <klp_prep/object.h>

#ifdef __cplusplus
extern "C" {
#endif

enum klp_code_verdict {
	KLP_CODE_MATCH,			/* same bytes, relocated fields aside */
	KLP_CODE_DIFF,			/* at @offset, or in size */
	KLP_CODE_ONLY_REBUILT,		/* no twin in the shipped file */
	KLP_CODE_ONLY_SHIPPED,		/* a local of the unit's shipped group */
	KLP_CODE_WEAK_OVERRIDDEN,	/* weak here, a strong one won the link */
};

struct klp_code_result {
	enum klp_code_verdict verdict;
	const char *function;		/* the symbol's name */
	const struct klp_symbol *rebuilt;	/* NULL for ONLY_SHIPPED */
	const struct klp_symbol *shipped;	/* NULL for ONLY_REBUILT */
	uint64_t offset;		/* DIFF: first differing byte */
	const char *why;		/* DIFF: "code", "size", "relocation" */
};

struct klp_code_stats {
	size_t match;
	size_t diff;
	size_t only_rebuilt;
	size_t only_shipped;
	size_t weak_overridden;
	size_t bytes;			/* compared (masked ones included) */
	size_t masked;			/* bytes of relocated fields */
	unsigned int file;		/* the unit's shipped group, 0 if none */
	bool shipped_relocs;		/* the shipped file kept relocations */
};

typedef void (*klp_code_fn_t)(const struct klp_code_result *result,
			      void *ctx);

/* A verdict's name: "MATCH", "DIFF", "ONLY-REBUILT", ... */
KLP_API const char *klp_code_verdict_name(enum klp_code_verdict verdict);

/*
 * Compare every function of @rebuilt (a relocatable object: one unit)
 * with its twin in @shipped (vmlinux, a module, an executable), report
 * each to @fn (may be NULL) and return how many differ (DIFF,
 * ONLY_REBUILT and ONLY_SHIPPED; a weak function overridden is not a
 * difference), or a negative errno after logging: -EINVAL when @rebuilt
 * is not ET_REL, -ENOTSUP for a machine other than x86-64 or an unknown
 * relocation type, -ESRCH when the unit's local functions fit no shipped
 * STT_FILE group or several, -ENOMEM.  @stats may be NULL.
 */
KLP_API int klp_code_compare(const struct klp_objfile *rebuilt,
			     const struct klp_objfile *shipped,
			     klp_code_fn_t fn, void *ctx,
			     struct klp_code_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_CODE_COMPARE_H */
