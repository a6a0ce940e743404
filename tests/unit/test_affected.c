// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_affected.c - the closure rules of klp-prep affected, on small
 * hand-built record sets: what GCC did to a few functions, written down as
 * the plugin would record it, and the functions a livepatch must replace.
 *
 * Each test builds units with the helpers below (O = origin, F = func,
 * I = inline, C = call), marks changes and checks the nodes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <klp_prep/affected.h>
#include <klp_prep/log.h>

#define MAXR 32

struct ub {
	struct klp_unit u;
	struct klp_origin origins[MAXR];
	struct klp_func_record funcs[MAXR];
	struct klp_inline inlines[MAXR];
	struct klp_call calls[MAXR];
};

static void ub_init(struct ub *b, const char *source)
{
	memset(b, 0, sizeof(*b));
	b->u.source = source;
	b->u.producer = "GCC 12.2.0";
	b->u.origins = b->origins;
	b->u.funcs = b->funcs;
	b->u.inlines = b->inlines;
	b->u.calls = b->calls;
}

static unsigned int O(struct ub *b, const char *name, unsigned int line,
		      unsigned int end, unsigned int flags, const char *section)
{
	assert_true(b->u.nr_origins < MAXR);
	b->origins[b->u.nr_origins] = (struct klp_origin){
		.name = name, .file = b->u.source, .line = line,
		.section = section, .flags = flags | KLP_ORIGIN_F_DEFINED,
		.end_line = end,
	};
	return (unsigned int)b->u.nr_origins++;
}

#define EMIT (KLP_FUNC_F_EMITTED | KLP_FUNC_F_FENTRY)

static unsigned int F(struct ub *b, const char *symbol, unsigned int origin,
		      unsigned int flags, const char *cold)
{
	assert_true(b->u.nr_funcs < MAXR);
	b->funcs[b->u.nr_funcs] = (struct klp_func_record){
		.symbol = symbol, .origin = origin, .flags = flags,
		.section = (flags & KLP_FUNC_F_EMITTED) ? ".text" : NULL,
		.cold_symbol = cold,
		.cold_section = cold ? ".text.unlikely" : NULL,
	};
	if (cold)
		b->funcs[b->u.nr_funcs].flags |= KLP_FUNC_F_COLD_SPLIT;
	return (unsigned int)b->u.nr_funcs++;
}

/* Returns the index+1 for use as a parent. */
static unsigned int I(struct ub *b, unsigned int func, unsigned int parent,
		      unsigned int callee, unsigned int line, unsigned int flags)
{
	assert_true(b->u.nr_inlines < MAXR);
	b->inlines[b->u.nr_inlines] = (struct klp_inline){
		.func = func, .parent = parent, .callee = callee,
		.call_file = b->u.source, .call_line = line, .flags = flags,
	};
	return (unsigned int)++b->u.nr_inlines;
}

static void C(struct ub *b, unsigned int func, const char *callee,
	      unsigned int line, unsigned int flags)
{
	assert_true(b->u.nr_calls < MAXR);
	b->calls[b->u.nr_calls++] = (struct klp_call){
		.func = func, .callee = callee, .call_file = b->u.source,
		.call_line = line, .flags = flags,
	};
}

/* Library messages are captured, so a test can check what a user reads. */
static char logbuf[4096];

static int capture_log(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list ap)
{
	(void)ctx;
	size_t len = strlen(logbuf);

	(void)level;
	return vsnprintf(logbuf + len, sizeof(logbuf) - len, fmt, ap);
}

static int setup(void **state)
{
	(void)state;
	logbuf[0] = 0;
	klp_set_log_fn(capture_log);
	return 0;
}

static struct klp_affected *one_object(struct ub *b, size_t nr,
				       enum klp_affected_object_kind kind)
{
	const struct klp_unit *units[8];
	struct klp_affected *a = klp_affected__new();
	size_t i;

	assert_non_null(a);
	for (i = 0; i < nr; i++)
		units[i] = &b[i].u;
	assert_int_equal(klp_affected__add_object(a, "vmlinux", kind,
						  KLP_AFFECTED_FROM_PLUGIN,
						  units, nr), 0);
	return a;
}

