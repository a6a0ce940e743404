// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_generate.c - klp-prep generate: a livepatch module source from a fix
 *
 * Options in, klp_generate() (generate.h) does the work: load
 * the build, apply the fix, find what to patch, extract, render the
 * templates, install the output directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "generate.h"

#include "cli.h"

static const char generate_usage[] =
"usage: klp-prep generate [OPTIONS] -k BUILD_DIR -o OUT_DIR (FIX.diff | -p TREE_FILE=PATCHED_FILE... [-f NAME...])\n"
"       klp-prep generate --convert MODULE.ko\n"
"\n"
"Write the source of a livepatch module for a fix to a kernel build: the\n"
"patched functions renamed (klpp_NAME), what they need from their unit,\n"
"the klp_func tables with stack_only entries for the original's split-off\n"
"code, a Kbuild file and SUSE's patched_funcs.csv.  What to patch comes\n"
"from the partition records of the unit's object (BUILD_DIR/vmlinux, or\n"
"the module's .ko) through klp-prep affected, or, without records, from\n"
"the functions the fix changes.\n"
"\n"
"  -k, --kernel DIR      the kernel build directory (O=): its\n"
"                        compile_commands.json, vmlinux, Module.symvers\n"
"  -o, --output DIR      the directory to write (not replaced unless --force)\n"
"  -p, --patched TREE_FILE=FILE\n"
"                        a patched copy of a file of the kernel tree,\n"
"                        instead of a diff\n"
"  -f, --function [FILE:]NAME\n"
"                        a changed function (it overrides what the diff's\n"
"                        hunks, or the differences of the patched files,\n"
"                        say)\n"
"  -n, --name NAME       the livepatch's name (default: the diff's file name)\n"
"      --prefix PREFIX   of the new functions (default klpp_)\n"
"      --strip N         strip N leading components of the diff's paths (1)\n"
"      --replace         an atomic-replace (cumulative) livepatch\n"
"      --templates DIR   the templates to render (default: the installed ones)\n"
"      --compdb DIR      where compile_commands.json is (default: BUILD_DIR;\n"
"                        make it with the kernel's\n"
"                        scripts/clang-tools/gen_compile_commands.py)\n"
"      --convert MODULE.ko\n"
"                        after the module is built: turn its KLP_PREP_EXTERN\n"
"                        symbols into livepatch symbols and move their\n"
"                        relocations to .klp.rela sections (in place)\n"
"      --force           replace OUT_DIR if it exists\n"
"      --stack-only=yes|no\n"
"                        does the kernel have the kernel-support series (yes,\n"
"                        the default)?  no: a stock kernel; each part split off\n"
"                        a patched function is covered by patching every\n"
"                        caller whose frame can be above it, or refused\n"
"      --cover-max-depth N, --cover-max-callers N\n"
"                        limits of that covering (4, 16)\n"
KLP_CALLBACKS_HELP
KLP_ALLOW_UNSAFE_HELP
"  -v                    more messages (-vv: also where each was raised)\n"
"  -h, --help            this text\n"
"\n"
"exit status: 0 ok, 2 bad usage or input, 3 something cannot be\n"
"livepatched safely (each reason printed as FILE:LINE: error: ...).\n";

enum {
	OPT_PREFIX = 256,
	OPT_STRIP,
	OPT_REPLACE,
	OPT_TEMPLATES,
	OPT_FORCE,
	OPT_COMPDB,
	OPT_CONVERT,
	OPT_ALLOW_UNSAFE,
	OPT_STACK_ONLY,
	OPT_COVER_DEPTH,
	OPT_COVER_CALLERS,
	OPT_NO_COVER,
	OPT_CALLBACKS,
};

