// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plugin_records.c - compile each fixture with the real gcc-12 and the real
 * plugin, read the object back with libklp_prep, and hold the records to
 * what the fixture says GCC does.
 *
 *   plugin_records PLUGIN.so FIXTURES_DIR GCC WORK_DIR
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <klp_prep/object.h>

static const char *plugin_path, *fixtures_dir, *gcc, *work_dir;

#define KERNEL_CFLAGS \
	"-fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel " \
	"-mno-red-zone -ffreestanding -mfentry -pg"

struct compiled {
	struct klp_objfile *obj;
	const struct klp_unit *unit;
	char source[512];
};

/* The fixture's own flags ("klp-cflags: ..."), or the kernel-like set. */
static void fixture_cflags(const char *source, char *flags, size_t size)
{
	char line[1024];
	FILE *f = fopen(source, "r");

	snprintf(flags, size, "%s", KERNEL_CFLAGS);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "klp-cflags:");

		if (!p)
			continue;
		p += strlen("klp-cflags:");
		p[strcspn(p, "\n")] = 0;
		snprintf(flags, size, "%s", p);
		break;
	}
	fclose(f);
}

/* The line of the first occurrence of @text in the fixture, 0 if none. */
static unsigned int line_of(const struct compiled *c, const char *text)
{
	char line[1024];
	unsigned int n = 0;
	FILE *f = fopen(c->source, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, text)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	fail_msg("%s: no line contains '%s'", c->source, text);
	return 0;
}

static void compile_fixture(struct compiled *c, const char *name,
			    const char *extra)
{
	char cmd[4096], flags[1024], object[512];
	int rc;

	snprintf(c->source, sizeof(c->source), "%s/%s.c", fixtures_dir, name);
	snprintf(object, sizeof(object), "%s/%s%s.o", work_dir, name,
		 extra && *extra ? ".extra" : "");
	fixture_cflags(c->source, flags, sizeof(flags));
	snprintf(cmd, sizeof(cmd), "'%s' -O2 %s %s '-fplugin=%s' -c '%s' -o '%s'",
		 gcc, flags, extra ? extra : "", plugin_path, c->source, object);
	rc = system(cmd);
	if (rc != 0)
		fail_msg("compiling %s failed (%d): %s", name, rc, cmd);
	c->obj = klp_objfile__open(object, 0);
	if (!c->obj)
		fail_msg("klp_objfile__open(%s): %s", object, strerror(errno));
	assert_true(klp_objfile__has_records(c->obj));
	assert_int_equal(klp_objfile__nr_units(c->obj), 1);
	c->unit = klp_objfile__unit(c->obj, 0);
	assert_non_null(c->unit);
}

static void release(struct compiled *c)
{
	klp_objfile__free(c->obj);
	c->obj = NULL;
}

static const struct klp_func_record *find_func(const struct klp_unit *u,
					const char *symbol)
{
	size_t i;

	for (i = 0; i < u->nr_funcs; i++)
		if (u->funcs[i].symbol && !strcmp(u->funcs[i].symbol, symbol))
			return &u->funcs[i];
	fail_msg("no FUNC record for %s", symbol);
	return NULL;
}

static bool has_func(const struct klp_unit *u, const char *symbol)
{
	size_t i;

	for (i = 0; i < u->nr_funcs; i++)
		if (u->funcs[i].symbol && !strcmp(u->funcs[i].symbol, symbol))
			return true;
	return false;
}

static unsigned int func_index(const struct klp_unit *u,
			       const struct klp_func_record *f)
{
	return (unsigned int)(f - u->funcs);
}

static const struct klp_origin *origin_of(const struct klp_unit *u,
					  const struct klp_func_record *f)
{
	assert_in_range(f->origin, 0, u->nr_origins - 1);
	return &u->origins[f->origin];
}

static const char *callee_name(const struct klp_unit *u,
			       const struct klp_inline *inl)
{
	return u->origins[inl->callee].name;
}

/*
 * The INLINE record of @callee in FUNC @in, directly inside a copy of
 * @parent_callee (NULL: directly in @in's own code).
 */
