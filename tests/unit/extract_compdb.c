// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * extract_compdb.c - compile_commands.json through libclang, and the flag
 * filter that keeps GCC-only flags away from the parse
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

#include "compdb.h"
#include <klp_prep/log.h>

#include "extract.h"

static char tmpdir[64];
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

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int mkdir_p_helper(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/inc' '%s/src/fs/proc'", tmpdir, tmpdir);
	return system(cmd);
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/klp-compdb-XXXXXX");
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

static void test_filter(void **state)
{
	static const char *const argv[] = {
		"gcc", "-Wp,-MMD,fs/proc/.cmdline.o.d", "-nostdinc",
		"-I./include", "-I", "arch/x86/include", "-isystem", "/abs/inc",
		"-include", "./include/linux/kconfig.h", "-D__KERNEL__",
		"-DKBUILD_MODNAME='\"proc\"'", "-U", "BAR", "-fconserve-stack",
		"-fplugin=./scripts/gcc-plugins/x.so", "-fplugin-arg-x-y",
		"-mindirect-branch=thunk-extern", "-mfunction-return=thunk-extern",
		"-fzero-call-used-regs=used-gpr", "-std=gnu11", "-O2", "-m64",
		"-funsigned-char", "-MD", "-MF", "dep.d", "-o", "fs/proc/cmdline.o",
		"-c", "fs/proc/cmdline.c",
	};
	static const char *const want[] = {
		"-nostdinc", "-I/build/include", "-I/build/arch/x86/include",
		"-isystem", "/abs/inc", "-include", "/build/include/linux/kconfig.h",
		"-D__KERNEL__", "-DKBUILD_MODNAME='\"proc\"'", "-UBAR",
		"-std=gnu11", "-O2", "-m64", "-funsigned-char",
	};
	struct klp_compile_args a = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(klp_compile_args__filter(argv, sizeof(argv) / sizeof(argv[0]),
						  "/build", &a), 0);
	assert_int_equal(a.argc, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(a.argv[i], want[i]);
	assert_null(a.argv[a.argc]);
	klp_compile_args__free(&a);
}

static void write_db(void)
{
	char *json;

	assert_true(asprintf(&json,
		"[\n"
		" {\"directory\": \"%1$s\", \"file\": \"%1$s/src/fs/proc/cmdline.c\",\n"
		"  \"command\": \"gcc -nostdinc -I./inc -include ./inc/forced.h -DVALUE=3 "
		"-fconserve-stack -fplugin=./p.so -mrecord-mcount -c -o fs/proc/cmdline.o "
		"src/fs/proc/cmdline.c\"},\n"
		" {\"directory\": \"%1$s\", \"file\": \"%1$s/src/arch/x86/fs/proc/cmdline.c\",\n"
		"  \"arguments\": [\"gcc\", \"-c\", \"src/arch/x86/fs/proc/cmdline.c\"]},\n"
		" {\"directory\": \"%1$s\", \"file\": \"%1$s/src/a/x.c\",\n"
		"  \"arguments\": [\"gcc\", \"-c\", \"src/a/x.c\"]},\n"
		" {\"directory\": \"%1$s\", \"file\": \"%1$s/src/b/x.c\",\n"
		"  \"arguments\": [\"gcc\", \"-c\", \"src/b/x.c\"]}\n"
		"]\n", tmpdir) > 0);
	write_file("compile_commands.json", json);
	free(json);
}

static void test_find(void **state)
{
	struct klp_compile_args *a;
	struct klp_compdb *db;
	char path[256];

	(void)state;
	write_db();
	assert_int_equal(klp_compdb__open(tmpdir, &db), 0);

	/* By the path a diff gives (at the tree's root, the shortest match,
	 * not arch/x86/fs/proc/cmdline.c), and by the absolute path. */
	assert_int_equal(klp_compdb__find(db, "fs/proc/cmdline.c", &a), 0);
	snprintf(path, sizeof(path), "%s/src/fs/proc/cmdline.c", tmpdir);
	assert_string_equal(a->file, path);
	assert_string_equal(a->directory, tmpdir);
	assert_int_equal(a->argc, 5);
	snprintf(path, sizeof(path), "-I%s/inc", tmpdir);
	assert_string_equal(a->argv[1], path);
	klp_compile_args__free(a);
	free(a);
	snprintf(path, sizeof(path), "%s/src/a/x.c", tmpdir);
	assert_int_equal(klp_compdb__find(db, path, &a), 0);
	klp_compile_args__free(a);
	free(a);

	/* Whole components only; ambiguity and absence are errors. */
	assert_int_equal(klp_compdb__find(db, "proc/cmdline.c", &a), 0);
	klp_compile_args__free(a);
	free(a);
	assert_int_equal(klp_compdb__find(db, "c/cmdline.c", &a), -ENOENT);
	assert_null(a);
	assert_int_equal(klp_compdb__find(db, "x.c", &a), -EEXIST);
	assert_non_null(strstr(log_buf, "x.c: error: ambiguous"));
	klp_compdb__free(db);
}

/*
 * A header the fix changes: under the tree's root, found from its first
 * sources; an out-of-tree module's own, from the module's source, which
 * comes after more than the first sources (as gen_compile_commands.py
 * lists the kernel's, then the module's).  The commands one by one.
 */
static void test_tree_file(void **state)
{
	struct klp_compile_args *a;
	struct klp_compdb *db;
	char *json, *p, want[256];
	size_t len = 0;
	FILE *f;
	int i;

	(void)state;
	snprintf(want, sizeof(want), "mkdir -p '%s/src/include/linux' '%s/src/kernel' '%s/mod'",
		 tmpdir, tmpdir, tmpdir);
	assert_int_equal(system(want), 0);
	write_file("src/include/linux/list.h", "/* list */\n");
	write_file("mod/klp_mod.h", "/* the module's */\n");
	f = open_memstream(&json, &len);
	assert_non_null(f);
	fputs("[\n", f);
	for (i = 0; i < 20; i++)
		fprintf(f, " {\"directory\": \"%s\", \"file\": \"%s/src/kernel/k%d.c\",\n"
			"  \"arguments\": [\"gcc\", \"-c\", \"src/kernel/k%d.c\"]},\n",
			tmpdir, tmpdir, i, i);
	fprintf(f, " {\"directory\": \"%s/mod\", \"file\": \"%s/mod/klp_mod.c\",\n"
		"  \"arguments\": [\"gcc\", \"-DMODULE\", \"-c\", \"klp_mod.c\"]}\n]\n",
		tmpdir, tmpdir);
	fclose(f);
	write_file("compile_commands.json", json);
	free(json);
	assert_int_equal(klp_compdb__open(tmpdir, &db), 0);

	assert_int_equal(klp_compdb__tree_file(db, "include/linux/list.h", &p), 0);
	snprintf(want, sizeof(want), "%s/src/include/linux/list.h", tmpdir);
	assert_string_equal(p, want);
	free(p);
	assert_int_equal(klp_compdb__tree_file(db, "klp_mod.h", &p), 0);
	snprintf(want, sizeof(want), "%s/mod/klp_mod.h", tmpdir);
	assert_string_equal(p, want);
	free(p);
	assert_int_equal(klp_compdb__tree_file(db, "include/linux/nope.h", &p), -ENOENT);
	assert_null(p);

	assert_int_equal(klp_compdb__nr(db), 21);
	snprintf(want, sizeof(want), "%s/mod/klp_mod.c", tmpdir);
	assert_string_equal(klp_compdb__file(db, 20), want);
	assert_null(klp_compdb__file(db, 21));
	assert_int_equal(klp_compdb__args_at(db, 20, &a), 0);
	assert_string_equal(a->file, want);
	assert_true(a->argc >= 1);
	for (i = 0; i < a->argc && strcmp(a->argv[i], "-DMODULE"); i++)
		;
	assert_true(i < a->argc);
	klp_compile_args__free(a);
	free(a);
	assert_int_equal(klp_compdb__args_at(db, 21, &a), -ENOENT);
	klp_compdb__free(db);
}

static void test_missing_db(void **state)
{
	struct klp_compdb *db;

	(void)state;
	assert_int_equal(klp_compdb__open(tmpdir, &db), -ENOENT);
	assert_null(db);
	assert_non_null(strstr(log_buf, "gen_compile_commands.py"));
}

/* GCC-only flags in the database never reach the parse. */
static void test_parse_with_db_flags(void **state)
{
	struct klp_compile_args *a;
	struct klp_parse_opts po = { 0 };
	struct klp_compdb *db;
	struct klp_tu *tu;

	(void)state;
	assert_int_equal(mkdir_p_helper(), 0);
	write_db();
	write_file("inc/forced.h", "typedef int forced_t;\n");
	write_file("src/fs/proc/cmdline.c", "forced_t f(void) { return VALUE; }\n");
	assert_int_equal(klp_compdb__open(tmpdir, &db), 0);
	assert_int_equal(klp_compdb__find(db, "fs/proc/cmdline.c", &a), 0);
	po.file = a->file;
	po.argv = (const char *const *)a->argv;
	po.argc = a->argc;
	assert_int_equal(klp_tu__parse(&po, &tu), 0);
	klp_tu__free(tu);
	klp_compile_args__free(a);
	free(a);
	klp_compdb__free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_db, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_with_db_flags, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
