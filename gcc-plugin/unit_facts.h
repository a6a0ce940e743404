/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit_facts.h - what the plugin learns about one compilation unit
 *
 * GCC tells the story of a unit in pieces, at different times: the early
 * inliner before IPA, IPA-CP/IPA-SRA/the IPA inliner before expansion,
 * hot/cold partitioning and the final symbol names only in `final`.  The
 * facts_*.cc files each listen at one of those moments and add what they
 * see here; at the end of the unit, unit_facts.cc merges it all into one
 * struct klp_unit (klp_prep/records.h) for the one encoder.
 *
 * Nothing here holds a GCC tree across passes: the garbage collector may
 * free a removed function's decl.  Functions are identified by DECL_UID,
 * and every string is copied when first seen.
 */
#ifndef KLP_UNIT_FACTS_H
#define KLP_UNIT_FACTS_H

#include <klp_prep/records.h>

#define KLP_PLUGIN_NAME "klp_partition"

/* An origin: a function as written in the source (ORIGIN record). */
struct fact_origin {
	unsigned int uid;		/* DECL_UID of the origin's decl */
	struct klp_origin rec;		/* strings owned */
	bool used;			/* referenced by a kept record */
	unsigned int new_index;		/* after pruning */
};

/* A function body or symbol (FUNC record). */
struct fact_func {
	unsigned int uid;		/* DECL_UID of the body's decl */
	struct klp_func_record rec;		/* strings, steps, params owned */
	bool seen_in_final;		/* went through the pass "final" */
	bool params_known;		/* snapshot of clone_info taken */
	bool keep;			/* survives pruning */
	unsigned int new_index;
};

/* An inline record (INLINE); rec.func and rec.parent as in the format. */
struct fact_inline {
	struct klp_inline rec;		/* call_file owned */
	bool claimed;			/* matched by an IPA decision */
};

/* An early inline decision, seen when the inline clone was removed. */
struct fact_early_inline {
	unsigned int callee;		/* origin index of the inlined body */
	unsigned int container;		/* origin index of the body it went into */
	unsigned int container_func;	/* func index of that body */
	char *call_file;
	unsigned int call_line;
};

/* An IPA inline decision, from the snapshot at the end of IPA. */
struct fact_ipa_inline {
	unsigned int func;		/* func index of the outermost body */
	unsigned int parent;		/* fact_ipa_inline index+1, 0 = none */
	unsigned int callee;		/* origin index */
	char *call_file;
	unsigned int call_line;
};

/* A call to a clone (CALL). */
struct fact_call {
	struct klp_call rec;		/* strings owned */
};

/* Plugin-wide state. */
struct plugin_state {
	bool disabled;			/* -fplugin-arg-klp_partition-disable */
	bool ipa_inline_started;	/* the IPA inliner ran: no early ones */
	bool finished;			/* the block was written */
};
extern struct plugin_state klp_plugin;

/* unit_facts.cc: the tables. */
void facts_note_end_line(tree fndecl);
unsigned int facts_origin(tree fndecl);
unsigned int facts_func(tree fndecl);
int facts_find_func(unsigned int uid);
struct fact_func *facts_func_at(unsigned int index);
struct fact_origin *facts_origin_at(unsigned int index);
tree facts_decl_origin(tree fndecl);
const char *facts_decl_name(tree decl);
const char *facts_strip_star(const char *name);
unsigned int facts_add_inline(unsigned int func, unsigned int parent,
			      unsigned int callee, location_t call_site,
			      unsigned int flags);
void facts_add_early_inline(unsigned int callee, unsigned int container,
			    unsigned int container_func, location_t call_site);
unsigned int facts_add_ipa_inline(unsigned int func, unsigned int parent,
				  unsigned int callee, location_t call_site);
void facts_add_call(unsigned int func, const char *callee,
		    location_t call_site, unsigned int flags);
void facts_func_rename(unsigned int index, const char *symbol);
void facts_func_derive(unsigned int index, unsigned int from);
void facts_set_params(unsigned int func, struct klp_param *params,
		      unsigned int nr_params, bool return_dropped);
bool facts_name_is_clone(const char *name);
int facts_build_unit(struct klp_unit *unit);
void facts_release(void);

/* facts_ipa.cc: early inlining, IPA decisions and clone parameters. */
void facts_ipa_start_unit(void);
void facts_ipa_pass(opt_pass *pass);
void facts_ipa_all_passes_end(void);

/* facts_final.cc: what `final` made of each function. */
void facts_final_before(tree fndecl);
void facts_final_after(tree fndecl);

/* facts_symtab.cc: aliases and symbols that bypassed the pass manager. */
void facts_symtab_finish(void);

#endif /* KLP_UNIT_FACTS_H */
