// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_build.c - klp-prep build: from a fix to a verified livepatch module
 *
 * Options in, klp_build() (build.h) runs the steps; each step's
 * line goes to stdout, messages to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "extract.h"
#include "verify.h"

#include "cli.h"

static const char build_usage[] =
"usage: klp-prep build [OPTIONS] -k BUILD_DIR (FIX.diff | -p TREE_FILE=PATCHED_FILE... -f NAME...)\n"
"\n"
"Make a livepatch module for a fix to a kernel build, and verify it: find\n"
"the functions to patch from the kernel's partition records, generate the\n"
"module source (klp-prep generate), build it with the partition plugin,\n"
"fill in the new side of the stack_only entries (what GCC split off each\n"
"new function: .cold parts, clones) from the module's own records, build\n"
"it again, convert its relocations to livepatch ones, and check that its\n"
"klp_func table matches its own records and symbols exactly.\n"
"\n"
"  -k, --kernel DIR      the kernel build directory (O=), built with the plugin;\n"
"                        or a distribution kernel's headers (/lib/modules/R/build):\n"
"                        the records of the units the fix changes are then made\n"
"                        as 'klp-prep kernel-records' makes them\n"
"      --vmlinux PATH    (headers) the shipped vmlinux with symbols (default: the\n"
"                        -dbg package's)\n"
"      --source PATH     (headers) the kernel's source tarball or tree (default:\n"
"                        the linux-source package's)\n"
"      --cache DIR       (headers) the proven units' cache (default\n"
"                        $XDG_CACHE_HOME/klp-prep/shipped)\n"
"  -m, --module-dir DIR  an out-of-tree module the fix patches (built with\n"
"                        the plugin); its compile commands are used too\n"
"      --compdb DIR      a compile_commands.json to use (default: the kernel's,\n"
"                        or one made with its gen_compile_commands.py)\n"
"  -p, --patched TREE_FILE=FILE, -f, --function [FILE:]NAME\n"
"                        patched files and their changed functions, instead\n"
"                        of a diff (as klp-prep generate)\n"
"  -n, --name NAME       the livepatch's name (default: the diff's file name)\n"
"  -o, --output FILE     the module to write (default: ./livepatch-NAME.ko)\n"
"  -w, --work-dir DIR    logs and intermediate files (default: ./klp-build-NAME)\n"
"      --resume          go on from the step that failed in the work directory\n"
"      --plugin FILE     the partition plugin (default: the installed one)\n"
"      --replace         an atomic-replace (cumulative) livepatch, as\n"
"                        distributions ship them: the default\n"
"      --no-replace      a livepatch that stacks on the ones enabled before it\n"
"      --replaces FILE.ko\n"
"                        a livepatch module this one replaces (implies\n"
"                        --replace; its table is verified: the kernel checks\n"
"                        its new-side parts during the replace)\n"
"      --stacked-on FILE.ko\n"
"                        a livepatch module enabled before this one (implies\n"
"                        --no-replace; verified the same way)\n"
"      --prefix PREFIX   of the new functions (default klpp_)\n"
"      --strip N         strip N leading components of the diff's paths (1)\n"
"      --templates DIR   the templates to render (default: the installed ones)\n"
"      --force           replace the output module if it exists\n"
"      --stack-only=auto|yes|no\n"
"                        does the kernel have the kernel-support series (struct\n"
"                        klp_func.stack_only)? auto: a distribution's headers\n"
"                        say, a kernel built with the plugin has it.  Without\n"
"                        it, each part split off a patched function is covered\n"
"                        by patching every caller whose frame can be above it\n"
"                        (docs/stock-kernels.md), or refused with the reason\n"
"      --cover-max-depth N, --cover-max-callers N\n"
"                        limits of that covering (4 frameless callers, 16\n"
"                        callers)\n"
KLP_CALLBACKS_HELP
KLP_ALLOW_UNSAFE_HELP"  -v                    more messages (-vv: also where each was raised)\n"
"  -h, --help            this text\n"
"\n"
"exit status: 0 ok, 2 bad usage or input, 3 the fix cannot be livepatched\n"
"safely (each reason printed), 4 a step failed otherwise (its log named).\n";

