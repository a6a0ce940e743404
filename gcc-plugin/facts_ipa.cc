// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * facts_ipa.cc - inline decisions and clone parameters, from the call graph
 *
 * Early inlining (pass_early_inline, in the small IPA passes) applies each
 * decision at once: expand_call_inline() copies the body and removes the
 * inline clone ("cg_edge->callee->remove ()").  A cgraph removal hook sees
 * that clone while its caller edge still names the body it went into and
 * the call statement.
 *
 * IPA inlining only decides: inline clones (cgraph_node::inlined_to set)
 * stay in the call graph until expansion applies them, so at
 * PLUGIN_ALL_IPA_PASSES_END the whole nesting is there to walk.
 *
 * IPA-CP's constants (clone_info::tree_map) and IPA-SRA's parameter
 * changes (clone_info::param_adjustments) hang off the virtual clones.
 * GCC 12 materializes clones on demand at expansion
 * (cgraph_node::materialize_clone): the clone_info survives it (seen
 * still set when "*clean_state" runs), but remove_from_clone_tree() cuts
 * clone_of.  IPA-SRA's clone of an IPA-CP clone has no tree_map of its
 * own (seen: both.constprop.0.isra.0 has none, both.constprop.0 has k = 3),
 * so its constants are only reachable through clone_of, before
 * materialization: the end of IPA is the moment to read them.
 */
#include "gcc-compat.h"
#include "unit_facts.h"

static cgraph_node_hook_list *removal_hook;

static location_t edge_location(cgraph_edge *edge)
{
	if (edge && edge->call_stmt)
		return gimple_location(edge->call_stmt);
	return UNKNOWN_LOCATION;
}

static bool is_function(cgraph_node *node)
{
	return node && node->decl && TREE_CODE(node->decl) == FUNCTION_DECL;
}

static void on_node_removal(cgraph_node *node, void *data ATTRIBUTE_UNUSED)
{
	if (klp_plugin.finished || !is_function(node))
		return;

	if (node->inlined_to) {
		cgraph_edge *edge = node->callers;
		cgraph_node *into;

		/*
		 * After IPA, the transform reports nested copies against the
		 * outermost function; the IPA snapshot has the real chain.
		 */
		if (klp_plugin.ipa_inline_started || !edge ||
		    !is_function(edge->caller))
			return;
		into = edge->caller;
		facts_add_early_inline(facts_origin(node->decl),
				       facts_origin(into->decl),
				       facts_func(into->decl),
				       edge_location(edge));
		return;
	}
	/*
	 * A body that is going away: inlined everywhere, replaced by its
	 * clones, or unused.  Never-analyzed nodes (static inline functions
	 * of headers that nothing calls) are not bodies GCC worked on.
	 */
	if (node->alias || node->thunk || !node->definition || !node->analyzed)
		return;
	facts_func(node->decl);
}

void facts_ipa_start_unit(void)
{
	if (in_lto_p)
		klp_plugin.ipa_inline_started = true;
	if (!removal_hook && symtab)
		removal_hook = symtab->add_cgraph_removal_hook(on_node_removal,
							       NULL);
}

/*
 * Inline clones removed before the IPA inliner ("inline") runs were made
 * by the early inliner ("einline").  In lto1 all inlining is IPA.
 */
void facts_ipa_pass(opt_pass *pass)
{
	if (pass->type == IPA_PASS && !strcmp(pass->name, "inline"))
		klp_plugin.ipa_inline_started = true;
}

static unsigned int count_params(tree fndecl)
{
	unsigned int n = 0;
	tree arg;

	for (arg = DECL_ARGUMENTS(fndecl); arg; arg = DECL_CHAIN(arg))
		n++;
	if (n)
		return n;
	/* The body (and DECL_ARGUMENTS) may be gone: count the type's. */
	for (arg = TYPE_ARG_TYPES(TREE_TYPE(fndecl)); arg; arg = TREE_CHAIN(arg))
		if (TREE_VALUE(arg) != void_type_node)
			n++;
	return n;
}

