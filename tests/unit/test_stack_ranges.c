// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_stack_ranges.c - the kernel-support decision "which code must not be
 * on any task's stack for this transition", tested outside the kernel.
 *
 * kernel-support/stack_only/stack_only.h is byte for byte the
 * kernel/livepatch/stack_only.h that the kernel-support patches add and
 * that kernel/livepatch/transition.c uses (the stack_ranges_copy test checks
 * that against every series).  It reads only fields of struct klp_func, so
 * this file provides a struct klp_func with the same field names and types
 * as the patched include/linux/livepatch.h and calls the very same code.
 *
 * Addresses are made up: each range gets a distinct base so that a wrong
 * pick shows up as a wrong address in the recorded list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* The fields of the patched kernel's struct klp_func that the rule reads. */
struct klp_func {
	const char *old_name;
	void *new_func;
	unsigned long old_sympos;
	bool stack_only;
	const char *new_name;
	unsigned long new_sympos;
	void *old_func;
	unsigned long old_size, new_size;
	struct klp_func *parent;
	struct klp_func *subfuncs;
	unsigned int nr_subfuncs;
	bool nop;
};

#include "stack_only.h"

#define MAX_RANGES 16

struct range {
	unsigned long addr, size;
	const char *name;
};

struct recorder {
	struct range r[MAX_RANGES];
	unsigned int n;
	int stop_at;	/* return -EAGAIN-like 11 at this index, -1 never */
};

static int record(unsigned long addr, unsigned long size, const char *name,
		  void *data)
{
	struct recorder *rec = data;

	assert_true(rec->n < MAX_RANGES);
	rec->r[rec->n].addr = addr;
	rec->r[rec->n].size = size;
	rec->r[rec->n].name = name;
	if ((int)rec->n++ == rec->stop_at)
		return 11;
	return 0;
}

#define A(x) ((void *)(uintptr_t)(x))

/* The original function foo and its split-off parts. */
#define ORIG_FOO	0x1000UL
#define ORIG_FOO_COLD	0x9000UL
#define ORIG_FOO_PART	0x9800UL
/* Patch 1's klpp_foo and its parts. */
#define P1_FOO		0x21000UL
#define P1_FOO_COLD	0x29000UL
#define P1_FOO_PART	0x29800UL
/* Patch 2's klpp_foo and its parts. */
#define P2_FOO		0x31000UL
#define P2_FOO_COLD	0x39000UL

static void func_init(struct klp_func *f, void *new_func)
{
	memset(f, 0, sizeof(*f));
	f->old_name = "foo";
	f->old_func = A(ORIG_FOO);
	f->old_size = 0x100;
	f->new_func = new_func;
	f->new_size = 0x80;
}

/*
 * One stack_only entry; the kernel ties it to the closest preceding patched
 * entry of the funcs array (klp_link_subfuncs() in core.c).  Here the
 * arrays are [parent, sub, sub, ...] and link() does the same.  A side
 * that is absent (NULL name) or unresolved has no address.
 */
static void sub_init(struct klp_func *s, const char *old_name,
		     unsigned long old, const char *new_name, unsigned long new)
{
	memset(s, 0, sizeof(*s));
	s->stack_only = true;
	s->old_name = old_name;
	s->new_name = new_name;
	if (old_name) {
		s->old_func = A(old);
		s->old_size = 0x40;
	}
	if (new_name) {
		s->new_func = A(new);
		s->new_size = 0x30;
	}
}

static void link(struct klp_func *funcs, unsigned int n)
{
	struct klp_func *parent = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct klp_func *f = &funcs[i];

		if (!f->stack_only) {
			parent = f->nop ? NULL : f;
			f->subfuncs = NULL;
			f->nr_subfuncs = 0;
			continue;
		}
		assert_non_null(parent);
		if (!parent->nr_subfuncs)
			parent->subfuncs = f;
		parent->nr_subfuncs++;
		f->parent = parent;
	}
}