enum {
	OPT_COMPDB = 256,
	OPT_RESUME,
	OPT_PLUGIN,
	OPT_REPLACE,
	OPT_NO_REPLACE,
	OPT_REPLACES,
	OPT_STACKED_ON,
	OPT_PREFIX,
	OPT_STRIP,
	OPT_TEMPLATES,
	OPT_FORCE,
	OPT_ALLOW_UNSAFE,
	OPT_VMLINUX,
	OPT_SOURCE,
	OPT_CACHE,
	OPT_STACK_ONLY,
	OPT_COVER_DEPTH,
	OPT_COVER_CALLERS,
	OPT_NO_COVER,
	OPT_CALLBACKS,
};

int cmd_build(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "module-dir", required_argument, NULL, 'm' },
		{ "compdb", required_argument, NULL, OPT_COMPDB },
		{ "patched", required_argument, NULL, 'p' },
		{ "function", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "work-dir", required_argument, NULL, 'w' },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "plugin", required_argument, NULL, OPT_PLUGIN },
		{ "replace", no_argument, NULL, OPT_REPLACE },
		{ "no-replace", no_argument, NULL, OPT_NO_REPLACE },
		{ "replaces", required_argument, NULL, OPT_REPLACES },
		{ "stacked-on", required_argument, NULL, OPT_STACKED_ON },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "strip", required_argument, NULL, OPT_STRIP },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "allow-unsafe", required_argument, NULL, OPT_ALLOW_UNSAFE },
		{ "vmlinux", required_argument, NULL, OPT_VMLINUX },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "stack-only", required_argument, NULL, OPT_STACK_ONLY },
		{ "cover-max-depth", required_argument, NULL, OPT_COVER_DEPTH },
		{ "cover-max-callers", required_argument, NULL, OPT_COVER_CALLERS },
		{ "no-cover", no_argument, NULL, OPT_NO_COVER },
		{ "callbacks", required_argument, NULL, OPT_CALLBACKS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct klp_build_opts o = { .gen.strip = 1 };
	const char **mods = NULL, **patched = NULL, **functions = NULL;
	const char **replaces = NULL, **stacked = NULL;
	int c, err = 0, ret, replace = -1;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:m:p:f:n:o:w:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'k': o.gen.build_dir = optarg; break;
		case 'm': err = push_arg(&mods, &o.nr_module_dirs, optarg); break;
		case OPT_COMPDB: o.gen.compdb_dir = optarg; break;
		case 'p': err = push_arg(&patched, &o.gen.nr_patched, optarg); break;
		case 'f': err = push_arg(&functions, &o.gen.nr_functions, optarg); break;
		case 'n': o.gen.name = optarg; break;
		case 'o': o.output = optarg; break;
		case 'w': o.work_dir = optarg; break;
		case OPT_RESUME: o.resume = true; break;
		case OPT_PLUGIN: o.plugin = optarg; break;
		case OPT_REPLACE: replace = 1; break;
		case OPT_NO_REPLACE: replace = 0; break;
		case OPT_REPLACES: err = push_arg(&replaces, &o.nr_replaces, optarg); break;
		case OPT_STACKED_ON: err = push_arg(&stacked, &o.nr_stacked_on, optarg); break;
		case OPT_PREFIX: o.gen.prefix = optarg; break;
		case OPT_STRIP:
			o.gen.strip = (int)strtol(optarg, &end, 10);
			if (*end || o.gen.strip < 0) {
				usage_error("--strip wants a number, not '%s'", optarg);
				ret = KLP_EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_TEMPLATES: o.gen.templates = optarg; break;
		case OPT_FORCE: o.force = true; break;
		case OPT_VMLINUX: o.vmlinux = optarg; break;
		case OPT_SOURCE: o.source = optarg; break;
		case OPT_CACHE: o.cache = optarg; break;
		case OPT_STACK_ONLY:
			if (!strcmp(optarg, "auto"))
				o.stack_only = KLP_STACK_ONLY_AUTO;
			else if (!strcmp(optarg, "yes"))
				o.stack_only = KLP_STACK_ONLY_YES;
			else if (!strcmp(optarg, "no"))
				o.stack_only = KLP_STACK_ONLY_NO;
			else {
				usage_error("--stack-only wants auto, yes or no, not '%s'", optarg);
				ret = KLP_EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_NO_COVER: o.gen.no_cover = true; break;
		case OPT_CALLBACKS: o.gen.callbacks = optarg; break;
		case OPT_COVER_DEPTH:
		case OPT_COVER_CALLERS:
			ret = parse_cover_limit(c == OPT_COVER_DEPTH, optarg, &o.gen);
			if (ret)
				goto out;
			break;
		case OPT_ALLOW_UNSAFE:
			if (klp_generate_parse_allow(optarg, &o.gen.allow_unsafe)) {
				ret = KLP_EXIT_USAGE;
				goto out;
			}
			break;
		case 'v': klp_verbose++; break;
		case 'h':
			fputs(build_usage, stdout);
			ret = KLP_EXIT_OK;
			goto out;
		default:
			fputs(build_usage, stderr);
			ret = KLP_EXIT_USAGE;
			goto out;
		}
		if (err) {
			ret = KLP_EXIT_INTERNAL;
			goto out;
		}
	}
	if (optind < argc)
		o.gen.diff = argv[optind++];
	if (optind < argc || !o.gen.build_dir || (!o.gen.diff && !o.gen.nr_patched) ||
	    (o.gen.nr_patched && !o.gen.nr_functions)) {
		usage_error("build: %s; see 'klp-prep build --help'",
			    optind < argc ? "one diff only" :
			    !o.gen.build_dir ? "no kernel build directory (-k)" :
			    !o.gen.diff && !o.gen.nr_patched ? "no fix (a diff or -p)" :
			    "patched files (-p) need their changed functions (-f)");
		ret = KLP_EXIT_USAGE;
		goto out;
	}
	if ((replace == 1 || o.nr_replaces) && o.nr_stacked_on) {
		usage_error("build: --stacked-on makes a livepatch that does not replace");
		ret = KLP_EXIT_USAGE;
		goto out;
	}
	if (replace == 0 && o.nr_replaces) {
		usage_error("build: --replaces with --no-replace");
		ret = KLP_EXIT_USAGE;
		goto out;
	}
	/* Cumulative, replacing what came before, unless stacked. */
	o.gen.replace = replace == -1 ? !o.nr_stacked_on : replace;
	o.module_dirs = mods;
	o.gen.patched = patched;
	o.gen.functions = functions;
	o.replaces = replaces;
	o.stacked_on = stacked;

	err = klp_build(&o);
	if (!err) {
		ret = KLP_EXIT_OK;
	} else if (err == KLP_BUILD_UNSAFE) {
		fprintf(stderr, "%s: build: this fix cannot be livepatched safely as it is "
			"(reasons above)\n", klp_prog);
		ret = KLP_EXIT_UNSAFE;
	} else if (err == -EINVAL || err == -EEXIST) {
		ret = KLP_EXIT_USAGE;
	} else {
		ret = KLP_EXIT_INTERNAL;
	}
out:
	free(mods);
	free(patched);
	free(functions);
	free(replaces);
	free(stacked);
	return ret;
}