static const struct klp_inline *find_inline(const struct klp_unit *u,
					    const char *in, const char *callee,
					    const char *parent_callee)
{
	unsigned int func = func_index(u, find_func(u, in));
	size_t i;

	for (i = 0; i < u->nr_inlines; i++) {
		const struct klp_inline *inl = &u->inlines[i];

		if (inl->func != func || strcmp(callee_name(u, inl), callee))
			continue;
		if (!parent_callee && !inl->parent)
			return inl;
		if (parent_callee && inl->parent &&
		    !strcmp(callee_name(u, &u->inlines[inl->parent - 1]),
			    parent_callee))
			return inl;
	}
	fail_msg("no INLINE record of %s in %s (inside %s)", callee, in,
		 parent_callee ? parent_callee : "its own code");
	return NULL;
}

static const struct klp_call *find_call(const struct klp_unit *u,
					const char *caller, const char *callee)
{
	unsigned int func = func_index(u, find_func(u, caller));
	size_t i;

	for (i = 0; i < u->nr_calls; i++)
		if (u->calls[i].func == func &&
		    !strcmp(u->calls[i].callee, callee))
			return &u->calls[i];
	fail_msg("no CALL record %s -> %s", caller, callee);
	return NULL;
}

/* The change recorded for parameter @index, 0 if none. */
static unsigned int param_change(const struct klp_func_record *f, unsigned int index,
				 const char **value)
{
	unsigned int i;

	for (i = 0; i < f->nr_params; i++) {
		if (f->params[i].index == index) {
			if (value)
				*value = f->params[i].value;
			return f->params[i].change;
		}
	}
	return 0;
}

static void assert_steps(const struct klp_func_record *f, unsigned int nr, ...)
{
	va_list ap;
	unsigned int i;

	assert_int_equal(f->nr_steps, nr);
	va_start(ap, nr);
	for (i = 0; i < nr; i++) {
		unsigned int kind = va_arg(ap, unsigned int);
		unsigned int number = va_arg(ap, unsigned int);

		assert_int_equal(f->steps[i].kind, kind);
		assert_int_equal(f->steps[i].number, number);
	}
	va_end(ap);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = s ? strlen(s) : 0, lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

#define assert_flags(value, set, clear)					\
	do {								\
		assert_int_equal((value) & (set), (set));		\
		assert_int_equal((value) & (clear), 0);			\
	} while (0)

/* ---- the fixtures ---- */

static void test_cold_split(void **state)
{
	struct compiled c;
	const struct klp_func_record *f;
	(void)state;

	compile_fixture(&c, "cold_split", NULL);
	assert_true(ends_with(c.unit->source, "cold_split.c"));
	assert_true(!strncmp(c.unit->producer, "GCC 12.", 7));
	assert_flags(c.unit->flags, KLP_UNIT_F_PARTITIONING,
		     KLP_UNIT_F_LTO | KLP_UNIT_F_FUNCTION_SECTIONS);

	f = find_func(c.unit, "hot_path");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PUBLIC |
		     KLP_FUNC_F_COLD_SPLIT | KLP_FUNC_F_FENTRY,
		     KLP_FUNC_F_ALIAS);
	assert_string_equal(f->section, ".text");
	assert_string_equal(f->cold_symbol, "hot_path.cold");
	assert_string_equal(f->cold_section, ".text.unlikely");
	assert_int_equal(f->nr_steps, 0);
	assert_string_equal(origin_of(c.unit, f)->name, "hot_path");
	assert_int_equal(origin_of(c.unit, f)->line, line_of(&c, "int hot_path("));
	assert_true(origin_of(c.unit, f)->end_line > origin_of(c.unit, f)->line);

	/* Cold as a whole: all in .text.unlikely, no .cold part. */
	f = find_func(c.unit, "cold_whole");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED, KLP_FUNC_F_COLD_SPLIT);
	assert_string_equal(f->section, ".text.unlikely");
	assert_null(f->cold_symbol);
	assert_flags(origin_of(c.unit, f)->flags, KLP_ORIGIN_F_COLD, 0);
	release(&c);

	/* No partitioning, no cold part, and the unit says so. */
	compile_fixture(&c, "cold_split", "-fno-reorder-blocks-and-partition");
	assert_flags(c.unit->flags, 0, KLP_UNIT_F_PARTITIONING);
	f = find_func(c.unit, "hot_path");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED, KLP_FUNC_F_COLD_SPLIT);
	assert_null(f->cold_symbol);
	assert_null(f->cold_section);
	release(&c);
}