static const struct klp_affected_node *find(struct klp_affected *a,
					    const char *symbol,
					    const char *unit)
{
	size_t i;

	for (i = 0; i < klp_affected__nr_nodes(a); i++) {
		const struct klp_affected_node *n = klp_affected__node(a, i);

		if (!strcmp(n->symbol, symbol) &&
		    (!unit || !strcmp(n->unit, unit)))
			return n;
	}
	return NULL;
}

static const struct klp_affected_subfunc *
find_sub(const struct klp_affected_node *n, const char *symbol)
{
	size_t i;

	for (i = 0; i < n->nr_subfuncs; i++)
		if (!strcmp(n->subfuncs[i].symbol, symbol))
			return &n->subfuncs[i];
	return NULL;
}

static void assert_state(struct klp_affected *a, const char *symbol,
			 enum klp_affected_node_state state)
{
	const struct klp_affected_node *n = find(a, symbol, NULL);

	if (!n)
		fail_msg("%s: not in the closure", symbol);
	if (n->state != state)
		fail_msg("%s: %s, expected %s", symbol,
			 klp_node_state_name(n->state), klp_node_state_name(state));
}

static void assert_clean(struct klp_affected *a, const char *symbol)
{
	if (find(a, symbol, NULL))
		fail_msg("%s: in the closure, expected not", symbol);
}

static const char *reason(const struct klp_affected_node *n, size_t i)
{
	static char buf[256];

	assert_true(i < n->nr_reasons);
	return klp_affected_reason__format(n, &n->reasons[i], buf, sizeof(buf));
}

/* ---- tests --------------------------------------------------------------- */

/* A changed, emitted, traced function is patched, and only it. */
static void test_changed_plain(void **state)
{
	struct ub b;
	struct klp_affected *a;
	const struct klp_affected_node *n;

	(void)state;
	ub_init(&b, "fs/x.c");
	F(&b, "foo", O(&b, "foo", 10, 20, KLP_ORIGIN_F_PUBLIC, NULL),
	  EMIT | KLP_FUNC_F_PUBLIC, NULL);
	F(&b, "other", O(&b, "other", 30, 40, 0, NULL), EMIT, NULL);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_int_equal(klp_affected__nr_nodes(a), 1);
	n = find(a, "foo", NULL);
	assert_non_null(n);
	assert_int_equal(n->state, KLP_NODE_PATCH);
	assert_string_equal(n->object, "vmlinux");
	assert_int_equal(n->sympos, 0);
	assert_string_equal(reason(n, 0), "foo: changed (fs/x.c:10)");
	assert_int_equal(n->nr_subfuncs, 0);
	assert_int_equal(klp_affected__nr_changes(a), 1);
	assert_string_equal(klp_affected__change(a, 0), "foo (fs/x.c:10-20)");
	klp_affected__free(a);
}

/*
 * foo is inlined into bar, which was never emitted: it was inlined into
 * baz and qux in turn.  Patch baz and qux, not bar (no symbol), not foo.
 */
static void test_inline_chain_through_unemitted(void **state)
{
	struct ub b;
	struct klp_affected *a;
	unsigned int ofoo, obar, fbar, fbaz, fqux;
	const struct klp_affected_node *n;

	(void)state;
	ub_init(&b, "fs/x.c");
	ofoo = O(&b, "foo", 10, 12, 0, NULL);
	obar = O(&b, "bar", 20, 30, 0, NULL);
	F(&b, "foo", ofoo, 0, NULL);
	fbar = F(&b, "bar", obar, 0, NULL);
	fbaz = F(&b, "baz", O(&b, "baz", 40, 50, 0, NULL), EMIT, NULL);
	fqux = F(&b, "qux", O(&b, "qux", 60, 70, 0, NULL), EMIT, NULL);
	F(&b, "unrelated", O(&b, "unrelated", 80, 90, 0, NULL), EMIT, NULL);
	I(&b, fbar, 0, ofoo, 25, 0);
	I(&b, fbaz, 0, obar, 45, 0);
	I(&b, fqux, 0, obar, 65, 0);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "fs/x.c:foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "foo", KLP_NODE_INLINED);
	assert_state(a, "bar", KLP_NODE_INLINED);
	assert_state(a, "baz", KLP_NODE_PATCH);
	assert_state(a, "qux", KLP_NODE_PATCH);
	assert_clean(a, "unrelated");
	assert_int_equal(klp_affected__count(a, KLP_NODE_PATCH), 2);
	n = find(a, "baz", NULL);
	assert_string_equal(reason(n, 0), "baz: inlines bar (fs/x.c:45)");
	/* The chain leads back to the change. */
	assert_non_null(n->reasons[0].from);
	assert_string_equal(n->reasons[0].from->symbol, "bar");
	n = n->reasons[0].from;
	assert_string_equal(reason(n, 0), "bar: inlines foo (fs/x.c:25)");
	assert_null(n->reasons[0].from);	/* foo itself is the change */
	klp_affected__free(a);
}