static struct recorder ranges(const struct klp_func *func,
			      const struct klp_func *prev, bool patched)
{
	struct recorder rec = { .n = 0, .stop_at = -1 };

	assert_int_equal(klp_walk_transition_ranges(func, prev, patched,
						       record, &rec), 0);
	return rec;
}

static void expect(const struct recorder *rec, unsigned int n,
		   const unsigned long *addrs, const char *const *names)
{
	unsigned int i;

	assert_int_equal(rec->n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(rec->r[i].addr, addrs[i]);
		assert_string_equal(rec->r[i].name, names[i]);
	}
}

/* Patch 1: klpp_foo replaces foo; foo.cold -> klpp_foo.cold, and
 * foo.part.0 exists only in the original, klpp_foo.part.1 only in the new. */
static struct klp_func p1[4];

static void setup_p1(void)
{
	func_init(&p1[0], A(P1_FOO));
	sub_init(&p1[1], "foo.cold", ORIG_FOO_COLD, "klpp_foo.cold", P1_FOO_COLD);
	sub_init(&p1[2], "foo.part.0", ORIG_FOO_PART, NULL, 0);
	sub_init(&p1[3], NULL, 0, "klpp_foo.part.1", P1_FOO_PART);
	link(p1, 4);
}

/* Enabling over the original: the original and its parts, old side. */
static void test_enable(void **state)
{
	static const unsigned long addrs[] = { ORIG_FOO, ORIG_FOO_COLD, ORIG_FOO_PART };
	static const char *const names[] = { "foo", "foo.cold", "foo.part.0" };
	struct recorder rec;

	(void)state;
	setup_p1();
	rec = ranges(&p1[0], NULL, true);
	expect(&rec, 3, addrs, names);
	assert_int_equal(rec.r[0].size, 0x100);
	assert_int_equal(rec.r[1].size, 0x40);
}

/* Disabling: the livepatch's own function and its parts, new side. */
static void test_disable(void **state)
{
	static const unsigned long addrs[] = { P1_FOO, P1_FOO_COLD, P1_FOO_PART };
	static const char *const names[] = { "foo", "klpp_foo.cold", "klpp_foo.part.1" };
	struct recorder rec;

	(void)state;
	setup_p1();
	rec = ranges(&p1[0], NULL, false);
	expect(&rec, 3, addrs, names);
	assert_int_equal(rec.r[0].size, 0x80);
	assert_int_equal(rec.r[1].size, 0x30);
}

/* No stack_only entries: exactly what the kernel checked before. */
static void test_no_subfuncs(void **state)
{
	static const unsigned long en[] = { ORIG_FOO };
	static const unsigned long dis[] = { P1_FOO };
	static const char *const names[] = { "foo" };
	struct klp_func f;
	struct recorder rec;

	(void)state;
	func_init(&f, A(P1_FOO));
	link(&f, 1);
	rec = ranges(&f, NULL, true);
	expect(&rec, 1, en, names);
	rec = ranges(&f, NULL, false);
	expect(&rec, 1, dis, names);
}

/* Patch 2 stacked on patch 1 (or replacing it, the func_stack looks the
 * same): enabling leaves patch 1's code, so patch 1's new side is checked,
 * not the original's parts, which no task can be in any more. */
static struct klp_func p2[2];

static void setup_p2(void)
{
	func_init(&p2[0], A(P2_FOO));
	sub_init(&p2[1], "foo.cold", ORIG_FOO_COLD, "klpp_foo.cold", P2_FOO_COLD);
	link(p2, 2);
}

static void test_stacked_enable(void **state)
{
	static const unsigned long addrs[] = { P1_FOO, P1_FOO_COLD, P1_FOO_PART };
	static const char *const names[] = { "foo", "klpp_foo.cold", "klpp_foo.part.1" };
	struct recorder rec;
	unsigned int i;

	(void)state;
	setup_p1();
	setup_p2();
	rec = ranges(&p2[0], &p1[0], true);
	expect(&rec, 3, addrs, names);
	for (i = 0; i < rec.n; i++) {
		assert_int_not_equal(rec.r[i].addr, ORIG_FOO_COLD);
		assert_int_not_equal(rec.r[i].addr, P2_FOO_COLD);
	}
}