static void test_part_split(void **state)
{
	const char *callers[] = { "p1", "p2", "p3", "p4", "p5" };
	struct compiled c;
	const struct klp_func_record *f;
	unsigned int i;
	(void)state;

	compile_fixture(&c, "part_split", NULL);
	f = find_func(c.unit, "split_me.part.0");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PART,
		     KLP_FUNC_F_PUBLIC | KLP_FUNC_F_ISRA | KLP_FUNC_F_CONSTPROP);
	assert_steps(f, 1, KLP_STEP_PART, 0);
	assert_string_equal(origin_of(c.unit, f)->name, "split_me");
	assert_int_equal(origin_of(c.unit, f)->line,
			 line_of(&c, "static int split_me("));

	/* The head went into every caller; split_me itself is not emitted. */
	f = find_func(c.unit, "split_me");
	assert_int_equal(f->flags & KLP_FUNC_F_EMITTED, 0);
	for (i = 0; i < 5; i++) {
		const struct klp_inline *inl;
		char text[32];

		const struct klp_call *call;

		snprintf(text, sizeof(text), "int %s(", callers[i]);
		/* GCC's call has no location: the inlined head's call site. */
		call = find_call(c.unit, callers[i], "split_me.part.0");
		assert_int_equal(call->call_line, line_of(&c, text));
		inl = find_inline(c.unit, callers[i], "split_me", NULL);
		assert_int_equal(inl->call_line, line_of(&c, text));
		assert_true(ends_with(inl->call_file, "part_split.c"));
	}
	release(&c);
}

static void test_isra(void **state)
{
	struct compiled c;
	const struct klp_func_record *f;
	const struct klp_call *call;
	(void)state;

	compile_fixture(&c, "isra", NULL);
	f = find_func(c.unit, "sra_split.isra.0");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_ISRA |
		     KLP_FUNC_F_RETURN_DROPPED, KLP_FUNC_F_CONSTPROP);
	assert_steps(f, 1, KLP_STEP_ISRA, 0);
	assert_string_equal(origin_of(c.unit, f)->name, "sra_split");
	assert_int_equal(param_change(f, 0, NULL), KLP_PARAM_SPLIT);
	assert_int_equal(param_change(f, 1, NULL), 0);
	assert_int_equal(param_change(f, 2, NULL), KLP_PARAM_REMOVED);

	f = find_func(c.unit, "consume.constprop.0");
	assert_flags(f->flags, KLP_FUNC_F_CONSTPROP, KLP_FUNC_F_ISRA);
	assert_int_equal(param_change(f, 0, NULL), 0);
	assert_int_equal(param_change(f, 1, NULL), KLP_PARAM_REMOVED);

	call = find_call(c.unit, "r1", "sra_split.isra.0");
	assert_int_equal(call->flags & KLP_CALL_F_TAIL, KLP_CALL_F_TAIL);
	assert_int_equal(call->call_line, line_of(&c, "void r1("));
	find_call(c.unit, "r2", "sra_split.isra.0");
	release(&c);
}

static void test_constprop(void **state)
{
	struct compiled c;
	const struct klp_func_record *f;
	const struct klp_call *call;
	const char *value = NULL;
	(void)state;

	compile_fixture(&c, "constprop", NULL);
	f = find_func(c.unit, "scale.constprop.0");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_CONSTPROP |
		     KLP_FUNC_F_FENTRY, KLP_FUNC_F_ISRA | KLP_FUNC_F_PUBLIC);
	assert_steps(f, 1, KLP_STEP_CONSTPROP, 0);
	assert_int_equal(param_change(f, 1, &value), KLP_PARAM_CONSTANT);
	assert_string_equal(value, "5");
	assert_int_equal(param_change(f, 0, NULL), 0);
	assert_flags(origin_of(c.unit, f)->flags,
		     KLP_ORIGIN_F_NOINLINE | KLP_ORIGIN_F_DEFINED,
		     KLP_ORIGIN_F_PUBLIC);

	call = find_call(c.unit, "use1", "scale.constprop.0");
	assert_int_equal(call->flags, KLP_CALL_F_TAIL);
	assert_int_equal(call->call_line, line_of(&c, "int use1("));
	find_call(c.unit, "use2", "scale.constprop.0");
	release(&c);

	/* -flive-patching=inline-only-static: no IPA-CP clone. */
	compile_fixture(&c, "constprop", "-flive-patching=inline-only-static");
	assert_flags(c.unit->flags, KLP_UNIT_F_LIVE_PATCHING, 0);
	assert_false(has_func(c.unit, "scale.constprop.0"));
	f = find_func(c.unit, "scale");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED, KLP_FUNC_F_CONSTPROP);
	assert_int_equal(c.unit->nr_calls, 0);
	release(&c);
}

