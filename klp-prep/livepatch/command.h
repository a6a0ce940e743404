/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * command.h - running the tools klp-prep drives (make, objtool, tar, the
 * kernel's scripts) with their output kept where a user can read it
 */
#ifndef KLP_PREP_COMMAND_H
#define KLP_PREP_COMMAND_H

#include <stddef.h>

/*
 * Run @argv, found on $PATH, with stdin from /dev/null and with @env
 * ("NAME=value", or NULL) added to its environment.  Its output (stdout
 * and stderr) goes to the end of @log, after a "$ argv..." line; or, with
 * @log NULL, its first line goes into @line (@size bytes); or, with both
 * NULL, nowhere.  Returns the exit status (128 + N for signal N), -ENOENT
 * when @argv[0] could not be run (why is in @log), other -errno when it
 * could not be started.
 */
int klp_run_command(char *const argv[], const char *env, const char *log,
		    char *line, size_t size);

#endif /* KLP_PREP_COMMAND_H */