/* Disabling the top patch leaves its own code only. */
static void test_stacked_disable(void **state)
{
	static const unsigned long addrs[] = { P2_FOO, P2_FOO_COLD };
	static const char *const names[] = { "foo", "klpp_foo.cold" };
	struct recorder rec;

	(void)state;
	setup_p1();
	setup_p2();
	rec = ranges(&p2[0], &p1[0], false);
	expect(&rec, 2, addrs, names);
}

/* Atomic replace where the new patch no longer touches foo: foo gets a
 * nop whose new function is the original.  Enabling leaves the outgoing
 * patch's code (its new side); reverting the replace leaves the original
 * code, whose parts the outgoing patch described on its old side. */
static void nop_init(struct klp_func *nop)
{
	memset(nop, 0, sizeof(*nop));
	nop->old_name = "foo";
	nop->old_func = A(ORIG_FOO);
	nop->old_size = 0x100;
	nop->new_func = nop->old_func;
	nop->new_size = 0x100;
	nop->nop = true;
}

static void test_replace_nop(void **state)
{
	static const unsigned long addrs[] = { P1_FOO, P1_FOO_COLD, P1_FOO_PART };
	static const char *const names[] = { "foo", "klpp_foo.cold", "klpp_foo.part.1" };
	static const unsigned long raddrs[] = { ORIG_FOO, ORIG_FOO_COLD, ORIG_FOO_PART };
	static const char *const rnames[] = { "foo", "foo.cold", "foo.part.0" };
	struct klp_func nop;
	struct recorder rec;

	(void)state;
	setup_p1();
	nop_init(&nop);
	rec = ranges(&nop, &p1[0], true);
	expect(&rec, 3, addrs, names);
	rec = ranges(&nop, &p1[0], false);
	expect(&rec, 3, raddrs, rnames);
}

/* Atomic replace that patches a function the outgoing patch did not touch:
 * the incoming patch's old side is checked, as for a first enable. */
static void test_replace_incoming_old_side(void **state)
{
	static const unsigned long addrs[] = { ORIG_FOO, ORIG_FOO_COLD };
	static const char *const names[] = { "foo", "foo.cold" };
	struct recorder rec;

	(void)state;
	setup_p2();
	rec = ranges(&p2[0], NULL, true);
	expect(&rec, 2, addrs, names);
}

/* Missing sides: a NULL old_name (only the new code has the part), a NULL
 * new_name (only the old code has it), and an old side that is not resolved
 * (its object went away: old_func is cleared) are all skipped. */
static void test_missing_sides(void **state)
{
	static const unsigned long en[] = { ORIG_FOO, ORIG_FOO_COLD };
	static const char *const en_names[] = { "foo", "foo.cold" };
	static const unsigned long dis[] = { P1_FOO, P1_FOO_PART };
	static const char *const dis_names[] = { "foo", "klpp_foo.part.1" };
	struct klp_func f[4];
	struct recorder rec;

	(void)state;
	func_init(&f[0], A(P1_FOO));
	sub_init(&f[1], "foo.cold", ORIG_FOO_COLD, NULL, 0);
	sub_init(&f[2], NULL, 0, "klpp_foo.part.1", P1_FOO_PART);
	sub_init(&f[3], "foo.part.0", ORIG_FOO_PART, NULL, 0);
	f[3].old_func = NULL;	/* unresolved */
	link(f, 4);

	rec = ranges(&f[0], NULL, true);
	expect(&rec, 2, en, en_names);
	rec = ranges(&f[0], NULL, false);
	expect(&rec, 2, dis, dis_names);
}