static void test_combo(void **state)
{
	struct compiled c;
	const struct klp_func_record *f;
	const char *value = NULL;
	(void)state;

	compile_fixture(&c, "combo", NULL);
	f = find_func(c.unit, "both.constprop.0.isra.0");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_CONSTPROP |
		     KLP_FUNC_F_ISRA | KLP_FUNC_F_RETURN_DROPPED, 0);
	assert_steps(f, 2, KLP_STEP_CONSTPROP, 0, KLP_STEP_ISRA, 0);
	assert_string_equal(origin_of(c.unit, f)->name, "both");
	assert_int_equal(param_change(f, 0, NULL), KLP_PARAM_SPLIT);
	assert_int_equal(param_change(f, 1, NULL), KLP_PARAM_REMOVED);
	assert_int_equal(param_change(f, 2, &value), KLP_PARAM_CONSTANT);
	assert_string_equal(value, "3");
	find_call(c.unit, "b1", "both.constprop.0.isra.0");

	f = find_func(c.unit, "check.constprop.0");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_CONSTPROP |
		     KLP_FUNC_F_COLD_SPLIT, 0);
	assert_string_equal(f->cold_symbol, "check.constprop.0.cold");
	assert_string_equal(f->cold_section, ".text.unlikely");
	assert_int_equal(param_change(f, 1, &value), KLP_PARAM_CONSTANT);
	assert_string_equal(value, "7");
	find_call(c.unit, "c1", "check.constprop.0");
	find_call(c.unit, "c2", "check.constprop.0");
	release(&c);
}

static void test_localalias(void **state)
{
	struct compiled c;
	const struct klp_func_record *pub, *f;
	(void)state;

	compile_fixture(&c, "localalias", NULL);
	pub = find_func(c.unit, "pub");
	assert_flags(pub->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PUBLIC,
		     KLP_FUNC_F_ALIAS);

	f = find_func(c.unit, "pub.localalias");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_ALIAS,
		     KLP_FUNC_F_PUBLIC);
	assert_int_equal(f->alias_of, func_index(c.unit, pub) + 1);
	assert_steps(f, 1, KLP_STEP_LOCALALIAS, 0);
	assert_string_equal(origin_of(c.unit, f)->name, "pub");
	assert_string_equal(f->section, ".text");

	f = find_func(c.unit, "pub_alias");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_ALIAS |
		     KLP_FUNC_F_PUBLIC, 0);
	assert_int_equal(f->alias_of, func_index(c.unit, pub) + 1);
	assert_int_equal(f->nr_steps, 0);
	assert_string_equal(origin_of(c.unit, f)->name, "pub_alias");

	find_call(c.unit, "caller", "pub.localalias");
	release(&c);
}

static void check_inline_chain(const struct compiled *c)
{
	const struct klp_inline *inl;
	const struct klp_func_record *f;

	/* Early chain: add_one in twice in early_user. */
	inl = find_inline(c->unit, "early_user", "twice", NULL);
	assert_flags(inl->flags, KLP_INLINE_F_EARLY, 0);
	assert_int_equal(inl->call_line, line_of(c, "return twice(x)"));
	inl = find_inline(c->unit, "early_user", "add_one", "twice");
	assert_flags(inl->flags, KLP_INLINE_F_EARLY, 0);
	assert_int_equal(inl->call_line, line_of(c, "return add_one(x) * 2"));

	/* IPA chain: level3 in level2 in level1, not early. */
	inl = find_inline(c->unit, "level1", "level2", NULL);
	assert_flags(inl->flags, 0, KLP_INLINE_F_EARLY | KLP_INLINE_F_NO_CODE);
	assert_int_equal(inl->call_line, line_of(c, "return level2(x * 2)"));
	inl = find_inline(c->unit, "level1", "level3", "level2");
	assert_flags(inl->flags, 0, KLP_INLINE_F_EARLY | KLP_INLINE_F_NO_CODE);
	assert_int_equal(inl->call_line, line_of(c, "int s = level3(x + 1)"));
	f = find_func(c->unit, "level2");
	assert_int_equal(f->flags & KLP_FUNC_F_EMITTED, 0);

	/* Early into big_body, which then went (IPA) into big_user. */
	inl = find_inline(c->unit, "big_user", "big_body", NULL);
	assert_flags(inl->flags, 0, KLP_INLINE_F_EARLY | KLP_INLINE_F_NO_CODE);
	inl = find_inline(c->unit, "big_user", "add_one", "big_body");
	assert_flags(inl->flags, KLP_INLINE_F_EARLY, KLP_INLINE_F_NO_CODE);
	f = find_func(c->unit, "big_body");
	assert_int_equal(f->flags & KLP_FUNC_F_EMITTED, 0);
	inl = find_inline(c->unit, "big_body", "add_one", NULL);
	assert_flags(inl->flags, KLP_INLINE_F_EARLY, KLP_INLINE_F_NO_CODE);
	assert_int_equal(inl->call_line, line_of(c, "s += work(i) * add_one(i)"));
	/* add_one, twice: inlined everywhere, never emitted, still there. */
	assert_int_equal(find_func(c->unit, "add_one")->flags & KLP_FUNC_F_EMITTED, 0);
	assert_int_equal(find_func(c->unit, "twice")->flags & KLP_FUNC_F_EMITTED, 0);
}