/* Nested INLINE records: the chain is shown, the outermost body patched. */
static void test_nested_inline_records(void **state)
{
	struct ub b;
	struct klp_affected *a;
	unsigned int ofoo, obar, fbaz, p;
	const struct klp_affected_node *n;

	(void)state;
	ub_init(&b, "fs/x.c");
	ofoo = O(&b, "foo", 10, 12, 0, NULL);
	obar = O(&b, "bar", 20, 30, 0, NULL);
	/* bar is emitted too, but its own body calls foo (not inlined). */
	F(&b, "bar", obar, EMIT, NULL);
	F(&b, "foo", ofoo, EMIT, NULL);
	fbaz = F(&b, "baz", O(&b, "baz", 40, 50, 0, NULL), EMIT, NULL);
	p = I(&b, fbaz, 0, obar, 45, 0);
	I(&b, fbaz, p, ofoo, 25, 0);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "foo", KLP_NODE_PATCH);
	assert_state(a, "baz", KLP_NODE_PATCH);
	/* IPA inlining recorded its chain: bar's own body is untouched. */
	assert_clean(a, "bar");
	n = find(a, "baz", NULL);
	assert_string_equal(reason(n, 0),
			    "baz: inlines foo (fs/x.c:25) via bar (fs/x.c:45)");
	klp_affected__free(a);
}

/*
 * Early inlining: foo went into bar before bar was inlined into baz, and
 * baz's copy of bar has no record of foo.  baz must be patched anyway.
 */
static void test_early_inline_spreads(void **state)
{
	struct ub b;
	struct klp_affected *a;
	unsigned int ofoo, obar, fbar, fbaz;

	(void)state;
	ub_init(&b, "fs/x.c");
	ofoo = O(&b, "foo", 10, 12, 0, NULL);
	obar = O(&b, "bar", 20, 30, 0, NULL);
	F(&b, "foo", ofoo, 0, NULL);
	fbar = F(&b, "bar", obar, EMIT, NULL);
	fbaz = F(&b, "baz", O(&b, "baz", 40, 50, 0, NULL), EMIT, NULL);
	I(&b, fbar, 0, ofoo, 25, KLP_INLINE_F_EARLY);
	I(&b, fbaz, 0, obar, 45, 0);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "bar", KLP_NODE_PATCH);
	assert_state(a, "baz", KLP_NODE_PATCH);
	klp_affected__free(a);
}

/* Both inlined and emitted: the function itself and its inliner. */
static void test_inlined_and_emitted(void **state)
{
	struct ub b;
	struct klp_affected *a;
	unsigned int ofoo, fbar;

	(void)state;
	ub_init(&b, "fs/x.c");
	ofoo = O(&b, "foo", 10, 12, 0, NULL);
	F(&b, "foo", ofoo, EMIT, NULL);
	fbar = F(&b, "bar", O(&b, "bar", 20, 30, 0, NULL), EMIT, NULL);
	I(&b, fbar, 0, ofoo, 25, 0);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "foo", KLP_NODE_PATCH);
	assert_state(a, "bar", KLP_NODE_PATCH);
	assert_int_equal(klp_affected__count(a, KLP_NODE_PATCH), 2);
	klp_affected__free(a);
}

/*
 * foo exists only as foo.isra.0 (with a cold part).  Its callers: bar
 * (plain, patched) and baz.constprop.0 (a clone again), whose caller qux
 * is patched.  The abandoned clones become stack_only entries.
 */
