/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - what the klp-prep subcommands share */
#ifndef KLP_CLI_H
#define KLP_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Exit codes, the same for every subcommand.  KLP_EXIT_UNSAFE is kept for
 * "this cannot be livepatched safely" (klp-prep affected), so a build can
 * tell a refusal from a bug or bad input.
 */
enum {
	KLP_EXIT_OK = 0,
	KLP_EXIT_MISMATCH = 1,	/* check found mismatches, or no records */
	KLP_EXIT_USAGE = 2,	/* bad usage or unreadable input */
	KLP_EXIT_UNSAFE = 3,
	KLP_EXIT_INTERNAL = 4,	/* a step failed otherwise (klp-prep build) */
};

extern const char *klp_prog;	/* "klp-prep" */
extern int klp_verbose;

int cmd_dump(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_affected(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_cflags(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_kernel_records(int argc, char **argv);
int cmd_coverage(int argc, char **argv);

/* "FILE: error: no records..." with the flag to add. */
void report_no_records(const char *path);

__attribute__((format(printf, 1, 2)))
void usage_error(const char *fmt, ...);

/* --allow-unsafe in the help of generate and build (klp_generate_parse_allow()). */
/* --callbacks and --no-cover, as generate and build take them. */
#define KLP_CALLBACKS_HELP \
"      --callbacks FILE.c\n" \
"                        the author's klp_object callbacks, copied into the\n" \
"                        module: klp_prep_{pre,post}_{patch,unpatch}_OBJECT()\n" \
"                        (OBJECT: vmlinux, or the module's name with '-' as\n" \
"                        '_'); pre_patch returns int, the others void\n" \
"      --no-cover        with --stack-only=no: cover nothing, every split part\n" \
"                        escapes the stack check (a control experiment; named\n" \
"                        in livepatch_NAME.c)\n"

#define KLP_ALLOW_UNSAFE_HELP \
"      --allow-unsafe KIND[,KIND]\n" \
"                        proceed past refusals of these kinds, each named in\n" \
"                        a comment of livepatch_NAME.c: type (a struct or\n" \
"                        union definition changes), data (a variable's type\n" \
"                        or initializer), init (leave __init/__exit functions\n" \
"                        out), notrace (leave out functions without an ftrace\n" \
"                        hook: notrace, noinstr, entry code); on a kernel\n" \
"                        without stack_only, leave a split part uncovered:\n" \
"                        exported, address_taken, unknown_code, too_deep,\n" \
"                        too_many_callers, init_caller (what the refusal\n" \
"                        names), uncovered\n" \
"                        (callers this patch cannot carry); all\n"

/* Append @s to the array *@v of *@n options (repeatable flags). */
int push_arg(const char ***v, size_t *n, const char *s);

/*
 * The value of --cover-max-depth (@depth) or --cover-max-callers into
 * @o (generate's and build's): 0, or KLP_EXIT_USAGE after saying why.
 */
struct klp_generate_opts;
int parse_cover_limit(bool depth, const char *value, struct klp_generate_opts *o);

#endif /* KLP_CLI_H */
