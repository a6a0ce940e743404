// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipa_clones.c - -fdump-ipa-clones dumps read as partition records,
 * and the closure over them: both dump forms, "(null)" names, malformed
 * lines (skipped with a warning naming file:line, never fatal).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <klp_prep/affected.h>
#include <klp_prep/ipa_clones.h>
#include <klp_prep/log.h>

static char logbuf[8192];

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

/* gcc-12 -O2 -fdump-ipa-clones on a small unit (see tests/integration). */
static const char gcc12_dump[] =
	"Callgraph clone;big;3;t.c;7;12;big.part.0;10;t.c;7;12;part\n"
	"Callgraph clone;big;3;t.c;7;12;f1;4;t.c;8;5;inlining to\n"
	"Callgraph clone;helper;0;t.c;4;12;f1;4;t.c;8;5;inlining to\n"
	"Callgraph clone;big;3;t.c;7;12;f2;5;t.c;9;5;inlining to\n"
	"Callgraph clone;helper;0;t.c;4;12;f2;5;t.c;9;5;inlining to\n"
	"Callgraph removal;helper;0;t.c;4;12\n"
	"Callgraph clone;big;3;t.c;7;12;f3;6;t.c;10;5;inlining to\n"
	"Callgraph removal;big;3;t.c;7;12\n"
	"Callgraph clone;konst;2;t.c;6;38;konst.constprop.0;14;t.c;6;38;constprop\n";

static struct klp_ipa_dump *parse(const char *text)
{
	struct klp_ipa_dump *d;

	assert_int_equal(klp_ipa_dump__parse("t.c.000i.ipa-clones", "t.c",
					     text, strlen(text), &d), 0);
	assert_non_null(d);
	return d;
}

static const struct klp_func_record *func(const struct klp_unit *u, const char *sym)
{
	size_t i;

	for (i = 0; i < u->nr_funcs; i++)
		if (!strcmp(u->funcs[i].symbol, sym))
			return &u->funcs[i];
	fail_msg("no FUNC %s", sym);
	return NULL;
}

static const char *origin_name(const struct klp_unit *u, const char *sym)
{
	return u->origins[func(u, sym)->origin].name;
}

static void test_gcc12_form(void **state)
{
	struct klp_ipa_dump *d;
	const struct klp_unit *u;
	const struct klp_ipa_stats *st;

	(void)state;
	d = parse(gcc12_dump);
	u = klp_ipa_dump__unit(d);
	st = klp_ipa_dump__stats(d);
	assert_int_equal(st->lines, 9);
	assert_int_equal(st->clones, 2);
	assert_int_equal(st->inlines, 5);
	assert_int_equal(st->removals, 2);
	assert_int_equal(st->malformed, 0);
	assert_string_equal(u->source, "t.c");

	assert_true(func(u, "big.part.0")->flags & KLP_FUNC_F_PART);
	assert_true(func(u, "big.part.0")->flags & KLP_FUNC_F_EMITTED);
	assert_string_equal(origin_name(u, "big.part.0"), "big");
	assert_false(func(u, "big")->flags & KLP_FUNC_F_EMITTED);
	assert_false(func(u, "helper")->flags & KLP_FUNC_F_EMITTED);
	assert_true(func(u, "f1")->flags & KLP_FUNC_F_EMITTED);
	assert_true(func(u, "konst.constprop.0")->flags & KLP_FUNC_F_CONSTPROP);
	assert_string_equal(origin_name(u, "konst.constprop.0"), "konst");
	assert_int_equal(u->nr_inlines, 5);
	assert_int_equal(u->nr_calls, 0);
	klp_ipa_dump__free(d);
}

static void test_old_14_field_form(void **state)
{
	struct klp_ipa_dump *d;
	const struct klp_unit *u;

	(void)state;
	d = parse("Callgraph clone;ovl_setxattr.part.3;1348;fs/overlayfs/inode.c;210;5;<-;"
		  "ovl_setxattr;1291;fs/overlayfs/inode.c;210;5;optimization:;inlining to\n"
		  "Callgraph clone;foo;1;fs/x.c;10;5;<-;foo.isra.0;9;fs/x.c;10;5;optimization:;isra\n");
	u = klp_ipa_dump__unit(d);
	assert_int_equal(klp_ipa_dump__stats(d)->malformed, 0);
	assert_int_equal(u->nr_inlines, 1);
	assert_string_equal(u->origins[u->inlines[0].callee].name,
			    "ovl_setxattr.part.3");
	assert_string_equal(u->funcs[u->inlines[0].func].symbol, "ovl_setxattr");
	assert_true(func(u, "foo.isra.0")->flags & KLP_FUNC_F_ISRA);
	assert_string_equal(origin_name(u, "foo.isra.0"), "foo");
	/* A bad 14-field line: the markers are checked. */
	klp_ipa_dump__free(d);
	d = parse("Callgraph clone;a;1;x.c;1;1;->;b;2;x.c;2;1;optimization:;isra\n");
	assert_int_equal(klp_ipa_dump__stats(d)->malformed, 1);
	klp_ipa_dump__free(d);
}

static void test_null_names(void **state)
{
	struct klp_ipa_dump *d;

	(void)state;
	d = parse("Callgraph clone;(null);0;x.c;1;1;f;1;x.c;2;1;inlining to\n"
		  "Callgraph clone;g;0;x.c;1;1;(null);1;x.c;2;1;constprop\n"
		  "Callgraph removal;(null);3;x.c;4;1\n"
		  "Callgraph clone;h;5;x.c;6;1;h.isra.0;6;x.c;6;1;isra\n");
	assert_int_equal(klp_ipa_dump__stats(d)->null_names, 3);
	assert_int_equal(klp_ipa_dump__stats(d)->malformed, 0);
	assert_int_equal(klp_ipa_dump__stats(d)->clones, 1);
	assert_int_equal(klp_ipa_dump__unit(d)->nr_inlines, 0);
	klp_ipa_dump__free(d);
}

