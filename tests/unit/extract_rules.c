// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * extract_rules.c - the extraction's rules on small C units
 *
 * Each test writes a unit (and maybe a header) to a temporary directory,
 * parses it with libclang, extracts with an oracle of plain tables, and
 * checks what a livepatch author would see: which pieces are copied,
 * renamed, externalized, or refused with which message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <klp_prep/log.h>

#include "extract.h"

static char tmpdir[64];
static char log_buf[8192];

static int capture_log(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list ap)
{
	(void)ctx;
	size_t n = strlen(log_buf);

	(void)level;
	return vsnprintf(log_buf + n, sizeof(log_buf) - n, fmt, ap);
}

/* The oracle: NULL-terminated name tables. */
struct tables {
	const char *const *not_callable;
	const char *const *no_data;
	const char *const *exported;
	const char *const *missing;	/* locate() fails */
	const char *dup_name;		/* locate() gives position 2 */
	const char *local_symbol;	/* static_local(): this, or -ENOENT */
};

static bool in(const char *const *t, const char *name)
{
	for (; t && *t; t++)
		if (!strcmp(*t, name))
			return true;
	return false;
}

static bool o_callable(void *ctx, const char *name)
{
	return !in(((struct tables *)ctx)->not_callable, name);
}

static bool o_has_data(void *ctx, const char *name)
{
	return !in(((struct tables *)ctx)->no_data, name);
}

static bool o_exported(void *ctx, const char *name)
{
	return in(((struct tables *)ctx)->exported, name);
}

static int o_locate(void *ctx, const char *name, bool local,
		    const char **object, unsigned long *pos)
{
	struct tables *t = ctx;

	(void)local;
	if (in(t->missing, name))
		return -ENOENT;
	*object = "vmlinux";
	*pos = t->dup_name && !strcmp(t->dup_name, name) ? 2 : 0;
	return 0;
}

static int o_static_local(void *ctx, const char *func, const char *var,
			  const char **symbol, const char **object, unsigned long *pos)
{
	struct tables *t = ctx;

	(void)func;
	(void)var;
	if (!t->local_symbol)
		return -ENOENT;
	*symbol = t->local_symbol;
	*object = "vmlinux";
	*pos = 0;
	return 0;
}

/* How generate spells an externalized static local (its template). */
static char *spell(void *ctx, const struct klp_extern *e)
{
	char *s;

	(void)ctx;
	if (asprintf(&s, "EXT(%s, %s.%s,%lu, %s);", e->name, e->object, e->symbol,
		     e->pos, e->type) < 0)
		return NULL;
	return s;
}

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Extract @funcs (NULL-terminated) from @src; returns the error. */
static int run_added(const char *src, const char *const *funcs, struct tables *t,
		     const struct klp_line_range *added, size_t nr_added,
		     struct klp_extract **ex);

static int run(const char *src, const char *const *funcs, struct tables *t,
	       struct klp_extract **ex)
{
	return run_added(src, funcs, t, NULL, 0, ex);
}

static int run_added(const char *src, const char *const *funcs, struct tables *t,
		     const struct klp_line_range *added, size_t nr_added,
		     struct klp_extract **ex)
{
	static const char *argv[] = { "-std=gnu11", "-I", NULL };
	struct klp_symbol_oracle o = {
		.ctx = t, .object = "vmlinux", .callable = o_callable,
		.has_data = o_has_data, .exported = o_exported, .locate = o_locate,
		.static_local = o_static_local,
	};
	struct klp_parse_opts po = { 0 };
	struct klp_extract_opts eo = { 0 };
	char path[128];
	struct klp_tu *tu;
	size_t n = 0;
	int err;

	argv[2] = tmpdir;
	write_file("unit.c", src);
	snprintf(path, sizeof(path), "%s/unit.c", tmpdir);
	po.file = path;
	po.display_name = "dir/unit.c";
	po.argv = argv;
	po.argc = 3;
	err = klp_tu__parse(&po, &tu);
	if (err)
		return err;
	while (funcs[n])
		n++;
	eo.functions = funcs;
	eo.nr_functions = n;
	eo.oracle = t ? &o : NULL;
	eo.spell_extern = t ? spell : NULL;
	eo.added = added;
	eo.nr_added = nr_added;
	err = klp_tu__extract(tu, &eo, ex);
	klp_tu__free(tu);
	return err;
}

static const struct klp_item *find_item(const struct klp_extract *ex,
					enum klp_item_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < ex->nr_items; i++)
		if (ex->items[i].kind == kind && !strcmp(ex->items[i].name, name))
			return &ex->items[i];
	return NULL;
}

