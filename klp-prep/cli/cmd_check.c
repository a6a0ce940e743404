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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <klp_prep/check.h>
#include <klp_prep/code_compare.h>
#include <klp_prep/object.h>

#include "shipped.h"

#include "cli.h"

static const char check_usage[] =
"usage: klp-prep check [--no-dwarf] FILE...\n"
"       klp-prep check -k /lib/modules/RELEASE/build [--vmlinux PATH]\n"
"                      [--cache DIR] [--no-dwarf] UNIT.o...\n"
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
"With -k, each UNIT is a unit of a shipped kernel that 'klp-prep\n"
"kernel-records' proved and cached (fs/proc/version.o): its records are\n"
"checked as above, and its code is held against the shipped vmlinux once\n"
"more, function by function; each difference is a mismatch.\n"
"\n"
"  --no-dwarf  do not read DWARF even if present\n"
"  -k DIR      the shipped kernel's headers (/lib/modules/RELEASE/build)\n"
"  --vmlinux PATH, --cache DIR\n"
"              as for klp-prep kernel-records\n"
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

static void print_code_mismatch(const struct klp_code_result *r, void *ctx)
{
	const char *unit = ctx;

	if (r->verdict == KLP_CODE_MATCH || r->verdict == KLP_CODE_WEAK_OVERRIDDEN)
		return;
	if (r->verdict == KLP_CODE_DIFF)
		printf("%s: code: DIFF %s+%#llx (%s)\n", unit, r->function,
		       (unsigned long long)r->offset, r->why);
	else
		printf("%s: code: %s %s\n", unit,
		       klp_code_verdict_name(r->verdict), r->function);
}

/*
 * A proven unit of a shipped kernel: its records, then its code again,
 * against the shipped vmlinux (*@vmlinux, opened on first use) or the
 * -dbg .ko of its module.
 */
static int check_shipped_unit(const struct klp_shipped *s, struct klp_objfile **vmlinux,
			      const char *build_dir, const char *unit,
			      unsigned int flags)
{
	char *path = klp_shipped_unit_path(s, unit), *module = NULL, *target = NULL;
	struct klp_objfile *obj = NULL, *ko = NULL;
	struct klp_code_stats st;
	int ret, status = KLP_EXIT_USAGE;

	if (!path)
		return KLP_EXIT_INTERNAL;
	if (access(path, F_OK)) {
		fprintf(stderr, "%s: %s: error: not proven for %s yet: klp-prep kernel-records -k %s %s\n",
			klp_prog, unit, klp_shipped_release(s), build_dir, unit);
		goto out;
	}
	/* the library says why for each failure below */
	if (klp_shipped_unit_target(s, unit, &module, &target))
		goto out;
	if (module)
		ko = klp_objfile__open(target, 0);
	else if (!*vmlinux)
		*vmlinux = klp_objfile__open(target, 0);
	obj = klp_objfile__open(path, 0);
	if (!obj || !(module ? ko : *vmlinux))
		goto out;
	status = check_file(path, flags);
	ret = klp_code_compare(obj, module ? ko : *vmlinux, print_code_mismatch, (void *)unit, &st);
	if (ret < 0) {
		status = KLP_EXIT_USAGE;
		goto out;
	}
	printf("%s: %d mismatch%s against %s (%zu functions match)\n", unit, ret,
	       ret == 1 ? "" : "es", target, st.match);
	if (ret && status < KLP_EXIT_MISMATCH)
		status = KLP_EXIT_MISMATCH;
out:
	klp_objfile__free(obj);
	klp_objfile__free(ko);
	free(path);
	free(module);
	free(target);
	return status;
}

static int check_shipped(const struct klp_shipped_opts *o, char **units,
			 int nr, unsigned int flags)
{
	struct klp_objfile *vmlinux = NULL;
	struct klp_shipped *s;
	int status = KLP_EXIT_OK, i, ret;

	if (klp_shipped_open(o, &s))
		return KLP_EXIT_USAGE;	/* the library said why */
	for (i = 0; i < nr; i++) {
		ret = check_shipped_unit(s, &vmlinux, o->build_dir, units[i], flags);
		if (ret > status)
			status = ret;
	}
	klp_objfile__free(vmlinux);
	klp_shipped_free(s);
	return status;
}

int cmd_check(int argc, char **argv)
{
	static const struct option options[] = {
		{ "no-dwarf", no_argument, NULL, 'n' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "cache", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct klp_shipped_opts shipped = { .cache_only = true };
	unsigned int flags = 0;
	int status = KLP_EXIT_OK;
	int opt, i;

	while ((opt = getopt_long(argc, argv, "hk:v", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			flags |= KLP_CHECK_NO_DWARF;
			break;
		case 'k':
			shipped.build_dir = optarg;
			break;
		case 'V':
			shipped.vmlinux = optarg;
			break;
		case 'C':
			shipped.cache = optarg;
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
	if (shipped.build_dir) {
		status = check_shipped(&shipped, argv + optind, argc - optind, flags);
	}
	for (i = shipped.build_dir ? argc : optind; i < argc; i++) {
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