static void test_malformed_lines(void **state)
{
	struct klp_ipa_dump *d;
	static const char text[] =
		"Callgraph clone;a;1;x.c;1;1;b;2;x.c;2;1\n"		/* 1: 11 fields */
		"Callgraph clone;a;1;x.c;one;1;b;2;x.c;2;1;isra\n"	/* 2: line NaN */
		"Callgraph removal;a;1;x.c;1\n"				/* 3: 5 fields */
		"Something else entirely\n"				/* 4 */
		"Callgraph clone;a;1;x.c;1;1;b;2;x.c;2;1;\n"		/* 5: no reason */
		"Callgraph clone;a;1;x.c;1;1;a;2;x.c;2;1;isra\n"	/* 6: self */
		"Callgraph clone;;;;;;;;;;;;;;;;;;;;;;;;;;\n"		/* 7: too many */
		"\n"							/* 8: empty */
		"Callgraph clone;r;1;x.c;1;1;r;2;x.c;1;1;inlining to\n" /* recursive: fine */
		"Callgraph clone;c;1;x.c;1;1;c.isra.0;2;x.c;1;1;isra\r\n" /* 10: good */
		"Callgraph removal;z;1;x.c;9;1";			/* 11: no \n, good */

	(void)state;
	d = parse(text);
	assert_int_equal(klp_ipa_dump__stats(d)->malformed, 7);
	assert_int_equal(klp_ipa_dump__stats(d)->clones, 1);
	assert_int_equal(klp_ipa_dump__stats(d)->removals, 1);
	assert_true(func(klp_ipa_dump__unit(d), "c.isra.0")->flags & KLP_FUNC_F_ISRA);
	/* Each warning names the dump and the line. */
	assert_non_null(strstr(logbuf, "t.c.000i.ipa-clones:1: warning"));
	assert_non_null(strstr(logbuf, "t.c.000i.ipa-clones:2: warning"));
	assert_non_null(strstr(logbuf, "t.c.000i.ipa-clones:7: warning"));
	assert_null(strstr(logbuf, "t.c.000i.ipa-clones:8:"));
	assert_null(strstr(logbuf, "t.c.000i.ipa-clones:9:"));
	assert_null(strstr(logbuf, "t.c.000i.ipa-clones:10:"));
	klp_ipa_dump__free(d);

	/* A NUL byte inside a line. */
	d = NULL;
	assert_int_equal(klp_ipa_dump__parse("d", "x.c", "Callgraph\0 clone\n", 17, &d), 0);
	assert_int_equal(klp_ipa_dump__stats(d)->malformed, 1);
	klp_ipa_dump__free(d);
}

/* The closure over a dump: what it can tell and what it says it cannot. */
static void test_closure_from_dump(void **state)
{
	struct klp_ipa_dump *d;
	const struct klp_unit *u;
	struct klp_affected *a;
	size_t i, nr_patch = 0;
	bool f1 = false, f2 = false, f3 = false, part = false;

	(void)state;
	d = parse(gcc12_dump);
	u = klp_ipa_dump__unit(d);
	a = klp_affected__new();
	assert_int_equal(klp_affected__add_object(a, "vmlinux", KLP_AFFECTED_VMLINUX,
						  KLP_AFFECTED_FROM_IPA_CLONES,
						  &u, 1), 0);
	assert_int_equal(klp_affected__change_function(a, "big"), 0);
	assert_int_equal(klp_affected__compute(a), 0);
	for (i = 0; i < klp_affected__nr_nodes(a); i++) {
		const struct klp_affected_node *n = klp_affected__node(a, i);

		if (n->state == KLP_NODE_PATCH) {
			nr_patch++;
			f1 |= !strcmp(n->symbol, "f1");
			f2 |= !strcmp(n->symbol, "f2");
			f3 |= !strcmp(n->symbol, "f3");
		}
		if (!strcmp(n->symbol, "big.part.0")) {
			/* Nobody is known to call it: said, not guessed. */
			part = true;
			assert_int_equal(n->state, KLP_NODE_UNPATCHABLE);
			assert_non_null(strstr(n->unpatchable, "-fdump-ipa-clones"));
		}
	}
	assert_true(f1 && f2 && f3 && part);
	assert_int_equal(nr_patch, 3);
	/* The note says what a dump cannot know. */
	assert_true(klp_affected__nr_notes(a) >= 1);
	assert_non_null(strstr(klp_affected__note(a, 0), ".cold"));
	klp_affected__free(a);
	klp_ipa_dump__free(d);
}

static void test_object_path(void **state)
{
	char *p;

	(void)state;
	p = klp_ipa_dump__object_path("fs/proc/cmdline.c.000i.ipa-clones");
	assert_string_equal(p, "fs/proc/cmdline.o");
	free(p);
	p = klp_ipa_dump__object_path("a.b/x.000i.ipa-clones");
	assert_string_equal(p, "a.b/x.o");
	free(p);
	assert_null(klp_ipa_dump__object_path("fs/proc/cmdline.o"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_gcc12_form, setup),
		cmocka_unit_test_setup(test_old_14_field_form, setup),
		cmocka_unit_test_setup(test_null_names, setup),
		cmocka_unit_test_setup(test_malformed_lines, setup),
		cmocka_unit_test_setup(test_closure_from_dump, setup),
		cmocka_unit_test_setup(test_object_path, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
