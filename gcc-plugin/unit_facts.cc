// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unit_facts.cc - the plugin's tables of one unit, and their merge into
 * one struct klp_unit at the end of the unit
 */
#include "gcc-compat.h"
#include "unit_facts.h"

struct plugin_state klp_plugin;

/* A growable array of T: T *items; unsigned int nr, capacity. */
#define GROW(items, nr, capacity)					\
	do {								\
		if ((nr) == (capacity)) {				\
			(capacity) = (capacity) ? 2 * (capacity) : 64;	\
			(items) = XRESIZEVEC(__typeof__(*(items)),	\
					     (items), (capacity));	\
		}							\
	} while (0)

/* DECL_UID -> array index, open addressing; slots hold index+1. */
struct uid_map {
	unsigned int *uids;
	unsigned int *slots;
	unsigned int nr_slots;
	unsigned int nr;
};

static unsigned int uid_hash(unsigned int uid)
{
	return uid * 2654435761u;
}

static int uid_map_get(const struct uid_map *map, unsigned int uid)
{
	unsigned int j;

	if (!map->nr_slots)
		return -1;
	j = uid_hash(uid) & (map->nr_slots - 1);
	while (map->slots[j]) {
		if (map->uids[j] == uid)
			return (int)map->slots[j] - 1;
		j = (j + 1) & (map->nr_slots - 1);
	}
	return -1;
}

static void uid_map_put(struct uid_map *map, unsigned int uid,
			unsigned int index);

static void uid_map_grow(struct uid_map *map)
{
	struct uid_map bigger = { NULL, NULL, 0, 0 };
	unsigned int i;

	bigger.nr_slots = map->nr_slots ? 2 * map->nr_slots : 256;
	bigger.uids = XCNEWVEC(unsigned int, bigger.nr_slots);
	bigger.slots = XCNEWVEC(unsigned int, bigger.nr_slots);
	for (i = 0; i < map->nr_slots; i++)
		if (map->slots[i])
			uid_map_put(&bigger, map->uids[i], map->slots[i] - 1);
	XDELETEVEC(map->uids);
	XDELETEVEC(map->slots);
	*map = bigger;
}

static void uid_map_put(struct uid_map *map, unsigned int uid,
			unsigned int index)
{
	unsigned int j;

	if (2 * (map->nr + 1) > map->nr_slots)
		uid_map_grow(map);
	j = uid_hash(uid) & (map->nr_slots - 1);
	while (map->slots[j] && map->uids[j] != uid)
		j = (j + 1) & (map->nr_slots - 1);
	if (!map->slots[j])
		map->nr++;
	map->uids[j] = uid;
	map->slots[j] = index + 1;
}

static void uid_map_free(struct uid_map *map)
{
	XDELETEVEC(map->uids);
	XDELETEVEC(map->slots);
	memset(map, 0, sizeof(*map));
}

/*
 * Inline records by (callee, line, file): chains of indexes, so that
 * deduplication and the matching of decisions to copies stay linear.
 */
struct inline_index {
	unsigned int *heads;		/* bucket -> inline index+1 */
	unsigned int *next;		/* inline index -> next index+1 */
	unsigned int nr_buckets;
	unsigned int capacity;
};

static struct {
	struct fact_origin *origins;
	unsigned int nr_origins, cap_origins;
	struct uid_map origin_by_uid;

	struct fact_func *funcs;
	unsigned int nr_funcs, cap_funcs;
	struct uid_map func_by_uid;

	struct fact_inline *inlines;
	unsigned int nr_inlines, cap_inlines;
	struct inline_index inline_index;

	struct fact_early_inline *early;
	unsigned int nr_early, cap_early;

	struct fact_ipa_inline *ipa;
	unsigned int nr_ipa, cap_ipa;

	struct fact_call *calls;
	unsigned int nr_calls, cap_calls;
} facts;

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static bool same_str(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && !strcmp(a, b);
}

const char *facts_strip_star(const char *name)
{
	/* GCC marks names given by __asm__("x") "verbatim" with a '*'. */
	if (name && name[0] == '*')
		return name + 1;
	return name;
}

/*
 * The assembler name of a decl, without computing one: DECL_ASSEMBLER_NAME
 * would set it as a side effect, the raw field does not.
 */
const char *facts_decl_name(tree decl)
{
	tree id = NULL_TREE;

	if (!decl || !DECL_P(decl))
		return "";
	if (DECL_ASSEMBLER_NAME_SET_P(decl))
		id = DECL_ASSEMBLER_NAME_RAW(decl);
	if (!id || TREE_CODE(id) != IDENTIFIER_NODE)
		id = DECL_NAME(decl);
	if (!id || TREE_CODE(id) != IDENTIFIER_NODE)
		return "";
	return facts_strip_star(IDENTIFIER_POINTER(id));
}

