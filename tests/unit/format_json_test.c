// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format_json_test.c - the JSON emitter of klp-prep dump
 *
 * Build systems parse this output; a name with a quote, a control byte or
 * bytes that are not UTF-8 (ELF strings are arbitrary) must not make it
 * invalid.  The emitter is the CLI's own file, compiled in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_writer.h"

static char *escaped(const char *s)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	json_write_escaped(f, s);
	fputc('\0', f);
	fclose(f);
	return buf;
}

static void test_escaping(void **state)
{
	(void)state;
	assert_string_equal(escaped("plain.isra.0"), "plain.isra.0");
	assert_string_equal(escaped("a\"b\\c"), "a\\\"b\\\\c");
	assert_string_equal(escaped("\n\t\r\b\f"), "\\n\\t\\r\\b\\f");
	assert_string_equal(escaped("\x01\x1f\x7f"), "\\u0001\\u001f\\u007f");
	/* Valid UTF-8 passes through. */
	assert_string_equal(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* Stray, truncated, overlong, surrogate, too large: U+FFFD each. */
	assert_string_equal(escaped("\x80x"), "\\ufffdx");
	assert_string_equal(escaped("\xc3"), "\\ufffd");
	assert_string_equal(escaped("\xe2\x82"), "\\ufffd\\ufffd");
	assert_string_equal(escaped("\xc0\xaf"), "\\ufffd\\ufffd");
	assert_string_equal(escaped("\xe0\x80\xaf"), "\\ufffd\\ufffd\\ufffd");
	assert_string_equal(escaped("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");
	assert_string_equal(escaped("\xf4\x90\x80\x80"),
			    "\\ufffd\\ufffd\\ufffd\\ufffd");
	assert_string_equal(escaped("\xff"), "\\ufffd");
}

static void test_document(void **state)
{
	char *buf = NULL;
	size_t size = 0;
	struct json_writer w;
	FILE *f = open_memstream(&buf, &size);

	(void)state;
	assert_non_null(f);
	json_init(&w, f);
	json_begin_object(&w);
	json_key(&w, "a");
	json_uint(&w, 18446744073709551615ull);
	json_key(&w, "b");
	json_begin_array(&w);
	json_end_array(&w);
	json_key(&w, "c");
	json_begin_array(&w);
	json_string(&w, NULL);
	json_bool(&w, true);
	json_begin_object(&w);
	json_end_object(&w);
	json_end_array(&w);
	json_key(&w, "d\"");
	json_string(&w, "x");
	json_end_object(&w);
	json_finish(&w);
	fclose(f);
	assert_string_equal(buf,
		"{\n"
		"  \"a\": 18446744073709551615,\n"
		"  \"b\": [],\n"
		"  \"c\": [\n"
		"    null,\n"
		"    true,\n"
		"    {}\n"
		"  ],\n"
		"  \"d\\\"\": \"x\"\n"
		"}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
