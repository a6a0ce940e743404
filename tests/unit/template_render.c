// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * template_render.c - the template engine: values, lists, conditions,
 * standalone tag lines, and errors that name the template line
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <klp_prep/log.h>

#include "extract.h"
#include "template.h"

static char log_buf[4096];

static int capture_log(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list ap)
{
	(void)ctx;
	size_t n = strlen(log_buf);

	(void)level;
	return vsnprintf(log_buf + n, sizeof(log_buf) - n, fmt, ap);
}

static int setup(void **state)
{
	(void)state;
	log_buf[0] = '\0';
	klp_set_log_fn(capture_log);
	return 0;
}

static char *render(const char *tmpl, const struct klp_tdata *d, int *err)
{
	char *out = NULL;

	*err = klp_template__render(tmpl, strlen(tmpl), "t.tmpl", d, &out, NULL);
	return out;
}

static void test_values_and_lists(void **state)
{
	struct klp_tdata *d = klp_tdata__new(), *o, *f;
	char *out;
	int err;

	(void)state;
	assert_int_equal(klp_tdata__set(d, "patch", "fix1"), 0);
	o = klp_tdata__add(d, "objects");
	assert_int_equal(klp_tdata__set(o, "name", "vmlinux"), 0);
	f = klp_tdata__add(o, "funcs");
	klp_tdata__set(f, "old", "a");
	klp_tdata__setf(f, "pos", "%d", 0);
	f = klp_tdata__add(o, "funcs");
	klp_tdata__set(f, "old", "b");
	klp_tdata__setf(f, "pos", "%d", 2);
	klp_tdata__set_bool(f, "stack_only", true);

	out = render("/* {{patch}} */\n"
		     "{{#objects}}\n"
		     "static struct klp_func funcs_{{name}}[] = {\n"
		     "\t{{! one entry per function }}\n"
		     "{{#funcs}}\n"
		     "\t{ .old_name = \"{{old}}\", .old_sympos = {{pos}}, {{#stack_only}}.stack_only = true, {{/stack_only}}},\n"
		     "{{/funcs}}\n"
		     "\t{ }\n"
		     "};\n"
		     "{{/objects}}\n"
		     "{{^none}}\n"
		     "end {{patch}}\n"
		     "{{/none}}\n", d, &err);
	assert_int_equal(err, 0);
	assert_string_equal(out,
			    "/* fix1 */\n"
			    "static struct klp_func funcs_vmlinux[] = {\n"
			    "\t{ .old_name = \"a\", .old_sympos = 0, },\n"
			    "\t{ .old_name = \"b\", .old_sympos = 2, .stack_only = true, },\n"
			    "\t{ }\n"
			    "};\n"
			    "end fix1\n");
	free(out);
	klp_tdata__free(d);
}

static void test_empty_list_and_inverted(void **state)
{
	struct klp_tdata *d = klp_tdata__new();
	char *out;
	int err;

	(void)state;
	klp_tdata__set_list(d, "items");
	klp_tdata__set(d, "empty", "");
	out = render("{{#items}}x{{/items}}{{^items}}no items{{/items}}"
		     "{{#empty}}E{{/empty}}{{^empty}}, empty{{/empty}}\n", d, &err);
	assert_int_equal(err, 0);
	assert_string_equal(out, "no items, empty\n");
	free(out);
	klp_tdata__free(d);
}

static void test_errors(void **state)
{
	struct klp_tdata *d = klp_tdata__new();
	int err;

	(void)state;
	klp_tdata__add(d, "list");
	assert_null(render("line 1\n{{typo}}\n", d, &err));
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(log_buf, "t.tmpl:2: error: no value for 'typo'"));
	assert_null(render("{{#list}}\nnever closed\n", d, &err));
	assert_non_null(strstr(log_buf, "t.tmpl:1: error: section 'list' is not closed"));
	assert_null(render("a\n\n{{/list}}\n", d, &err));
	assert_non_null(strstr(log_buf, "t.tmpl:3: error: '{{/list}}' closes nothing"));
	assert_null(render("{{list}}", d, &err));
	assert_non_null(strstr(log_buf, "a list used as a value"));
	assert_null(render("{{open", d, &err));
	assert_non_null(strstr(log_buf, "'{{' without '}}'"));
	klp_tdata__free(d);
}

/* Inner names shadow outer ones; outer ones stay visible. */
static void test_scopes(void **state)
{
	struct klp_tdata *d = klp_tdata__new(), *e;
	char *out;
	int err;

	(void)state;
	klp_tdata__set(d, "name", "outer");
	klp_tdata__set(d, "prefix", "klpp_");
	e = klp_tdata__add(d, "l");
	klp_tdata__set(e, "name", "inner");
	out = render("{{#l}}{{prefix}}{{name}}{{/l}} {{name}}", d, &err);
	assert_int_equal(err, 0);
	assert_string_equal(out, "klpp_inner outer");
	free(out);
	klp_tdata__free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_values_and_lists, setup),
		cmocka_unit_test_setup(test_empty_list_and_inverted, setup),
		cmocka_unit_test_setup(test_errors, setup),
		cmocka_unit_test_setup(test_scopes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
