// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_sympos.c - old_sympos as the livepatch core counts it: equal names
 * by address in vmlinux, in .symtab order in a module, 0 for a unique
 * name; and the records-only estimate.
 *
 * The last test links two units at test time (gcc-12, ld -r), each with a
 * `static int dup(void)`: the first unit's after another function in
 * .text, the second's first in a section of its own, so address order
 * (0 before the first one's offset) and .symtab order (file order) differ.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <klp_prep/elf.h>
#include <klp_prep/records.h>
#include <klp_prep/sympos.h>

static char dir[] = "/tmp/klp-sympos-test.XXXXXX";
#include "scratch_dir.h"

/* foo three times, in .symtab order at 0x300, 0x100, 0x200; bar once. */
static struct klp_sympos_table *three_foos(enum klp_sympos_order order)
{
	struct klp_sympos_table *t = klp_sympos_table__new(order);

	assert_non_null(t);
	assert_int_equal(klp_sympos_table__add(t, "foo", 0x300), 0);	/* 0 */
	assert_int_equal(klp_sympos_table__add(t, "bar", 0x50), 0);	/* 1 */
	assert_int_equal(klp_sympos_table__add(t, "foo", 0x100), 0);	/* 2 */
	assert_int_equal(klp_sympos_table__add(t, "foo", 0x200), 0);	/* 3 */
	assert_int_equal(klp_sympos_table__sort(t), 0);
	return t;
}

static void vmlinux_counts_by_address(void **state)
{
	struct klp_sympos_table *t = three_foos(KLP_SYMPOS_VMLINUX);

	(void)state;
	assert_int_equal(klp_sympos_table__sympos(t, 2), 1);
	assert_int_equal(klp_sympos_table__sympos(t, 3), 2);
	assert_int_equal(klp_sympos_table__sympos(t, 0), 3);
	assert_int_equal(klp_sympos_table__find(t, "foo", 1), 2);
	assert_int_equal(klp_sympos_table__find(t, "foo", 3), 0);
	assert_int_equal(klp_sympos_table__find(t, "foo", 4), -1);
	klp_sympos_table__free(t);
}

static void module_counts_in_symtab_order(void **state)
{
	struct klp_sympos_table *t = three_foos(KLP_SYMPOS_MODULE);

	(void)state;
	assert_int_equal(klp_sympos_table__sympos(t, 0), 1);
	assert_int_equal(klp_sympos_table__sympos(t, 2), 2);
	assert_int_equal(klp_sympos_table__sympos(t, 3), 3);
	assert_int_equal(klp_sympos_table__find(t, "foo", 1), 0);
	klp_sympos_table__free(t);
}

static void unique_name_is_zero(void **state)
{
	struct klp_sympos_table *t = three_foos(KLP_SYMPOS_VMLINUX);
	size_t first;

	(void)state;
	assert_int_equal(klp_sympos_table__sympos(t, 1), 0);
	assert_int_equal(klp_sympos_table__find(t, "bar", 0), 1);
	assert_int_equal(klp_sympos_table__find(t, "foo", 0), -1);
	assert_int_equal(klp_sympos_table__named(t, "baz", &first), 0);
	assert_int_equal(klp_sympos_table__add(t, "late", 0), -EBUSY);
	klp_sympos_table__free(t);
}

static void equal_addresses_keep_symtab_order(void **state)
{
	struct klp_sympos_table *t = klp_sympos_table__new(KLP_SYMPOS_VMLINUX);

	(void)state;
	assert_int_equal(klp_sympos_table__add(t, "alias", 0x10), 0);
	assert_int_equal(klp_sympos_table__add(t, "alias", 0x10), 0);
	assert_int_equal(klp_sympos_table__sort(t), 0);
	assert_int_equal(klp_sympos_table__sympos(t, 0), 1);
	assert_int_equal(klp_sympos_table__sympos(t, 1), 2);
	klp_sympos_table__free(t);
}

static void estimate_counts_emitted_records(void **state)
{
	struct klp_func_record a[] = {
		{ .symbol = "foo", .flags = KLP_FUNC_F_EMITTED },
		{ .symbol = "bar", .flags = KLP_FUNC_F_EMITTED,
		  .cold_symbol = "foo.cold" },
	};
	struct klp_func_record b[] = {
		{ .symbol = "foo", .flags = 0 },	/* inlined everywhere */
	};
	struct klp_func_record c[] = {
		{ .symbol = "foo", .flags = KLP_FUNC_F_EMITTED },
		{ .symbol = "foo.cold", .flags = KLP_FUNC_F_EMITTED },
	};
	struct klp_unit ua = { .funcs = a, .nr_funcs = 2 };
	struct klp_unit ub = { .funcs = b, .nr_funcs = 1 };
	struct klp_unit uc = { .funcs = c, .nr_funcs = 2 };
	const struct klp_unit *units[] = { &ua, &ub, &uc };

	(void)state;
	assert_int_equal(klp_sympos__estimate(units, 3, 0, "foo"), 1);
	assert_int_equal(klp_sympos__estimate(units, 3, 2, "foo"), 2);
	assert_int_equal(klp_sympos__estimate(units, 3, 1, "foo"), 0);
	assert_int_equal(klp_sympos__estimate(units, 3, 2, "foo.cold"), 2);
	assert_int_equal(klp_sympos__estimate(units, 3, 0, "bar"), 0);
}

static void write_source(const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The linked object's defined symbols, as generate counts them. */
static struct klp_sympos_table *table_of(const struct klp_elf *elf,
					 enum klp_sympos_order order,
					 size_t *dup_first, size_t *dup_second)
{
	struct klp_sympos_table *t = klp_sympos_table__new(order);
	const struct klp_symbol *sym;
	size_t i, n = 0;

	assert_non_null(t);
	*dup_first = *dup_second = (size_t)-1;
	klp_elf__for_each_symbol(elf, i, sym) {
		if (!*sym->name || sym->type == STT_FILE ||
		    sym->type == STT_SECTION || sym->shndx == SHN_UNDEF)
			continue;
		if (!strcmp(sym->name, "dup")) {
			/* the first unit's group is 1, the second's 2 */
			if (sym->file == 1)
				*dup_first = n;
			else if (sym->file == 2)
				*dup_second = n;
		}
		assert_int_equal(klp_sympos_table__add(t, sym->name, sym->value), 0);
		n++;
	}
	assert_int_equal(klp_sympos_table__sort(t), 0);
	assert_int_not_equal(*dup_first, (size_t)-1);
	assert_int_not_equal(*dup_second, (size_t)-1);
	return t;
}

static void linked_object(void **state)
{
	struct klp_sympos_table *t;
	struct klp_elf *elf;
	size_t first, second, only;
	char out[512];

	(void)state;
	write_source("one.c",
		     "int pad(int x) { return x * 3 + 1; }\n"
		     "static int dup(void) { return 1; }\n"
		     "int use_one(void) { return dup(); }\n");
	write_source("two.c",
		     "__attribute__((section(\".text.two\")))\n"
		     "static int dup(void) { return 2; }\n"
		     "int use_two(void) { return dup(); }\n");
	run("cd %s && %s -O0 -c one.c two.c && %s -r one.o two.o -o both.o",
	    dir, KLP_TEST_GCC, KLP_TEST_LD);
	snprintf(out, sizeof(out), "%s/both.o", dir);
	elf = klp_elf__open(out, 0);
	assert_non_null(elf);
	assert_string_equal(klp_elf__file_name(elf, 1), "one.c");
	assert_string_equal(klp_elf__file_name(elf, 2), "two.c");

	/* vmlinux: two.c's dup at 0 of its section comes first. */
	t = table_of(elf, KLP_SYMPOS_VMLINUX, &first, &second);
	assert_int_equal(klp_sympos_table__sympos(t, second), 1);
	assert_int_equal(klp_sympos_table__sympos(t, first), 2);
	assert_int_equal(klp_sympos_table__named(t, "use_one", &only), 1);
	assert_int_equal(klp_sympos_table__sympos(t, klp_sympos_table__order(t)[only]), 0);
	klp_sympos_table__free(t);

	/* a module: .symtab order, one.c's first. */
	t = table_of(elf, KLP_SYMPOS_MODULE, &first, &second);
	assert_int_equal(klp_sympos_table__sympos(t, first), 1);
	assert_int_equal(klp_sympos_table__sympos(t, second), 2);
	klp_sympos_table__free(t);
	klp_elf__close(elf);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	run("rm -rf %s", dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmlinux_counts_by_address),
		cmocka_unit_test(module_counts_in_symtab_order),
		cmocka_unit_test(unique_name_is_zero),
		cmocka_unit_test(equal_addresses_keep_symtab_order),
		cmocka_unit_test(estimate_counts_emitted_records),
		cmocka_unit_test(linked_object),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
