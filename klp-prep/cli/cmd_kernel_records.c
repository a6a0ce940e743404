// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_kernel_records.c - klp-prep kernel-records: the records of a
 * distribution kernel's units, rebuilt and proven against the shipped
 * vmlinux (livepatch/shipped.h)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "shipped.h"

#include "cli.h"

static const char kernel_records_usage[] =
"usage: klp-prep kernel-records -k /lib/modules/RELEASE/build [OPTION...] UNIT.o...\n"
"\n"
"Make the records of UNITs (paths in the kernel's source tree, e.g.\n"
"fs/proc/version.o) for a kernel that was built without the klp-prep\n"
"plugin, such as a distribution's: each unit is recompiled with the plugin\n"
"from the distribution's source package against its headers package, by\n"
"the compiler the kernel was built with, and its code is compared with the\n"
"shipped -dbg vmlinux function by function (relocated fields aside).  Only\n"
"a unit whose every function matches is cached: records are never a guess\n"
"about the kernel you run.  (Hence the name: the records a kernel has not\n"
"got, made for it.)  Proven units are reused by later runs and by\n"
"'klp-prep check -k'.\n"
"\n"
"Needs, for Debian: linux-headers-RELEASE, linux-image-RELEASE-dbg,\n"
"linux-source-VERSION, and the compiler CONFIG_CC_VERSION_TEXT names.\n"
"\n"
"  -k, --kernel DIR      the kernel's headers: /lib/modules/RELEASE/build\n"
"      --vmlinux PATH    the shipped vmlinux with symbols (default: the -dbg\n"
"                        package's /usr/lib/debug/boot/vmlinux-RELEASE)\n"
"      --source PATH     the source: a tarball (default /usr/src/linux-source-\n"
"                        VERSION.tar.xz, unpacked once into the cache) or an\n"
"                        unpacked tree\n"
"      --cache DIR       where unpacked sources and proven units are kept\n"
"                        (default $XDG_CACHE_HOME/klp-prep/shipped)\n"
"      --extra-cflags F  add F to the compiles: to see the proof refuse code\n"
"                        compiled otherwise; such units are never cached\n"
"  -v                    also print library notes (-vv: debug notes, where each was raised)\n"
"  -h, --help            this text\n"
"\n"
"Prints one line per unit (proven, cached, or what differs).\n"
"exit status: 0 every unit proven, 2 bad usage, a package missing (the\n"
"apt-get line to run is printed), a source or compiler that is not the\n"
"kernel's; 3 a unit's rebuilt code differs from the shipped code (it cannot\n"
"be proven: the function is named), 4 a step failed otherwise (make).\n";

int cmd_kernel_records(int argc, char **argv)
{
	static const struct option options[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "source", required_argument, NULL, 'S' },
		{ "cache", required_argument, NULL, 'C' },
		{ "extra-cflags", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct klp_shipped_opts o = { 0 };
	struct klp_shipped *s;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "hk:v", options, NULL)) != -1) {
		switch (opt) {
		case 'k':
			o.build_dir = optarg;
			break;
		case 'V':
			o.vmlinux = optarg;
			break;
		case 'S':
			o.source = optarg;
			break;
		case 'C':
			o.cache = optarg;
			break;
		case 'X':
			o.extra_cflags = optarg;
			break;
		case 'v':
			klp_verbose++;
			break;
		case 'h':
			fputs(kernel_records_usage, stdout);
			return KLP_EXIT_OK;
		default:
			fputs(kernel_records_usage, stderr);
			return KLP_EXIT_USAGE;
		}
	}
	if (!o.build_dir) {
		usage_error("kernel-records: no -k /lib/modules/RELEASE/build given");
		return KLP_EXIT_USAGE;
	}
	if (optind >= argc) {
		usage_error("kernel-records: no UNIT.o given; see 'klp-prep kernel-records --help'");
		return KLP_EXIT_USAGE;
	}
	ret = klp_shipped_open(&o, &s);
	if (ret)
		return ret == -ENOENT || ret == -EINVAL || ret == -ENOTSUP ?
			KLP_EXIT_USAGE : KLP_EXIT_INTERNAL;
	ret = klp_shipped_make_records(s, (const char *const *)argv + optind,
				       (size_t)(argc - optind));
	klp_shipped_free(s);
	if (ret == KLP_SHIPPED_DIFFERS)
		return KLP_EXIT_UNSAFE;
	if (ret == -EINVAL || ret == -ENOENT)
		return KLP_EXIT_USAGE;
	return ret ? KLP_EXIT_INTERNAL : KLP_EXIT_OK;
}
