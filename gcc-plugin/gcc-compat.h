/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gcc-compat.h - the GCC headers the plugin needs, and every difference
 * between GCC versions, in one place (as scripts/gcc-plugins/gcc-common.h
 * does for the kernel's plugins).
 *
 * Supported today: GCC 12 only (Debian 12's gcc-12 12.2.0).  The facts the
 * plugin relies on were checked in GCC 12's source and on that compiler:
 * clone_info (symtab-clones.h) appeared in GCC 11, cold_function_name and
 * ipa_param_adjustments are GCC 10+, and the way clones are materialized
 * changed in GCC 11.  A port to another version starts here: add the
 * version's shims below, by GCC_VERSION number, and rerun the fixtures.
 */
#ifndef KLP_GCC_COMPAT_H
#define KLP_GCC_COMPAT_H

#include "gcc-plugin.h"
#include "plugin-version.h"
#include "config.h"
#include "system.h"
#include "coretypes.h"
#include "backend.h"
#include "tree.h"
#include "gimple.h"
#include "rtl.h"
#include "memmodel.h"		/* before emit-rtl.h */
#include "emit-rtl.h"
#include "tree-pass.h"
#include "cgraph.h"
#include "alloc-pool.h"		/* before symtab-clones.h */
#include "symbol-summary.h"	/* before symtab-clones.h */
#include "symtab-clones.h"
#include "ipa-param-manipulation.h"
#include "output.h"
#include "varasm.h"
#include "stringpool.h"		/* before attribs.h */
#include "attribs.h"
#include "diagnostic-core.h"
#include "tree-pretty-print.h"
#include "langhooks.h"
#include "flags.h"
#include "options.h"
#include "toplev.h"
#include "version.h"

#if GCC_VERSION < 12000 || GCC_VERSION >= 13000
#error "klp_partition supports GCC 12 only: see gcc-compat.h to port it"
#endif

/*
 * GCC 12: clone_info::get (node) holds IPA-CP's tree_map and IPA-SRA's
 * param_adjustments of a virtual clone until the clone is materialized,
 * which GCC 12 does on demand during expansion (cgraph_node::
 * materialize_clone, called after all IPA passes).
 */
static inline clone_info *klp_clone_info(cgraph_node *node)
{
	return clone_info::get(node);
}

#endif /* KLP_GCC_COMPAT_H */