/* Two patched functions in one table: each gets only its own parts. */
static void test_two_parents(void **state)
{
	static const unsigned long a_en[] = { ORIG_FOO, ORIG_FOO_COLD };
	static const unsigned long b_en[] = { 0x5000UL, 0x5800UL };
	static const char *const a_names[] = { "foo", "foo.cold" };
	static const char *const b_names[] = { "bar", "bar.cold" };
	struct klp_func f[4];
	struct recorder rec;

	(void)state;
	func_init(&f[0], A(P1_FOO));
	sub_init(&f[1], "foo.cold", ORIG_FOO_COLD, "klpp_foo.cold", P1_FOO_COLD);
	func_init(&f[2], A(0x25000UL));
	f[2].old_name = "bar";
	f[2].old_func = A(0x5000UL);
	sub_init(&f[3], "bar.cold", 0x5800UL, "klpp_bar.cold", 0x25800UL);
	link(f, 4);

	assert_int_equal(f[0].nr_subfuncs, 1);
	assert_ptr_equal(f[0].subfuncs, &f[1]);
	assert_ptr_equal(f[3].parent, &f[2]);

	rec = ranges(&f[0], NULL, true);
	expect(&rec, 2, a_en, a_names);
	rec = ranges(&f[2], NULL, true);
	expect(&rec, 2, b_en, b_names);
}

/* The first non-zero return of the callback stops the walk (the kernel
 * stops at the first range found on the stack). */
static void test_stop_early(void **state)
{
	struct recorder rec = { .n = 0, .stop_at = 1 };

	(void)state;
	setup_p1();
	assert_int_equal(klp_walk_transition_ranges(&p1[0], NULL, true,
						       record, &rec), 11);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.r[1].addr, ORIG_FOO_COLD);
}

/* The check the kernel makes with the ranges: a return address inside a
 * range blocks the task, one at the end of it does not. */
struct stack {
	const unsigned long *entries;
	unsigned int n;
	const char *name;
};

static int on_stack(unsigned long addr, unsigned long size, const char *name,
		    void *data)
{
	struct stack *st = data;
	unsigned int i;

	for (i = 0; i < st->n; i++) {
		if (st->entries[i] >= addr && st->entries[i] < addr + size) {
			st->name = name;
			return 11;
		}
	}
	return 0;
}

static void test_task_in_cold(void **state)
{
	/* a task sleeping in foo.cold: nothing of it is inside foo */
	static const unsigned long in_cold[] = { 0xffff0010UL, ORIG_FOO_COLD + 0x12, 0xffff0100UL };
	static const unsigned long past_cold[] = { ORIG_FOO_COLD + 0x40 };
	struct stack st = { in_cold, 3, NULL };
	struct klp_func plain[1];

	(void)state;
	setup_p1();
	assert_int_equal(klp_walk_transition_ranges(&p1[0], NULL, true,
						       on_stack, &st), 11);
	assert_string_equal(st.name, "foo.cold");

	/* without the stack_only entries the task escapes the check */
	func_init(&plain[0], A(P1_FOO));
	link(plain, 1);
	st.name = NULL;
	assert_int_equal(klp_walk_transition_ranges(&plain[0], NULL, true,
						       on_stack, &st), 0);

	st.entries = past_cold;
	st.n = 1;
	assert_int_equal(klp_walk_transition_ranges(&p1[0], NULL, true,
						       on_stack, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enable),
		cmocka_unit_test(test_disable),
		cmocka_unit_test(test_no_subfuncs),
		cmocka_unit_test(test_stacked_enable),
		cmocka_unit_test(test_stacked_disable),
		cmocka_unit_test(test_replace_nop),
		cmocka_unit_test(test_replace_incoming_old_side),
		cmocka_unit_test(test_missing_sides),
		cmocka_unit_test(test_two_parents),
		cmocka_unit_test(test_stop_early),
		cmocka_unit_test(test_task_in_cold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
