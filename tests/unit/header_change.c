// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * header_change.c - a header's old and new text: no change but comments
 * and whitespace, or the structs, unions and variables whose definition
 * changes, and nothing listed for the changes a unit's closure handles
 * (static inline functions, macros)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "header_change.h"

static const char base[] =
	"/* SPDX-License-Identifier: GPL-2.0 */\n"		/* 1 */
	"#ifndef _X_H\n"
	"#define _X_H\n"
	"#define X_SHIFT(v) ((v) >> 2)\n"
	"\n"							/* 5 */
	"struct x_stats {\n"
	"\tint hits;\t/* found */\n"
	"#ifdef CONFIG_X_DEBUG\n"
	"\tint misses;\n"
	"#endif\n"						/* 10 */
	"};\n"
	"\n"
	"typedef struct {\n"
	"\tlong v;\n"
	"} x_counter_t;\n"					/* 15 */
	"\n"
	"extern int x_limit;\n"
	"extern unsigned long x_mask __attribute__((aligned(8)));\n"
	"extern int (*x_hook)(struct x_stats *s);\n"
	"static const int x_scale = 2;\n"			/* 20 */
	"struct x_stats;\n"
	"int x_count(struct x_stats *s);\n"
	"\n"
	"static inline int x_read(const struct x_stats *s)\n"
	"{\n"							/* 25 */
	"\treturn s->hits;\n"
	"}\n"
	"#endif\n";

struct result {
	bool same;
	struct klp_header_change *c;
	size_t nr;
};

/* @new is base with @from replaced by @to. */
static struct result compare_edit(const char *from, const char *to)
{
	static char new[4096];
	const char *at = strstr(base, from);
	struct result r;

	assert_non_null(at);
	assert_true(strlen(base) - strlen(from) + strlen(to) < sizeof(new));
	memcpy(new, base, at - base);
	strcpy(new + (at - base), to);
	strcat(new, at + strlen(from));
	assert_int_equal(klp_header__compare(base, strlen(base), new, strlen(new),
					     &r.same, &r.c, &r.nr), 0);
	return r;
}

static void assert_one(struct result r, bool record, const char *tag, const char *name,
		       unsigned int line)
{
	assert_false(r.same);
	assert_int_equal(r.nr, 1);
	assert_int_equal(r.c[0].record, record);
	assert_string_equal(r.c[0].tag, tag);
	assert_string_equal(r.c[0].name, name);
	assert_int_equal(r.c[0].line, line);
	klp_header_changes__free(r.c, r.nr);
}

/* Changed, but nothing a header's layout or data refusal is for. */
static void assert_other(struct result r)
{
	assert_false(r.same);
	assert_int_equal(r.nr, 0);
	klp_header_changes__free(r.c, r.nr);
}

static void test_comments_and_whitespace(void **state)
{
	struct result r;

	(void)state;
	r = compare_edit("\tint hits;\t/* found */\n", "\tint   hits; /* found, counted */\n\n");
	assert_true(r.same);
	assert_int_equal(r.nr, 0);
	r = compare_edit("struct x_stats {\n", "// the counters\nstruct x_stats\n{\n");
	assert_true(r.same);
	r = compare_edit("extern int x_limit;\n", "extern int /* max */ x_limit ;\n");
	assert_true(r.same);
	/* A line continued with a backslash is the same line. */
	r = compare_edit("#define X_SHIFT(v) ((v) >> 2)\n", "#define X_SHIFT(v) \\\n\t((v) >> 2)\n");
	assert_true(r.same);
}

static void test_records(void **state)
{
	(void)state;
	/* Added, removed, reordered, retyped: all change the layout. */
	assert_one(compare_edit("\tint hits;", "\tint hits;\n\tint errors;"),
		   true, "struct", "x_stats", 6);
	assert_one(compare_edit("\tint hits;\t/* found */\n", ""), true, "struct", "x_stats", 6);
	assert_one(compare_edit("\tint hits;", "\tlong hits;"), true, "struct", "x_stats", 6);
	/* Inside #ifdef; the line is where the definition starts now. */
	assert_one(compare_edit("\tint misses;\n", "\tint misses;\n\tint errors;\n"),
		   true, "struct", "x_stats", 6);
	/* A typedef's record goes by the typedef's name. */
	assert_one(compare_edit("\tlong v;", "\tlong v, w;"), true, "struct", "x_counter_t", 13);
	assert_one(compare_edit("struct x_stats {\n\tint", "union x_stats {\n\tint"),
		   true, "struct", "x_stats", 6);
}

