// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reader_test.c - libklp_prep's ELF reader and checks on real ELF files
 *
 * The files are made at test time with the real toolchain: gcc-12
 * assembles symbols named as GCC names clones (top-level asm, so no
 * plugin is needed and the symbols are exactly known), objcopy adds a
 * .klp_prep.partition section holding blocks this test encodes, ld -r
 * links several.  Bad inputs: a non-ELF file, truncated ELF, corrupt and
 * future-version sections, an object without the section.
 */
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
#include <gelf.h>

#include <klp_prep/check.h>
#include <klp_prep/log.h>
#include <klp_prep/object.h>

#include "format_blocks.h"

static char dir[] = "/tmp/klp-reader-test.XXXXXX";
#include "scratch_dir.h"

/* ---- making files ------------------------------------------------------ */

static void write_file(const char *name, const void *data, size_t size)
{
	FILE *f = fopen(path(name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

/*
 * Assemble function symbols into subdir/FILE.o; subdir/FILE.c is named
 * like the unit's source so the STT_FILE symbol matches it.  @spec:
 * "section name bind" triples, "=alias target" for a local alias.
 */
static void make_symbols(const char *subdir, const char *file,
			 const char *const *spec, const char *out)
{
	char src[512];
	FILE *f;

	run("mkdir -p %s/%s", dir, subdir);
	snprintf(src, sizeof(src), "%s/%s", subdir, file);
	f = fopen(path(src), "w");
	assert_non_null(f);
	fprintf(f, "__asm__(\n");
	for (; *spec; spec++) {
		char sect[128], name[128], bind[16];

		if (sscanf(*spec, "=%127s %127s", name, sect) == 2) {
			fprintf(f, "\"\\t.local %s\\n\\t.set %s, %s\\n\\t.type %s, @function\\n\"\n",
				name, name, sect, name);
			continue;
		}
		assert_int_equal(sscanf(*spec, "%127s %127s %15s", sect, name,
					bind), 3);
		fprintf(f, "\"\\t.section %s,\\\"ax\\\",@progbits\\n\\t.%s %s\\n\\t.type %s, @function\\n%s:\\n\\tret\\n\\t.size %s, .-%s\\n\"\n",
			sect, bind, name, name, name, name, name);
	}
	fprintf(f, ");\n");
	assert_int_equal(fclose(f), 0);
	run("cd %s && %s -c %s -o %s", dir, KLP_TEST_GCC, src, out);
}

static void add_section(const char *in, const char *blocks, const char *out)
{
	run("%s --add-section .klp_prep.partition=%s --set-section-flags .klp_prep.partition=readonly,contents %s %s",
	    KLP_TEST_OBJCOPY, path(blocks), path(in), path(out));
}

static void write_units(const char *name, const struct klp_unit *units,
			size_t nr, size_t padding)
{
	unsigned char *section = NULL;
	size_t size = 0, i;

	for (i = 0; i < nr; i++) {
		void *block;
		size_t n;

		assert_int_equal(klp_unit__encode(&units[i], &block, &n), 0);
		section = realloc(section, size + n + padding);
		assert_non_null(section);
		memcpy(section + size, block, n);
		memset(section + size + n, 0, padding);
		size += n + padding;
		free(block);
	}
	write_file(name, section, size);
	free(section);
}

static const char *const rich_symbols[] = {
	".text foo local",
	".text.unlikely foo.cold local",
	".text foo.constprop.0.isra.0 local",
	".text.unlikely foo.constprop.0.isra.0.cold local",
	".text bar globl",
	"=bar.localalias bar",
	".text.qux_sect qux.part.0 local",
	NULL,
};

static const char *const second_symbols[] = {
	".text foo local",
	".text.unlikely foo.cold local",
	".text foo.isra.0 local",
	".text main_c globl",
	NULL,
};

/* ---- capturing the library's messages --------------------------------- */

static char messages[16384];

static int capture(enum klp_log_level level,
		const struct klp_log_context *ctx, const char *fmt,
		va_list args)
{
	(void)ctx;
	size_t used = strlen(messages);

	(void)level;
	if (used < sizeof(messages))
		vsnprintf(messages + used, sizeof(messages) - used, fmt, args);
	return 0;
}

struct mismatches {
	char text[8192];
	int nr;
};

static void collect(const struct klp_mismatch *m, void *ctx)
{
	struct mismatches *all = ctx;
	size_t used = strlen(all->text);

	snprintf(all->text + used, sizeof(all->text) - used, "%s%s\n",
		 m->source == KLP_CHECK_DWARF ? "dwarf: " : "", m->message);
	all->nr++;
}

static int check(const char *name, unsigned int flags, struct mismatches *all)
{
	struct klp_objfile *obj = klp_objfile__open(path(name), 0);
	int ret;

	assert_non_null(obj);
	memset(all, 0, sizeof(*all));
	ret = klp_objfile__check(obj, flags, collect, all, NULL);
	klp_objfile__free(obj);
	if (ret > 0)
		print_message("%s", all->text);
	return ret;
}

/* ---- fixtures ---------------------------------------------------------- */

static int setup(void **state)
{
	struct klp_unit rich = rich_unit(), second = second_unit();
	struct klp_unit both[2] = { rich_unit(), second_unit() };

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	klp_set_log_fn(capture);

	make_symbols("demo", "a.c", rich_symbols, "plain_a.o");
	make_symbols("demo2", "c.c", second_symbols, "plain_c.o");
	write_units("rich.bin", &rich, 1, 0);
	write_units("second.bin", &second, 1, 0);
	write_units("padded.bin", both, 2, 5);
	add_section("plain_a.o", "rich.bin", "a.o");
	add_section("plain_c.o", "second.bin", "c.o");
	add_section("plain_c.o", "padded.bin", "padded.o");
	run("%s -r %s %s -o %s", KLP_TEST_LD, path("a.o"), path("c.o"),
	    path("ar.o"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	run("rm -rf %s", dir);
	return 0;
}

static void reset_messages(void)
{
	messages[0] = '\0';
}

/* ---- tests ------------------------------------------------------------- */

static void test_object_with_records(void **state)
{
	struct klp_objfile *obj = klp_objfile__open(path("a.o"), 0);
	const struct klp_symbol *sym;
	const struct klp_unit *unit;
	size_t i, n = 0;

	(void)state;
	assert_non_null(obj);
	assert_true(klp_objfile__has_records(obj));
	assert_true(klp_objfile__has_symtab(obj));
	assert_int_equal(klp_objfile__elf_type(obj), ET_REL);
	assert_int_equal(klp_objfile__nr_units(obj), 1);
	klp_objfile__for_each_unit(obj, i, unit)
		n++;
	assert_int_equal(n, 1);
	unit = klp_objfile__unit(obj, 0);
	assert_string_equal(unit->source, "demo/a.c");
	assert_int_equal(unit->nr_funcs, 6);
	assert_null(klp_objfile__unit(obj, 1));

	/* Seven function symbols, .symtab order: locals, then bar. */
	assert_int_equal(klp_objfile__nr_symbols(obj), 7);
	assert_string_equal(klp_objfile__symbol(obj, 0)->name, "foo");
	assert_string_equal(klp_objfile__symbol(obj, 6)->name, "bar");

	sym = klp_objfile__find_symbol_by_name(obj, "foo.cold");
	assert_non_null(sym);
	assert_string_equal(sym->section, ".text.unlikely");
	assert_int_equal(sym->bind, STB_LOCAL);
	assert_int_equal(sym->type, STT_FUNC);
	assert_int_equal(sym->size, 1);
	assert_int_equal(klp_objfile__nr_files(obj), 1);
	assert_string_equal(klp_objfile__file_name(obj, sym->file), "a.c");
	assert_int_equal(klp_objfile__unit_file(obj, 0), sym->file);

	sym = klp_objfile__find_symbol_by_name(obj, "bar");
	assert_non_null(sym);
	assert_int_equal(sym->bind, STB_GLOBAL);
	assert_int_equal(sym->file, 0);
	assert_int_equal(klp_objfile__find_symbol_by_name(obj,
			 "bar.localalias")->value, sym->value);
	assert_null(klp_objfile__next_symbol_by_name(obj, sym));
	assert_null(klp_objfile__find_symbol_by_name(obj, "nothing"));
	assert_null(klp_objfile__find_symbol_by_name(obj, "fo"));

	assert_non_null(klp_unit__find_func(unit, "qux.part.0"));
	assert_ptr_equal(klp_unit__find_func_by_cold(unit, "foo.cold"),
			 &unit->funcs[0]);
	assert_null(klp_unit__find_func(unit, "foo.cold"));
	klp_objfile__free(obj);
}

/* ld -r: two units, and a static foo (and foo.cold) in each. */
static void test_ld_r_keeps_units_and_file_groups(void **state)
{
	struct klp_objfile *obj = klp_objfile__open(path("ar.o"), 0);
	const struct klp_symbol *sym, *first = NULL;
	unsigned int a, c;
	int n = 0;

	(void)state;
	assert_non_null(obj);
	assert_int_equal(klp_objfile__nr_units(obj), 2);
	assert_string_equal(klp_objfile__unit(obj, 0)->source, "demo/a.c");
	assert_string_equal(klp_objfile__unit(obj, 1)->source, "demo/c.c");
	assert_int_equal(klp_objfile__unit(obj, 1)->block_offset,
			 klp_objfile__unit(obj, 0)->block_size);
	a = klp_objfile__unit_file(obj, 0);
	c = klp_objfile__unit_file(obj, 1);
	assert_string_equal(klp_objfile__file_name(obj, a), "a.c");
	assert_string_equal(klp_objfile__file_name(obj, c), "c.c");

	klp_objfile__for_each_symbol_by_name(obj, "foo.cold", sym) {
		if (!first)
			first = sym;
		else
			assert_true(sym->sym_index > first->sym_index);
		assert_int_equal(sym->file, n ? c : a);
		n++;
	}
	assert_int_equal(n, 2);
	klp_objfile__free(obj);
}

/*
 * Two units of one basename whose blocks come in the other order than
 * their STT_FILE groups (GNU ld need not keep link order): each unit is
 * tied to the group holding its local symbols, not to its rank.
 */
static void test_units_tied_to_groups_by_content(void **state)
{
	struct klp_unit units[2] = { second_unit(), rich_unit() };
	struct klp_objfile *obj;
	struct mismatches all;
	const struct klp_symbol *isra;

	(void)state;
	units[0].source = "demo2/a.c";		/* the same basename as rich's */
	make_symbols("r1", "a.c", rich_symbols, "plain_r1.o");
	make_symbols("r2", "a.c", second_symbols, "plain_r2.o");
	run("%s -r %s %s -o %s", KLP_TEST_LD, path("plain_r1.o"),
	    path("plain_r2.o"), path("plain_rr.o"));
	write_units("reversed.bin", units, 2, 0);
	add_section("plain_rr.o", "reversed.bin", "reversed.o");

	obj = klp_objfile__open(path("reversed.o"), 0);
	assert_non_null(obj);
	assert_int_equal(klp_objfile__nr_files(obj), 2);
	isra = klp_objfile__find_symbol_by_name(obj, "foo.isra.0");
	assert_non_null(isra);
	assert_int_equal(klp_objfile__unit_file(obj, 0), isra->file);
	assert_int_equal(klp_objfile__unit_file(obj, 0), 2);
	assert_int_equal(klp_objfile__unit_file(obj, 1), 1);
	klp_objfile__free(obj);
	assert_int_equal(check("reversed.o", 0, &all), 0);
}

static const char *const foo_symbols[] = {
	".text foo local",
	".text.unlikely foo.cold local",
	NULL,
};

/* The second unit cut to its static foo and foo.cold, from @source. */
static struct klp_unit foo_unit(const char *source)
{
	struct klp_unit u = second_unit();

	u.source = source;
	u.nr_funcs = 1;
	u.nr_calls = 0;
	return u;
}

/*
 * As above, but the first unit's symbols (foo, foo.cold) are also in the
 * group before its own, the other unit's (foo, foo.cold, foo.isra.0):
 * the first group that holds them is the wrong one.  Only the other unit
 * fits one group alone; that leaves the first unit its own.
 */
static void test_unit_whose_symbols_fit_another_group(void **state)
{
	struct klp_unit units[2] = { foo_unit("demo3/b.c"), second_unit() };
	struct klp_objfile *obj;
	const struct klp_symbol *sym, *mine = NULL;
	unsigned int file;

	(void)state;
	units[1].source = "demo2/b.c";
	make_symbols("s2", "b.c", second_symbols, "plain_s2.o");
	make_symbols("s3", "b.c", foo_symbols, "plain_s3.o");
	run("%s -r %s %s -o %s", KLP_TEST_LD, path("plain_s2.o"),
	    path("plain_s3.o"), path("plain_s23.o"));
	write_units("subset.bin", units, 2, 0);
	add_section("plain_s23.o", "subset.bin", "subset.o");

	obj = klp_objfile__open(path("subset.o"), 0);
	assert_non_null(obj);
	assert_int_equal(klp_objfile__nr_files(obj), 2);
	assert_int_equal(klp_objfile__unit_file(obj, 0), 2);
	assert_int_equal(klp_objfile__unit_file(obj, 1), 1);
	/* The first unit's foo.cold is the one linked second. */
	file = klp_objfile__unit_file(obj, 0);
	klp_objfile__for_each_symbol_by_name(obj, "foo.cold", sym)
		if (sym->file == file)
			mine = sym;
	assert_non_null(mine);
	assert_ptr_equal(klp_objfile__next_symbol_by_name(obj,
			 klp_objfile__find_symbol_by_name(obj, "foo.cold")), mine);
	klp_objfile__free(obj);
}

/*
 * Two units of one basename with the same local symbols: either could own
 * either group.  Neither is tied rather than one guessed.
 */
static void test_units_alike_stay_untied(void **state)
{
	struct klp_unit units[2] = { foo_unit("demo4/d.c"),
				     foo_unit("demo5/d.c") };
	struct klp_objfile *obj;

	(void)state;
	make_symbols("s4", "d.c", foo_symbols, "plain_s4.o");
	make_symbols("s5", "d.c", foo_symbols, "plain_s5.o");
	run("%s -r %s %s -o %s", KLP_TEST_LD, path("plain_s4.o"),
	    path("plain_s5.o"), path("plain_s45.o"));
	write_units("alike.bin", units, 2, 0);
	add_section("plain_s45.o", "alike.bin", "alike.o");

	obj = klp_objfile__open(path("alike.o"), 0);
	assert_non_null(obj);
	assert_int_equal(klp_objfile__nr_files(obj), 2);
	assert_int_equal(klp_objfile__unit_file(obj, 0), 0);
	assert_int_equal(klp_objfile__unit_file(obj, 1), 0);
	klp_objfile__free(obj);
}

static void test_padded_blocks(void **state)
{
	struct klp_objfile *obj = klp_objfile__open(path("padded.o"), 0);

	(void)state;
	assert_non_null(obj);
	assert_int_equal(klp_objfile__nr_units(obj), 2);
	assert_string_equal(klp_objfile__unit(obj, 1)->source, "demo/c.c");
	klp_objfile__free(obj);
}

static void test_check_clean(void **state)
{
	struct klp_check_stats stats;
	struct mismatches all;
	struct klp_objfile *obj;

	(void)state;
	assert_int_equal(check("a.o", 0, &all), 0);
	assert_int_equal(check("c.o", 0, &all), 0);
	assert_int_equal(check("ar.o", 0, &all), 0);

	obj = klp_objfile__open(path("ar.o"), 0);
	assert_non_null(obj);
	assert_int_equal(klp_objfile__check(obj, 0, NULL, NULL, &stats), 0);
	/* 5 + 2 suffixed symbols; 5 + 3 emitted records; no -g. */
	assert_int_equal(stats.symbols, 7);
	assert_int_equal(stats.records, 8);
	assert_false(stats.dwarf);
	klp_objfile__free(obj);
}

/*
 * Symbols that disagree with the rich unit's records, one way each; the
 * user would see exactly these lines.
 */
static void test_check_symbol_mismatches(void **state)
{
	static const char *const symbols[] = {
		".text foo local",
		/* foo.cold missing */
		".text.other foo.constprop.0.isra.0 local",
		".text.unlikely foo.constprop.0.isra.0.cold local",
		".text bar local",			/* not global */
		".text bar_other globl",
		"=bar.localalias bar_other",		/* wrong target */
		".text.qux_sect qux.part.0 local",
		".text foo.isra.1 local",		/* no record */
		".text.unlikely qux.cold local",	/* nobody's cold part */
		".text baz.part.0 local",		/* baz has no such clone */
		NULL,
	};
	struct klp_unit rich = rich_unit();
	struct mismatches all;

	(void)state;
	make_symbols("demo3", "a.c", symbols, "plain_bad.o");
	write_units("rich3.bin", &rich, 1, 0);
	add_section("plain_bad.o", "rich3.bin", "bad_symbols.o");
	assert_int_equal(check("bad_symbols.o", 0, &all), 7);
	assert_non_null(strstr(all.text, "symbol foo.isra.1: no record\n"));
	assert_non_null(strstr(all.text, "symbol baz.part.0: no record\n"));
	assert_non_null(strstr(all.text,
		"symbol qux.cold: no record names it as a cold part\n"));
	assert_non_null(strstr(all.text,
		"record foo: no cold symbol foo.cold\n"));
	assert_non_null(strstr(all.text,
		"symbol foo.constprop.0.isra.0: in section .text.other, the record says .text\n"));
	assert_non_null(strstr(all.text,
		"symbol bar: local, the record says public\n"));
	assert_non_null(strstr(all.text,
		"symbol bar.localalias: at .text+0x"));
}

/*
 * objtool names the padding before each function of an IBT kernel
 * "__pfx_NAME" (STT_FUNC, even for NAME.constprop.0.isra.0): not code GCC
 * emitted, so no record is missing for it.  Before the reader knew, a
 * 6.12 harness vmlinux with IBT showed 337 such mismatches.
 */
static void test_check_ignores_padding_symbols(void **state)
{
	static const char *const symbols[] = {
		".text foo local",
		".text.unlikely foo.cold local",
		".text foo.constprop.0.isra.0 local",
		".text.unlikely foo.constprop.0.isra.0.cold local",
		".text bar globl",
		"=bar.localalias bar",
		".text.qux_sect qux.part.0 local",
		".text __pfx_foo local",
		".text __pfx_foo.constprop.0.isra.0 local",
		".text.qux_sect __pfx_qux.part.0 local",
		".text __pfx_bar globl",
		NULL,
	};
	struct klp_unit rich = rich_unit();
	struct mismatches all;

	(void)state;
	make_symbols("demo5", "a.c", symbols, "plain_pfx.o");
	write_units("rich5.bin", &rich, 1, 0);
	add_section("plain_pfx.o", "rich5.bin", "pfx.o");
	assert_int_equal(check("pfx.o", 0, &all), 0);
}

/* Records whose origin, steps or flags disagree with a symbol's name. */
static void test_check_name_mismatches(void **state)
{
	static const char *const symbols[] = {
		".text f.isra.0 local",
		".text g.constprop.1 local",
		".text h.part.0 local",
		".text.unlikely k.cold local",
		".text k local",
		NULL,
	};
	static struct klp_origin origins[] = {
		{ "f", "n.c", 1, NULL, 0, 0 },
		{ "other", "n.c", 2, NULL, 0, 0 },
		{ "h", "n.c", 3, NULL, 0, 0 },
		{ "k", "n.c", 4, NULL, 0, 0 },
	};
	static struct klp_step constprop1[] = { { KLP_STEP_CONSTPROP, 1 } };
	static struct klp_step part1[] = { { KLP_STEP_PART, 1 } };
	static struct klp_step isra0[] = { { KLP_STEP_ISRA, 0 } };
	static struct klp_func_record funcs[] = {
		/* f.isra.0: the isra flag missing */
		{ "f.isra.0", 0, KLP_FUNC_F_EMITTED, ".text", NULL, NULL, 0,
		  isra0, 1, NULL, 0 },
		/* g.constprop.1 claims origin "other" */
		{ "g.constprop.1", 1, KLP_FUNC_F_EMITTED | KLP_FUNC_F_CONSTPROP,
		  ".text", NULL, NULL, 0, constprop1, 1, NULL, 0 },
		/* h.part.0 with the steps of h.part.1 */
		{ "h.part.0", 2, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PART, ".text",
		  NULL, NULL, 0, part1, 1, NULL, 0 },
		/* k.cold without the cold_split flag */
		{ "k", 3, KLP_FUNC_F_EMITTED, ".text", "k.cold",
		  ".text.unlikely", 0, NULL, 0, NULL, 0 },
	};
	struct klp_unit u = {
		.source = "n.c", .origins = origins, .nr_origins = 4,
		.funcs = funcs, .nr_funcs = 4,
	};
	struct mismatches all;

	(void)state;
	make_symbols("names", "n.c", symbols, "plain_n.o");
	write_units("n.bin", &u, 1, 0);
	add_section("plain_n.o", "n.bin", "names.o");
	assert_int_equal(check("names.o", 0, &all), 5);
	assert_non_null(strstr(all.text,
		"symbol f.isra.0: the record's flags [] disagree with its name [isra]\n"));
	assert_non_null(strstr(all.text,
		"symbol g.constprop.1: the record's origin is other, the name says g\n"));
	assert_non_null(strstr(all.text,
		"symbol h.part.0: the name says .part.0, the record's steps say .part.1\n"));
	assert_non_null(strstr(all.text,
		"symbol k.cold: cold part of k, whose record lacks the cold_split flag\n"));
	assert_non_null(strstr(all.text,
		"record k: a cold symbol without the cold_split flag\n"));
}

/* Records of a unit not in the object: their symbols are missing. */
static void test_check_records_without_symbols(void **state)
{
	struct klp_unit both[2] = { rich_unit(), second_unit() };
	struct mismatches all;

	(void)state;
	write_units("both.bin", both, 2, 0);
	add_section("plain_c.o", "both.bin", "wrong_units.o");
	assert_int_equal(check("wrong_units.o", 0, &all), 5);
	assert_non_null(strstr(all.text,
		"record qux.part.0: no such symbol in the unit of demo/a.c\n"));
	assert_non_null(strstr(all.text,
		"record foo.constprop.0.isra.0: no cold symbol foo.constprop.0.isra.0.cold\n"));
}

/*
 * DWARF against records: a real -O2 -g compilation where sq is inlined
 * into api; the records are written by hand to agree, then to disagree.
 */
static void test_check_dwarf(void **state)
{
	static const char source[] =
		"extern int work(int);\n"
		"static inline int sq(int x) { return work(x) * x; }\n"
		"static inline int quad(int x) { return sq(sq(x)); }\n"
		"int api(int x) { return quad(x) + 1; }\n"
		"int other(int x) { return work(x) - 1; }\n";
	static struct klp_origin origins[] = {
		{ "sq", "d.c", 2, NULL, KLP_ORIGIN_F_DECLARED_INLINE, 2 },
		{ "quad", "d.c", 3, NULL, KLP_ORIGIN_F_DECLARED_INLINE, 3 },
		{ "api", "d.c", 4, NULL, KLP_ORIGIN_F_PUBLIC, 4 },
		{ "other", "d.c", 5, NULL, KLP_ORIGIN_F_PUBLIC, 5 },
	};
	static struct klp_func_record funcs[] = {
		{ "api", 2, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PUBLIC, ".text",
		  NULL, NULL, 0, NULL, 0, NULL, 0 },
		{ "other", 3, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PUBLIC, ".text",
		  NULL, NULL, 0, NULL, 0, NULL, 0 },
	};
	/* quad in api; sq twice in quad (sq(sq(x))). */
	static struct klp_inline inlines[] = {
		{ 0, 0, 1, "d.c", 4, 0 },
		{ 0, 1, 0, "d.c", 3, 0 },
		{ 0, 1, 0, "d.c", 3, 0 },
	};
	struct klp_unit u = {
		.source = "d.c", .origins = origins, .nr_origins = 4,
		.funcs = funcs, .nr_funcs = 2, .inlines = inlines,
		.nr_inlines = 3,
	};
	struct klp_check_stats stats;
	struct klp_objfile *obj;
	struct mismatches all;

	(void)state;
	write_file("d.c", source, sizeof(source) - 1);
	run("cd %s && %s -O2 -g -c d.c -o plain_d.o", dir, KLP_TEST_GCC);

	write_units("d_good.bin", &u, 1, 0);
	add_section("plain_d.o", "d_good.bin", "d_good.o");
	obj = klp_objfile__open(path("d_good.o"), 0);
	assert_non_null(obj);
	memset(&all, 0, sizeof(all));
	assert_int_equal(klp_objfile__check(obj, 0, collect, &all, &stats), 0);
	assert_true(stats.dwarf);
	assert_int_equal(stats.dwarf_subprograms, 2);
	assert_true(stats.dwarf_inlines >= 2);
	klp_objfile__free(obj);

	/* No record of the nested sq: one mismatch, naming the chain. */
	u.nr_inlines = 1;
	write_units("d_no_sq.bin", &u, 1, 0);
	add_section("plain_d.o", "d_no_sq.bin", "d_no_sq.o");
	assert_true(check("d_no_sq.o", 0, &all) >= 1);
	assert_non_null(strstr(all.text,
		"dwarf: symbol api: DWARF inlines sq in quad in api (call at "));
	assert_non_null(strstr(all.text, "d.c:3), no INLINE record does\n"));
	/* ... which only DWARF can see. */
	assert_int_equal(check("d_no_sq.o", KLP_CHECK_NO_DWARF, &all), 0);

	/* other's record names the wrong origin; api has no record. */
	u.nr_inlines = 3;
	funcs[1].origin = 2;
	funcs[0].symbol = "api_renamed";
	funcs[0].flags = KLP_FUNC_F_PUBLIC;	/* not emitted: no symbol needed */
	write_units("d_bad.bin", &u, 1, 0);
	funcs[1].origin = 3;
	funcs[0].symbol = "api";
	funcs[0].flags = KLP_FUNC_F_EMITTED | KLP_FUNC_F_PUBLIC;
	add_section("plain_d.o", "d_bad.bin", "d_bad.o");
	assert_int_equal(check("d_bad.o", 0, &all), 2);
	assert_non_null(strstr(all.text,
		"dwarf: symbol other: DWARF's origin is other, the record's is api\n"));
	assert_non_null(strstr(all.text,
		"dwarf: symbol api: DWARF has a subprogram of api there, no record\n"));
}

/*
 * More than 0xff00 sections: symbol section indexes move to
 * .symtab_shndx (SHN_XINDEX), as in large ld -r outputs.
 */
static void test_extended_section_indexes(void **state)
{
	static struct klp_origin origins[] = {
		{ "late", "x.c", 1, NULL, 0, 0 },
	};
	static struct klp_step isra[] = { { KLP_STEP_ISRA, 0 } };
	static struct klp_func_record funcs[] = {
		{ "late.isra.0", 0, KLP_FUNC_F_EMITTED | KLP_FUNC_F_ISRA,
		  ".text.s65299", NULL, NULL, 0, isra, 1, NULL, 0 },
	};
	struct klp_unit u = {
		.source = "x.s", .origins = origins, .nr_origins = 1,
		.funcs = funcs, .nr_funcs = 1,
	};
	const struct klp_symbol *sym;
	struct klp_objfile *obj;
	struct mismatches all;
	FILE *f;
	int i;

	(void)state;
	f = fopen(path("x.s"), "w");
	assert_non_null(f);
	for (i = 0; i < 65300; i++)
		fprintf(f, "\t.section .text.s%d,\"ax\",@progbits\n\tnop\n", i);
	fprintf(f, "\t.type late.isra.0, @function\nlate.isra.0:\n\tret\n\t.size late.isra.0, .-late.isra.0\n");
	assert_int_equal(fclose(f), 0);
	run("cd %s && %s -c x.s -o plain_x.o", dir, KLP_TEST_GCC);
	write_units("x.bin", &u, 1, 0);
	add_section("plain_x.o", "x.bin", "x.o");

	obj = klp_objfile__open(path("x.o"), 0);
	assert_non_null(obj);
	sym = klp_objfile__find_symbol_by_name(obj, "late.isra.0");
	assert_non_null(sym);
	assert_true(sym->shndx >= SHN_LORESERVE);
	assert_string_equal(sym->section, ".text.s65299");
	klp_objfile__free(obj);
	assert_int_equal(check("x.o", 0, &all), 0);
}

static void assert_open_fails(const char *name, int code, const char *words)
{
	struct klp_objfile *obj;

	reset_messages();
	errno = 0;
	obj = klp_objfile__open(path(name), 0);
	if (obj || errno != code || !strstr(messages, words))
		print_error("%s: errno %d, messages: %s\n", name, errno,
			    messages);
	assert_null(obj);
	assert_int_equal(errno, code);
	/* The message names the file. */
	assert_non_null(strstr(messages, path(name)));
	assert_non_null(strstr(messages, words));
}

static void test_bad_files(void **state)
{
	static const char text[] = "not an object\n";
	unsigned char buf[512];
	FILE *f;
	size_t n;

	(void)state;
	write_file("text.o", text, sizeof(text) - 1);
	assert_open_fails("text.o", ENOEXEC, ": error: not an ELF file (");
	assert_open_fails("missing.o", ENOENT, ": error: cannot open: ");

	f = fopen(path("a.o"), "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	write_file("trunc10.o", buf, 10);
	assert_open_fails("trunc10.o", ENOEXEC, "truncated ELF file");
	write_file("trunc.o", buf, n);
	assert_open_fails("trunc.o", ENOEXEC, "truncated ELF file");
}

static void test_bad_sections(void **state)
{
	struct klp_unit second = second_unit();
	unsigned char *block;
	size_t size;
	void *data;

	(void)state;
	write_file("empty.bin", "", 0);
	add_section("plain_c.o", "empty.bin", "empty_section.o");
	assert_open_fails("empty_section.o", EBADMSG, "section is empty");

	assert_int_equal(klp_unit__encode(&second, &data, &size), 0);
	block = data;
	block[4] = 99;
	write_file("v99.bin", block, size);
	add_section("plain_c.o", "v99.bin", "v99.o");
	assert_open_fails("v99.o", EPROTONOSUPPORT,
			  "format version 99; this klp-prep reads version 1");

	block[4] = 1;
	write_file("short.bin", block, size - 1);
	add_section("plain_c.o", "short.bin", "short.o");
	assert_open_fails("short.o", EBADMSG,
			  "corrupt block at 0x0: at 0x8: block_size");
	free(data);
}

/*
 * The format uses no relocations.  A section that has some (here in a
 * record of a tag readers skip) still reads, with a warning.
 */
static void test_section_with_relocations(void **state)
{
	struct klp_unit second = second_unit();
	struct klp_objfile *obj;
	unsigned char *block;
	size_t size, i;
	void *data;
	FILE *f;

	(void)state;
	assert_int_equal(klp_unit__encode(&second, &data, &size), 0);
	block = data;
	/* One more record: tag 99, 8 bytes (second's block is small). */
	assert_true(size + 10 < 256 && block[9] == 0);
	block[8] = (unsigned char)(size + 10);
	f = fopen(path("reloc.c"), "w");
	assert_non_null(f);
	fprintf(f, "int target;\n__asm__(\"\\t.section .klp_prep.partition,\\\"\\\",@progbits\\n");
	for (i = 0; i < size; i++)
		fprintf(f, "\\t.byte %u\\n", block[i]);
	fprintf(f, "\\t.byte 99, 8\\n\\t.quad target\\n\");\n");
	assert_int_equal(fclose(f), 0);
	free(data);
	run("cd %s && %s -c reloc.c -o reloc.o", dir, KLP_TEST_GCC);

	reset_messages();
	obj = klp_objfile__open(path("reloc.o"), 0);
	assert_non_null(obj);
	assert_int_equal(klp_objfile__nr_units(obj), 1);
	assert_string_equal(klp_objfile__unit(obj, 0)->source, "demo/c.c");
	assert_non_null(strstr(messages,
		": warning: .klp_prep.partition has relocations (.rela.klp_prep.partition); the format uses none, they are ignored\n"));
	klp_objfile__free(obj);
}

static void test_object_without_records(void **state)
{
	struct klp_objfile *obj;

	(void)state;
	obj = klp_objfile__open(path("plain_a.o"), 0);
	assert_non_null(obj);
	assert_false(klp_objfile__has_records(obj));
	assert_int_equal(klp_objfile__nr_units(obj), 0);
	assert_int_equal(klp_objfile__nr_symbols(obj), 7);
	reset_messages();
	assert_int_equal(klp_objfile__check(obj, 0, NULL, NULL, NULL), -ENODATA);
	assert_non_null(strstr(messages, "compiled without the klp-prep plugin"));
	klp_objfile__free(obj);
	klp_objfile__free(NULL);
}

static void test_records_only(void **state)
{
	struct klp_objfile *obj;

	(void)state;
	obj = klp_objfile__open(path("a.o"), KLP_OPEN_NO_SYMBOLS);
	assert_non_null(obj);
	assert_int_equal(klp_objfile__nr_units(obj), 1);
	assert_int_equal(klp_objfile__nr_symbols(obj), 0);
	assert_null(klp_objfile__find_symbol_by_name(obj, "foo"));
	reset_messages();
	assert_int_equal(klp_objfile__check(obj, 0, NULL, NULL, NULL), -EINVAL);
	assert_non_null(strstr(messages, "opened without its symbols"));
	klp_objfile__free(obj);
}

/* The log callback can be replaced and silenced; the old one comes back. */
static void test_log_callback(void **state)
{
	klp_log_fn_t old;

	(void)state;
	old = klp_set_log_fn(NULL);
	assert_ptr_equal(old, capture);
	reset_messages();
	assert_null(klp_objfile__open(path("missing.o"), 0));
	assert_string_equal(messages, "");
	assert_ptr_equal(klp_set_log_fn(capture), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_with_records),
		cmocka_unit_test(test_ld_r_keeps_units_and_file_groups),
		cmocka_unit_test(test_units_tied_to_groups_by_content),
		cmocka_unit_test(test_unit_whose_symbols_fit_another_group),
		cmocka_unit_test(test_units_alike_stay_untied),
		cmocka_unit_test(test_padded_blocks),
		cmocka_unit_test(test_check_clean),
		cmocka_unit_test(test_check_symbol_mismatches),
		cmocka_unit_test(test_check_name_mismatches),
		cmocka_unit_test(test_check_ignores_padding_symbols),
		cmocka_unit_test(test_check_records_without_symbols),
		cmocka_unit_test(test_check_dwarf),
		cmocka_unit_test(test_extended_section_indexes),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_sections),
		cmocka_unit_test(test_section_with_relocations),
		cmocka_unit_test(test_object_without_records),
		cmocka_unit_test(test_records_only),
		cmocka_unit_test(test_log_callback),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