int cmd_generate(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "patched", required_argument, NULL, 'p' },
		{ "function", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "strip", required_argument, NULL, OPT_STRIP },
		{ "replace", no_argument, NULL, OPT_REPLACE },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "compdb", required_argument, NULL, OPT_COMPDB },
		{ "convert", required_argument, NULL, OPT_CONVERT },
		{ "allow-unsafe", required_argument, NULL, OPT_ALLOW_UNSAFE },
		{ "stack-only", required_argument, NULL, OPT_STACK_ONLY },
		{ "cover-max-depth", required_argument, NULL, OPT_COVER_DEPTH },
		{ "cover-max-callers", required_argument, NULL, OPT_COVER_CALLERS },
		{ "no-cover", no_argument, NULL, OPT_NO_COVER },
		{ "callbacks", required_argument, NULL, OPT_CALLBACKS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct klp_generate_opts o = { .strip = 1 };
	const char **patched = NULL, **functions = NULL;
	const char *convert = NULL;
	int c, err, ret;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:o:p:f:n:vh", long_opts, NULL)) != -1) {
		err = 0;
		switch (c) {
		case 'k':
			o.build_dir = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'p':
			err = push_arg(&patched, &o.nr_patched, optarg);
			break;
		case 'f':
			err = push_arg(&functions, &o.nr_functions, optarg);
			break;
		case 'n':
			o.name = optarg;
			break;
		case OPT_PREFIX:
			o.prefix = optarg;
			break;
		case OPT_STRIP:
			o.strip = (int)strtol(optarg, &end, 10);
			if (*end || o.strip < 0) {
				usage_error("--strip wants a number, not '%s'", optarg);
				ret = KLP_EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_REPLACE:
			o.replace = true;
			break;
		case OPT_TEMPLATES:
			o.templates = optarg;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		case OPT_COMPDB:
			o.compdb_dir = optarg;
			break;
		case OPT_CONVERT:
			convert = optarg;
			break;
		case OPT_ALLOW_UNSAFE:
			err = klp_generate_parse_allow(optarg, &o.allow_unsafe);
			break;
		case OPT_STACK_ONLY:
			if (strcmp(optarg, "yes") && strcmp(optarg, "no")) {
				usage_error("--stack-only wants yes or no, not '%s'", optarg);
				ret = KLP_EXIT_USAGE;
				goto out;
			}
			o.no_stack_only = !strcmp(optarg, "no");
			break;
		case OPT_NO_COVER: o.no_cover = true; break;
		case OPT_CALLBACKS: o.callbacks = optarg; break;
		case OPT_COVER_DEPTH:
		case OPT_COVER_CALLERS:
			ret = parse_cover_limit(c == OPT_COVER_DEPTH, optarg, &o);
			if (ret)
				goto out;
			break;
		case 'v':
			klp_verbose++;
			break;
		case 'h':
			fputs(generate_usage, stdout);
			ret = KLP_EXIT_OK;
			goto out;
		default:
			fputs(generate_usage, stderr);
			ret = KLP_EXIT_USAGE;
			goto out;
		}
		if (err) {
			ret = KLP_EXIT_USAGE;
			goto out;
		}
	}
	if (convert) {
		unsigned int nr_syms, nr_relocs;

		if (optind < argc) {
			usage_error("generate --convert takes one module, no diff");
			ret = KLP_EXIT_USAGE;
			goto out;
		}
		err = klp_generate_convert_module(convert, &nr_syms, &nr_relocs);
		if (!err)
			fprintf(stderr, "%s: %s: %u livepatch symbol%s, %u relocation%s moved to .klp.rela sections\n",
				klp_prog, convert, nr_syms, nr_syms == 1 ? "" : "s",
				nr_relocs, nr_relocs == 1 ? "" : "s");
		ret = err ? KLP_EXIT_USAGE : KLP_EXIT_OK;
		goto out;
	}
	if (optind < argc)
		o.diff = argv[optind++];
	if (optind < argc || !o.build_dir || !o.output || (!o.diff && !o.nr_patched)) {
		usage_error("generate: %s; see 'klp-prep generate --help'",
			    optind < argc ? "one diff only" :
			    !o.build_dir ? "no kernel build directory (-k)" :
			    !o.output ? "no output directory (-o)" : "no fix (a diff or -p)");
		ret = KLP_EXIT_USAGE;
		goto out;
	}
	o.patched = patched;
	o.functions = functions;

	err = klp_generate(&o, NULL);
	if (!err) {
		if (klp_verbose)
			fprintf(stderr, "%s: wrote %s\n", klp_prog, o.output);
		ret = KLP_EXIT_OK;
	} else if (err == KLP_GENERATE_UNSAFE) {
		fprintf(stderr, "%s: generate: this fix cannot be livepatched safely as it is "
			"(reasons above)\n", klp_prog);
		ret = KLP_EXIT_UNSAFE;
	} else {
		ret = KLP_EXIT_USAGE;
	}
out:
	free(patched);
	free(functions);
	return ret;
}
