/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * header_change.h - what a fix changes in a header, by its tokens
 *
 * A header is not a unit: it has no object and no records, and libclang
 * cannot parse it alone.  What generate must know of a changed header is
 * whether anything changed at all (comments and whitespace are not a
 * change) and whether the change is one a livepatch can never carry: the
 * layout of a struct or union, the type or initializer of a variable.
 * Both are read from the token streams of the old and new text, split
 * into top-level declarations; preprocessor lines are tokens too.
 */
#ifndef KLP_PREP_HEADER_CHANGE_H
#define KLP_PREP_HEADER_CHANGE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A struct/union definition or a variable that the fix changes. */
struct klp_header_change {
	bool record;		/* a struct or union; else a variable */
	const char *tag;	/* "struct", "union"; "global", "static" */
	char *name;		/* "" for an anonymous record */
	unsigned int line;	/* where it starts, in the new text (or
				 * the old one, for one the fix removes) */
	bool removed;		/* only in the old text */
};

/*
 * Compare the old and new text of a header.  *@same is set when their
 * tokens are the same (only comments and whitespace differ).  Otherwise
 * *@changes lists the records and variables whose tokens differ or that
 * the fix removes; one the fix adds is new, not a change, and is not
 * listed.  Returns 0 or -ENOMEM.
 */
int klp_header__compare(const char *old, size_t old_size,
			const char *new, size_t new_size, bool *same,
			struct klp_header_change **changes, size_t *nr);
void klp_header_changes__free(struct klp_header_change *changes, size_t nr);

/*
 * Is every top-level definition of the record (@record) or variable
 * @name in @new token for token one in @old?  False when there is none,
 * or one the tokens cannot pair: only a definition known unchanged is.
 * For a unit's text too, where a comment edited inside a struct is no
 * change to it.  Returns 0 or -ENOMEM.
 */
int klp_header__same_decl(const char *old, size_t old_size, const char *new,
			  size_t new_size, bool record, const char *name, bool *same);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_HEADER_CHANGE_H */