/*
 * The source function a body derives from.  GCC gives clones
 * DECL_ABSTRACT_ORIGIN = the original (tree_function_versioning and
 * cgraph_node::create_clone); follow it to the end, then fall back on the
 * clone links of the call graph.
 */
tree facts_decl_origin(tree fndecl)
{
	tree decl = fndecl;
	int guard;

	for (guard = 0; guard < 64; guard++) {
		tree origin;
		cgraph_node *node;

		if (!decl || TREE_CODE(decl) != FUNCTION_DECL)
			return fndecl;
		origin = DECL_ABSTRACT_ORIGIN(decl);
		if (origin && origin != decl &&
		    TREE_CODE(origin) == FUNCTION_DECL) {
			decl = origin;
			continue;
		}
		node = cgraph_node::get(decl);
		if (node && node->clone_of && node->clone_of->decl &&
		    node->clone_of->decl != decl) {
			decl = node->clone_of->decl;
			continue;
		}
		if (node && node->former_clone_of &&
		    node->former_clone_of != decl &&
		    TREE_CODE(node->former_clone_of) == FUNCTION_DECL) {
			decl = node->former_clone_of;
			continue;
		}
		return decl;
	}
	return decl;
}

static const char *string_attribute(tree decl, const char *name)
{
	tree attr = lookup_attribute(name, DECL_ATTRIBUTES(decl));

	if (!attr || !TREE_VALUE(attr))
		return NULL;
	attr = TREE_VALUE(attr);
	if (TREE_CODE(attr) == TREE_LIST)
		attr = TREE_VALUE(attr);
	if (!attr || TREE_CODE(attr) != STRING_CST)
		return NULL;
	return TREE_STRING_POINTER(attr);
}

/* The section named in the source: the attribute, not -ffunction-sections. */
static const char *origin_section(tree decl)
{
	const char *section = string_attribute(decl, "section");
	symtab_node *node;

	if (section)
		return section;
	node = symtab_node::get(decl);
	if (node && !node->implicit_section && DECL_SECTION_NAME(decl))
		return DECL_SECTION_NAME(decl);
	return NULL;
}

static unsigned int origin_flags(tree decl)
{
	unsigned int flags = 0;

	if (TREE_PUBLIC(decl))
		flags |= KLP_ORIGIN_F_PUBLIC;
	if (DECL_DECLARED_INLINE_P(decl))
		flags |= KLP_ORIGIN_F_DECLARED_INLINE;
	if (lookup_attribute("noinline", DECL_ATTRIBUTES(decl)))
		flags |= KLP_ORIGIN_F_NOINLINE;
	/*
	 * The attribute, or the flag that stands for it while instrumenting
	 * (GCC also sets the flag on functions it never instruments when
	 * -pg and -finstrument-functions are off).
	 */
	if (lookup_attribute("no_instrument_function", DECL_ATTRIBUTES(decl)) ||
	    (DECL_NO_INSTRUMENT_FUNCTION_ENTRY_EXIT(decl) &&
	     (profile_flag || flag_instrument_function_entry_exit)))
		flags |= KLP_ORIGIN_F_NOTRACE;
	if (lookup_attribute("cold", DECL_ATTRIBUTES(decl)))
		flags |= KLP_ORIGIN_F_COLD;
	if (!DECL_EXTERNAL(decl))
		flags |= KLP_ORIGIN_F_DEFINED;
	return flags;
}

/*
 * The origin's name as the source gave it.  Two passes rename a decl in
 * place rather than cloning it: target_clones (multiple_target.cc) turns
 * foo into "foo.default", and LTO promotes statics to "foo.lto_priv.N".
 * Take the DECL_NAME back when the assembler name is it plus such a suffix.
 */
static char *origin_name(tree decl)
{
	const char *asm_name = facts_decl_name(decl);
	tree id = DECL_NAME(decl);
	const char *name, *rest;
	size_t len;

	if (!id || TREE_CODE(id) != IDENTIFIER_NODE)
		return xstrdup(asm_name);
	name = IDENTIFIER_POINTER(id);
	len = strlen(name);
	if (strncmp(asm_name, name, len) || asm_name[len] != '.')
		return xstrdup(asm_name);
	rest = asm_name + len + 1;
	if (!strcmp(rest, "default") || !strncmp(rest, "lto_priv.", 9))
		return xstrdup(name);
	return xstrdup(asm_name);
}

/*
 * Where each definition ends, noted as the front end finishes parsing it
 * (c-parser.cc sets cfun->function_end_locus at the closing brace): by the
 * time a function is first seen inlined, its own body may be released.
 */
static struct uid_map end_line_by_uid;

