// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * build_pairing.c - how klp-prep build pairs a part of the new function
 * with one of the old, and reads its new-side file back
 *
 * A part pairs with the old part of the same kind: the name without the
 * new functions' prefix and without GCC's numbers, which differ between
 * the original build and the livepatch (klpp_foo.part.3 is foo.part.0's
 * counterpart).  What the generate step saves for the later steps (the
 * name, each patched function's reason) reads back the same, also in a
 * resumed run.  The static helpers are tested through the .c.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../klp-prep/livepatch/build.c"

static void key(const char *name, const char *prefix, const char *want)
{
	char *k = part_key(name, prefix);

	assert_non_null(k);
	assert_string_equal(k, want);
	free(k);
}

static void test_part_key(void **state)
{
	(void)state;
	key("foo.cold", NULL, "foo.cold");
	key("klpp_foo.cold", "klpp_", "foo.cold");
	key("klpp_foo.part.3", "klpp_", "foo.part.");
	key("foo.part.0", NULL, "foo.part.");
	key("bar.constprop.0.isra.12.cold", NULL, "bar.constprop..isra..cold");
	key("klpp_bar.constprop.1.isra.0.cold", "klpp_", "bar.constprop..isra..cold");
	/* digits inside a name are the name's */
	key("ext4_foo2.cold", NULL, "ext4_foo2.cold");
	/* another prefix is not stripped */
	key("lp_foo.cold", "klpp_", "lp_foo.cold");
}

static void test_new_side_file(void **state)
{
	char dir[] = "/tmp/klp-build-test-XXXXXX", *p;
	struct klp_build_opts o = { 0 };
	struct build b = { .o = &o };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	b.work = dir;
	p = path_in(dir, "new-side.tsv");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("vmlinux\tfoo\t2\tfoo.cold\t2\tklpp_foo.cold\t0\t-\n"
	      "mod_x\tbar\t0\t-\t0\tklpp_bar.cold\t3\tcold part of klpp_bar, in the new code only\n",
	      f);
	fclose(f);
	assert_int_equal(load_new_side(&b), 0);
	assert_int_equal(b.nr_new_side, 2);
	assert_string_equal(b.new_side[0].object, "vmlinux");
	assert_string_equal(b.new_side[0].parent, "foo");
	assert_int_equal(b.new_side[0].parent_sympos, 2);
	assert_string_equal(b.new_side[0].old_name, "foo.cold");
	assert_int_equal(b.new_side[0].old_sympos, 2);
	assert_string_equal(b.new_side[0].new_name, "klpp_foo.cold");
	assert_null(b.new_side[0].why);
	assert_null(b.new_side[1].old_name);
	assert_int_equal(b.new_side[1].new_sympos, 3);
	assert_string_equal(b.new_side[1].why, "cold part of klpp_bar, in the new code only");
	unlink(p);
	rmdir(dir);
	free(p);
	free(b.new_side);
	free(b.new_side_strings);
}

static void test_generated_saved(void **state)
{
	char dir[] = "/tmp/klp-build-test-XXXXXX", *src, *why;
	struct klp_generate_func funcs[] = {
		{ .old_name = "foo", .old_sympos = 0, .new_name = "klpp_foo",
		  .reason = "foo: changed (kernel/foo.c)" },
		{ .old_name = "foo", .old_sympos = 2, .new_name = "klpp_foo_2",
		  .reason = "inlines bar\t(kernel/bar.c:3)" },
	};
	struct klp_generate_object objs[] = {
		{ .name = "vmlinux", .funcs = funcs, .nr_funcs = 2 },
	};
	struct klp_generate_result r = { .name = "fix_foo", .objs = objs, .nr_objs = 1 };
	struct klp_build_opts o = { 0 };
	struct build b = { .o = &o };

	(void)state;
	assert_non_null(mkdtemp(dir));
	b.work = dir;
	src = path_in(dir, "src");
	b.src = src;
	assert_int_equal(save_generated(&b, &r), 0);
	assert_string_equal(b.name, "fix_foo");
	assert_non_null(strstr(b.ko, "/src/livepatch-fix_foo.ko"));
	why = reason_of(&b, "vmlinux", "foo", 2);
	assert_non_null(why);
	assert_string_equal(why, "inlines bar (kernel/bar.c:3)");
	free(why);
	why = reason_of(&b, "vmlinux", "foo", 0);
	assert_string_equal(why, "foo: changed (kernel/foo.c)");
	free(why);
	assert_null(reason_of(&b, "mod_x", "foo", 0));
	/* A resumed run has only the files. */
	free(b.name);
	b.name = NULL;
	assert_int_equal(load_name(&b), 0);
	assert_string_equal(b.name, "fix_foo");
	free(b.name);
	free(b.ko);
	free(src);
	src = path_in(dir, "patched.tsv");
	unlink(src);
	free(src);
	src = path_in(dir, "name");
	unlink(src);
	free(src);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_part_key),
		cmocka_unit_test(test_new_side_file),
		cmocka_unit_test(test_generated_saved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
