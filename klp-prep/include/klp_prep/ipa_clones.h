/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipa_clones.h - read GCC's -fdump-ipa-clones dumps as partition records
 *
 * Kernels built without the klp_partition plugin can still be asked which
 * functions a change affects, from the dumps SUSE's builds keep
 * (<object>.c.000i.ipa-clones beside each object).  A dump becomes one
 * struct klp_unit, so the same closure (klp_prep/affected.h, with
 * KLP_AFFECTED_FROM_IPA_CLONES) runs over it.
 *
 * Lines (GCC 7.1 and later write the first form, older SUSE GCCs the
 * second, with "<-" and "optimization:" tokens):
 *
 *   Callgraph clone;ORIG;ORDER;FILE;LINE;COL;NEW;ORDER;FILE;LINE;COL;REASON
 *   Callgraph clone;ORIG;ORDER;FILE;LINE;COL;<-;NEW;ORDER;FILE;LINE;COL;optimization:;REASON
 *   Callgraph removal;NAME;ORDER;FILE;LINE;COL
 *
 * REASON "inlining to" means ORIG's body went into NEW; "part", "isra",
 * "constprop" (and others) mean NEW is a clone of ORIG.  A removal means
 * the body was not emitted.
 *
 * What a dump cannot tell, and the records therefore lack: .cold parts
 * and aliases (made after IPA), who calls a clone (no CALL records unless
 * klp_ipa_dump__add_calls() reads them from the object's relocations),
 * call sites (an INLINE's site is its caller's definition), the chain of
 * nested inlines (only the immediate caller of an early inline is named),
 * inlines that left no code, clones that were listed but never emitted
 * without a removal line, fentry hooks, and where a function ends.
 */
#ifndef KLP_PREP_IPA_CLONES_H
#define KLP_PREP_IPA_CLONES_H

#include <stddef.h>

#include <klp_prep/export.h>
#include <klp_prep/records.h>

#ifdef __cplusplus
extern "C" {
#endif

struct klp_ipa_dump;

/* What parsing skipped, for the user to judge the dump by. */
struct klp_ipa_stats {
	size_t lines;		/* non-empty lines read */
	size_t clones;		/* clone lines used (not inlining) */
	size_t inlines;		/* "inlining to" lines used */
	size_t removals;	/* removal lines used */
	size_t null_names;	/* lines skipped for a "(null)" name */
	size_t malformed;	/* lines skipped as malformed (warned, by line) */
	size_t calls;		/* CALL records from relocations */
};

/*
 * Parse the dump text @text (@len bytes; need not be NUL-terminated) of
 * the unit @source (the source file; the closure matches it by path).
 * @path names the dump in messages.  Malformed lines are warned about
 * (file:line: what) and skipped, never fatal.  Returns 0 with *@out set,
 * or -ENOMEM.
 */
KLP_API int klp_ipa_dump__parse(const char *path, const char *source,
				const char *text, size_t len,
				struct klp_ipa_dump **out);

/*
 * Read and parse the dump at @path; the unit's source is the dump's name
 * without ".000i.ipa-clones", relative to @root when it starts with it.
 * Returns 0, -errno from open/read (logged), -ENOMEM.
 */
KLP_API int klp_ipa_dump__read(const char *path, const char *root,
			       struct klp_ipa_dump **out);

/*
 * Fill in CALL records from the relocations of the object the dump
 * belongs to: a relocation against a clone's symbol inside another
 * function's code is a call (or a tail call, or an address taken, which
 * a relocation cannot tell apart: all count).  Returns 0, -errno.
 */
KLP_API int klp_ipa_dump__add_calls(struct klp_ipa_dump *d,
				    const char *object_path);

KLP_API const struct klp_unit *klp_ipa_dump__unit(const struct klp_ipa_dump *d);
KLP_API const struct klp_ipa_stats *
klp_ipa_dump__stats(const struct klp_ipa_dump *d);
KLP_API void klp_ipa_dump__free(struct klp_ipa_dump *d);

/* "dir/x.c.000i.ipa-clones" -> "dir/x.o" (malloc'd), NULL if not a dump. */
KLP_API char *klp_ipa_dump__object_path(const char *dump_path);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_IPA_CLONES_H */