void facts_note_end_line(tree fndecl)
{
	struct function *fun;
	expanded_location loc;

	if (!fndecl || TREE_CODE(fndecl) != FUNCTION_DECL)
		return;
	fun = DECL_STRUCT_FUNCTION(fndecl);
	if (!fun)
		return;
	loc = expand_location(fun->function_end_locus);
	if (loc.line > 0)
		uid_map_put(&end_line_by_uid, DECL_UID(fndecl), loc.line);
}

static unsigned int end_line_of(tree decl)
{
	int line = uid_map_get(&end_line_by_uid, DECL_UID(decl));
	struct function *fun;

	if (line > 0)
		return line;
	fun = DECL_STRUCT_FUNCTION(decl);
	if (fun) {
		expanded_location loc = expand_location(fun->function_end_locus);

		if (loc.line > 0)
			return loc.line;
	}
	return 0;
}

/* The ORIGIN index of @fndecl's source function, added when new. */
unsigned int facts_origin(tree fndecl)
{
	tree decl = facts_decl_origin(fndecl);
	struct fact_origin *origin;
	expanded_location loc;
	int found;

	found = uid_map_get(&facts.origin_by_uid, DECL_UID(decl));
	if (found >= 0)
		return found;

	GROW(facts.origins, facts.nr_origins, facts.cap_origins);
	origin = &facts.origins[facts.nr_origins];
	memset(origin, 0, sizeof(*origin));
	origin->uid = DECL_UID(decl);
	origin->rec.name = origin_name(decl);
	loc = expand_location(DECL_SOURCE_LOCATION(decl));
	origin->rec.file = dup_or_null(loc.file);
	origin->rec.line = loc.line > 0 ? loc.line : 0;
	origin->rec.section = dup_or_null(origin_section(decl));
	origin->rec.flags = origin_flags(decl);
	origin->rec.end_line = end_line_of(decl);
	uid_map_put(&facts.origin_by_uid, origin->uid, facts.nr_origins);
	return facts.nr_origins++;
}

struct step_name {
	const char *name;
	unsigned int kind;
	bool numbered;
	unsigned int func_flag;
};

static const struct step_name step_names[] = {
	{ "part", KLP_STEP_PART, true, KLP_FUNC_F_PART },
	{ "isra", KLP_STEP_ISRA, true, KLP_FUNC_F_ISRA },
	{ "constprop", KLP_STEP_CONSTPROP, true, KLP_FUNC_F_CONSTPROP },
	{ "lto_priv", KLP_STEP_LTO_PRIV, true, KLP_FUNC_F_LTO_PRIV },
	{ "localalias", KLP_STEP_LOCALALIAS, false, 0 },
	{ "cold", KLP_STEP_COLD, false, 0 },
};

static bool parse_number(const char *s, size_t len, unsigned int *number)
{
	unsigned long value = 0;
	size_t i;

	if (!len || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (!ISDIGIT(s[i]))
			return false;
		value = value * 10 + (s[i] - '0');
	}
	*number = (unsigned int)value;
	return true;
}

/*
 * Parse GCC's clone suffixes (".constprop.0.isra.0") in @suffix, which
 * starts with a '.', into @func's steps; returns the KLP_FUNC_F_ kinds.
 * clone_function_name() builds these names as NAME "." SUFFIX "." NUMBER.
 */
static unsigned int parse_steps(const char *suffix, struct klp_func_record *func)
{
	unsigned int flags = 0, capacity = 0;
	const char *p = suffix;

	while (p && *p == '.') {
		const char *token = p + 1;
		const char *end = strchr(token, '.');
		size_t len = end ? (size_t)(end - token) : strlen(token);
		const char *after = end;
		struct klp_step step = { KLP_STEP_OTHER, 0 };
		unsigned int i;

		if (!len)
			break;
		for (i = 0; i < ARRAY_SIZE(step_names); i++) {
			if (strlen(step_names[i].name) == len &&
			    !strncmp(step_names[i].name, token, len)) {
				step.kind = step_names[i].kind;
				flags |= step_names[i].func_flag;
				break;
			}
		}
		/* A number after the token belongs to it. */
		if (after && after[0] == '.') {
			const char *num = after + 1;
			const char *num_end = strchr(num, '.');
			size_t num_len = num_end ? (size_t)(num_end - num) :
						   strlen(num);

			if (parse_number(num, num_len, &step.number))
				after = num_end;
		}
		if (step.kind == KLP_STEP_OTHER)
			flags |= KLP_FUNC_F_OTHER_CLONE;
		if (func->nr_steps == capacity) {
			capacity = capacity ? 2 * capacity : 4;
			func->steps = XRESIZEVEC(struct klp_step, func->steps,
						 capacity);
		}
		func->steps[func->nr_steps++] = step;
		p = after;
	}
	return flags;
}