/* The IPA-CP constant for origin parameter @index, up the clone chain. */
static tree constant_for(cgraph_node *node, unsigned int index)
{
	int guard;

	for (guard = 0; node && guard < 64; guard++, node = node->clone_of) {
		clone_info *info = klp_clone_info(node);
		ipa_replace_map *map;
		unsigned int i;

		if (!info || !info->tree_map)
			continue;
		FOR_EACH_VEC_SAFE_ELT(info->tree_map, i, map)
			if (map && map->parm_num >= 0 &&
			    (unsigned int)map->parm_num == index && map->new_tree)
				return map->new_tree;
	}
	return NULL_TREE;
}

/*
 * The adjustments that describe the clone's parameters.  ipa-sra.cc and
 * ipa-cp.cc compose them with those of the clone they start from, and
 * base_index is "the original parameter this one is based on": the first
 * one found up the chain describes the clone against its origin.
 */
static ipa_param_adjustments *adjustments_for(cgraph_node *node)
{
	int guard;

	for (guard = 0; node && guard < 64; guard++, node = node->clone_of) {
		clone_info *info = klp_clone_info(node);

		if (info && info->param_adjustments)
			return info->param_adjustments;
	}
	return NULL;
}

static bool skip_return_for(cgraph_node *node)
{
	int guard;

	for (guard = 0; node && guard < 64; guard++, node = node->clone_of) {
		clone_info *info = klp_clone_info(node);

		if (info && info->param_adjustments &&
		    info->param_adjustments->m_skip_return)
			return true;
	}
	return false;
}

static unsigned int param_change(ipa_param_adjustments *adj,
				 unsigned int index)
{
	ipa_adjusted_param *ap;
	bool split = false;
	unsigned int i;

	if (!adj)
		return 0;
	if (adj->m_always_copy_start >= 0 &&
	    index >= (unsigned int)adj->m_always_copy_start)
		return 0;
	FOR_EACH_VEC_SAFE_ELT(adj->m_adj_params, i, ap) {
		if (ap->base_index != index)
			continue;
		if (ap->op == IPA_PARAM_OP_COPY)
			return 0;
		if (ap->op == IPA_PARAM_OP_SPLIT)
			split = true;
	}
	return split ? KLP_PARAM_SPLIT : KLP_PARAM_REMOVED;
}

/* What IPA did to the parameters of clone @node, against its origin. */
static void record_params(cgraph_node *node, unsigned int func)
{
	ipa_param_adjustments *adj = adjustments_for(node);
	tree origin = facts_decl_origin(node->decl);
	struct klp_param *params;
	unsigned int n, i, nr = 0;

	if (!node->clone_of || !origin || origin == node->decl)
		return;
	n = count_params(origin);
	params = XCNEWVEC(struct klp_param, n + 1);
	for (i = 0; i < n; i++) {
		tree value = constant_for(node, i);
		unsigned int change = param_change(adj, i);

		if (value) {
			params[nr].index = i;
			params[nr].change = KLP_PARAM_CONSTANT;
			params[nr].value = print_generic_expr_to_str(value);
			nr++;
		} else if (change) {
			params[nr].index = i;
			params[nr].change = change;
			nr++;
		}
	}
	facts_set_params(func, params, nr, skip_return_for(node));
}

/* Each inline clone below @node is one copy in @func; keep the nesting. */
static void record_ipa_inlines(cgraph_node *node, unsigned int func,
			       unsigned int parent, int depth)
{
	cgraph_edge *edge;

	if (depth > 200)
		return;
	for (edge = node->callees; edge; edge = edge->next_callee) {
		unsigned int index;

		if (edge->inline_failed || !is_function(edge->callee))
			continue;
		/* The body now has a FUNC, emitted or not (see prune()). */
		record_params(edge->callee, facts_func(edge->callee->decl));
		index = facts_add_ipa_inline(func, parent,
					     facts_origin(edge->callee->decl),
					     edge_location(edge));
		record_ipa_inlines(edge->callee, func, index + 1, depth + 1);
	}
}

void facts_ipa_all_passes_end(void)
{
	cgraph_node *node;

	FOR_EACH_FUNCTION(node) {
		unsigned int func;

		if (!is_function(node) || node->inlined_to || node->alias ||
		    node->thunk || !node->definition)
			continue;
		func = facts_func(node->decl);
		record_params(node, func);
		record_ipa_inlines(node, func, 0, 0);
	}
}