static void test_variables(void **state)
{
	(void)state;
	assert_one(compare_edit("static const int x_scale = 2;", "static const int x_scale = 3;"),
		   false, "static", "x_scale", 20);
	assert_one(compare_edit("extern int x_limit;", "extern long x_limit;"),
		   false, "global", "x_limit", 17);
	/* Attributes are no name; a function pointer is a variable. */
	assert_one(compare_edit("aligned(8)", "aligned(16)"), false, "global", "x_mask", 18);
	assert_one(compare_edit("(*x_hook)(struct x_stats *s)", "(*x_hook)(const struct x_stats *s)"),
		   false, "global", "x_hook", 19);
	/* Removed: its line in the old text. */
	assert_one(compare_edit("extern int x_limit;\n", ""), false, "global", "x_limit", 17);
}

static void test_other_changes(void **state)
{
	struct result r;

	(void)state;
	/* A static inline function, a macro, a prototype: the closure's. */
	assert_other(compare_edit("return s->hits;", "return s->hits + 1;"));
	assert_other(compare_edit("((v) >> 2)", "((v) >> 3)"));
	assert_other(compare_edit("int x_count(struct x_stats *s);", "long x_count(struct x_stats *s);"));
	/* Whitespace that C reads: ">>" is not "> >", F(v) takes an argument. */
	assert_other(compare_edit("((v) >> 2)", "((v) > > 2)"));
	assert_other(compare_edit("#define X_SHIFT(v)", "#define X_SHIFT (v)"));
	/* New definitions are the module's own, not changes. */
	assert_other(compare_edit("struct x_stats;\n", "struct x_stats;\nstruct x_new { int a; };\n"
				  "extern int x_new_limit;\n"));
	/* Comment delimiters in a string or character are no comment. */
	{
		static const char a[] = "#define X_NAME \"/* a */\"\nint x = '\"';\n";
		static const char b[] = "#define X_NAME \"/* b */\"\nint x = '\"';\n";

		assert_int_equal(klp_header__compare(a, strlen(a), b, strlen(b), &r.same,
						     &r.c, &r.nr), 0);
		assert_other(r);
		assert_int_equal(klp_header__compare(a, strlen(a), a, strlen(a), &r.same,
						     &r.c, &r.nr), 0);
		assert_true(r.same);
	}
}

/* One definition, in a unit's text as in a header's. */
static void test_same_decl(void **state)
{
	static const char old[] = "struct s { int a; };\nint v = 1;\nint f(void) { return 0; }\n";
	static const char comment[] = "struct s { int a; /* n */ };\nint v = 1; // x\nint f(void) { return 1; }\n";
	static const char changed[] = "struct s { int a, b; };\nint v = 2;\n";
	bool same;

	(void)state;
	assert_int_equal(klp_header__same_decl(old, strlen(old), comment, strlen(comment),
					       true, "s", &same), 0);
	assert_true(same);
	assert_int_equal(klp_header__same_decl(old, strlen(old), comment, strlen(comment),
					       false, "v", &same), 0);
	assert_true(same);
	assert_int_equal(klp_header__same_decl(old, strlen(old), changed, strlen(changed),
					       true, "s", &same), 0);
	assert_false(same);
	assert_int_equal(klp_header__same_decl(old, strlen(old), changed, strlen(changed),
					       false, "v", &same), 0);
	assert_false(same);
	/* Not found as such (a function, an unknown name): not known the same. */
	assert_int_equal(klp_header__same_decl(old, strlen(old), comment, strlen(comment),
					       false, "f", &same), 0);
	assert_false(same);
	assert_int_equal(klp_header__same_decl(old, strlen(old), old, strlen(old),
					       true, "t", &same), 0);
	assert_false(same);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comments_and_whitespace),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_other_changes),
		cmocka_unit_test(test_same_decl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