bool facts_name_is_clone(const char *name)
{
	struct klp_func_record scratch;
	unsigned int flags;
	const char *dot;

	name = facts_strip_star(name);
	dot = name ? strchr(name, '.') : NULL;
	if (!dot || dot == name)
		return false;
	memset(&scratch, 0, sizeof(scratch));
	flags = parse_steps(dot, &scratch);
	XDELETEVEC(scratch.steps);
	return scratch.nr_steps && !(flags & KLP_FUNC_F_OTHER_CLONE);
}

int facts_find_func(unsigned int uid)
{
	return uid_map_get(&facts.func_by_uid, uid);
}

struct fact_func *facts_func_at(unsigned int index)
{
	return index < facts.nr_funcs ? &facts.funcs[index] : NULL;
}

struct fact_origin *facts_origin_at(unsigned int index)
{
	return index < facts.nr_origins ? &facts.origins[index] : NULL;
}

/* Set the steps of @func from its symbol and its origin's name. */
static void set_steps(struct fact_func *func)
{
	const struct fact_origin *origin = &facts.origins[func->rec.origin];
	const char *symbol = func->rec.symbol;
	size_t len = strlen(origin->rec.name);

	XDELETEVEC(func->rec.steps);
	func->rec.steps = NULL;
	func->rec.nr_steps = 0;
	/*
	 * The steps are the suffixes GCC appended to the origin's name.  A
	 * nested function or an __asm__ name may contain dots of its own:
	 * those are part of the origin's name, not steps.
	 */
	if (!strcmp(symbol, origin->rec.name))
		return;
	if (!strncmp(symbol, origin->rec.name, len) && symbol[len] == '.')
		func->rec.flags |= parse_steps(symbol + len, &func->rec);
	else if (strchr(symbol, '.'))
		func->rec.flags |= parse_steps(strchr(symbol, '.'), &func->rec);
}

void facts_func_rename(unsigned int index, const char *symbol)
{
	struct fact_func *func = facts_func_at(index);

	if (!func || !symbol || !*symbol || !strcmp(func->rec.symbol, symbol))
		return;
	free((void *)func->rec.symbol);
	func->rec.symbol = xstrdup(symbol);
	set_steps(func);
}

/* The FUNC index of the body or symbol @fndecl, added when new. */
unsigned int facts_func(tree fndecl)
{
	struct fact_func *func;
	const char *symbol;
	cgraph_node *node;
	int found;

	found = uid_map_get(&facts.func_by_uid, DECL_UID(fndecl));
	if (found >= 0)
		return found;

	GROW(facts.funcs, facts.nr_funcs, facts.cap_funcs);
	func = &facts.funcs[facts.nr_funcs];
	memset(func, 0, sizeof(*func));
	func->uid = DECL_UID(fndecl);
	symbol = facts_decl_name(fndecl);
	func->rec.symbol = xstrdup(symbol);
	func->rec.origin = facts_origin(fndecl);
	if (TREE_PUBLIC(fndecl))
		func->rec.flags |= KLP_FUNC_F_PUBLIC;

	set_steps(func);

	node = cgraph_node::get(fndecl);
	if (node) {
		/* ipa-split.cc sets split_part, ipa-cp.cc ipcp_clone. */
		if (node->split_part)
			func->rec.flags |= KLP_FUNC_F_PART;
		if (node->ipcp_clone)
			func->rec.flags |= KLP_FUNC_F_CONSTPROP;
		if ((node->clone_of || node->former_clone_of) &&
		    !(func->rec.flags & (KLP_FUNC_F_PART | KLP_FUNC_F_ISRA |
					 KLP_FUNC_F_CONSTPROP)))
			func->rec.flags |= KLP_FUNC_F_OTHER_CLONE;
	}
	uid_map_put(&facts.func_by_uid, func->uid, facts.nr_funcs);
	return facts.nr_funcs++;
}

void facts_set_params(unsigned int index, struct klp_param *params,
		      unsigned int nr_params, bool return_dropped)
{
	struct fact_func *func = facts_func_at(index);
	unsigned int i;

	if (!func || func->params_known) {
		for (i = 0; i < nr_params; i++)
			free((void *)params[i].value);
		XDELETEVEC(params);
		return;
	}
	func->params_known = true;
	func->rec.params = params;
	func->rec.nr_params = nr_params;
	if (return_dropped)
		func->rec.flags |= KLP_FUNC_F_RETURN_DROPPED;
}

static void call_site(location_t loc, const char **file, unsigned int *line)
{
	expanded_location x = expand_location(loc);

	*file = x.file && *x.file ? x.file : NULL;
	*line = x.line > 0 ? x.line : 0;
}

