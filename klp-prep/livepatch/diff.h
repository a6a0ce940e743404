/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff.h - unified diffs: which lines of which files a fix changes
 *
 * A fix arrives as a unified diff (`git diff`, `diff -u`, a mailed patch
 * with its message before the first "--- " line).  klp-prep needs the
 * files it touches, the changed line ranges on both sides (the new side to
 * map changes to functions of the patched source, the old side to map them
 * to the original build's records), and the patched text of each file,
 * which it makes by applying the hunks itself: no copy of the tree, no
 * external `patch`.
 */
#ifndef KLP_PREP_DIFF_H
#define KLP_PREP_DIFF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Lines first..last, 1-based, inclusive. */
struct klp_line_range {
	unsigned int first;
	unsigned int last;
};

struct klp_diff_hunk {
	unsigned int old_start, old_count;
	unsigned int new_start, new_count;
	unsigned int line;		/* of the "@@" line in the diff */
	/* The hunk's body lines, each starting with ' ', '-' or '+'. */
	char **lines;
	size_t nr_lines;
	/* The last '-' / '+' line had "\ No newline at end of file". */
	int old_no_newline, new_no_newline;
	/* Lines it applied away from its header's (klp_diff_file__apply). */
	int offset;
};

struct klp_diff_file {
	char *old_path;		/* stripped, NULL for /dev/null */
	char *new_path;		/* stripped, NULL for /dev/null */
	struct klp_diff_hunk *hunks;
	size_t nr_hunks;
	/* Changed lines, merged and sorted (see diff.c for deletions). */
	struct klp_line_range *old_ranges, *new_ranges;
	size_t nr_old_ranges, nr_new_ranges;
};

struct klp_diff {
	char *name;		/* for messages */
	struct klp_diff_file *files;
	size_t nr_files;
};

/*
 * Parse @size bytes of @text.  @strip leading path components are removed
 * from file names, as `patch -p` does (1 for git's a/ and b/).  Returns 0,
 * -EBADMSG for a malformed diff (a message names @name and the line),
 * -ENODATA when it changes no file, -ENOMEM.
 */
int klp_diff__parse(const char *text, size_t size, const char *name,
		    int strip, struct klp_diff **diff);
int klp_diff__parse_file(const char *path, int strip, struct klp_diff **diff);
void klp_diff__free(struct klp_diff *diff);

/*
 * The diff of two texts of the file @path, as one hunk over the whole
 * file with the same changed ranges a unified diff gives (for patched
 * copies without a diff).  Returns 0, -E2BIG when they differ in too
 * many lines (logged), -ENOMEM.
 */
int klp_diff__from_texts(const char *path, const char *old, size_t old_size,
			 const char *new, size_t new_size, struct klp_diff **diff);

/* The file a diff changes whose new (or else old) path is @path. */
const struct klp_diff_file *klp_diff__find_file(const struct klp_diff *diff,
						const char *path);

/*
 * Apply @file's hunks to @orig (@size bytes): each hunk's context and
 * removed lines must match exactly, at its line or shifted (as `patch`
 * allows an offset, never fuzz).  *@out is a malloc'd, NUL-terminated
 * buffer of *@out_size bytes.  The hunks' offsets and the file's changed
 * ranges are updated to where the hunks applied.  Returns 0, -EILSEQ when
 * a hunk does not apply (a message names the file and hunk), -ENOMEM.
 */
int klp_diff_file__apply(struct klp_diff_file *file, const char *orig,
			 size_t size, char **out, size_t *out_size);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_DIFF_H */
