// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_coverage.c - the covering callers of split-off parts
 * (klp_prep/coverage.h) on a file linked at test time like vmlinux:
 * coverage_fixture/a.c compiled by gcc-12 with -pg -mfentry, linked by ld
 * with --emit-relocs into an ET_EXEC.  Each function of the fixture is
 * one case: a single caller, an address in data, an address taken by a
 * RIP-relative lea that has no relocation, an export, a tail call, a
 * caller without __fentry__, a tail-call chain past the depth limit, a
 * caller in .init.text, three callers against a limit of two, a call
 * from assembly without a function symbol, calls that end their caller.
 * The same parts are then read from the objects before the link (a.o
 * alone, and ld -r of a.o and b.o): the same answers must come out of
 * their relocations as out of the linked bytes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* asprintf() */
#endif
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <klp_prep/coverage.h>
#include <klp_prep/elf.h>

static char dir[] = "/tmp/klp-coverage-test.XXXXXX";
#include "scratch_dir.h"

static struct klp_elf *elf;
static struct klp_coverage *cov;

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const struct klp_symbol *func(const char *name)
{
	const struct klp_symbol *sym;

	klp_elf__for_each_symbol_by_name(elf, name, sym)
		if (sym->type == STT_FUNC)
			return sym;
	fail_msg("no function %s in the fixture", name);
	return NULL;
}

static void analyse(const char *name, const struct klp_coverage_limits *l,
		    struct klp_coverage_result *r)
{
	assert_int_equal(klp_coverage__analyse(cov, func(name), l, r), 0);
	assert_ptr_equal(r->part, func(name));
}

/* The only problem of @r is @kind, about @function. */
static void assert_one_problem(const struct klp_coverage_result *r,
			       enum klp_coverage_problem_kind kind,
			       const char *function)
{
	assert_false(r->coverable);
	assert_int_equal(r->nr_problems, 1);
	assert_int_equal(r->problems[0].kind, kind);
	if (function)
		assert_string_equal(r->problems[0].function, function);
}

static void single_caller(void **state)
{
	struct klp_coverage_result r;

	(void)state;
	analyse("one_caller.cold", NULL, &r);
	assert_int_equal(r.kind, KLP_PART_COLD);
	assert_true(r.coverable);
	assert_int_equal(r.nr_problems, 0);
	assert_int_equal(r.nr_callers, 1);
	assert_string_equal(r.callers[0].name, "user_a");
	assert_int_equal(r.callers[0].address, func("user_a")->value);
	assert_string_equal(r.callers[0].chain,
			    "one_caller.cold <- one_caller <- user_a");
	assert_int_equal(r.nr_foreign_entries, 0);
	klp_coverage_result__fini(&r);

	/* the parent itself: a call has a frame of its own */
	analyse("one_caller", NULL, &r);
	assert_true(r.coverable);
	assert_int_equal(r.nr_callers, 1);
	assert_string_equal(r.callers[0].chain, "one_caller <- user_a");
	klp_coverage_result__fini(&r);
}

static void address_in_data(void **state)
{
	struct klp_coverage_result r;

	(void)state;
	analyse("taken.cold", NULL, &r);
	assert_one_problem(&r, KLP_COV_ADDRESS_TAKEN, "taken");
	assert_string_equal(r.problems[0].site_section, ".data");
	assert_string_equal(r.problems[0].site_symbol, "taken_ops");
	klp_coverage_result__fini(&r);
}

/* lea local_taken(%rip) in get_local: no relocation says so. */
static void address_in_code_without_relocation(void **state)
{
	const struct klp_symbol *get_local = func("get_local");
	const struct klp_section *text, *rsec;
	struct klp_coverage_result r;
	struct klp_reloc rel;
	size_t i;

	(void)state;
	text = klp_elf__find_section_by_name(elf, ".text");
	assert_non_null(text);
	klp_elf__for_each_reloc_section(elf, text->index, rsec)
		klp_elf__for_each_reloc(elf, rsec, i, &rel)
			if (rel.offset >= get_local->value &&
			    rel.offset < get_local->value + get_local->size)
				assert_string_equal(rel.sym->name, "__fentry__");

	analyse("local_taken.cold", NULL, &r);
	assert_one_problem(&r, KLP_COV_ADDRESS_TAKEN, "local_taken");
	assert_string_equal(r.problems[0].site_section, ".text");
	assert_string_equal(r.problems[0].site_symbol, "get_local");
	klp_coverage_result__fini(&r);
}