static void test_clone_callers(void **state)
{
	struct ub b;
	struct klp_affected *a;
	unsigned int ofoo, obaz, fbar, fbazc, fqux;
	const struct klp_affected_node *n;
	const struct klp_affected_subfunc *s;

	(void)state;
	ub_init(&b, "fs/x.c");
	ofoo = O(&b, "foo", 10, 12, 0, NULL);
	obaz = O(&b, "baz", 40, 50, 0, NULL);
	F(&b, "foo", ofoo, 0, NULL);
	F(&b, "foo.isra.0", ofoo, EMIT | KLP_FUNC_F_ISRA, "foo.isra.0.cold");
	fbar = F(&b, "bar", O(&b, "bar", 20, 30, 0, NULL), EMIT, NULL);
	F(&b, "baz", obaz, 0, NULL);
	fbazc = F(&b, "baz.constprop.0", obaz, EMIT | KLP_FUNC_F_CONSTPROP, NULL);
	fqux = F(&b, "qux", O(&b, "qux", 60, 70, 0, NULL), EMIT, NULL);
	C(&b, fbar, "foo.isra.0", 22, 0);
	C(&b, fbazc, "foo.isra.0", 44, KLP_CALL_F_TAIL);
	C(&b, fqux, "baz.constprop.0", 66, 0);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "foo.isra.0", KLP_NODE_CLONE);
	assert_state(a, "baz.constprop.0", KLP_NODE_CLONE);
	assert_state(a, "bar", KLP_NODE_PATCH);
	assert_state(a, "qux", KLP_NODE_PATCH);
	assert_int_equal(klp_affected__count(a, KLP_NODE_PATCH), 2);

	n = find(a, "bar", NULL);
	assert_string_equal(reason(n, 0), "bar: calls foo.isra.0 (fs/x.c:22)");
	assert_int_equal(n->nr_subfuncs, 2);
	s = find_sub(n, "foo.isra.0");
	assert_non_null(s);
	assert_int_equal(s->kind, KLP_SUBFUNC_CLONE);
	s = find_sub(n, "foo.isra.0.cold");
	assert_non_null(s);
	assert_int_equal(s->kind, KLP_SUBFUNC_CLONE_COLD);

	/* qux: through the tail call of baz.constprop.0 into foo.isra.0. */
	n = find(a, "qux", NULL);
	assert_string_equal(reason(n, 0), "qux: calls baz.constprop.0 (fs/x.c:66)");
	assert_non_null(find_sub(n, "baz.constprop.0"));
	assert_non_null(find_sub(n, "foo.isra.0"));
	assert_true(find_sub(n, "foo.isra.0")->tail);
	assert_non_null(find_sub(n, "foo.isra.0.cold"));
	assert_string_equal(reason(find(a, "baz.constprop.0", NULL), 0),
			    "baz.constprop.0: tail-calls foo.isra.0 (fs/x.c:44)");
	klp_affected__free(a);
}

/* Recursion through clones and inlines terminates, without false nodes. */
static void test_recursion_terminates(void **state)
{
	struct ub b;
	struct klp_affected *a;
	unsigned int ofoo, oping, opong, fisra, fping, fpong, fbar;

	(void)state;
	ub_init(&b, "fs/x.c");
	ofoo = O(&b, "foo", 10, 12, 0, NULL);
	oping = O(&b, "ping", 20, 22, 0, NULL);
	opong = O(&b, "pong", 30, 32, 0, NULL);
	fisra = F(&b, "foo.isra.0", ofoo, EMIT | KLP_FUNC_F_ISRA, NULL);
	fbar = F(&b, "bar", O(&b, "bar", 40, 50, 0, NULL), EMIT, NULL);
	C(&b, fisra, "foo.isra.0", 11, 0);		/* self-recursive */
	C(&b, fbar, "foo.isra.0", 45, 0);
	/* ping and pong inline each other, both emitted. */
	fping = F(&b, "ping", oping, EMIT, NULL);
	fpong = F(&b, "pong", opong, EMIT, NULL);
	I(&b, fping, 0, opong, 21, KLP_INLINE_F_EARLY);
	I(&b, fpong, 0, oping, 31, KLP_INLINE_F_EARLY);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), 0);
	assert_int_equal(klp_affected__change_function(a, "ping"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "foo.isra.0", KLP_NODE_CLONE);
	assert_state(a, "bar", KLP_NODE_PATCH);
	assert_state(a, "ping", KLP_NODE_PATCH);
	assert_state(a, "pong", KLP_NODE_PATCH);
	assert_int_equal(klp_affected__nr_nodes(a), 4);
	/* The clone's self-call is no caller of its own. */
	assert_int_equal(find(a, "foo.isra.0", NULL)->nr_reasons, 1);
	klp_affected__free(a);
}

