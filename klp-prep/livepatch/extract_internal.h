/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * extract_internal.h - the parsed unit, shared by extract_tu.c (parse,
 * index) and extract.c (closure, output)
 */
#ifndef KLP_PREP_EXTRACT_INTERNAL_H
#define KLP_PREP_EXTRACT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <clang-c/Index.h>

#include "extract.h"

/* A top-level declaration or directive of the unit's own file. */
struct node {
	CXCursor cursor;
	enum CXCursorKind kind;
	char *name;
	unsigned int start, end;	/* byte offsets, [start, end) */
	unsigned int line;
};

/* A macro definition anywhere in the unit. */
struct macro {
	const char *name;		/* owned by the node or here */
	char *own_name;
	CXCursor cursor;
	bool in_main;
	unsigned int offset;		/* in its file */
	size_t node;			/* index into nodes if in_main */
};

/* A macro expansion in the unit's own file: [start, end). */
struct expansion {
	unsigned int start, end;
};

struct klp_tu {
	CXIndex index;
	CXTranslationUnit tu;
	CXFile main;
	char *file;
	char *display;
	char *text;			/* the unit's text as parsed */
	size_t size;
	unsigned int *line_starts;	/* offset of each line, from line 1 */
	size_t nr_lines;

	struct node *nodes;		/* sorted by start */
	size_t nr_nodes;
	struct macro *macros;		/* sorted by name, then offset */
	size_t nr_macros;
	struct expansion *expansions;	/* sorted by start */
	size_t nr_expansions;
	unsigned int last_include_end;	/* offset after the last #include */
};

/* The line (from 1) of an offset of the unit's text. */
unsigned int tu_line(const struct klp_tu *tu, unsigned int offset);
/* Offset of the start of the line that holds @offset. */
unsigned int tu_line_start(const struct klp_tu *tu, unsigned int offset);

/*
 * Is @loc (its expansion location) in the unit's own file?  *@offset gets
 * the expansion offset.
 */
bool tu_in_main(const struct klp_tu *tu, CXSourceLocation loc,
		unsigned int *offset);

/* The node whose range holds @offset, preferring one whose cursor is @c. */
struct node *tu_node_at(const struct klp_tu *tu, unsigned int offset, CXCursor c);

/* Macro definitions named @name: first index and count. */
size_t tu_macros_named(const struct klp_tu *tu, const char *name, size_t *first);

/* A libclang string, copied; never NULL unless out of memory. */
char *cx_strdup(CXString s);

#endif /* KLP_PREP_EXTRACT_INTERNAL_H */