static void exported(void **state)
{
	struct klp_coverage_result r;

	(void)state;
	analyse("exported.cold", NULL, &r);
	assert_one_problem(&r, KLP_COV_EXPORTED, "exported");
	assert_string_equal(r.problems[0].site_section, "__ksymtab");
	klp_coverage_result__fini(&r);
}

/* middle tail-calls chained: middle's frame is gone, its caller's is not. */
static void tail_call(void **state)
{
	struct klp_coverage_result r;

	(void)state;
	analyse("chained.cold", NULL, &r);
	assert_true(r.coverable);
	assert_int_equal(r.nr_callers, 1);
	assert_string_equal(r.callers[0].chain,
			    "chained.cold <- chained <- middle <- top_caller");
	assert_int_equal(r.callers[0].depth, 3);
	klp_coverage_result__fini(&r);
}

/* untraced has no __fentry__: a livepatch cannot replace it, outer can. */
static void caller_without_fentry(void **state)
{
	struct klp_coverage_result r;

	(void)state;
	analyse("guarded.cold", NULL, &r);
	assert_true(r.coverable);
	assert_int_equal(r.nr_callers, 1);
	assert_string_equal(r.callers[0].chain,
			    "guarded.cold <- guarded <- untraced <- outer");
	klp_coverage_result__fini(&r);
}

static void tail_chain_past_the_limit(void **state)
{
	struct klp_coverage_limits deeper = { 6, KLP_COVERAGE_DEFAULT_CALLERS };
	struct klp_coverage_result r;

	(void)state;
	analyse("deep.cold", NULL, &r);
	assert_one_problem(&r, KLP_COV_TOO_DEEP, NULL);
	assert_int_equal(r.nr_callers, 0);
	klp_coverage_result__fini(&r);

	analyse("deep.cold", &deeper, &r);
	assert_true(r.coverable);
	assert_int_equal(r.nr_callers, 1);
	assert_string_equal(r.callers[0].chain,
			    "deep.cold <- deep <- t1 <- t2 <- t3 <- t4 <- t5 <- deep_caller");
	klp_coverage_result__fini(&r);
}

static void init_caller(void **state)
{
	struct klp_coverage_result r;

	(void)state;
	analyse("initonly.cold", NULL, &r);
	assert_true(r.coverable);
	assert_int_equal(r.nr_callers, 0);
	assert_int_equal(r.nr_init_callers, 1);
	klp_coverage_result__fini(&r);
}

static void caller_limit(void **state)
{
	struct klp_coverage_limits two = { KLP_COVERAGE_DEFAULT_DEPTH, 2 };
	struct klp_coverage_result r;
	size_t i;

	(void)state;
	analyse("many.cold", NULL, &r);
	assert_true(r.coverable);
	assert_int_equal(r.nr_callers, 3);
	for (i = 0; i < 3; i++) {
		char name[] = "m1";

		name[1] = (char)('1' + i);
		assert_string_equal(r.callers[i].name, name);
	}
	klp_coverage_result__fini(&r);

	analyse("many.cold", &two, &r);
	assert_one_problem(&r, KLP_COV_TOO_MANY, NULL);
	klp_coverage_result__fini(&r);
}

static void call_from_code_without_symbol(void **state)
{
	struct klp_coverage_result r;

	(void)state;
	analyse("via_asm.cold", NULL, &r);
	assert_one_problem(&r, KLP_COV_UNKNOWN_CODE, "via_asm");
	assert_string_equal(r.problems[0].site_symbol, "asm_code_without_symbol");
	assert_int_equal(r.problems[0].site_offset, 0);
	klp_coverage_result__fini(&r);
}

/*
 * ends_in_call's call to stop (noreturn) is its last instruction, and so
 * is ender's call to ends_in_call: the return addresses are past their
 * ends, where the kernel's range check does not see them.
 */
static void call_at_the_end(void **state)
{
	const struct klp_symbol *ender = func("ender");
	struct klp_coverage_result r;

	(void)state;
	analyse("stop.cold", NULL, &r);
	assert_true(r.coverable);
	assert_int_equal(r.nr_callers, 1);
	assert_string_equal(r.callers[0].chain,
			    "stop.cold <- stop <- ends_in_call <- ender <- ender_user");
	klp_coverage_result__fini(&r);

	/* what the fixture must be for this: ender ends in a 5-byte call */
	{
		const struct klp_section *text;
		const uint8_t *bytes;
		size_t size;

		text = klp_elf__find_section_by_name(elf, ".text");
		bytes = klp_elf__section_rawdata(elf, text, &size);
		assert_non_null(bytes);
		assert_int_equal(bytes[ender->value + ender->size - 5 - text->addr],
				 0xe8);
	}
}

