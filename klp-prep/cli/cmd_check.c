// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_check.c - klp-prep check: hold the records against what GCC emitted
 *
 * Mismatches go to stdout, one per line ("FILE: symbol foo.isra.0: no
 * record"), then one summary line per file; errors go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <klp_prep/check.h>
#include <klp_prep/object.h>

#include "cli.h"

static const char check_usage[] =
"usage: klp-prep check [--no-dwarf] FILE...\n"
"\n"
"Hold the .klp_prep.partition records of each FILE against its symbol\n"
"table: every function symbol with a GCC suffix (.cold, .part.N, .isra.N,\n"
".constprop.N, .localalias, .lto_priv.N and combinations) must have a\n"
"record with the origin and the kind its name spells, and every record of\n"
"an emitted function must name a symbol that exists (in an object; a final\n"
"link may discard code).  With DWARF (-g), also hold the records against\n"
"the DW_AT_abstract_origin of clones and the DW_TAG_inlined_subroutine\n"
"tree of each function.  Each mismatch is printed as FILE: what.\n"
"\n"
"  --no-dwarf  do not read DWARF even if present\n"
"  -v          also print library notes (-vv: debug notes, where each was raised)\n"
"  -h, --help  this text\n"
"\n"
"exit status: 0 no mismatches, 1 mismatches found or a file has no records\n"
"(compiled without the plugin), 2 bad usage or unreadable input.\n";

static void print_mismatch(const struct klp_mismatch *m, void *ctx)
{
	const char *path = ctx;

	printf("%s: %s%s\n", path,
	       m->source == KLP_CHECK_DWARF ? "dwarf: " : "", m->message);
}

static int check_file(const char *path, unsigned int flags)
{
	struct klp_check_stats stats;
	struct klp_objfile *obj;
	int ret;

	obj = klp_objfile__open(path, 0);
	if (!obj)
		return KLP_EXIT_USAGE;	/* the library said why */
	if (!klp_objfile__has_records(obj)) {
		report_no_records(path);
		klp_objfile__free(obj);
		return KLP_EXIT_MISMATCH;
	}
	ret = klp_objfile__check(obj, flags, print_mismatch, (void *)path,
				&stats);
	klp_objfile__free(obj);
	if (ret < 0)
		return KLP_EXIT_USAGE;
	printf("%s: %d mismatch%s (%zu suffixed symbols, %zu records",
	       path, ret, ret == 1 ? "" : "es", stats.symbols, stats.records);
	if (stats.discarded)
		printf(", %zu discarded at link", stats.discarded);
	if (stats.dwarf)
		printf("; DWARF: %zu subprograms, %zu inline instances, %zu calls to clones",
		       stats.dwarf_subprograms, stats.dwarf_inlines,
		       stats.dwarf_calls);
	else if (!(flags & KLP_CHECK_NO_DWARF))
		printf("; no DWARF");
	printf(")\n");
	return ret ? KLP_EXIT_MISMATCH : KLP_EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	static const struct option options[] = {
		{ "no-dwarf", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int flags = 0;
	int status = KLP_EXIT_OK;
	int opt, i;

	while ((opt = getopt_long(argc, argv, "hv", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			flags |= KLP_CHECK_NO_DWARF;
			break;
		case 'v':
			klp_verbose++;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return KLP_EXIT_OK;
		default:
			fputs(check_usage, stderr);
			return KLP_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage_error("check: no FILE given; see 'klp-prep check --help'");
		return KLP_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		int ret = check_file(argv[i], flags);

		/* Bad input outranks mismatches: the answer is incomplete. */
		if (ret > status)
			status = ret;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: error writing the output: %s\n", klp_prog,
			strerror(errno));
		return KLP_EXIT_USAGE;
	}
	return status;
}