static unsigned int inline_bucket(unsigned int callee, unsigned int line,
				  const char *file)
{
	unsigned int h = callee * 2654435761u ^ line * 40503u;

	while (file && *file)
		h = h * 31 + (unsigned char)*file++;
	return h;
}

static void inline_index_add(unsigned int index)
{
	struct inline_index *ix = &facts.inline_index;
	struct fact_inline *inl = &facts.inlines[index];
	unsigned int b, i;

	if (4 * (index + 1) > 3 * ix->nr_buckets) {
		unsigned int nr = ix->nr_buckets ? 4 * ix->nr_buckets : 1024;

		XDELETEVEC(ix->heads);
		ix->heads = XCNEWVEC(unsigned int, nr);
		ix->nr_buckets = nr;
		for (i = 0; i < index; i++) {
			struct fact_inline *o = &facts.inlines[i];

			b = inline_bucket(o->rec.callee, o->rec.call_line,
					  o->rec.call_file) & (nr - 1);
			ix->next[i] = ix->heads[b];
			ix->heads[b] = i + 1;
		}
	}
	if (index >= ix->capacity) {
		ix->capacity = facts.cap_inlines;
		ix->next = XRESIZEVEC(unsigned int, ix->next, ix->capacity);
	}
	b = inline_bucket(inl->rec.callee, inl->rec.call_line,
			  inl->rec.call_file) & (ix->nr_buckets - 1);
	ix->next[index] = ix->heads[b];
	ix->heads[b] = index + 1;
}

/* First inline record with this callee and call site; 0 or index+1. */
static unsigned int inline_first(unsigned int callee, const char *file,
				 unsigned int line)
{
	struct inline_index *ix = &facts.inline_index;
	unsigned int b;

	if (!ix->nr_buckets)
		return 0;
	b = inline_bucket(callee, line, file) & (ix->nr_buckets - 1);
	return ix->heads[b];
}

static unsigned int inline_next(unsigned int index1)
{
	return facts.inline_index.next[index1 - 1];
}

static bool inline_at(const struct fact_inline *inl, unsigned int callee,
		      const char *file, unsigned int line)
{
	return inl->rec.callee == callee && inl->rec.call_line == line &&
	       same_str(inl->rec.call_file, file);
}

/* Add an INLINE record unless the same one exists; returns its index. */
static unsigned int add_inline_at(unsigned int func, unsigned int parent,
				  unsigned int callee, const char *file,
				  unsigned int line, unsigned int flags)
{
	struct fact_inline *inl;
	unsigned int i;

	for (i = inline_first(callee, file, line); i; i = inline_next(i)) {
		inl = &facts.inlines[i - 1];
		if (inl->rec.func == func && inl->rec.parent == parent &&
		    inline_at(inl, callee, file, line)) {
			/* A copy with code stays one, whatever else decided it. */
			inl->rec.flags |= flags & ~KLP_INLINE_F_NO_CODE;
			return i - 1;
		}
	}
	GROW(facts.inlines, facts.nr_inlines, facts.cap_inlines);
	inl = &facts.inlines[facts.nr_inlines];
	memset(inl, 0, sizeof(*inl));
	inl->rec.func = func;
	inl->rec.parent = parent;
	inl->rec.callee = callee;
	inl->rec.call_file = dup_or_null(file);
	inl->rec.call_line = line;
	inl->rec.flags = flags;
	inline_index_add(facts.nr_inlines);
	return facts.nr_inlines++;
}

unsigned int facts_add_inline(unsigned int func, unsigned int parent,
			      unsigned int callee, location_t loc,
			      unsigned int flags)
{
	const char *file;
	unsigned int line;

	call_site(loc, &file, &line);
	return add_inline_at(func, parent, callee, file, line, flags);
}

void facts_add_early_inline(unsigned int callee, unsigned int container,
			    unsigned int container_func, location_t loc)
{
	struct fact_early_inline *early;
	const char *file;
	unsigned int line;

	call_site(loc, &file, &line);
	GROW(facts.early, facts.nr_early, facts.cap_early);
	early = &facts.early[facts.nr_early++];
	early->callee = callee;
	early->container = container;
	early->container_func = container_func;
	early->call_file = dup_or_null(file);
	early->call_line = line;
}

unsigned int facts_add_ipa_inline(unsigned int func, unsigned int parent,
				  unsigned int callee, location_t loc)
{
	struct fact_ipa_inline *ipa;
	const char *file;
	unsigned int line;

	call_site(loc, &file, &line);
	GROW(facts.ipa, facts.nr_ipa, facts.cap_ipa);
	ipa = &facts.ipa[facts.nr_ipa];
	ipa->func = func;
	ipa->parent = parent;
	ipa->callee = callee;
	ipa->call_file = dup_or_null(file);
	ipa->call_line = line;
	return facts.nr_ipa++;
}

