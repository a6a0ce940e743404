// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_cflags.c - klp-prep cflags: the compiler flags that load the
 * partition plugin, for a kernel build (KCFLAGS) or any other
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "build.h"

#include "cli.h"

static const char cflags_usage[] =
"usage: klp-prep cflags [--kbuild | --path]\n"
"\n"
"Print the flag that loads the klp_partition GCC plugin: the one of\n"
"$KLP_PREP_PLUGIN, of this installation, or of this build tree.\n"
"\n"
"      --kbuild   as a make variable:  make KCFLAGS=... (add your own\n"
"                 KCFLAGS to it), e.g. make $(klp-prep cflags --kbuild)\n"
"      --path     only the plugin's path\n"
"  -h, --help     this text\n"
"\n"
"exit status: 0 ok, 2 no plugin found.\n";

int cmd_cflags(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "kbuild", no_argument, NULL, 'K' },
		{ "path", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *plugin;
	int c, kbuild = 0, path = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'K':
			kbuild = 1;
			break;
		case 'P':
			path = 1;
			break;
		case 'h':
			fputs(cflags_usage, stdout);
			return KLP_EXIT_OK;
		default:
			fputs(cflags_usage, stderr);
			return KLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage_error("cflags takes no arguments");
		return KLP_EXIT_USAGE;
	}
	plugin = klp_build_default_plugin();
	if (!plugin || access(plugin, R_OK)) {
		fprintf(stderr, "%s: cflags: no klp_partition.so found (set KLP_PREP_PLUGIN, or "
			"install klp-prep with cmake --install)\n", klp_prog);
		return KLP_EXIT_USAGE;
	}
	if (path)
		printf("%s\n", plugin);
	else
		printf("%s-fplugin=%s\n", kbuild ? "KCFLAGS=" : "", plugin);
	return KLP_EXIT_OK;
}