static void test_inline_chain(void **state)
{
	struct compiled c;
	(void)state;

	compile_fixture(&c, "inline_chain", NULL);
	check_inline_chain(&c);
	release(&c);
	/* Debug info keeps more BLOCKs; the records must not change. */
	compile_fixture(&c, "inline_chain", "-g");
	check_inline_chain(&c);
	release(&c);
}

static void check_inline_vanish(const struct compiled *c)
{
	const struct klp_inline *inl;

	inl = find_inline(c->unit, "early_gone", "zero", NULL);
	assert_flags(inl->flags, KLP_INLINE_F_EARLY | KLP_INLINE_F_NO_CODE, 0);
	assert_int_equal(inl->call_line, line_of(c, "return work(zero(x))"));
	inl = find_inline(c->unit, "ipa_gone", "gone", NULL);
	assert_flags(inl->flags, KLP_INLINE_F_NO_CODE, KLP_INLINE_F_EARLY);
	assert_int_equal(inl->call_line, line_of(c, "return gone(z)"));
	assert_false(has_func(c->unit, "gone.constprop.0") &&
		     (find_func(c->unit, "gone.constprop.0")->flags &
		      KLP_FUNC_F_EMITTED));
}

static void test_inline_vanish(void **state)
{
	struct compiled c;
	(void)state;

	compile_fixture(&c, "inline_vanish", NULL);
	check_inline_vanish(&c);
	release(&c);
	compile_fixture(&c, "inline_vanish", "-g");
	check_inline_vanish(&c);
	release(&c);
}

static void test_init_notrace(void **state)
{
	struct compiled c;
	const struct klp_func_record *f;
	(void)state;

	compile_fixture(&c, "init_notrace", NULL);
	f = find_func(c.unit, "setup_thing");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED,
		     KLP_FUNC_F_FENTRY | KLP_FUNC_F_COLD_SPLIT);
	assert_string_equal(f->section, ".init.text");
	assert_string_equal(origin_of(c.unit, f)->section, ".init.text");
	assert_flags(origin_of(c.unit, f)->flags,
		     KLP_ORIGIN_F_NOTRACE | KLP_ORIGIN_F_COLD | KLP_ORIGIN_F_PUBLIC, 0);

	f = find_func(c.unit, "quiet");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED, KLP_FUNC_F_FENTRY);
	assert_string_equal(f->section, ".text");
	assert_null(origin_of(c.unit, f)->section);
	assert_flags(origin_of(c.unit, f)->flags, KLP_ORIGIN_F_NOTRACE, 0);

	f = find_func(c.unit, "traced");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_FENTRY, 0);
	assert_flags(origin_of(c.unit, f)->flags, 0, KLP_ORIGIN_F_NOTRACE);
	release(&c);
}

static void test_function_sections(void **state)
{
	struct compiled c;
	const struct klp_func_record *f;
	(void)state;

	compile_fixture(&c, "function_sections", NULL);
	assert_flags(c.unit->flags, KLP_UNIT_F_FUNCTION_SECTIONS, 0);
	f = find_func(c.unit, "hot_fs");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_COLD_SPLIT, 0);
	assert_string_equal(f->section, ".text.hot_fs");
	assert_string_equal(f->cold_symbol, "hot_fs.cold");
	assert_string_equal(f->cold_section, ".text.unlikely.hot_fs");
	release(&c);
}