static const char verify_usage[] =
"usage: klp-prep verify [--stack-only=yes|no] MODULE.ko...\n"
"\n"
"Print the klp_func tables of built livepatch modules (each patched\n"
"function with its stack_only entries: old side <-> new side) and check\n"
"them against the modules' own partition records and symbols, as\n"
"klp-prep build does before it installs a module: every part GCC split\n"
"off a new function must be named by one stack_only entry of it, and\n"
"every new_name must be such a part.\n"
"\n"
"  --stack-only=no       modules for a kernel without the kernel-support\n"
"                        series: no stack_only entry, and every part of a\n"
"                        new function must be covered instead: each function\n"
"                        whose frame can be above it in the module is a new\n"
"                        function of the table\n"
"\n"
"exit status: 0 ok, 1 a table does not match, 2 bad usage or input.\n";

static void print_table(const struct klp_lp_table *t)
{
	size_t i, k;

	printf("%s: %s, struct klp_func of %zu bytes\n", t->path,
	       t->replace ? "atomic replace" : "no replace", t->func_size);
	for (i = 0; i < t->nr_objs; i++) {
		const struct klp_lp_object *o = &t->objs[i];

		printf("  %s (%s):\n", o->name, o->array);
		for (k = 0; k < o->nr_funcs; k++) {
			const struct klp_lp_func *f = &o->funcs[k];
			char op[32] = "", np[32] = "";

			if (f->old_sympos)
				snprintf(op, sizeof(op), ",%lu", f->old_sympos);
			if (f->new_sympos)
				snprintf(np, sizeof(np), ",%lu", f->new_sympos);
			if (!f->stack_only)
				printf("    %s%s -> %s\n", f->old_name ? f->old_name : "(none)", op,
				       f->new_func ? f->new_func : "(none)");
			else
				printf("      stack_only %s%s <-> %s%s\n",
				       f->old_name ? f->old_name : "(none)", op,
				       f->new_name ? f->new_name : "(none)", np);
		}
	}
}