void facts_add_call(unsigned int func, const char *callee, location_t loc,
		    unsigned int flags)
{
	struct fact_call *call;
	const char *file;
	unsigned int line, i;

	call_site(loc, &file, &line);
	/* Calls are added function by function: look back in this one only. */
	for (i = facts.nr_calls; i-- > 0 && facts.calls[i].rec.func == func;) {
		call = &facts.calls[i];
		if (call->rec.call_line == line && call->rec.flags == flags &&
		    same_str(call->rec.callee, callee) &&
		    same_str(call->rec.call_file, file))
			return;
	}
	GROW(facts.calls, facts.nr_calls, facts.cap_calls);
	call = &facts.calls[facts.nr_calls++];
	call->rec.func = func;
	call->rec.callee = xstrdup(callee);
	call->rec.call_file = dup_or_null(file);
	call->rec.call_line = line;
	call->rec.flags = flags;
}

/* The origin of the body that inline record @inl's code sits in. */
static unsigned int inline_container(const struct fact_inline *inl)
{
	if (inl->rec.parent)
		return facts.inlines[inl->rec.parent - 1].rec.callee;
	return facts.funcs[inl->rec.func].rec.origin;
}

static bool inline_within(unsigned int index, unsigned int func,
			  unsigned int ancestor1)
{
	const struct fact_inline *inl = &facts.inlines[index];
	unsigned int guard = 0;

	if (inl->rec.func != func)
		return false;
	if (!ancestor1)
		return true;
	while (inl->rec.parent && guard++ < facts.nr_inlines) {
		if (inl->rec.parent == ancestor1)
			return true;
		inl = &facts.inlines[inl->rec.parent - 1];
	}
	return false;
}

/*
 * IPA decisions: each inline clone at the end of IPA is one copy of a body
 * in its outermost function.  The copy's BLOCK, if the code survived, was
 * found in `final`; it may sit deeper than the decision says (below a body
 * the early inliner had put there), so match within the subtree.  A
 * decision without a BLOCK left no code.
 */
static void merge_ipa_decisions(void)
{
	unsigned int *record_of = XCNEWVEC(unsigned int, facts.nr_ipa + 1);
	unsigned int d;

	for (d = 0; d < facts.nr_ipa; d++) {
		struct fact_ipa_inline *ipa = &facts.ipa[d];
		unsigned int parent1 = ipa->parent ? record_of[ipa->parent - 1] : 0;
		unsigned int i, found = 0;

		for (i = inline_first(ipa->callee, ipa->call_file, ipa->call_line);
		     i; i = inline_next(i)) {
			struct fact_inline *inl = &facts.inlines[i - 1];

			if (!inl->claimed &&
			    inline_at(inl, ipa->callee, ipa->call_file,
				      ipa->call_line) &&
			    inline_within(i - 1, ipa->func, parent1)) {
				found = i;
				break;
			}
		}
		/*
		 * A call GCC made itself has no location (ipa-split's call
		 * to the .part): its copy's BLOCK then carries some other
		 * location.  Match on the callee alone.
		 */
		for (i = 0; !found && !ipa->call_line && i < facts.nr_inlines; i++) {
			struct fact_inline *inl = &facts.inlines[i];

			if (!inl->claimed && inl->rec.callee == ipa->callee &&
			    inline_within(i, ipa->func, parent1))
				found = i + 1;
		}
		if (found) {
			facts.inlines[found - 1].claimed = true;
			record_of[d] = found;
			continue;
		}
		i = add_inline_at(ipa->func, parent1, ipa->callee,
				  ipa->call_file, ipa->call_line,
				  KLP_INLINE_F_NO_CODE);
		facts.inlines[i].claimed = true;
		record_of[d] = i + 1;
	}
	XDELETEVEC(record_of);
}

/*
 * Early decisions: mark the copies they produced, wherever those ended up
 * (the body may have been inlined further), and give each decision a
 * record in its own body's FUNC, emitted or not.
 */
