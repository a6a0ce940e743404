/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * template.h - the small template engine every generated file goes through
 *
 * A template is text with tags (a subset of mustache):
 *
 *   {{name}}		the value of name (looked up from the innermost
 *			section outward); a missing name is an error, so a
 *			typo in a template never renders as nothing
 *   {{#name}}..{{/name}}	a list: the body once per element, with the
 *			element innermost; a value: the body once if it is
 *			set and not "" (a condition)
 *   {{^name}}..{{/name}}	the body once if name is missing, "" or an
 *			empty list
 *   {{! text }}		a comment
 *
 * A line holding nothing but a section, end or comment tag (and blanks)
 * is "standalone" and leaves no trace, so templates can put tags on lines
 * of their own.  Nothing is escaped: the outputs are C, Kbuild and CSV.
 */
#ifndef KLP_PREP_TEMPLATE_H
#define KLP_PREP_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The data: a map of names to values and to lists of maps. */
struct klp_tdata;

struct klp_tdata *klp_tdata__new(void);
void klp_tdata__free(struct klp_tdata *d);

/* Set @key to a copy of @value ("" and NULL are both "unset" for {{#}}). */
int klp_tdata__set(struct klp_tdata *d, const char *key, const char *value);
__attribute__((format(printf, 3, 4)))
int klp_tdata__setf(struct klp_tdata *d, const char *key, const char *fmt, ...);
int klp_tdata__set_bool(struct klp_tdata *d, const char *key, bool value);

/*
 * Append a new element (a map) to the list @key, creating the list;
 * NULL when out of memory.  The element belongs to @d.
 */
struct klp_tdata *klp_tdata__add(struct klp_tdata *d, const char *key);

/* Make @key an empty list (so {{^key}} renders). */
int klp_tdata__set_list(struct klp_tdata *d, const char *key);

/*
 * Render @tmpl (@len bytes; @name for messages, e.g. the template's
 * file name) with @d.  *@out is malloc'd and NUL-terminated.  Returns 0,
 * -EINVAL for a template error or a missing value (logged as
 * "NAME:LINE: error: ..."), -ENOMEM.
 */
int klp_template__render(const char *tmpl, size_t len, const char *name,
			 const struct klp_tdata *d, char **out, size_t *out_len);

/* Render the file @dir/@file. */
int klp_template__render_file(const char *dir, const char *file,
			      const struct klp_tdata *d, char **out,
			      size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_TEMPLATE_H */
