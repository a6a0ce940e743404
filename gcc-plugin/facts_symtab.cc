// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * facts_symtab.cc - symbols that are not compiled as functions of their own
 *
 * Aliases (`foo.localalias` from cgraph_node::noninterposable_alias under
 * -fno-semantic-interposition, __attribute__((alias)), IPA-ICF merges) are
 * only symbol table entries: varasm.cc's do_assemble_alias writes them and
 * sets TREE_ASM_WRITTEN.  Thunks that the target writes directly
 * (output_mi_thunk) never reach the pass "final" either.  Both are found
 * by walking the symbol table at the end of the unit.
 */
#include "gcc-compat.h"
#include "unit_facts.h"

/* The function an alias finally points to, or NULL. */
static cgraph_node *alias_target(cgraph_node *node)
{
	symtab_node *target = node;
	int guard;

	for (guard = 0; guard < 64 && target && target->alias; guard++) {
		ipa_ref *ref = NULL;

		/* symtab_node::get_alias_target, without its assertion. */
		if (!target->iterate_reference(0, ref) || !ref ||
		    ref->use != IPA_REF_ALIAS)
			return NULL;
		target = ref->referred;
	}
	if (!target || target->alias)
		return NULL;
	return dyn_cast<cgraph_node *>(target);
}

static void record_alias(cgraph_node *node)
{
	cgraph_node *target = alias_target(node);
	struct fact_func *func, *target_func;
	unsigned int target_index, index;

	if (!target || !target->decl || TREE_CODE(target->decl) != FUNCTION_DECL)
		return;
	/* facts_build_unit() puts aliases last: alias_of refers backwards. */
	target_index = facts_func(target->decl);
	index = facts_func(node->decl);
	func = facts_func_at(index);
	target_func = facts_func_at(target_index);
	if (!func || !target_func || index == target_index)
		return;

	func->rec.flags |= KLP_FUNC_F_ALIAS | KLP_FUNC_F_EMITTED;
	func->rec.alias_of = target_index + 1;
	if (!func->rec.section && target_func->rec.section)
		func->rec.section = xstrdup(target_func->rec.section);

	/*
	 * "foo.localalias" is GCC's second name for foo: its origin is foo's.
	 * A user's alias is a function of its own in the source.
	 */
	facts_func_derive(index, target_index);
}

void facts_symtab_finish(void)
{
	cgraph_node *node;

	FOR_EACH_FUNCTION(node) {
		if (!node->decl || TREE_CODE(node->decl) != FUNCTION_DECL ||
		    !TREE_ASM_WRITTEN(node->decl))
			continue;
		if (node->alias) {
			if (!node->weakref && !node->transparent_alias)
				record_alias(node);
			continue;
		}
		/* Written without the pass manager (e.g. output_mi_thunk). */
		if (facts_find_func(DECL_UID(node->decl)) < 0 ||
		    !(facts_func_at(facts_func(node->decl))->rec.flags &
		      KLP_FUNC_F_EMITTED)) {
			struct fact_func *func = facts_func_at(facts_func(node->decl));

			func->rec.flags |= KLP_FUNC_F_EMITTED;
		}
	}
}