static void merge_early_decisions(void)
{
	unsigned int d;

	for (d = 0; d < facts.nr_early; d++) {
		struct fact_early_inline *early = &facts.early[d];
		bool any = false, at_home = false;
		struct fact_func *home;
		unsigned int i, flags;

		for (i = inline_first(early->callee, early->call_file,
				      early->call_line);
		     i; i = inline_next(i)) {
			struct fact_inline *inl = &facts.inlines[i - 1];

			if (!inline_at(inl, early->callee, early->call_file,
				       early->call_line) ||
			    inline_container(inl) != early->container)
				continue;
			inl->rec.flags |= KLP_INLINE_F_EARLY;
			if (!(inl->rec.flags & KLP_INLINE_F_NO_CODE))
				any = true;
			if (!inl->rec.parent &&
			    inl->rec.func == early->container_func)
				at_home = true;
		}
		if (at_home)
			continue;
		home = &facts.funcs[early->container_func];
		flags = KLP_INLINE_F_EARLY;
		if (!any || (home->rec.flags & KLP_FUNC_F_EMITTED))
			flags |= KLP_INLINE_F_NO_CODE;
		add_inline_at(early->container_func, 0, early->callee,
			      early->call_file, early->call_line, flags);
	}
}

/*
 * Every inlined body gets a FUNC, so that a reader finds "foo was never
 * emitted" next to where it went.  The last inline decision into a body
 * turns the offline node itself into the inline clone (clone_inlined_nodes
 * does not duplicate a node that can be removed), so no removal is seen for
 * it: add it from its origin.
 */
static void add_inlined_bodies(void)
{
	unsigned int i, nr = facts.nr_inlines;

	for (i = 0; i < nr; i++) {
		struct fact_origin *origin = &facts.origins[facts.inlines[i].rec.callee];
		struct fact_func *func;

		if (uid_map_get(&facts.func_by_uid, origin->uid) >= 0)
			continue;
		GROW(facts.funcs, facts.nr_funcs, facts.cap_funcs);
		func = &facts.funcs[facts.nr_funcs];
		memset(func, 0, sizeof(*func));
		func->uid = origin->uid;
		func->rec.symbol = xstrdup(origin->rec.name);
		func->rec.origin = facts.inlines[i].rec.callee;
		if (origin->rec.flags & KLP_ORIGIN_F_PUBLIC)
			func->rec.flags |= KLP_FUNC_F_PUBLIC;
		uid_map_put(&facts.func_by_uid, func->uid, facts.nr_funcs);
		facts.nr_funcs++;
	}
}

/*
 * Keep what a reader needs: every emitted symbol, and the bodies that were
 * not emitted but host inline records, were inlined somewhere, or were
 * replaced by clones.  Headers declare thousands of static inline functions
 * that no unit uses; GCC drops them before analysis and so do we.
 */
static void prune(void)
{
	bool *origin_inlined = XCNEWVEC(bool, facts.nr_origins + 1);
	bool *origin_emitted = XCNEWVEC(bool, facts.nr_origins + 1);
	bool *hosts = XCNEWVEC(bool, facts.nr_funcs + 1);
	unsigned int i, n;

	for (i = 0; i < facts.nr_inlines; i++) {
		origin_inlined[facts.inlines[i].rec.callee] = true;
		hosts[facts.inlines[i].rec.func] = true;
	}
	for (i = 0; i < facts.nr_calls; i++)
		hosts[facts.calls[i].rec.func] = true;
	for (i = 0; i < facts.nr_funcs; i++)
		if (facts.funcs[i].rec.flags & KLP_FUNC_F_EMITTED)
			origin_emitted[facts.funcs[i].rec.origin] = true;

	for (i = 0; i < facts.nr_funcs; i++) {
		struct fact_func *func = &facts.funcs[i];
		unsigned int origin = func->rec.origin;

		func->keep = (func->rec.flags & KLP_FUNC_F_EMITTED) ||
			     hosts[i] || origin_inlined[origin] ||
			     (origin_emitted[origin] &&
			      facts.origins[origin].uid == func->uid);
	}
	for (i = 0; i < facts.nr_funcs; i++)
		if (facts.funcs[i].keep && facts.funcs[i].rec.alias_of)
			facts.funcs[facts.funcs[i].rec.alias_of - 1].keep = true;
	/*
	 * New indexes: aliases after everything else, so that alias_of (an
	 * alias's target is never an alias, see alias_target()) refers
	 * backwards as the format requires.
	 */
	for (i = n = 0; i < facts.nr_funcs; i++) {
		struct fact_func *func = &facts.funcs[i];

		if (!func->keep || func->rec.alias_of)
			continue;
		func->new_index = n++;
		facts.origins[func->rec.origin].used = true;
	}
	for (i = 0; i < facts.nr_funcs; i++) {
		struct fact_func *func = &facts.funcs[i];

		if (!func->keep || !func->rec.alias_of)
			continue;
		func->new_index = n++;
		facts.origins[func->rec.origin].used = true;
	}
	for (i = 0; i < facts.nr_inlines; i++)
		facts.origins[facts.inlines[i].rec.callee].used = true;
	for (i = n = 0; i < facts.nr_origins; i++)
		if (facts.origins[i].used)
			facts.origins[i].new_index = n++;

	XDELETEVEC(origin_inlined);
	XDELETEVEC(origin_emitted);
	XDELETEVEC(hosts);
}