/* Every .cold symbol of the fixture is a part, and nothing else is. */
static void parts(void **state)
{
	const struct klp_symbol *sym;
	size_t i, nr_cold = 0;

	(void)state;
	klp_elf__for_each_symbol(elf, i, sym)
		if (sym->type == STT_FUNC && strstr(sym->name, ".cold"))
			nr_cold++;
	assert_int_equal(nr_cold, 11);
	assert_int_equal(klp_coverage__nr_parts(cov), nr_cold);
	for (i = 0; i < klp_coverage__nr_parts(cov); i++)
		assert_int_equal(klp_part_kind(klp_coverage__part(cov, i)->name),
				 KLP_PART_COLD);
	assert_null(klp_coverage__part(cov, nr_cold));
}

static void part_kinds(void **state)
{
	(void)state;
	assert_int_equal(klp_part_kind("foo.cold"), KLP_PART_COLD);
	assert_int_equal(klp_part_kind("foo.cold.1"), KLP_PART_COLD);
	assert_int_equal(klp_part_kind("foo.isra.0.cold"), KLP_PART_COLD);
	assert_int_equal(klp_part_kind("foo.coldness"), KLP_PART_NONE);
	assert_int_equal(klp_part_kind("foo.part.0"), KLP_PART_PART);
	assert_int_equal(klp_part_kind("foo.constprop.0.isra.0"), KLP_PART_ISRA);
	assert_int_equal(klp_part_kind("foo.isra.0.constprop.0"), KLP_PART_CONSTPROP);
	assert_int_equal(klp_part_kind("foo.part.0.constprop.0"), KLP_PART_CONSTPROP);
	assert_int_equal(klp_part_kind("foo"), KLP_PART_NONE);
}

/* "kind function" of each problem, or "caller name" of each caller, sorted */
static char *answer_string(const struct klp_coverage_result *r)
{
	char **lines = calloc(r->nr_callers + r->nr_problems + 1,
			      sizeof(*lines));
	size_t nr = 0, i, len = 32;
	char *s;

	assert_non_null(lines);
	for (i = 0; i < r->nr_callers; i++)
		assert_true(asprintf(&lines[nr++], "caller %s",
				     r->callers[i].name) > 0);
	for (i = 0; i < r->nr_problems; i++)
		assert_true(asprintf(&lines[nr++], "%s %s",
				     klp_coverage_problem_name(r->problems[i].kind),
				     r->problems[i].function ?
				     r->problems[i].function : "-") > 0);
	qsort(lines, nr, sizeof(*lines), compare_strings);
	for (i = 0; i < nr; i++)
		len += strlen(lines[i]) + 2;
	s = calloc(1, len);
	assert_non_null(s);
	strcat(s, r->coverable ? "coverable" : "not coverable");
	for (i = 0; i < nr; i++) {
		strcat(s, "; ");
		strcat(s, lines[i]);
		free(lines[i]);
	}
	free(lines);
	return s;
}

/*
 * Every part of the linked fixture, read from the object @name: the same
 * covering callers and problems, but for initonly.cold, whose caller in
 * .init.text an object (a module, whose init runs while it is patched)
 * refuses instead of dropping.
 */
