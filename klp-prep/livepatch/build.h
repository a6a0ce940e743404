/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * build.h - klp-prep build: from a fix to a verified livepatch module
 *
 * Steps (klp_build()), each reported in one line (progress of the step
 * "build", klp_prep/log.h), each leaving its log
 * and outputs in the work directory so that a failed run can be resumed
 * from the step that failed:
 *
 *   compdb	the compile database: the kernel's, or one made with the
 *		kernel's gen_compile_commands.py over the build and the
 *		out-of-tree modules the fix touches; for a distribution's
 *		kernel (-k its headers), the records of the units the fix
 *		changes first (klp_shipped_make_records()), and the commands
 *		they were compiled with
 *   generate	klp_generate(): the functions to patch (klp-prep affected's
 *		closure), extraction, the table with the old side of the
 *		stack_only entries
 *   build	make M=... with the partition plugin
 *   new-side	the built module's records: what GCC split off each new
 *		function, paired with the old side
 *   regenerate	klp_generate() again, with the new side in the table
 *   rebuild	make M=... again
 *   convert	klp_generate_convert_module(): livepatch relocations
 *   verify	klp_verify_module(), the old side unchanged, the modules it
 *		replaces or is stacked on verified too
 *   install	the .ko copied to a temporary file and renamed into place
 */
#ifndef KLP_PREP_BUILD_H
#define KLP_PREP_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "generate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fix cannot be livepatched safely (reasons logged). */
#define KLP_BUILD_UNSAFE	KLP_GENERATE_UNSAFE

struct klp_build_opts {
	/*
	 * The fix and how to generate the module's source, as klp-prep
	 * generate takes them (build_dir, compdb_dir: NULL, see the compdb
	 * step; diff or patched + functions; strip; name; prefix;
	 * templates; replace; allow_unsafe).  Its output, force and
	 * new_side are the build's to set: ignored here.
	 */
	struct klp_generate_opts gen;
	/* Out-of-tree modules the fix patches (built with the plugin). */
	const char *const *module_dirs;
	size_t nr_module_dirs;
	const char *plugin;		/* NULL: klp_build_default_plugin() */
	const char *work_dir;		/* NULL: klp-build-NAME */
	const char *output;		/* the .ko; NULL: livepatch-NAME.ko */
	/* Livepatch modules this one replaces (implies gen.replace). */
	const char *const *replaces;
	size_t nr_replaces;
	/* Livepatch modules it is stacked on (enabled before it). */
	const char *const *stacked_on;
	size_t nr_stacked_on;
	/*
	 * When gen.build_dir is a distribution kernel's headers (no vmlinux,
	 * shipped.h): its -dbg vmlinux, its source and the cache of its
	 * proven units (NULL: found by release, the default cache).
	 */
	const char *vmlinux;
	const char *source;
	const char *cache;
	/*
	 * Does the kernel's struct klp_func have stack_only (the
	 * kernel-support series)?  AUTO: a distribution's headers say
	 * (KLP_HAVE_STACK_ONLY in <linux/livepatch.h>), a kernel built with
	 * the plugin has it.  Without it, split parts are covered by their
	 * callers (gen.no_stack_only).
	 */
	enum { KLP_STACK_ONLY_AUTO, KLP_STACK_ONLY_YES, KLP_STACK_ONLY_NO } stack_only;
	bool resume;			/* from the first step not done */
	bool force;			/* replace @output if it exists */
};

/*
 * Returns 0 (the module is at @output), KLP_BUILD_UNSAFE, -EINVAL for
 * bad input (or arguments that differ from the run being resumed), other
 * -errno for everything else (a failed make, a table that does not verify:
 * a bug of klp-prep or of the templates).  Every error is logged.
 */
int klp_build(const struct klp_build_opts *opts);

/*
 * The partition plugin to build with: $KLP_PREP_PLUGIN, the installed one
 * (beside the klp-prep binary, ../lib/klp-prep/), or this build tree's;
 * NULL when none is there.
 */
const char *klp_build_default_plugin(void);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_BUILD_H */
