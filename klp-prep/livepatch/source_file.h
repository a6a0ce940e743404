/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * source_file.h - read a file whole, for the livepatch modules
 */
#ifndef KLP_PREP_SOURCE_FILE_H
#define KLP_PREP_SOURCE_FILE_H

#include <stddef.h>

/*
 * Read @path into a malloc'd, NUL-terminated *@text of *@size bytes (the
 * NUL not counted).  Returns 0, or -errno with the reason logged through
 * the log (log_err), naming the file.
 */
int klp_gen_read_source(const char *path, char **text, size_t *size);

/*
 * A small text file (a config, a work directory's note) whole, as a
 * malloc'd string; "" when empty.  NULL with errno set when it cannot be
 * read; nothing is logged: to the callers a missing file is an answer.
 */
char *klp_read_text_file(const char *path);

#endif /* KLP_PREP_SOURCE_FILE_H */