/*
 * Merge everything into @unit.  The arrays of @unit are new; the strings
 * still belong to the tables (free with facts_release() after encoding).
 */
int facts_build_unit(struct klp_unit *unit)
{
	unsigned int i, n;

	merge_ipa_decisions();
	merge_early_decisions();
	add_inlined_bodies();
	prune();

	unit->origins = XCNEWVEC(struct klp_origin, facts.nr_origins + 1);
	for (i = n = 0; i < facts.nr_origins; i++)
		if (facts.origins[i].used)
			unit->origins[n++] = facts.origins[i].rec;
	unit->nr_origins = n;

	unit->funcs = XCNEWVEC(struct klp_func_record, facts.nr_funcs + 1);
	for (i = n = 0; i < facts.nr_funcs; i++) {
		struct fact_func *func = &facts.funcs[i];
		struct klp_func_record *rec;

		if (!func->keep)
			continue;
		rec = &unit->funcs[func->new_index];
		*rec = func->rec;
		rec->origin = facts.origins[func->rec.origin].new_index;
		if (rec->alias_of)
			rec->alias_of = facts.funcs[rec->alias_of - 1].new_index + 1;
		if (rec->alias_of > func->new_index)	/* never forwards */
			rec->alias_of = 0;
		n++;
	}
	unit->nr_funcs = n;

	/* Inline records all belong to kept funcs (they host them). */
	unit->inlines = XCNEWVEC(struct klp_inline, facts.nr_inlines + 1);
	for (i = 0; i < facts.nr_inlines; i++) {
		struct klp_inline *rec = &unit->inlines[i];

		*rec = facts.inlines[i].rec;
		rec->func = facts.funcs[rec->func].new_index;
		rec->callee = facts.origins[rec->callee].new_index;
	}
	unit->nr_inlines = facts.nr_inlines;

	unit->calls = XCNEWVEC(struct klp_call, facts.nr_calls + 1);
	for (i = 0; i < facts.nr_calls; i++) {
		unit->calls[i] = facts.calls[i].rec;
		unit->calls[i].func = facts.funcs[unit->calls[i].func].new_index;
	}
	unit->nr_calls = facts.nr_calls;
	return 0;
}

void facts_release(void)
{
	unsigned int i, j;

	for (i = 0; i < facts.nr_origins; i++) {
		free((void *)facts.origins[i].rec.name);
		free((void *)facts.origins[i].rec.file);
		free((void *)facts.origins[i].rec.section);
	}
	for (i = 0; i < facts.nr_funcs; i++) {
		struct klp_func_record *rec = &facts.funcs[i].rec;

		free((void *)rec->symbol);
		free((void *)rec->section);
		free((void *)rec->cold_symbol);
		free((void *)rec->cold_section);
		XDELETEVEC(rec->steps);
		for (j = 0; j < rec->nr_params; j++)
			free((void *)rec->params[j].value);
		XDELETEVEC(rec->params);
	}
	for (i = 0; i < facts.nr_inlines; i++)
		free((void *)facts.inlines[i].rec.call_file);
	for (i = 0; i < facts.nr_early; i++)
		free(facts.early[i].call_file);
	for (i = 0; i < facts.nr_ipa; i++)
		free(facts.ipa[i].call_file);
	for (i = 0; i < facts.nr_calls; i++) {
		free((void *)facts.calls[i].rec.callee);
		free((void *)facts.calls[i].rec.call_file);
	}
	XDELETEVEC(facts.origins);
	XDELETEVEC(facts.funcs);
	XDELETEVEC(facts.inlines);
	XDELETEVEC(facts.early);
	XDELETEVEC(facts.ipa);
	XDELETEVEC(facts.calls);
	XDELETEVEC(facts.inline_index.heads);
	XDELETEVEC(facts.inline_index.next);
	uid_map_free(&facts.origin_by_uid);
	uid_map_free(&facts.func_by_uid);
	uid_map_free(&end_line_by_uid);
	memset(&facts, 0, sizeof(facts));
}

/*
 * Make FUNC @index, whose symbol is FUNC @from's plus GCC suffixes (an
 * alias such as "foo.localalias"), derive from @from's origin.
 */
void facts_func_derive(unsigned int index, unsigned int from)
{
	struct fact_func *func = facts_func_at(index);
	struct fact_func *base = facts_func_at(from);
	size_t len;

	if (!func || !base)
		return;
	len = strlen(base->rec.symbol);
	if (strncmp(func->rec.symbol, base->rec.symbol, len) ||
	    func->rec.symbol[len] != '.')
		return;
	func->rec.origin = base->rec.origin;
	set_steps(func);
}
