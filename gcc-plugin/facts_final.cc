// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * facts_final.cc - what code generation made of each function
 *
 * Two moments around the pass "final" (final.cc, rest_of_handle_final):
 *
 * - Before it runs, the function's BLOCK tree is complete: every inlined
 *   copy that left code (and, even at -g0, every inlined copy's outer
 *   scope: tree-ssa-live.cc keeps them "otherwise late diagnostics from
 *   such functions will not be emitted or suppressed properly") is a BLOCK
 *   whose BLOCK_ABSTRACT_ORIGIN is the inlined function and whose
 *   BLOCK_SOURCE_LOCATION is the call site; nesting is the tree's.  This
 *   is what DWARF's DW_TAG_inlined_subroutine is written from.  After
 *   final, rest_of_handle_final has dropped it ("DECL_INITIAL
 *   (current_function_decl) = error_mark_node").
 *
 * - After it ran (when the pass "*clean_state" starts): the symbol is out,
 *   TREE_ASM_WRITTEN is set, and for a hot/cold split function
 *   (crtl->has_bb_partition) final_scan_insn has named the cold part at
 *   NOTE_INSN_SWITCH_TEXT_SECTIONS: "cold_function_name =
 *   clone_function_name (current_function_decl, "cold")".  clean_state
 *   then clears crtl, so this is the last moment.
 */
#include "gcc-compat.h"
#include "unit_facts.h"

/* Depth limit for the BLOCK walk: nesting is bounded by inlining depth. */
#define MAX_BLOCK_DEPTH 1000

/*
 * The BLOCKs that some instruction's location points into, and their
 * enclosing BLOCKs: the inlined copies that left code.  Scope pruning
 * (remove_unused_scope_block_p) already drops a copy that has neither
 * statements nor sub-blocks, but it keeps BLOCKs with variables under -g,
 * and BLOCKs whose statements became no instruction.  A table of
 * pointers, valid only while this function is being output.
 */
struct block_set {
	tree *slots;
	unsigned int nr_slots;
	unsigned int nr;
};

static unsigned int block_hash(tree block)
{
	return (unsigned int)((uintptr_t)block >> 4) * 2654435761u;
}

static bool block_set_has(const struct block_set *set, tree block)
{
	unsigned int j;

	if (!set->nr_slots)
		return false;
	j = block_hash(block) & (set->nr_slots - 1);
	while (set->slots[j]) {
		if (set->slots[j] == block)
			return true;
		j = (j + 1) & (set->nr_slots - 1);
	}
	return false;
}

static bool block_set_add(struct block_set *set, tree block)
{
	unsigned int j, i;

	if (2 * (set->nr + 1) > set->nr_slots) {
		struct block_set bigger;

		bigger.nr_slots = set->nr_slots ? 2 * set->nr_slots : 256;
		bigger.slots = XCNEWVEC(tree, bigger.nr_slots);
		bigger.nr = 0;
		for (i = 0; i < set->nr_slots; i++)
			if (set->slots[i])
				block_set_add(&bigger, set->slots[i]);
		XDELETEVEC(set->slots);
		*set = bigger;
	}
	j = block_hash(block) & (set->nr_slots - 1);
	while (set->slots[j]) {
		if (set->slots[j] == block)
			return false;
		j = (j + 1) & (set->nr_slots - 1);
	}
	set->slots[j] = block;
	set->nr++;
	return true;
}

static void mark_blocks_with_code(struct block_set *set)
{
	rtx_insn *insn;

	for (insn = get_insns(); insn; insn = NEXT_INSN(insn)) {
		tree block;
		int guard = 0;

		if (!NONDEBUG_INSN_P(insn) || !INSN_HAS_LOCATION(insn))
			continue;
		block = LOCATION_BLOCK(INSN_LOCATION(insn));
		/* Stop at the first BLOCK already in: its chain is too. */
		while (block && TREE_CODE(block) == BLOCK &&
		       guard++ < MAX_BLOCK_DEPTH && block_set_add(set, block)) {
			if (BLOCK_FRAGMENT_ORIGIN(block))
				block_set_add(set, BLOCK_FRAGMENT_ORIGIN(block));
			block = BLOCK_SUPERCONTEXT(block);
		}
	}
}

static void walk_blocks(unsigned int func, tree block, unsigned int parent,
			const struct block_set *code, int depth)
{
	for (; block; block = BLOCK_CHAIN(block)) {
		unsigned int inner = parent;
		tree origin;

		if (TREE_CODE(block) != BLOCK)
			return;
		/* A fragment repeats its origin's scope in another range. */
		if (BLOCK_FRAGMENT_ORIGIN(block))
			continue;
		if (inlined_function_outer_scope_p(block)) {
			origin = block_ultimate_origin(block);
			/*
			 * A copy without code is kept: it is still an inline
			 * decision, with its exact place in the nesting, and
			 * DWARF lists it under -g (its debug statements give
			 * it a range).  -g0 prunes more of them; the
			 * decisions put those back (merge_ipa_decisions,
			 * merge_early_decisions), so -g only adds NO_CODE
			 * records.
			 */
			if (origin && TREE_CODE(origin) == FUNCTION_DECL)
				inner = 1 + facts_add_inline(func, parent,
						facts_origin(origin),
						BLOCK_SOURCE_LOCATION(block),
						block_set_has(code, block) ?
						0 : KLP_INLINE_F_NO_CODE);
		}
		if (depth < MAX_BLOCK_DEPTH)
			walk_blocks(func, BLOCK_SUBBLOCKS(block), inner, code,
				    depth + 1);
	}
}

/*
 * The call site of a call GCC made itself.  ipa-split's call from the head
 * of foo to foo.part.N has no location; once the head is inlined into a
 * caller, the instructions before the call (the head's test) sit in the
 * BLOCK of that inlined copy of foo, whose BLOCK_SOURCE_LOCATION is where
 * the caller calls foo: the place in the caller's source that leads to the
 * clone.  Only a BLOCK inlined from the callee's own origin is taken, and
 * only among the few instructions before the call.
 */
static location_t made_call_site(rtx_insn *call, tree callee)
{
	tree origin = callee ? facts_decl_origin(callee) : NULL_TREE;
	rtx_insn *insn;
	int guard, seen = 0;

	if (!origin)
		return UNKNOWN_LOCATION;
	/* The head's test is usually a block or two before the call. */
	for (insn = PREV_INSN(call); insn && seen < 32; insn = PREV_INSN(insn)) {
		tree block;

		if (!NONDEBUG_INSN_P(insn) || !INSN_HAS_LOCATION(insn))
			continue;
		seen++;
		block = LOCATION_BLOCK(INSN_LOCATION(insn));
		for (guard = 0; block && TREE_CODE(block) == BLOCK &&
		     guard < MAX_BLOCK_DEPTH; guard++) {
			if (inlined_function_outer_scope_p(block) &&
			    block_ultimate_origin(block) == origin)
				return BLOCK_SOURCE_LOCATION(block);
			block = BLOCK_SUPERCONTEXT(block);
		}
	}
	return UNKNOWN_LOCATION;
}

/*
 * Direct calls and tail calls to clones.  The RTL is final here: a call is
 * a CALL_INSN whose CALL's address is a SYMBOL_REF, a tail call one with
 * SIBLING_CALL_P (emitted as a jmp).
 */
static void record_calls(unsigned int func)
{
	rtx_insn *insn;

	for (insn = get_insns(); insn; insn = NEXT_INSN(insn)) {
		rtx call, addr;
		tree decl;
		const char *name;
		location_t loc;
		bool clone;

		if (!CALL_P(insn))
			continue;
		call = get_call_rtx_from(insn);
		if (!call || !MEM_P(XEXP(call, 0)))
			continue;
		addr = XEXP(XEXP(call, 0), 0);
		if (GET_CODE(addr) != SYMBOL_REF)
			continue;
		name = facts_strip_star(XSTR(addr, 0));
		if (!name || !*name)
			continue;
		decl = SYMBOL_REF_DECL(addr);
		clone = facts_name_is_clone(name);
		if (!clone && decl && TREE_CODE(decl) == FUNCTION_DECL)
			clone = facts_decl_origin(decl) != decl;
		if (!clone)
			continue;
		loc = INSN_LOCATION(insn);
		if (LOCATION_LOCUS(loc) == UNKNOWN_LOCATION)
			loc = made_call_site(insn, decl);
		facts_add_call(func, name, loc,
			       SIBLING_CALL_P(insn) ? KLP_CALL_F_TAIL : 0);
	}
}

void facts_final_before(tree fndecl)
{
	struct fact_func *func;
	unsigned int index;
	tree top;

	if (!fndecl || TREE_CODE(fndecl) != FUNCTION_DECL)
		return;
	index = facts_func(fndecl);
	func = facts_func_at(index);
	if (func->seen_in_final)	/* one body, one walk */
		return;
	func->seen_in_final = true;
	top = DECL_INITIAL(fndecl);
	if (top && TREE_CODE(top) == BLOCK) {
		struct block_set code = { NULL, 0, 0 };

		mark_blocks_with_code(&code);
		walk_blocks(index, top, 0, &code, 0);
		XDELETEVEC(code.slots);
	}
	record_calls(index);
}

/* The name of a section as the assembler sees it. */
static const char *section_name(section *sect)
{
	const char *op;

	if (!sect)
		return NULL;
	if (SECTION_STYLE(sect) == SECTION_NAMED)
		return sect->named.name;
	if (SECTION_STYLE(sect) != SECTION_UNNAMED)
		return NULL;
	if (sect == text_section)
		return ".text";
	/* Unnamed sections switch with a directive, e.g. "\t.text". */
	if (sect->unnamed.callback != output_section_asm_op)
		return NULL;
	op = sect->unnamed.data;
	while (op && ISSPACE(*op))
		op++;
	return op && *op == '.' ? op : NULL;
}

static char *dup_section(section *sect)
{
	const char *name = section_name(sect);

	return name ? xstrdup(name) : NULL;
}

void facts_final_after(tree fndecl)
{
	struct fact_func *func;
	unsigned int index;
	section *hot, *cold;

	if (!fndecl || TREE_CODE(fndecl) != FUNCTION_DECL ||
	    !TREE_ASM_WRITTEN(fndecl))
		return;
	index = facts_func(fndecl);
	func = facts_func_at(index);
	if (func->rec.flags & KLP_FUNC_F_EMITTED)
		return;
	func->rec.flags |= KLP_FUNC_F_EMITTED;
	/* A name can change after the FUNC was made (target_clones renames
	 * the original "foo.default"): the symbol is what was written. */
	facts_func_rename(index, facts_decl_name(fndecl));

	/*
	 * The sections, as assemble_start_function and final_scan_insn chose
	 * them: function_section() for the entry, and unlikely_text_section()
	 * (function_section_1 (current_function_decl, true)) for the cold
	 * part.  Both sections exist already, so asking again creates none.
	 * When the first block is cold the entry sits in the cold section and
	 * the rest in the hot one (first_function_block_is_cold).
	 */
	hot = function_section(fndecl);
	func->rec.section = dup_section(hot);
	if (crtl->has_bb_partition) {
		if (!first_function_block_is_cold) {
			cold = unlikely_text_section();
		} else {
			/*
			 * The entry is in the cold section and the switch goes
			 * to the hot one, unnamed: record the section of the
			 * other part.  current_function_section() is
			 * function_section_1 (decl, in_cold_section_p).
			 */
			bool saved = in_cold_section_p;

			in_cold_section_p = false;
			cold = current_function_section();
			in_cold_section_p = saved;
		}
		func->rec.cold_section = dup_section(cold);
		if (cold_function_name &&
		    TREE_CODE(cold_function_name) == IDENTIFIER_NODE &&
		    !first_function_block_is_cold) {
			func->rec.cold_symbol = xstrdup(facts_strip_star(
				IDENTIFIER_POINTER(cold_function_name)));
			func->rec.flags |= KLP_FUNC_F_COLD_SPLIT;
		}
	}
	/*
	 * -pg: expand sets crtl->profile = profile_flag && !
	 * DECL_NO_INSTRUMENT_FUNCTION_ENTRY_EXIT, and final_start_function
	 * emits the __fentry__/mcount call when it is set.
	 */
	if (crtl->profile)
		func->rec.flags |= KLP_FUNC_F_FENTRY;
}