static bool text_has(const struct klp_extract *ex, const char *needle)
{
	size_t i;

	for (i = 0; i < ex->nr_items; i++)
		if (ex->items[i].text && strstr(ex->items[i].text, needle))
			return true;
	return false;
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/klp-extract-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	log_buf[0] = '\0';
	klp_set_log_fn(capture_log);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

static void test_rename_drops_static(void **state)
{
	static const char *f[] = { "foo", NULL };
	struct klp_extract *ex;
	const struct klp_item *it;

	(void)state;
	assert_int_equal(run("static inline int foo(int a)\n{\n\treturn a + 1;\n}\n", f, NULL, &ex), 0);
	it = find_item(ex, KLP_ITEM_PATCHED, "foo");
	assert_non_null(it);
	assert_string_equal(it->text, "int klpp_foo(int a)\n{\n\treturn a + 1;\n}");
	assert_int_equal(ex->nr_patched, 1);
	assert_string_equal(ex->patched[0].new_name, "klpp_foo");
	assert_string_equal(ex->patched[0].prototype, "int klpp_foo(int a)");
	klp_extract__free(ex);
}

/*
 * The shared header's prototypes use canonical types, so they need
 * nothing of the unit: function pointers and arrays through __typeof__,
 * enums as their integer type, va_list as the compiler's, struct tags
 * forward-declared.
 */
static void test_prototypes(void **state)
{
	static const char *f[] = { "cb", "vfmt", NULL };
	struct klp_extract *ex;

	(void)state;
	assert_int_equal(run("typedef unsigned long size_t;\n"
			     "typedef __builtin_va_list va_list;\n"
			     "enum mode { A, B };\n"
			     "struct dev;\n"
			     "typedef int (*handler_t)(struct dev *, void *);\n"
			     "static int cb(handler_t h, enum mode m, const char *s, size_t n, ...)\n"
			     "{ return h ? m + (int)n + s[0] : 0; }\n"
			     "int vfmt(char *buf, const char *fmt, va_list args)\n"
			     "{ return buf[0] + fmt[0] + (args != 0); }\n", f, NULL, &ex), 0);
	assert_int_equal(ex->nr_patched, 2);
	assert_string_equal(ex->patched[0].prototype,
			    "int klpp_cb(__typeof__(int (*)(struct dev *, void *)) h, unsigned int m, "
			    "const char *s, unsigned long n, ...)");
	assert_string_equal(ex->patched[1].prototype,
			    "int klpp_vfmt(char *buf, const char *fmt, __builtin_va_list args)");
	assert_int_equal(ex->nr_tags, 1);
	assert_string_equal(ex->tags[0], "struct dev");
	klp_extract__free(ex);
}

static void test_patched_calls_patched(void **state)
{
	static const char *f[] = { "a", "b", NULL };
	struct klp_extract *ex;

	(void)state;
	assert_int_equal(run("static int b(int);\n"
			     "int a(int x) { return b(x) * 2; }\n"
			     "static int b(int x) { return x - 1; }\n", f, NULL, &ex), 0);
	/* The new a calls the new b; b's forward declaration is not needed
	 * (the generated header declares every klpp_ function). */
	assert_true(text_has(ex, "int klpp_a(int x) { return klpp_b(x) * 2; }"));
	assert_true(text_has(ex, "int klpp_b(int x) { return x - 1; }"));
	assert_null(find_item(ex, KLP_ITEM_DECL, "b"));
	assert_int_equal(ex->nr_items, 2);
	klp_extract__free(ex);
}

static void test_closure_types(void **state)
{
	static const char *f[] = { "use", NULL };
	struct klp_extract *ex;

	(void)state;
	assert_int_equal(run("struct inner { int v; };\n"
			     "struct outer { struct inner in; };\n"
			     "typedef struct outer outer_t;\n"
			     "enum mode { MODE_A, MODE_B };\n"
			     "struct unused { int u; };\n"
			     "int use(outer_t *o) { return o->in.v == MODE_B; }\n", f, NULL, &ex), 0);
	assert_non_null(find_item(ex, KLP_ITEM_TYPE, "inner"));
	assert_non_null(find_item(ex, KLP_ITEM_TYPE, "outer"));
	assert_non_null(find_item(ex, KLP_ITEM_TYPE, "outer_t"));
	assert_non_null(find_item(ex, KLP_ITEM_TYPE, "mode"));
	assert_null(find_item(ex, KLP_ITEM_TYPE, "unused"));
	/* Source order, each with its ';'. */
	assert_string_equal(ex->items[0].text, "struct inner { int v; };");
	assert_string_equal(ex->items[3].text, "enum mode { MODE_A, MODE_B };");
	klp_extract__free(ex);
}

static void test_macros(void **state)
{
	static const char *f[] = { "show", NULL };
	struct klp_extract *ex;
	const struct klp_item *it;

	(void)state;
	write_file("print.h", "int printk(const char *fmt, ...);\n"
			      "#define pr_info(fmt, ...) printk(pr_fmt(fmt), ##__VA_ARGS__)\n");
	assert_int_equal(run("#define pr_fmt(fmt) \"unit: \" fmt\n"
			     "#include \"print.h\"\n"
			     "#define BASE 10\n"
			     "#define LIMIT (BASE * 2)\n"
			     "#define UNUSED 3\n"
			     "#define TWICE(x) \\\n\t((x) * 2)\n"
			     "void show(int v) { pr_info(\"%d\\n\", TWICE(v) + LIMIT); }\n",
			     f, NULL, &ex), 0);
	/* pr_fmt comes through the header's pr_info, BASE through LIMIT. */
	it = find_item(ex, KLP_ITEM_MACRO, "pr_fmt");
	assert_non_null(it);
	assert_string_equal(it->text, "#define pr_fmt(fmt) \"unit: \" fmt");
	assert_non_null(find_item(ex, KLP_ITEM_MACRO, "BASE"));
	assert_non_null(find_item(ex, KLP_ITEM_MACRO, "LIMIT"));
	it = find_item(ex, KLP_ITEM_MACRO, "TWICE");
	assert_non_null(it);
	assert_string_equal(it->text, "#define TWICE(x) \\\n\t((x) * 2)");
	assert_null(find_item(ex, KLP_ITEM_MACRO, "UNUSED"));
	/* The macro stays before the #include it configures. */
	assert_int_equal(ex->items[0].kind, KLP_ITEM_MACRO);
	assert_int_equal(ex->items[1].kind, KLP_ITEM_INCLUDE);
	assert_string_equal(ex->items[1].text, "#include \"print.h\"");
	klp_extract__free(ex);
}

/* Macros that configure a header the unit includes after them stay. */
static void test_config_macros(void **state)
{
	static const char *f[] = { "get", NULL };
	struct klp_extract *ex;

	(void)state;
	write_file("magic.h", "#ifdef INCLUDE_MAGIC\nstatic const int magic = 7;\n#endif\n");
	assert_int_equal(run("#define INCLUDE_MAGIC\n"
			     "#define CREATE_TRACE_POINTS\n"
			     "#include \"magic.h\"\n"
			     "#define LATER 1\n"
			     "int get(void) { return magic; }\n", f, NULL, &ex), 0);
	assert_non_null(find_item(ex, KLP_ITEM_MACRO, "INCLUDE_MAGIC"));
	assert_null(find_item(ex, KLP_ITEM_MACRO, "CREATE_TRACE_POINTS"));
	assert_null(find_item(ex, KLP_ITEM_MACRO, "LATER"));
	klp_extract__free(ex);
}

static void test_static_functions(void **state)
{
	static const char *f[] = { "entry", NULL };
	static const char *not_callable[] = { "inl", "deep", NULL };
	struct tables t = { .not_callable = not_callable };
	struct klp_extract *ex;
	const struct klp_item *it;

	(void)state;
	assert_int_equal(run("static int deep(int x) { return x + 3; }\n"
			     "static inline int inl(int x) { return deep(x) * 2; }\n"
			     "static int called(int x) { return x; }\n"
			     "int entry(int x) { return inl(x) + called(x); }\n", f, &t, &ex), 0);
	/* No symbol: copied, recursively.  A symbol: externalized. */
	assert_non_null(find_item(ex, KLP_ITEM_FUNC, "inl"));
	assert_non_null(find_item(ex, KLP_ITEM_FUNC, "deep"));
	assert_null(find_item(ex, KLP_ITEM_FUNC, "called"));
	it = find_item(ex, KLP_ITEM_EXTERN, "called");
	assert_non_null(it);
	assert_true(it->ext->is_func);
	assert_true(it->ext->local);
	assert_string_equal(it->ext->type, "int (int)");
	assert_string_equal(it->ext->object, "vmlinux");
	/* Source order: deep, inl, called, entry. */
	assert_string_equal(ex->items[0].name, "deep");
	assert_string_equal(ex->items[2].name, "called");
	klp_extract__free(ex);
}

static void test_forward_declared_copy(void **state)
{
	static const char *f[] = { "entry", NULL };
	static const char *not_callable[] = { "later", NULL };
	struct tables t = { .not_callable = not_callable };
	struct klp_extract *ex;

	(void)state;
	assert_int_equal(run("static int later(int);\n"
			     "int entry(int x) { return later(x); }\n"
			     "static int later(int x) { return -x; }\n", f, &t, &ex), 0);
	assert_int_equal(ex->nr_items, 3);
	assert_int_equal(ex->items[0].kind, KLP_ITEM_DECL);
	assert_string_equal(ex->items[0].text, "static int later(int);");
	assert_int_equal(ex->items[2].kind, KLP_ITEM_FUNC);
	klp_extract__free(ex);
}

static void test_static_data(void **state)
{
	static const char *f[] = { "get", NULL };
	static const char *no_data[] = { "folded", NULL };
	struct tables t = { .no_data = no_data, .dup_name = "counter" };
	struct klp_extract *ex;
	const struct klp_item *it;

	(void)state;
	assert_int_equal(run("struct state { int n; };\n"
			     "static struct state counter = { 5 };\n"
			     "static const int folded = 7;\n"
			     "int get(void) { return counter.n + folded; }\n", f, &t, &ex), 0);
	/* Never copied: the running kernel's instance, at its position. */
	it = find_item(ex, KLP_ITEM_EXTERN, "counter");
	assert_non_null(it);
	assert_false(it->ext->is_func);
	assert_string_equal(it->ext->type, "struct state");
	assert_int_equal(it->ext->pos, 2);
	assert_false(text_has(ex, "= { 5 }"));
	klp_extract__free(ex);

	/* Only its address taken: its typedef is still needed. */
	assert_int_equal(run("typedef struct { int n; } box_t;\n"
			     "static box_t box;\n"
			     "void *where(void) { return &box; }\n", (const char *[]){ "where", NULL },
			     &t, &ex), 0);
	assert_non_null(find_item(ex, KLP_ITEM_TYPE, "box_t"));
	it = find_item(ex, KLP_ITEM_EXTERN, "box");
	assert_non_null(it);
	assert_string_equal(it->ext->type, "box_t");
	klp_extract__free(ex);
	assert_int_equal(run("struct state { int n; };\n"
			     "static struct state counter = { 5 };\n"
			     "static const int folded = 7;\n"
			     "int get(void) { return counter.n + folded; }\n", f, &t, &ex), 0);
	assert_non_null(find_item(ex, KLP_ITEM_TYPE, "state"));
	/* Constant and folded away: the copy is the same value. */
	it = find_item(ex, KLP_ITEM_DATA, "folded");
	assert_non_null(it);
	assert_string_equal(it->text, "static const int folded = 7;");
	klp_extract__free(ex);
}

static void test_refuse_lost_data(void **state)
{
	static const char *f[] = { "get", NULL };
	static const char *no_data[] = { "gone", NULL };
	struct tables t = { .no_data = no_data };
	struct klp_extract *ex = NULL;

	(void)state;
	assert_int_equal(run("static int gone;\n"
			     "int get(void) { return gone++; }\n", f, &t, &ex), -EINVAL);
	assert_null(ex);
	assert_non_null(strstr(log_buf, "dir/unit.c:2: error: static variable 'gone' has no symbol"));
}

static void test_refuse_static_local(void **state)
{
	static const char *f[] = { "count", NULL };
	struct klp_extract *ex = NULL;

	(void)state;
	assert_int_equal(run("int count(void)\n{\n\tstatic int calls;\n\treturn ++calls;\n}\n",
			     f, NULL, &ex), -EINVAL);
	assert_non_null(strstr(log_buf, "dir/unit.c:3: error: static local variable 'calls' of 'count'"));
}

static void test_static_local_in_place(void **state)
{
	static const char *f[] = { "count", NULL };
	struct tables t = { .local_symbol = "calls.3" };
	struct klp_extract *ex;

	(void)state;
	assert_int_equal(run("int count(void)\n{\n\tstatic int calls = 5;\n\treturn ++calls;\n}\n",
			     f, &t, &ex), 0);
	/* The original's, declared where the static was, initializer gone. */
	assert_string_equal(ex->items[0].text,
			    "int klpp_count(void)\n{\n\tEXT(calls, vmlinux.calls.3,0, int);\n"
			    "\treturn ++calls;\n}");
	assert_int_equal(ex->nr_externs, 1);
	assert_true(ex->externs[0].static_local);
	klp_extract__free(ex);
}

static void test_static_local_new_or_folded(void **state)
{
	static const char *f[] = { "count", NULL };
	struct klp_line_range added = { 3, 3 };
	struct tables t = { 0 };
	struct klp_extract *ex;

	(void)state;
	/* Added by the fix: no original, the module's own. */
	assert_int_equal(run_added("int count(void)\n{\n\tstatic int calls;\n\treturn ++calls;\n}\n",
				   f, &t, &added, 1, &ex), 0);
	assert_non_null(strstr(ex->items[0].text, "\tstatic int calls;\n"));
	klp_extract__free(ex);
	/* Constant, folded away in the original: the same value. */
	assert_int_equal(run("int count(int i)\n{\n\tstatic const int tab[] = { 1, 2 };\n"
			     "\treturn tab[i];\n}\n", f, &t, &ex), 0);
	assert_non_null(strstr(ex->items[0].text, "static const int tab[] = { 1, 2 };"));
	klp_extract__free(ex);
	/* Neither: refused. */
	assert_int_equal(run("int count(void)\n{\n\tstatic int calls;\n\treturn ++calls;\n}\n",
			     f, &t, &ex), -EINVAL);
	assert_non_null(strstr(log_buf, "dir/unit.c:3: error: static local variable 'calls' of "
				       "'count': the original's cannot be found"));
}

/* The kernel's per-CPU definitions, as include/linux/percpu-defs.h has them. */
static const char percpu_h[] =
	"#define __percpu\n"
	"#define __PCPU_ATTRS(sec) __percpu __attribute__((section(\".data..percpu\" sec)))\n"
	"#define DECLARE_PER_CPU_SECTION(type, name, sec) extern __PCPU_ATTRS(sec) "
	"__typeof__(type) name\n"
	"#define DEFINE_PER_CPU_SECTION(type, name, sec) __PCPU_ATTRS(sec) __typeof__(type) name\n"
	"#define DECLARE_PER_CPU(type, name) DECLARE_PER_CPU_SECTION(type, name, \"\")\n"
	"#define DEFINE_PER_CPU(type, name) DEFINE_PER_CPU_SECTION(type, name, \"\")\n"
	"#define DEFINE_PER_CPU_READ_MOSTLY(type, name) "
	"DEFINE_PER_CPU_SECTION(type, name, \"..read_mostly\")\n"
	"#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) "
	"DEFINE_PER_CPU_SECTION(type, name, \"..shared_aligned\") __attribute__((aligned(64)))\n"
	"#define this_cpu_inc(pcp) ((pcp)++)\n"
	"DECLARE_PER_CPU(int, declared);\n"
	"DECLARE_PER_CPU(int, exported_pcp);\n";

/*
 * A per-CPU variable of the unit, static or not, is the running kernel's:
 * externalized and marked per_cpu (generate declares it as
 * DECLARE_PER_CPU() does), whatever DEFINE_PER_CPU_* defined it.  One a
 * header declares keeps the header's declaration (typeof, per_cpu not
 * set); an exported one is left to the header; a __percpu pointer is
 * ordinary data.
 */
static void test_percpu_externalized(void **state)
{
	static const char *f[] = { "use", NULL };
	static const char *exported[] = { "exported_pcp", NULL };
	static const struct {
		const char *name, *type;
		bool local, per_cpu;
	} want[] = {
		{ "hits", "int", true, true },
		{ "mostly", "long", true, true },
		{ "shared", "struct stats", true, true },
		{ "unit_global", "unsigned int", false, true },
		{ "declared", "declared", false, false },
		{ "counters", "int *", true, false },
	};
	struct tables t = { .exported = exported };
	struct klp_extract *ex;
	size_t i;

	(void)state;
	write_file("percpu.h", percpu_h);
	assert_int_equal(run("#define CONFIG_SMP 1\n"
			     "#include \"percpu.h\"\n"
			     "struct stats { long n; };\n"
			     "static DEFINE_PER_CPU(int, hits);\n"
			     "static DEFINE_PER_CPU_READ_MOSTLY(long, mostly);\n"
			     "static DEFINE_PER_CPU_SHARED_ALIGNED(struct stats, shared);\n"
			     "DEFINE_PER_CPU(unsigned int, unit_global);\n"
			     "DEFINE_PER_CPU(int, declared);\n"
			     "DEFINE_PER_CPU(int, exported_pcp);\n"
			     "static int __percpu *counters;\n"
			     "int use(void)\n{\n"
			     "\tthis_cpu_inc(hits);\n"
			     "\treturn hits + mostly + shared.n + unit_global + declared +\n"
			     "\t       exported_pcp + *counters;\n}\n", f, &t, &ex), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct klp_item *it = find_item(ex, KLP_ITEM_EXTERN, want[i].name);

		assert_non_null(it);
		assert_string_equal(it->ext->object, "vmlinux");
		assert_non_null(strstr(it->ext->type, want[i].type));
		assert_int_equal(it->ext->local, want[i].local);
		assert_int_equal(it->ext->per_cpu, want[i].per_cpu);
	}
	assert_null(find_item(ex, KLP_ITEM_EXTERN, "exported_pcp"));
	/* Declared, never copied: the definitions are the running kernel's. */
	assert_false(text_has(ex, "DEFINE_PER_CPU"));
	assert_string_equal(log_buf, "");
	klp_extract__free(ex);
}

/* __init/__exit code and data are gone after boot: refused. */
static void test_refuse_init(void **state)
{
	static const char *f[] = { "use", NULL };
	struct klp_extract *ex = NULL;

	(void)state;
	write_file("init.h", "#define __init __attribute__((section(\".init.text\")))\n"
			     "#define __initdata __attribute__((section(\".init.data\")))\n");
	assert_int_equal(run("#include \"init.h\"\n"
			     "static int __initdata boot_hits;\n"
			     "static int __init setup(void) { return 1; }\n"
			     "int use(void) { return boot_hits + setup(); }\n", f, NULL, &ex), -EINVAL);
	assert_non_null(strstr(log_buf, "dir/unit.c:4: error: 'boot_hits' is __init/__exit data"));
	assert_non_null(strstr(log_buf, "dir/unit.c:4: error: 'setup' is __init/__exit code"));
}

/* Without CONFIG_SMP a per-CPU variable is declared the same way. */
static void test_percpu_up(void **state)
{
	static const char *f[] = { "use", NULL };
	struct klp_extract *ex;
	const struct klp_item *it;

	(void)state;
	write_file("percpu.h", "#define DEFINE_PER_CPU(type, name) "
			       "__attribute__((section(\".data\"))) type name\n");
	assert_int_equal(run("#include \"percpu.h\"\n"
			     "static DEFINE_PER_CPU(int, hits);\n"
			     "int use(void) { return hits; }\n", f, NULL, &ex), 0);
	it = find_item(ex, KLP_ITEM_EXTERN, "hits");
	assert_non_null(it);
	assert_true(it->ext->per_cpu);
	klp_extract__free(ex);
}

/*
 * What the compiler makes, or keeps in a register, is no symbol of the
 * running kernel: no extern, and no "neither exported nor found" warning
 * a kernel engineer would learn to ignore (every kernel build printed
 * them for __builtin_expect, __compiletime_assert_N and
 * current_stack_pointer).  A function no linked part of the kernel
 * defines (__bad_size_call_parameter, behind a size check) is a note, for
 * -v; a header's extern inline (__fortify_strlen) is no symbol at all.
 */
static void test_compiler_made_names(void **state)
{
	static const char *f[] = { "use", NULL };
	static const char *missing[] = { "__builtin_expect", "__compiletime_assert_7",
					 "current_stack_pointer", "gone_fn", "fortified", NULL };
	struct tables t = { .exported = missing + 5, .missing = missing };
	struct klp_extract *ex;

	(void)state;
	write_file("c.h", "extern void __compiletime_assert_7(void) "
			  "__attribute__((__error__(\"too big\")));\n"
			  "register unsigned long current_stack_pointer __asm__(\"rsp\");\n"
			  "int gone_fn(int);\n"
			  "extern inline __attribute__((gnu_inline)) int fortified(int x) "
			  "{ return x + 1; }\n");
	assert_int_equal(run("#include \"c.h\"\n"
			     "int use(int x)\n"
			     "{\n"
			     "\tif (__builtin_expect(x > 4, 0))\n"
			     "\t\t__compiletime_assert_7();\n"
			     "\treturn gone_fn(x) + fortified(x) + (int)current_stack_pointer;\n"
			     "}\n", f, &t, &ex), 0);
	assert_null(find_item(ex, KLP_ITEM_EXTERN, "__builtin_expect"));
	assert_null(find_item(ex, KLP_ITEM_EXTERN, "__compiletime_assert_7"));
	assert_null(find_item(ex, KLP_ITEM_EXTERN, "current_stack_pointer"));
	assert_null(strstr(log_buf, "__builtin_expect"));
	assert_null(strstr(log_buf, "__compiletime_assert_7"));
	assert_null(strstr(log_buf, "current_stack_pointer"));
	assert_null(find_item(ex, KLP_ITEM_EXTERN, "fortified"));
	assert_null(strstr(log_buf, "fortified"));
	assert_null(strstr(log_buf, "warning"));
	assert_non_null(strstr(log_buf, "note: 'gone_fn' is neither exported nor found"));
	klp_extract__free(ex);
}

static void test_globals(void **state)
{
	static const char *f[] = { "use", NULL };
	static const char *exported[] = { "exported_fn", NULL };
	struct tables t = { .exported = exported };
	struct klp_extract *ex;
	const struct klp_item *it;

	(void)state;
	write_file("g.h", "extern char *boot_line;\n"
			  "int exported_fn(int);\n"
			  "int private_fn(int);\n"
			  "extern int trace_key;\n"
			  "static inline int traced(void) { return trace_key; }\n");
	assert_int_equal(run("#include \"g.h\"\n"
			     "int use(void) { return boot_line[0] + exported_fn(1) + "
			     "private_fn(2) + traced(); }\n", f, &t, &ex), 0);
	/* Declared by a header: declared again by name, after the includes. */
	it = find_item(ex, KLP_ITEM_EXTERN, "boot_line");
	assert_non_null(it);
	assert_string_equal(it->ext->type, "boot_line");
	assert_false(it->ext->local);
	assert_non_null(find_item(ex, KLP_ITEM_EXTERN, "private_fn"));
	assert_null(find_item(ex, KLP_ITEM_EXTERN, "exported_fn"));
	/* Reached only through a header's inline body. */
	assert_non_null(find_item(ex, KLP_ITEM_EXTERN, "trace_key"));
	assert_int_equal(ex->items[0].kind, KLP_ITEM_INCLUDE);
	assert_int_equal(ex->items[1].kind, KLP_ITEM_EXTERN);
	klp_extract__free(ex);
}

static void test_unknown_and_uncallable(void **state)
{
	static const char *f[] = { "nosuch", "inl", NULL };
	static const char *not_callable[] = { "inl", NULL };
	struct tables t = { .not_callable = not_callable };
	struct klp_extract *ex = NULL;

	(void)state;
	assert_int_equal(run("static inline int inl(void) { return 1; }\n", f, &t, &ex), -EINVAL);
	assert_non_null(strstr(log_buf, "dir/unit.c: error: no definition of 'nosuch'"));
	assert_non_null(strstr(log_buf, "dir/unit.c:1: error: 'inl' has no callable symbol"));
}

static void test_struct_with_variable(void **state)
{
	static const char *f[] = { "get", NULL };
	struct klp_extract *ex;

	(void)state;
	assert_int_equal(run("static struct cfg { int a; } cfg;\n"
			     "int get(void) { return cfg.a; }\n", f, NULL, &ex), 0);
	/* The type is copied without the variable, which is the kernel's. */
	assert_string_equal(ex->items[0].text, "struct cfg { int a; };");
	assert_non_null(find_item(ex, KLP_ITEM_EXTERN, "cfg"));
	klp_extract__free(ex);
}

static void test_functions_in_ranges(void **state)
{
	static const char *argv[] = { "-std=gnu11" };
	struct klp_line_range r[] = { { 2, 2 }, { 9, 10 } };
	struct klp_parse_opts po = { 0 };
	static const char src[] =
		"int one(void)\n{\n\treturn 1;\n}\n"	/* 1-4 */
		"int two(void)\n{\n\treturn 2;\n}\n"	/* 5-8 */
		"int three(void)\n{\n\treturn 3;\n}\n";	/* 9-12 */
	char path[128], **names;
	struct klp_tu *tu;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/lines.c", tmpdir);
	po.file = path;
	po.argv = argv;
	po.argc = 1;
	po.contents = src;	/* the file need not exist: patched text */
	po.size = strlen(src);
	assert_int_equal(klp_tu__parse(&po, &tu), 0);
	assert_int_equal(klp_tu__functions_in(tu, r, 2, &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "one");
	assert_string_equal(names[1], "three");
	klp_strv_free(names, n);
	klp_tu__free(tu);
}

/* Parse @src as the unit's text (the file need not exist). */
static struct klp_tu *parse_text(const char *src)
{
	static const char *argv[] = { "-std=gnu11" };
	struct klp_parse_opts po = { 0 };
	char path[128];
	struct klp_tu *tu = NULL;

	snprintf(path, sizeof(path), "%s/unit.c", tmpdir);
	po.file = path;
	po.display_name = "dir/unit.c";
	po.argv = argv;
	po.argc = 1;
	po.contents = src;
	po.size = strlen(src);
	assert_int_equal(klp_tu__parse(&po, &tu), 0);
	return tu;
}

static char *orig_sig(void *ctx, const char *name)
{
	return klp_tu__signature(ctx, name);
}

/* Extract "f" from @patched with line 1 added, @orig the original. */
static int run_signature(const char *orig, const char *patched)
{
	static const char *f[] = { "f", NULL };
	struct klp_line_range added = { 1, 1 };
	struct klp_extract_opts eo = { 0 };
	struct klp_tu *otu = parse_text(orig), *tu = parse_text(patched);
	struct klp_extract *ex = NULL;
	int err;

	eo.functions = f;
	eo.nr_functions = 1;
	eo.added = &added;
	eo.nr_added = 1;
	eo.orig_signature = orig_sig;
	eo.orig_ctx = otu;
	err = klp_tu__extract(tu, &eo, &ex);
	klp_extract__free(ex);
	klp_tu__free(tu);
	klp_tu__free(otu);
	return err;
}

/*
 * A signature is what a caller compiled against the old function relies
 * on: return type, parameter types, variadic-ness, calling convention.
 * Attributes of the function itself (inlining, optimization, placement,
 * tracing) change none of it: kpatch's fixes add them to the line of
 * the name.
 */
static void test_signature(void **state)
{
	static const char orig[] = "long f(int x, char *p)\n{\n\treturn x + *p;\n}\n";
	static const char *const same[] = {
		"__attribute__((noinline)) long f(int x, char *p)\n{\n\treturn x + *p;\n}\n",
		"__attribute__((optimize(\"-fno-optimize-sibling-calls\"))) long f(int x, char *p)\n"
		"{\n\treturn x + *p;\n}\n",
		"__attribute__((cold, section(\".text.unlikely\"), no_instrument_function)) "
		"long f(int y, char *q)\n{\n\treturn y - *q;\n}\n",
		"typedef long ret_t; ret_t __attribute__((noinline)) f(int x, char *p)\n"
		"{\n\treturn x;\n}\n",
	};
	static const char *const changed[] = {
		"long f(int x, char *p, int y)\n{\n\treturn x + *p + y;\n}\n",
		"int f(int x, char *p)\n{\n\treturn x + *p;\n}\n",
		"long f(long x, char *p)\n{\n\treturn x + *p;\n}\n",
		"long f(int x, char *p, ...)\n{\n\treturn x + *p;\n}\n",
		"__attribute__((ms_abi)) long f(int x, char *p)\n{\n\treturn x + *p;\n}\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		log_buf[0] = '\0';
		assert_int_equal(run_signature(orig, same[i]), 0);
		assert_null(strstr(log_buf, "error"));
	}
	for (i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
		log_buf[0] = '\0';
		assert_int_equal(run_signature(orig, changed[i]), -EINVAL);
		assert_non_null(strstr(log_buf, "dir/unit.c:1: error: the fix changes the "
					       "signature of 'f'"));
	}
	/* No original to compare with: any change of those lines is refused. */
	log_buf[0] = '\0';
	assert_int_equal(run_signature("int g(void)\n{\n\treturn 0;\n}\n", same[0]), -EINVAL);
}

/*
 * Functions new in the fix: the module's own code.  One not static
 * becomes static (with its declaration), what it needs is extracted as
 * for a patched function, a patched function it calls is the new copy,
 * and none of them is a patched function.
 */
static void test_new_functions(void **state)
{
	static const char *f[] = { "entry", "other", NULL };
	static const char *new_fns[] = { "helper", "quiet", "unused" };
	struct klp_extract_opts eo = { 0 };
	struct klp_extract *ex = NULL;
	const struct klp_item *it;
	struct klp_tu *tu;

	(void)state;
	tu = parse_text("static int counter;\n"
			"static inline int twice(int x) { return 2 * x; }\n"
			"int helper(int x);\n"
			"int other(int x) { return x - 1; }\n"
			"static int quiet(void) { return 0; }\n"
			"int entry(int x) { return helper(x) + quiet(); }\n"
			"__attribute__((noinline)) int helper(int x)\n"
			"{\n\tcounter++;\n\treturn other(twice(x));\n}\n"
			"int unused(void) { return 1; }\n");
	eo.functions = f;
	eo.nr_functions = 2;
	eo.new_functions = new_fns;
	eo.nr_new_functions = 3;
	assert_int_equal(klp_tu__extract(tu, &eo, &ex), 0);
	it = find_item(ex, KLP_ITEM_FUNC, "helper");
	assert_non_null(it);
	assert_non_null(strstr(it->text, "static __attribute__((noinline)) int helper(int x)"));
	assert_non_null(strstr(it->text, "return klpp_other(twice(x));"));
	it = find_item(ex, KLP_ITEM_DECL, "helper");
	assert_non_null(it);
	assert_string_equal(it->text, "static int helper(int x);");
	it = find_item(ex, KLP_ITEM_FUNC, "quiet");
	assert_non_null(it);
	assert_string_equal(it->text, "static int quiet(void) { return 0; }");
	/* Its own needs: the helper's inline callee copied, its data the kernel's. */
	assert_non_null(find_item(ex, KLP_ITEM_FUNC, "twice"));
	assert_non_null(find_item(ex, KLP_ITEM_EXTERN, "counter"));
	/* Not called by patched code: not in the module. */
	assert_null(find_item(ex, KLP_ITEM_FUNC, "unused"));
	assert_int_equal(ex->nr_patched, 2);
	assert_string_equal(ex->patched[0].name, "entry");
	assert_string_equal(ex->patched[1].name, "other");
	assert_non_null(strstr(log_buf, "dir/unit.c:7: note: 'helper' is new in the fix: "
				       "the livepatch makes it static"));
	assert_null(strstr(log_buf, "'quiet' is new"));
	klp_extract__free(ex);
	klp_tu__free(tu);
}

static void test_parse_error_in_unit(void **state)
{
	static const char *f[] = { "x", NULL };
	struct klp_extract *ex = NULL;

	(void)state;
	assert_int_equal(run("int x(void) { return undeclared; }\n", f, NULL, &ex), -EINVAL);
	assert_non_null(strstr(log_buf, "dir/unit.c:1:22: error:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rename_drops_static, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prototypes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patched_calls_patched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closure_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_macros, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_macros, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_declared_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_lost_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_static_local, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_local_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_local_new_or_folded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_percpu_externalized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_percpu_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compiler_made_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_globals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_uncallable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_struct_with_variable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions_in_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_error_in_unit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_functions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
