// SPDX-License-Identifier: GPL-2.0-or-later
//
// klp_section_stub.cc - a stand-in for klp-prep's GCC plugin, for testing
// the harness and the kernel's linker-script entries only.
//
// It gives every object a .klp_prep.partition section holding one zero
// byte: a valid, empty section (readers skip zero bytes between blocks,
// see include/klp_partition.h).  It records nothing; the real plugin is
// gcc-plugin/ (klp_partition.so).
//
// Build (kernel-support/harness/build-stub-plugin.sh does it):
//   g++ -shared -fPIC -fno-rtti -O2 -I"$(gcc -print-file-name=plugin)/include"
//       -o klp_section_stub.so klp_section_stub.cc
#include "gcc-plugin.h"
#include "plugin-version.h"
#include "output.h"

int plugin_is_GPL_compatible;

static void finish_unit(void *, void *)
{
	fputs("\t.pushsection .klp_prep.partition,\"\",@progbits\n"
	      "\t.byte 0\n"
	      "\t.popsection\n", asm_out_file);
}

int plugin_init(struct plugin_name_args *info,
		struct plugin_gcc_version *version)
{
	if (!plugin_default_version_check(version, &gcc_version))
		return 1;
	register_callback(info->base_name, PLUGIN_FINISH_UNIT, finish_unit,
			  NULL);
	return 0;
}