/*
 * Two units each have a static foo.  Changing b.c's leaves a.c's alone,
 * and old_sympos tells the two symbols apart as the kernel counts them.
 */
static void test_duplicate_static_names(void **state)
{
	struct ub b[2];
	struct klp_affected *a;
	const struct klp_affected_node *n;
	int obj;

	(void)state;
	ub_init(&b[0], "drivers/a.c");
	ub_init(&b[1], "drivers/b.c");
	F(&b[0], "foo", O(&b[0], "foo", 10, 20, 0, NULL), EMIT, "foo.cold");
	F(&b[1], "foo", O(&b[1], "foo", 30, 40, 0, NULL), EMIT, "foo.cold");

	/* Unqualified: ambiguous, and the message lists both. */
	a = one_object(b, 2, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), -EINVAL);
	assert_non_null(strstr(logbuf, "drivers/a.c:foo"));
	assert_non_null(strstr(logbuf, "drivers/b.c:foo"));
	klp_affected__free(a);

	/* vmlinux: equal names are counted by address. */
	a = one_object(b, 2, KLP_AFFECTED_VMLINUX);
	obj = 0;
	assert_int_equal(klp_affected__add_symbol(a, obj, "foo", 0x2000, 0), 0);
	assert_int_equal(klp_affected__add_symbol(a, obj, "foo.cold", 0x9000, 0), 0);
	assert_int_equal(klp_affected__add_symbol(a, obj, "foo", 0x1000, 1), 0);
	assert_int_equal(klp_affected__add_symbol(a, obj, "foo.cold", 0x8000, 1), 0);
	assert_int_equal(klp_affected__change_function(a, "b.c:foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_int_equal(klp_affected__nr_nodes(a), 1);
	n = find(a, "foo", "drivers/b.c");
	assert_non_null(n);
	assert_int_equal(n->state, KLP_NODE_PATCH);
	assert_int_equal(n->sympos, 1);
	assert_false(n->sympos_estimated);
	assert_int_equal(find_sub(n, "foo.cold")->sympos, 1);
	klp_affected__free(a);

	/* A module: .symtab order, whatever the addresses. */
	a = one_object(b, 2, KLP_AFFECTED_MODULE);
	assert_int_equal(klp_affected__add_symbol(a, 0, "foo", 0x2000, 0), 0);
	assert_int_equal(klp_affected__add_symbol(a, 0, "foo", 0x1000, 1), 0);
	assert_int_equal(klp_affected__change_function(a, "drivers/b.c:foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_int_equal(find(a, "foo", "drivers/b.c")->sympos, 2);
	klp_affected__free(a);

	/* No symbol table: counted from the records, and flagged. */
	a = one_object(b, 2, KLP_AFFECTED_MODULE);
	assert_int_equal(klp_affected__change_function(a, "a.c:foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	n = find(a, "foo", "drivers/a.c");
	assert_int_equal(n->sympos, 1);
	assert_true(n->sympos_estimated);
	assert_true(klp_affected__nr_notes(a) > 0);
	klp_affected__free(a);
}

/* Two symbols of one name and no way to tell whose: not patchable. */
static void test_sympos_unknowable(void **state)
{
	struct ub b[2];
	struct klp_affected *a;

	(void)state;
	ub_init(&b[0], "drivers/a.c");
	ub_init(&b[1], "drivers/b.c");
	F(&b[0], "foo", O(&b[0], "foo", 10, 20, 0, NULL), EMIT, NULL);
	F(&b[1], "foo", O(&b[1], "foo", 30, 40, 0, NULL), EMIT, NULL);
	a = one_object(b, 2, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__add_symbol(a, 0, "foo", 0x2000, -1), 0);
	assert_int_equal(klp_affected__add_symbol(a, 0, "foo", 0x1000, -1), 0);
	assert_int_equal(klp_affected__change_function(a, "a.c:foo"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "foo", KLP_NODE_UNPATCHABLE);
	assert_non_null(strstr(find(a, "foo", NULL)->unpatchable, "old_sympos"));
	klp_affected__free(a);
}

/*
 * Partial inlining: foo's head is inlined into bar and baz, which call
 * foo.part.0; foo itself is emitted too (its head calls foo.part.0).
 * Changing foo patches foo, bar and baz; foo.part.0 is a stack_only
 * entry of each.  An unchanged .part a patched function calls is one too.
 */
static void test_part(void **state)
{
	struct ub b;
	struct klp_affected *a;
	unsigned int ofoo, oquux, ffoo, fbar, fbaz, fzap;
	const struct klp_affected_node *n;

	(void)state;
	ub_init(&b, "fs/x.c");
	ofoo = O(&b, "foo", 10, 30, 0, NULL);
	oquux = O(&b, "quux", 100, 130, 0, NULL);
	ffoo = F(&b, "foo", ofoo, EMIT, NULL);
	F(&b, "foo.part.0", ofoo, EMIT | KLP_FUNC_F_PART, "foo.part.0.cold");
	F(&b, "quux", oquux, 0, NULL);
	F(&b, "quux.part.0", oquux, EMIT | KLP_FUNC_F_PART, NULL);
	fbar = F(&b, "bar", O(&b, "bar", 40, 50, 0, NULL), EMIT, NULL);
	fbaz = F(&b, "baz", O(&b, "baz", 60, 70, 0, NULL), EMIT, NULL);
	fzap = F(&b, "zap", O(&b, "zap", 80, 90, 0, NULL), EMIT, NULL);
	C(&b, ffoo, "foo.part.0", 12, KLP_CALL_F_TAIL);
	I(&b, fbar, 0, ofoo, 45, 0);
	C(&b, fbar, "foo.part.0", 45, 0);
	I(&b, fbaz, 0, ofoo, 65, 0);
	C(&b, fbaz, "foo.part.0", 65, KLP_CALL_F_TAIL);
	C(&b, fzap, "quux.part.0", 85, 0);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), 0);
	assert_int_equal(klp_affected__change_function(a, "zap"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "foo", KLP_NODE_PATCH);
	assert_state(a, "foo.part.0", KLP_NODE_CLONE);
	assert_state(a, "bar", KLP_NODE_PATCH);
	assert_state(a, "baz", KLP_NODE_PATCH);
	assert_state(a, "zap", KLP_NODE_PATCH);
	assert_clean(a, "quux.part.0");
	n = find(a, "foo", NULL);
	assert_int_equal(find_sub(n, "foo.part.0")->kind, KLP_SUBFUNC_CLONE);
	assert_true(find_sub(n, "foo.part.0")->tail);
	assert_int_equal(find_sub(n, "foo.part.0.cold")->kind,
			 KLP_SUBFUNC_CLONE_COLD);
	assert_string_equal(find_sub(n, "foo.part.0.cold")->parent, "foo.part.0");
	n = find(a, "baz", NULL);
	assert_non_null(find_sub(n, "foo.part.0"));
	/* baz is there twice over: the inlined head and the call. */
	assert_int_equal(n->nr_reasons, 2);
	n = find(a, "zap", NULL);
	assert_int_equal(n->nr_subfuncs, 1);
	assert_int_equal(n->subfuncs[0].kind, KLP_SUBFUNC_PART);
	assert_string_equal(n->subfuncs[0].symbol, "quux.part.0");
	klp_affected__free(a);
}

/* The patched function's own cold part is a stack_only subfunction. */
static void test_own_cold(void **state)
{
	struct ub b;
	struct klp_affected *a;
	const struct klp_affected_node *n;

	(void)state;
	ub_init(&b, "kernel/printk/printk.c");
	F(&b, "do_syslog", O(&b, "do_syslog", 10, 200, KLP_ORIGIN_F_PUBLIC, NULL),
	  EMIT | KLP_FUNC_F_PUBLIC, "do_syslog.cold");
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "do_syslog"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	n = find(a, "do_syslog", NULL);
	assert_int_equal(n->nr_subfuncs, 1);
	assert_int_equal(n->subfuncs[0].kind, KLP_SUBFUNC_COLD);
	assert_string_equal(n->subfuncs[0].symbol, "do_syslog.cold");
	assert_int_equal(n->subfuncs[0].sympos, 0);
	klp_affected__free(a);
}

/*
 * What cannot be patched: an __init caller, a notrace caller, one without
 * an fentry call, a .noinstr one, and a clone no one is recorded calling.
 */
static void test_unpatchable(void **state)
{
	struct ub b;
	struct klp_affected *a;
	unsigned int ofoo, obar, finit, fnotrace, fnofentry, fnoinstr, ffine;

	(void)state;
	ub_init(&b, "fs/x.c");
	ofoo = O(&b, "foo", 10, 12, 0, NULL);
	obar = O(&b, "bar", 14, 16, 0, NULL);
	F(&b, "foo", ofoo, 0, NULL);
	F(&b, "bar.constprop.0", obar, EMIT | KLP_FUNC_F_CONSTPROP, NULL);
	finit = F(&b, "setup", O(&b, "setup", 20, 30, 0, ".init.text"), EMIT, NULL);
	b.funcs[finit].section = ".init.text";
	fnotrace = F(&b, "tracer", O(&b, "tracer", 40, 50, KLP_ORIGIN_F_NOTRACE, NULL),
		     KLP_FUNC_F_EMITTED, NULL);
	fnofentry = F(&b, "plain", O(&b, "plain", 60, 70, 0, NULL),
		      KLP_FUNC_F_EMITTED, NULL);
	fnoinstr = F(&b, "entry", O(&b, "entry", 80, 90, 0, ".noinstr.text"),
		     EMIT, NULL);
	b.funcs[fnoinstr].section = ".noinstr.text";
	ffine = F(&b, "fine", O(&b, "fine", 100, 110, 0, NULL), EMIT, NULL);
	I(&b, finit, 0, ofoo, 25, 0);
	I(&b, fnotrace, 0, ofoo, 45, 0);
	I(&b, fnofentry, 0, ofoo, 65, 0);
	I(&b, fnoinstr, 0, ofoo, 85, 0);
	I(&b, ffine, 0, ofoo, 105, 0);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "foo"), 0);
	assert_int_equal(klp_affected__change_function(a, "bar"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "fine", KLP_NODE_PATCH);
	assert_state(a, "setup", KLP_NODE_UNPATCHABLE);
	assert_non_null(strstr(find(a, "setup", NULL)->unpatchable, ".init"));
	assert_state(a, "tracer", KLP_NODE_UNPATCHABLE);
	assert_non_null(strstr(find(a, "tracer", NULL)->unpatchable, "notrace"));
	assert_state(a, "plain", KLP_NODE_UNPATCHABLE);
	assert_non_null(strstr(find(a, "plain", NULL)->unpatchable, "fentry"));
	assert_state(a, "entry", KLP_NODE_UNPATCHABLE);
	assert_non_null(strstr(find(a, "entry", NULL)->unpatchable, "noinstr"));
	assert_state(a, "bar.constprop.0", KLP_NODE_UNPATCHABLE);
	assert_non_null(strstr(find(a, "bar.constprop.0", NULL)->unpatchable,
			       "no caller"));
	assert_int_equal(klp_affected__count(a, KLP_NODE_UNPATCHABLE), 5);
	klp_affected__free(a);
}

/* Line ranges map to functions through ORIGIN line..end_line. */
static void test_lines(void **state)
{
	struct ub b;
	struct klp_affected *a;

	(void)state;
	ub_init(&b, "fs/x.c");
	F(&b, "foo", O(&b, "foo", 10, 20, 0, NULL), EMIT, NULL);
	F(&b, "bar", O(&b, "bar", 22, 40, 0, NULL), EMIT, NULL);
	F(&b, "baz", O(&b, "baz", 42, 0, 0, NULL), EMIT, NULL);	/* no end */
	F(&b, "qux", O(&b, "qux", 60, 70, 0, NULL), EMIT, NULL);

	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_lines_spec(a, "fs/x.c:18-23"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "foo", KLP_NODE_PATCH);
	assert_state(a, "bar", KLP_NODE_PATCH);
	assert_clean(a, "baz");
	klp_affected__free(a);

	/* baz has no end_line: it runs up to qux. */
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_lines_spec(a, "x.c:55"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "baz", KLP_NODE_PATCH);
	assert_clean(a, "qux");
	klp_affected__free(a);

	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_lines_spec(a, "fs/x.c:1-5"), -ENOENT);
	assert_int_equal(klp_affected__change_lines_spec(a, "fs/x.c:9-5"), -EINVAL);
	assert_int_equal(klp_affected__change_lines_spec(a, "fs/x.c"), -EINVAL);
	/* "s/x.c" is not a trailing path component of fs/x.c. */
	assert_int_equal(klp_affected__change_lines_spec(a, "s/x.c:10"), -ENOENT);
	klp_affected__free(a);
}

/* Bad names are errors a user can act on. */
static void test_bad_names(void **state)
{
	struct ub b;
	struct klp_affected *a;

	(void)state;
	ub_init(&b, "fs/x.c");
	F(&b, "foo", O(&b, "foo", 10, 20, 0, NULL), EMIT, NULL);
	a = one_object(&b, 1, KLP_AFFECTED_VMLINUX);
	assert_int_equal(klp_affected__change_function(a, "nosuch"), -ENOENT);
	assert_non_null(strstr(logbuf, "nosuch"));
	assert_int_equal(klp_affected__change_function(a, "fs/y.c:foo"), -ENOENT);
	assert_int_equal(klp_affected__change_function(a, "fs/x.c:"), -EINVAL);
	klp_affected__free(a);
}

/*
 * A header's static inline changes: it is matched in every unit and every
 * object that has code of it.
 */
static void test_header_inline_across_objects(void **state)
{
	struct ub b[2];
	const struct klp_unit *u0[1], *u1[1];
	struct klp_affected *a;
	unsigned int o;

	(void)state;
	ub_init(&b[0], "fs/a.c");
	ub_init(&b[1], "drivers/m.c");
	o = O(&b[0], "hdr_helper", 5, 9, KLP_ORIGIN_F_DECLARED_INLINE, NULL);
	b[0].origins[o].file = "include/linux/h.h";
	I(&b[0], F(&b[0], "a_fn", O(&b[0], "a_fn", 10, 20, 0, NULL), EMIT, NULL),
	  0, o, 12, KLP_INLINE_F_EARLY);
	o = O(&b[1], "hdr_helper", 5, 9, KLP_ORIGIN_F_DECLARED_INLINE, NULL);
	b[1].origins[o].file = "include/linux/h.h";
	I(&b[1], F(&b[1], "m_fn", O(&b[1], "m_fn", 10, 20, 0, NULL), EMIT, NULL),
	  0, o, 15, 0);
	a = klp_affected__new();
	u0[0] = &b[0].u;
	u1[0] = &b[1].u;
	assert_int_equal(klp_affected__add_object(a, "vmlinux", KLP_AFFECTED_VMLINUX,
						  KLP_AFFECTED_FROM_PLUGIN, u0, 1), 0);
	assert_int_equal(klp_affected__add_object(a, "m", KLP_AFFECTED_MODULE,
						  KLP_AFFECTED_FROM_PLUGIN, u1, 1), 1);
	assert_int_equal(klp_affected__change_lines_spec(a, "include/linux/h.h:7"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	assert_state(a, "a_fn", KLP_NODE_PATCH);
	assert_state(a, "m_fn", KLP_NODE_PATCH);
	assert_string_equal(find(a, "m_fn", NULL)->object, "m");
	klp_affected__free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_changed_plain, setup),
		cmocka_unit_test_setup(test_inline_chain_through_unemitted, setup),
		cmocka_unit_test_setup(test_nested_inline_records, setup),
		cmocka_unit_test_setup(test_early_inline_spreads, setup),
		cmocka_unit_test_setup(test_inlined_and_emitted, setup),
		cmocka_unit_test_setup(test_clone_callers, setup),
		cmocka_unit_test_setup(test_recursion_terminates, setup),
		cmocka_unit_test_setup(test_duplicate_static_names, setup),
		cmocka_unit_test_setup(test_sympos_unknowable, setup),
		cmocka_unit_test_setup(test_part, setup),
		cmocka_unit_test_setup(test_own_cold, setup),
		cmocka_unit_test_setup(test_unpatchable, setup),
		cmocka_unit_test_setup(test_lines, setup),
		cmocka_unit_test_setup(test_bad_names, setup),
		cmocka_unit_test_setup(test_header_inline_across_objects, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