int cmd_verify(int argc, char **argv)
{
	int i, ret = KLP_EXIT_OK;
	bool stock = false;

	if (argc < 2) {
		fputs(verify_usage, stderr);
		return KLP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(verify_usage, stdout);
		return KLP_EXIT_OK;
	}
	for (i = 1; i < argc; i++) {
		struct klp_verify_result r;
		struct klp_lp_table *t;
		int err;

		if (!strncmp(argv[i], "--stack-only=", 13)) {
			if (strcmp(argv[i] + 13, "yes") && strcmp(argv[i] + 13, "no")) {
				usage_error("--stack-only wants yes or no, not '%s'", argv[i] + 13);
				return KLP_EXIT_USAGE;
			}
			stock = !strcmp(argv[i] + 13, "no");
			continue;
		}
		err = klp_lp_table__read(argv[i], &t);

		if (err) {
			ret = KLP_EXIT_USAGE;
			continue;
		}
		print_table(t);
		klp_lp_table__free(t);
		err = klp_verify_module_stock(argv[i], stock ? KLP_VERIFY_STOCK :
					      KLP_VERIFY_STACK_ONLY, &r);
		if (err == -EBADMSG) {
			printf("%s: %zu mismatch%s\n", argv[i], r.errors, r.errors == 1 ? "" : "es");
			if (ret == KLP_EXIT_OK)
				ret = KLP_EXIT_MISMATCH;
		} else if (err) {
			ret = KLP_EXIT_USAGE;
		} else if (stock) {
			printf("%s: ok: %zu patched function%s; no stack_only: %zu part%s of the new "
			       "code covered by patched callers\n", argv[i], r.patched,
			       r.patched == 1 ? "" : "s", r.covered, r.covered == 1 ? "" : "s");
		} else {
			printf("%s: ok: %zu patched function%s; stack_only: %zu pair%s, %zu old side "
			       "only, %zu new side only\n", argv[i], r.patched, r.patched == 1 ? "" : "s",
			       r.pairs, r.pairs == 1 ? "" : "s", r.old_only, r.new_only);
		}
	}
	return ret;
}
