// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format_names_test.c - GCC's suffixes read out of symbol names, and the
 * words klp-prep spells flags and kinds with
 *
 * check holds a symbol's name against its record through this parser: a
 * suffix it misses is a clone check never looks at, one it invents is a
 * false "no record".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <klp_prep/record_names.h>
#include <klp_prep/symbol_name.h>

static void expect(const char *symbol, const char *base, const char *kinds,
		   const unsigned int *numbers, bool cold)
{
	struct klp_symbol_name n;
	char buf[128];
	bool any = klp_symbol_name__parse(symbol, &n);
	unsigned int i;

	if (n.base_len != strlen(base) || strncmp(symbol, base, n.base_len) ||
	    strcmp(klp_steps__format(n.steps, n.nr_steps, buf, sizeof(buf)),
		   kinds) || n.cold != cold)
		fail_msg("%s: base %.*s, kinds '%s', cold %d; want %s, '%s', %d",
			 symbol, (int)n.base_len, symbol, buf, n.cold, base,
			 kinds, cold);
	for (i = 0; i < n.nr_steps; i++)
		assert_int_equal(n.steps[i].number, numbers[i]);
	assert_int_equal(any, n.nr_steps || cold);
}

static void test_gcc_suffixes(void **state)
{
	static const unsigned int zero[] = { 0, 0, 0 };
	static const unsigned int n12_3[] = { 12, 3 };
	static const unsigned int n7[] = { 7 };

	(void)state;
	expect("foo", "foo", "", NULL, false);
	expect("foo.cold", "foo", "", NULL, true);
	expect("foo.part.0", "foo", "part", zero, false);
	expect("foo.isra.0", "foo", "isra", zero, false);
	expect("foo.constprop.0", "foo", "constprop", zero, false);
	expect("foo.localalias", "foo", "localalias", zero, false);
	expect("foo.lto_priv.7", "foo", "lto_priv", n7, false);
	expect("foo.constprop.0.isra.0", "foo", "constprop+isra", zero, false);
	expect("foo.constprop.0.isra.0.cold", "foo", "constprop+isra", zero,
	       true);
	expect("foo.part.12.constprop.3", "foo", "part+constprop", n12_3,
	       false);
	expect("foo.isra.0.part.0.cold", "foo", "isra+part", zero, true);
	/* Older GCCs numbered .cold parts. */
	expect("foo.cold.1", "foo", "", NULL, true);
	/* Names in the base stay there. */
	expect("do_cold_thing.isra.0", "do_cold_thing", "isra", zero, false);
	expect("x.part.0", "x", "part", zero, false);
}

static void test_not_suffixes(void **state)
{
	(void)state;
	/* .cold only last, once. */
	expect("foo.cold.part.0", "foo.cold", "part", (unsigned int[]){ 0 },
	       false);
	expect("foo.cold.cold", "foo.cold", "", NULL, true);
	/* A word without its number, a number without a word, unknown words. */
	expect("foo.isra", "foo.isra", "", NULL, false);
	expect("foo.9", "foo.9", "", NULL, false);
	expect("inner.0", "inner.0", "", NULL, false);
	expect("foo.clone.3", "foo.clone.3", "", NULL, false);
	expect("foo.localalias.1", "foo.localalias.1", "", NULL, false);
	expect("foo.isra.x", "foo.isra.x", "", NULL, false);
	/* No base: not a suffix. */
	expect(".cold", ".cold", "", NULL, false);
	expect(".isra.0", ".isra.0", "", NULL, false);
	expect("", "", "", NULL, false);
	expect("isra.0", "isra.0", "", NULL, false);
}

static void test_many_steps(void **state)
{
	struct klp_symbol_name n;

	(void)state;
	/* More steps than the parser keeps: the rest stays in the base. */
	klp_symbol_name__parse("f.isra.1.isra.2.isra.3.isra.4.isra.5.isra.6.isra.7.isra.8.isra.9",
			       &n);
	assert_int_equal(n.nr_steps, KLP_SYMBOL_NAME_MAX_STEPS);
	assert_int_equal(n.steps[0].number, 2);
	assert_int_equal(n.steps[7].number, 9);
	assert_int_equal(n.base_len, strlen("f.isra.1"));
}

static void test_names_of_flags_and_kinds(void **state)
{
	struct klp_step unknown[] = { { KLP_STEP_CONSTPROP, 0 }, { 42, 0 } };
	char buf[256], tiny[8];

	(void)state;
	assert_string_equal(klp_flags__format(KLP_FLAGS_FUNC,
			    KLP_FUNC_F_EMITTED | KLP_FUNC_F_COLD_SPLIT | (1u << 30),
			    ",", buf, sizeof(buf)),
			    "emitted,cold_split,bit30");
	assert_string_equal(klp_flags__format(KLP_FLAGS_UNIT, 0, ",", buf,
					      sizeof(buf)), "");
	assert_string_equal(klp_flags__format(KLP_FLAGS_INLINE,
			    KLP_INLINE_F_EARLY | KLP_INLINE_F_NO_CODE, " ",
			    buf, sizeof(buf)), "early no_code");
	assert_string_equal(klp_flag__name(KLP_FLAGS_CALL, 0), "tail");
	assert_null(klp_flag__name(KLP_FLAGS_CALL, 1));
	assert_null(klp_flag__name(KLP_FLAGS_CALL, 32));
	assert_null(klp_flag__name((enum klp_flag_set)99, 0));
	assert_string_equal(klp_param_change__name(KLP_PARAM_SPLIT), "split");
	assert_null(klp_param_change__name(0));
	assert_string_equal(klp_step__name(KLP_STEP_LTO_PRIV), "lto_priv");
	assert_null(klp_step__name(42));
	assert_string_equal(klp_steps__format(unknown, 2, buf, sizeof(buf)),
			    "constprop+step42");
	/* Truncated, still terminated. */
	klp_flags__format(KLP_FLAGS_FUNC, 0xffff, ",", tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	klp_steps__format(unknown, 2, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcc_suffixes),
		cmocka_unit_test(test_not_suffixes),
		cmocka_unit_test(test_many_steps),
		cmocka_unit_test(test_names_of_flags_and_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
