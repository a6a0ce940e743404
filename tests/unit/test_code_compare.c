// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_code_compare.c - klp_code_compare() on real ELF files
 *
 * Two units, both named a.c (in one/ and two/), each with a
 * `static int helper(int)`: one/a.c calls a global of two/a.c and has a
 * weak function two/a.c overrides.  ld links them into an executable, the
 * "shipped" file (once more with --emit-relocs, which keeps the
 * relocations as a 6.1 Debian vmlinux does).  one/a.c compiled again with
 * the same flags must match function by function, with its helper tied to
 * its own group by layout; compiled with a flag that changes code, or
 * with a function more or less, it must not.  (spare() has a section of
 * its own, so that leaving it out keeps the layout of .text.)
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

#include <klp_prep/code_compare.h>
#include <klp_prep/log.h>

static char dir[] = "/tmp/klp-code-compare-test.XXXXXX";
#include "scratch_dir.h"

static const char one_a[] =
"int other(int);\n"
"static __attribute__((noipa)) int helper(int x) { return x * 3 + 1; }\n"
"int twice(int x) { return other(helper(x)) * 2; }\n"
"__attribute__((weak)) int hook(int x) { return x + 7; }\n"
"int entry(int x) { return twice(x) + hook(x); }\n"
"#ifndef DROP\n"
"static __attribute__((noipa, section(\".text.spare\"))) int spare(int x)\n"
"{ return x + 2; }\n"
"int use_spare(int x) { return spare(x); }\n"
"#endif\n"
"#ifdef EXTRA\n"
"int extra(int x) { return x - 1; }\n"
"#endif\n";

static const char two_a[] =
"static __attribute__((noipa)) int helper(int x) { return x - 5; }\n"
"int other(int x) { return helper(x) ^ 0x55; }\n"
"int hook(int x) { return x * 11; }\n"
"int entry(int);\n"
"void _start(void) { for (;;) entry(1); }\n";

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path(name), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Compile SUBDIR/a.c (from its directory, so STT_FILE is "a.c"). */
static void compile(const char *subdir, const char *flags, const char *out)
{
	run("cd %s/%s && %s -O2 -fno-pie -fcf-protection=none %s -c a.c -o %s",
	    dir, subdir, KLP_TEST_GCC, flags, path(out));
}

/* ---- what the comparison reported ---------------------------------------- */

struct seen {
	char text[4096];
};

static void collect(const struct klp_code_result *r, void *ctx)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	if (r->verdict == KLP_CODE_MATCH)
		return;
	snprintf(s->text + n, sizeof(s->text) - n, "%s %s+%#llx %s\n",
		 klp_code_verdict_name(r->verdict), r->function,
		 (unsigned long long)r->offset, r->why ? r->why : "-");
}

static int compare(const char *rebuilt, const char *shipped,
		   struct klp_code_stats *st, struct seen *seen)
{
	struct klp_objfile *r = klp_objfile__open(path(rebuilt), 0);
	struct klp_objfile *s = klp_objfile__open(path(shipped), 0);
	int ret;

	assert_non_null(r);
	assert_non_null(s);
	memset(seen, 0, sizeof(*seen));
	ret = klp_code_compare(r, s, collect, seen, st);
	klp_objfile__free(r);
	klp_objfile__free(s);
	return ret;
}

/* ---- fixtures ---------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	klp_set_log_fn(NULL);
	run("mkdir -p %s/one %s/two", dir, dir);
	write_file("one/a.c", one_a);
	write_file("two/a.c", two_a);
	compile("one", "", "one.o");
	compile("two", "", "two.o");
	run("%s -e _start %s %s -o %s", KLP_TEST_LD, path("one.o"),
	    path("two.o"), path("shipped"));
	run("%s --emit-relocs -e _start %s %s -o %s", KLP_TEST_LD,
	    path("one.o"), path("two.o"), path("shipped-relocs"));
	compile("one", "", "same.o");
	compile("one", "-fno-omit-frame-pointer", "frame.o");
	compile("one", "-DEXTRA", "extra.o");
	compile("one", "-DDROP", "drop.o");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	run("rm -rf %s", dir);
	return 0;
}

/* ---- tests ------------------------------------------------------------- */

static void same_flags_match(void **state)
{
	const char *shipped[] = { "shipped", "shipped-relocs" };
	struct klp_code_stats st;
	struct seen seen;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(compare("same.o", shipped[i], &st, &seen), 0);
		/* helper, twice, entry, spare, use_spare; hook lost to two/a.c */
		assert_int_equal(st.match, 5);
		assert_int_equal(st.weak_overridden, 1);
		assert_int_equal(st.diff + st.only_rebuilt + st.only_shipped, 0);
		assert_non_null(strstr(seen.text, "WEAK-OVERRIDDEN hook+0"));
		assert_int_not_equal(st.file, 0);
		assert_true(st.masked > 0);
		assert_int_equal(st.shipped_relocs, i == 1);
	}
}

static void code_changing_flag_differs(void **state)
{
	struct klp_code_stats st;
	struct seen seen;

	(void)state;
	assert_true(compare("frame.o", "shipped-relocs", &st, &seen) > 0);
	assert_true(st.diff > 0);
	/* twice() gains a frame: it differs, and where is said */
	assert_non_null(strstr(seen.text, "DIFF twice+"));
}

static void extra_function_only_rebuilt(void **state)
{
	struct klp_code_stats st;
	struct seen seen;

	(void)state;
	assert_int_equal(compare("extra.o", "shipped", &st, &seen), 1);
	assert_int_equal(st.only_rebuilt, 1);
	assert_non_null(strstr(seen.text, "ONLY-REBUILT extra+0"));
}

static void missing_local_only_shipped(void **state)
{
	struct klp_code_stats st;
	struct seen seen;

	(void)state;
	assert_int_equal(compare("drop.o", "shipped", &st, &seen), 1);
	assert_int_equal(st.only_shipped, 1);
	assert_non_null(strstr(seen.text, "ONLY-SHIPPED spare+0"));
}

static void linked_file_is_not_a_unit(void **state)
{
	struct klp_code_stats st;
	struct seen seen;

	(void)state;
	assert_int_equal(compare("shipped", "shipped", &st, &seen), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_flags_match),
		cmocka_unit_test(code_changing_flag_differs),
		cmocka_unit_test(extra_function_only_rebuilt),
		cmocka_unit_test(missing_local_only_shipped),
		cmocka_unit_test(linked_file_is_not_a_unit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
