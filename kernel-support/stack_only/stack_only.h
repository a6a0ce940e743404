/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stack_only.h - code ranges a task must be out of before it may switch
 *
 * This is the decision half of the stack check of the consistency model:
 * for one patched function of the transition patch, which address ranges
 * must not appear on a task's stack before the task may be switched to the
 * target patch state.  The other half, walking the stack, stays in
 * transition.c.
 *
 * The rule is: a task may not be switched while it may still return into
 * the code it is switched away from.  That code is one "version" of the
 * patched function together with every part the compiler split off from
 * that version (foo.cold, foo.part.0, ...), which the patch describes with
 * the stack_only entries that follow the function's entry in the funcs
 * array (klp_func::subfuncs).
 *
 *   enabling (and atomic replace), the function is alone on its func_stack:
 *	the original function and the old side of the entry's subfuncs;
 *   enabling (and atomic replace), another entry @prev is below it:
 *	@prev's new function and the new side of @prev's subfuncs, i.e. the
 *	code of the patch that is running now (for a replace, the outgoing
 *	patch; for a nop of a replace, too);
 *   disabling (or reverting):
 *	the entry's new function and the new side of its subfuncs; for a
 *	nop, whose new function is the original one, the old side of the
 *	subfuncs of @prev, which described that original code.
 *
 * The file is plain C on purpose: it only reads fields of struct klp_func
 * and reports each range through a callback, so that the same text can be
 * compiled and unit-tested outside of the kernel against a struct klp_func
 * with the same field names.  It needs bool and struct klp_func from the
 * includer and nothing else; keep it that way.
 */

#ifndef _LIVEPATCH_STACK_ONLY_H
#define _LIVEPATCH_STACK_ONLY_H

/*
 * Called for each range [@addr, @addr + @size) that must not be on the
 * stack; @name is the symbol to report.  A non-zero return value stops the
 * walk and is passed up.
 */
typedef int (*klp_range_fn_t)(unsigned long addr, unsigned long size,
			      const char *name, void *data);

/* Which version of a split-off part: the original's or the livepatch's. */
enum klp_subfunc_side {
	KLP_SUBFUNC_OLD,
	KLP_SUBFUNC_NEW,
};

/*
 * Report one side of every stack_only entry of @parent.  A side that the
 * entry does not have (old_name or new_name NULL), or that is not resolved
 * (its object is not loaded), has no address and is skipped.
 */
static inline int klp_walk_subfunc_ranges(const struct klp_func *parent,
					  enum klp_subfunc_side side,
					  klp_range_fn_t fn, void *data)
{
	const struct klp_func *sub;
	unsigned int i;
	int ret;

	if (!parent)
		return 0;

	for (i = 0; i < parent->nr_subfuncs; i++) {
		sub = &parent->subfuncs[i];

		if (side == KLP_SUBFUNC_OLD) {
			if (!sub->old_func)
				continue;
			ret = fn((unsigned long)sub->old_func, sub->old_size,
				 sub->old_name, data);
		} else {
			if (!sub->new_func)
				continue;
			ret = fn((unsigned long)sub->new_func, sub->new_size,
				 sub->new_name, data);
		}
		if (ret)
			return ret;
	}

	return 0;
}

/**
 * klp_walk_transition_ranges() - ranges that block switching a task
 * @func:	a patched (not stack_only) entry of the transition patch
 * @prev:	the entry below @func on its klp_ops func_stack, or NULL when
 *		@func is the last one (the original code is underneath)
 * @target_patched: true when the transition goes to KLP_TRANSITION_PATCHED
 *		(enabling, atomic replace), false when it goes to
 *		KLP_TRANSITION_UNPATCHED (disabling, reverting)
 * @fn:		called for each range, see klp_range_fn_t
 * @data:	passed to @fn
 *
 * Return: 0 after all ranges were reported, else the first non-zero value
 * returned by @fn.
 */
static inline int klp_walk_transition_ranges(const struct klp_func *func,
					     const struct klp_func *prev,
					     bool target_patched,
					     klp_range_fn_t fn, void *data)
{
	int ret;

	if (target_patched) {
		if (!prev) {
			/* The original function runs underneath. */
			ret = fn((unsigned long)func->old_func, func->old_size,
				 func->old_name, data);
			if (ret)
				return ret;
			return klp_walk_subfunc_ranges(func, KLP_SUBFUNC_OLD,
						       fn, data);
		}

		/* The previous patch's version runs underneath. */
		ret = fn((unsigned long)prev->new_func, prev->new_size,
			 func->old_name, data);
		if (ret)
			return ret;
		/*
		 * A nop is never left below another entry: nops are discarded
		 * when their replace transition completes.  It has no
		 * subfuncs of its own either way.
		 */
		return klp_walk_subfunc_ranges(prev, KLP_SUBFUNC_NEW,
					       fn, data);
	}

	/* The version of @func itself is being left. */
	ret = fn((unsigned long)func->new_func, func->new_size,
		 func->old_name, data);
	if (ret)
		return ret;

	if (func->nop) {
		/*
		 * A nop runs the original function; the entries below it
		 * describe the original's split-off parts as their old side.
		 */
		return klp_walk_subfunc_ranges(prev, KLP_SUBFUNC_OLD,
					       fn, data);
	}

	return klp_walk_subfunc_ranges(func, KLP_SUBFUNC_NEW, fn, data);
}

#endif /* _LIVEPATCH_STACK_ONLY_H */