/* mkdir -p */
static int mkdirs(const char *path)
{
	char buf[1024];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static void test_oddities(void **state)
{
	struct compiled c;
	const struct klp_func_record *f, *target;
	size_t i;
	bool inner = false;
	(void)state;

	compile_fixture(&c, "oddities", NULL);
	f = find_func(c.unit, "asm_renamed");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PUBLIC, 0);
	assert_int_equal(f->nr_steps, 0);

	/* IPA-ICF: twin_b became an alias of twin_a. */
	target = find_func(c.unit, "twin_a");
	f = find_func(c.unit, "twin_b");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_ALIAS, 0);
	assert_int_equal(f->alias_of, func_index(c.unit, target) + 1);

	/* An ifunc is an alias of its resolver. */
	target = find_func(c.unit, "resolve_pick");
	f = find_func(c.unit, "picked");
	assert_flags(f->flags, KLP_FUNC_F_ALIAS, 0);
	assert_int_equal(f->alias_of, func_index(c.unit, target) + 1);

	/* target_clones renames tc to tc.default in place: origin tc. */
	f = find_func(c.unit, "tc.avx2");
	assert_flags(f->flags, KLP_FUNC_F_EMITTED | KLP_FUNC_F_OTHER_CLONE, 0);
	assert_string_equal(origin_of(c.unit, f)->name, "tc");
	f = find_func(c.unit, "tc.default");
	assert_string_equal(origin_of(c.unit, f)->name, "tc");
	assert_steps(f, 1, KLP_STEP_OTHER, 0);

	/* The nested function: a body of its own, inlined into outer. */
	for (i = 0; i < c.unit->nr_funcs; i++)
		if (!strncmp(c.unit->funcs[i].symbol, "inner.", 6))
			inner = true;
	assert_true(inner);
	assert_flags(find_func(c.unit, "variadic")->flags, KLP_FUNC_F_EMITTED, 0);
	assert_flags(find_func(c.unit, "weakling")->flags, KLP_FUNC_F_EMITTED, 0);
	release(&c);
}

/* ld -r concatenates the blocks; each stays a unit of its own. */
static void test_ld_r(void **state)
{
	struct compiled a, b;
	struct klp_objfile *obj;
	char cmd[2048], combined[512];
	const struct klp_unit *u0, *u1;
	(void)state;

	compile_fixture(&a, "cold_split", NULL);
	compile_fixture(&b, "constprop", NULL);
	release(&a);
	release(&b);
	snprintf(combined, sizeof(combined), "%s/combined.o", work_dir);
	snprintf(cmd, sizeof(cmd), "ld -r -o '%s' '%s/cold_split.o' '%s/constprop.o'",
		 combined, work_dir, work_dir);
	assert_int_equal(system(cmd), 0);
	obj = klp_objfile__open(combined, 0);
	assert_non_null(obj);
	assert_int_equal(klp_objfile__nr_units(obj), 2);
	u0 = klp_objfile__unit(obj, 0);
	u1 = klp_objfile__unit(obj, 1);
	assert_true(ends_with(u0->source, "cold_split.c"));
	assert_true(ends_with(u1->source, "constprop.c"));
	assert_non_null(find_func(u0, "hot_path"));
	assert_non_null(find_func(u1, "scale.constprop.0"));
	klp_objfile__free(obj);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cold_split),
		cmocka_unit_test(test_part_split),
		cmocka_unit_test(test_isra),
		cmocka_unit_test(test_constprop),
		cmocka_unit_test(test_combo),
		cmocka_unit_test(test_localalias),
		cmocka_unit_test(test_inline_chain),
		cmocka_unit_test(test_inline_vanish),
		cmocka_unit_test(test_init_notrace),
		cmocka_unit_test(test_function_sections),
		cmocka_unit_test(test_oddities),
		cmocka_unit_test(test_ld_r),
	};

	if (argc != 5) {
		fprintf(stderr, "usage: %s PLUGIN FIXTURES_DIR GCC WORK_DIR\n",
			argv[0]);
		return 2;
	}
	plugin_path = argv[1];
	fixtures_dir = argv[2];
	gcc = argv[3];
	work_dir = argv[4];
	if (mkdirs(work_dir)) {
		fprintf(stderr, "cannot create %s: %s\n", work_dir, strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
