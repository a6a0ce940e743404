// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - klp-prep: prepare kernel livepatches from source
 *
 * A thin dispatcher: each subcommand is a function over libklp_prep,
 * found in a small table, with its own --help.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <klp_partition.h>
#include <klp_prep/coverage.h>
#include <klp_prep/log.h>

#include "cli.h"
#include "generate.h"

const char *klp_prog = "klp-prep";
int klp_verbose;

static const struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} subcommands[] = {
	{ "dump",  cmd_dump,  "print the partition records of ELF files" },
	{ "check", cmd_check, "hold the records against symbols and DWARF" },
	{ "affected", cmd_affected, "the functions to patch when functions change" },
	{ "generate", cmd_generate, "a livepatch module source from a fix" },
	{ "build", cmd_build, "a verified livepatch module from a fix" },
	{ "verify", cmd_verify, "a built livepatch's table against its records" },
	{ "kernel-records", cmd_kernel_records, "records of a shipped kernel's units, proven against it" },
	{ "coverage", cmd_coverage, "split-off parts a stock kernel's stack check covers" },
	{ "cflags", cmd_cflags, "the flags that load the plugin (KCFLAGS)" },
};

static void print_help(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: %s [--help | --version] COMMAND [ARGS]\n"
		"\n"
		"Prepare kernel livepatches from source.  The klp_partition GCC\n"
		"plugin records how GCC split, cloned and inlined every function\n"
		"(.klp_prep.partition); klp-prep reads those records, finds what a fix\n"
		"affects, generates, builds and verifies the livepatch module, with\n"
		"the split-off parts (foo.cold) the kernel must check on stacks.\n"
		"\n"
		"commands:\n", klp_prog);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-14s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out,
		"\n"
		"'%s COMMAND --help' describes a command.\n"
		"\n"
		"exit status: 0 ok, 1 mismatches found or records missing,\n"
		"2 bad usage or unreadable input, 3 cannot be livepatched safely,\n"
		"4 a build step failed otherwise.\n",
		klp_prog);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", klp_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The plugin to name in hints: this build tree's, if it is still there. */
static const char *plugin_path(void)
{
	const char *built = KLP_PLUGIN_BUILD_PATH;

	if (*built && !access(built, R_OK))
		return built;
	return "<path>/klp_partition.so";
}

void report_no_records(const char *path)
{
	fprintf(stderr,
		"%s: %s: error: no %s section: compiled without the klp-prep plugin\n"
		"%s: %s: note: rebuild it with gcc-12 -fplugin=%s (in a kernel build: make KCFLAGS=-fplugin=%s)\n",
		klp_prog, path, ".klp_prep.partition", klp_prog, path,
		plugin_path(), plugin_path());
}

/*
 * Messages come as whole lines; say whose they are.  At -vv, also where
 * in klp-prep each was raised, for bug reports.
 */
static int print_log(enum klp_log_level level,
		     const struct klp_log_context *ctx, const char *fmt,
		     va_list args)
{
	if ((int)level > KLP_LOG_WARN + klp_verbose)
		return 0;
	if (klp_verbose >= 2)
		fprintf(stderr, "%s: [%s:%s] ", klp_prog, ctx->file,
			ctx->function);
	else
		fprintf(stderr, "%s: ", klp_prog);
	return vfprintf(stderr, fmt, args);
}

/*
 * A step's one-line result is the command's output; a counter is
 * redrawn in place, and only on a terminal.
 */
static void print_progress(const struct klp_progress *p)
{
	if (!p->total) {
		if (p->item) {
			printf("%s\n", p->item);
			fflush(stdout);
		}
		return;
	}
	if (!isatty(STDERR_FILENO))
		return;
	if (p->item)
		fprintf(stderr, "\r%s: %s [%zu/%zu] %.60s\033[K", klp_prog,
			p->step, p->done, p->total, p->item);
	else
		fprintf(stderr, "\r\033[K");
}

int push_arg(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

int parse_cover_limit(bool depth, const char *value, struct klp_generate_opts *o)
{
	unsigned long max = depth ? KLP_COVERAGE_MAX_DEPTH : 100000, n;
	char *end;

	n = strtoul(value, &end, 10);
	if (*end || !*value || !n || n > max) {
		usage_error("--%s wants a number from 1 to %lu, not '%s'",
			    depth ? "cover-max-depth" : "cover-max-callers", max, value);
		return KLP_EXIT_USAGE;
	}
	if (depth)
		o->cover_max_depth = n;
	else
		o->cover_max_callers = n;
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	klp_set_log_fn(print_log);
	klp_set_progress_fn(print_progress);
	if (argc < 2) {
		print_help(stderr);
		return KLP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		print_help(stdout);
		return KLP_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s %s (partition format version %d)\n", klp_prog,
		       KLP_PREP_VERSION, KLP_PARTITION_VERSION);
		return KLP_EXIT_OK;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	usage_error("unknown command '%s'; see '%s --help'", argv[1],
		    klp_prog);
	return KLP_EXIT_USAGE;
}