static void assert_object_agrees(const char *name)
{
	struct klp_elf *obj = klp_elf__open(path(name), 0);
	struct klp_coverage *ocov;
	size_t i, nr_compared = 0;

	assert_non_null(obj);
	assert_int_equal(klp_elf__type(obj), ET_REL);
	ocov = klp_coverage__new(obj);
	assert_non_null(ocov);
	assert_int_equal(klp_coverage__nr_parts(ocov), klp_coverage__nr_parts(cov));
	for (i = 0; i < klp_coverage__nr_parts(cov); i++) {
		const struct klp_symbol *part = klp_coverage__part(cov, i);
		const struct klp_symbol *opart = NULL, *sym;
		struct klp_coverage_result linked, unlinked;
		char *want, *got;

		klp_elf__for_each_symbol_by_name(obj, part->name, sym)
			if (sym->type == STT_FUNC)
				opart = sym;
		assert_non_null(opart);
		assert_int_equal(klp_coverage__analyse(cov, part, NULL, &linked), 0);
		assert_int_equal(klp_coverage__analyse(ocov, opart, NULL,
						       &unlinked), 0);
		want = answer_string(&linked);
		got = answer_string(&unlinked);
		if (!strcmp(part->name, "initonly.cold")) {
			assert_string_equal(want, "coverable");
			assert_string_equal(got, "not coverable; init_caller initonly");
			assert_string_equal(unlinked.problems[0].site_symbol, "boot");
			assert_string_equal(unlinked.problems[0].site_section,
					    ".init.text");
		} else {
			if (strcmp(want, got))
				fail_msg("%s: %s: '%s', linked: '%s'", name,
					 part->name, got, want);
		}
		assert_int_equal(unlinked.nr_init_callers, linked.nr_init_callers);
		klp_coverage_result__fini(&linked);
		klp_coverage_result__fini(&unlinked);
		free(want);
		free(got);
		nr_compared++;
	}
	assert_int_equal(nr_compared, 11);

	/*
	 * Addresses are the section's base + st_value: user_a and
	 * one_caller, both in .text, as far apart as in the object.
	 */
	{
		const struct klp_symbol *one = NULL, *user = NULL, *sym;
		struct klp_coverage_result r;

		klp_elf__for_each_symbol_by_name(obj, "one_caller", sym)
			one = sym;
		klp_elf__for_each_symbol_by_name(obj, "user_a", sym)
			user = sym;
		assert_non_null(one);
		assert_non_null(user);
		assert_int_equal(klp_coverage__analyse(ocov, one, NULL, &r), 0);
		assert_int_equal(r.nr_callers, 1);
		assert_int_equal(r.callers[0].address - r.address,
				 user->value - one->value);
		assert_int_not_equal(r.address, one->value);
		klp_coverage_result__fini(&r);
	}
	klp_coverage__free(ocov);
	klp_elf__close(obj);
}

static void object_agrees_with_linked(void **state)
{
	(void)state;
	/* calls to b.o (sink, report, __fentry__) go out of the file */
	assert_object_agrees("a.o");
	/* one object of both units: __fentry__ is defined */
	assert_object_agrees("ab.o");
}

static void refuses_other_files(void **state)
{
	struct klp_elf *obj;

	(void)state;
	/* another machine */
	obj = klp_elf__open(path("i386.o"), 0);
	assert_non_null(obj);
	assert_null(klp_coverage__new(obj));
	assert_int_equal(errno, ENOTSUP);
	klp_elf__close(obj);

	/* linked without --emit-relocs: data references are unknown */
	obj = klp_elf__open(path("norelocs.elf"), 0);
	assert_non_null(obj);
	assert_null(klp_coverage__new(obj));
	assert_int_equal(errno, ENOENT);
	klp_elf__close(obj);

	/* not a function of the graph */
	{
		struct klp_coverage_result r;

		assert_int_equal(klp_coverage__analyse(cov,
				 klp_elf__find_symbol_by_name(elf, "taken_ops"),
				 NULL, &r), -EINVAL);
	}
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	run("cd %s && %s -O2 -pg -mfentry -fpie -fno-asynchronous-unwind-tables -c %s/a.c "
	    "&& %s -O2 -fpie -fno-asynchronous-unwind-tables -c %s/b.c "
	    "&& %s --emit-relocs -e user_a -o fixture.elf a.o b.o "
	    "&& %s -e user_a -o norelocs.elf a.o b.o "
	    "&& %s -r -o ab.o a.o b.o "
	    "&& %s -m32 -c -x assembler /dev/null -o i386.o",
	    dir, KLP_TEST_GCC, KLP_TEST_FIXTURE, KLP_TEST_GCC,
	    KLP_TEST_FIXTURE, KLP_TEST_LD, KLP_TEST_LD, KLP_TEST_LD,
	    KLP_TEST_GCC);
	elf = klp_elf__open(path("fixture.elf"), 0);
	if (!elf)
		return -1;
	cov = klp_coverage__new(elf);
	return cov ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	klp_coverage__free(cov);
	klp_elf__close(elf);
	run("rm -rf %s", dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_caller),
		cmocka_unit_test(address_in_data),
		cmocka_unit_test(address_in_code_without_relocation),
		cmocka_unit_test(exported),
		cmocka_unit_test(tail_call),
		cmocka_unit_test(caller_without_fentry),
		cmocka_unit_test(tail_chain_past_the_limit),
		cmocka_unit_test(init_caller),
		cmocka_unit_test(caller_limit),
		cmocka_unit_test(call_from_code_without_symbol),
		cmocka_unit_test(call_at_the_end),
		cmocka_unit_test(parts),
		cmocka_unit_test(part_kinds),
		cmocka_unit_test(object_agrees_with_linked),
		cmocka_unit_test(refuses_other_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
