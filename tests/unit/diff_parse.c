// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff_parse.c - unified diffs: files, hunks, changed ranges on both
 * sides, and applying them in memory
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff.h"
#include <klp_prep/log.h>

#include "extract.h"

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

/* A git-style fix with a message, two files, and the hunk kinds. */
static const char fix[] =
	"From 1234 Mon Sep 17 00:00:00 2001\n"
	"Subject: [PATCH] proc: say hello\n"
	"\n"
	"--- is not a header when the next line is no '+++ '\n"
	"---\n"
	" fs/proc/cmdline.c | 3 ++-\n"
	"\n"
	"diff --git a/fs/proc/cmdline.c b/fs/proc/cmdline.c\n"
	"index 1111111..2222222 100644\n"
	"--- a/fs/proc/cmdline.c\n"
	"+++ b/fs/proc/cmdline.c\n"
	"@@ -7,7 +7,8 @@\n"
	" \n"
	" static int cmdline_proc_show(struct seq_file *m, void *v)\n"
	" {\n"
	"-\tseq_puts(m, saved_command_line);\n"
	"+\tseq_puts(m, \"hello \");\n"
	"+\tseq_puts(m, saved_command_line);\n"
	" \tseq_putc(m, '\\n');\n"
	" \treturn 0;\n"
	" }\n"
	"diff --git a/kernel/x.c b/kernel/x.c\n"
	"--- a/kernel/x.c\n"
	"+++ b/kernel/x.c\n"
	"@@ -3,3 +3,2 @@ int x(void)\n"
	" a\n"
	"-b\n"
	" c\n"
	"@@ -20 +19,2 @@\n"
	" z\n"
	"+added at end\n"
	"-- \n"
	"2.39.2\n";

static void test_parse(void **state)
{
	const struct klp_diff_file *f;
	struct klp_diff *d;

	(void)state;
	assert_int_equal(klp_diff__parse(fix, strlen(fix), "fix.patch", 1, &d), 0);
	assert_int_equal(d->nr_files, 2);

	f = klp_diff__find_file(d, "fs/proc/cmdline.c");
	assert_non_null(f);
	assert_string_equal(f->old_path, "fs/proc/cmdline.c");
	assert_int_equal(f->nr_hunks, 1);
	assert_int_equal(f->hunks[0].old_start, 7);
	assert_int_equal(f->hunks[0].new_count, 8);
	/* One line replaced by two: old line 10, new lines 10-11. */
	assert_int_equal(f->nr_old_ranges, 1);
	assert_int_equal(f->old_ranges[0].first, 10);
	assert_int_equal(f->old_ranges[0].last, 10);
	assert_int_equal(f->nr_new_ranges, 1);
	assert_int_equal(f->new_ranges[0].first, 10);
	assert_int_equal(f->new_ranges[0].last, 11);

	f = klp_diff__find_file(d, "kernel/x.c");
	assert_non_null(f);
	assert_int_equal(f->nr_hunks, 2);
	/* A deletion is the gap's two neighbours on the new side; an
	 * addition the gap's neighbours on the old side. */
	assert_int_equal(f->nr_old_ranges, 2);
	assert_int_equal(f->old_ranges[0].first, 4);
	assert_int_equal(f->old_ranges[0].last, 4);
	assert_int_equal(f->old_ranges[1].first, 20);
	assert_int_equal(f->old_ranges[1].last, 21);
	assert_int_equal(f->new_ranges[0].first, 3);
	assert_int_equal(f->new_ranges[0].last, 4);
	assert_int_equal(f->new_ranges[1].first, 20);
	assert_int_equal(f->new_ranges[1].last, 20);
	assert_null(klp_diff__find_file(d, "nope.c"));
	klp_diff__free(d);
}

static void test_apply(void **state)
{
	static const char orig[] =
		"// SPDX\n#include <linux/fs.h>\n\n\n\n\n"	/* 1-6 */
		"\n"					/* 7 */
		"static int cmdline_proc_show(struct seq_file *m, void *v)\n"
		"{\n"
		"\tseq_puts(m, saved_command_line);\n"
		"\tseq_putc(m, '\\n');\n"
		"\treturn 0;\n"
		"}\n";
	static const char *want =
		"// SPDX\n#include <linux/fs.h>\n\n\n\n\n\n"
		"static int cmdline_proc_show(struct seq_file *m, void *v)\n"
		"{\n"
		"\tseq_puts(m, \"hello \");\n"
		"\tseq_puts(m, saved_command_line);\n"
		"\tseq_putc(m, '\\n');\n"
		"\treturn 0;\n"
		"}\n";
	struct klp_diff *d;
	size_t size;
	char *out;

	(void)state;
	assert_int_equal(klp_diff__parse(fix, strlen(fix), "fix.patch", 1, &d), 0);
	assert_int_equal(klp_diff_file__apply(&d->files[0], orig, strlen(orig), &out, &size), 0);
	assert_string_equal(out, want);
	assert_int_equal(size, strlen(want));
	free(out);

	/* Shifted by two lines: applies at an offset, as patch does. */
	{
		char *shifted;

		assert_true(asprintf(&shifted, "\n\n%s", orig) > 0);
		assert_int_equal(klp_diff_file__apply(&d->files[0], shifted, strlen(shifted),
						      &out, &size), 0);
		assert_string_equal(out + 2, want);
		free(out);
		free(shifted);
		/* The changed lines are where the hunk applied. */
		assert_int_equal(d->files[0].hunks[0].offset, 2);
		assert_int_equal(d->files[0].new_ranges[0].first, 12);
		assert_int_equal(d->files[0].new_ranges[0].last, 13);
		assert_int_equal(d->files[0].old_ranges[0].first, 12);
	}

	/* Context that does not match: refused, never fuzzed. */
	assert_int_equal(klp_diff_file__apply(&d->files[0], "int x;\n", 7, &out, &size),
			 -EILSEQ);
	assert_non_null(strstr(log_buf, "fs/proc/cmdline.c: error: hunk #1"));
	klp_diff__free(d);
}

static void test_no_newline_at_end(void **state)
{
	static const char diff[] =
		"--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
		"+c\n\\ No newline at end of file\n";
	struct klp_diff *d;
	size_t size;
	char *out;

	(void)state;
	assert_int_equal(klp_diff__parse(diff, strlen(diff), "d", 1, &d), 0);
	assert_int_equal(klp_diff_file__apply(&d->files[0], "a\nb", 3, &out, &size), 0);
	assert_string_equal(out, "a\nc");
	free(out);
	klp_diff__free(d);
}

static void test_new_file_and_strip(void **state)
{
	static const char diff[] =
		"--- /dev/null\n+++ b/x/y/new.c\t2024-01-01 00:00:00\n@@ -0,0 +1,2 @@\n+int n;\n+int m;\n";
	struct klp_diff *d;
	size_t size;
	char *out;

	(void)state;
	assert_int_equal(klp_diff__parse(diff, strlen(diff), "d", 2, &d), 0);
	assert_null(d->files[0].old_path);
	assert_string_equal(d->files[0].new_path, "y/new.c");
	assert_int_equal(d->files[0].new_ranges[0].first, 1);
	assert_int_equal(d->files[0].new_ranges[0].last, 2);
	assert_int_equal(klp_diff_file__apply(&d->files[0], "", 0, &out, &size), 0);
	assert_string_equal(out, "int n;\nint m;\n");
	free(out);
	klp_diff__free(d);
}

/* Two texts: the same ranges a unified diff of them would give. */
static void test_from_texts(void **state)
{
	static const char old[] = "a\nb\nc\nd\ne\nf\n";
	static const char new[] = "a\nB\nc\nd\nf\ng\n";
	const struct klp_diff_file *f;
	struct klp_diff *d;
	size_t size;
	char *out;

	(void)state;
	assert_int_equal(klp_diff__from_texts("x.c", old, strlen(old), new, strlen(new), &d), 0);
	f = &d->files[0];
	/* b -> B (line 2); e deleted (new side: d and f around the gap, 4-5)
	 * and g added (6) merge; on the old side e (5) and the gap after f
	 * (6-7) merge. */
	assert_int_equal(f->nr_new_ranges, 2);
	assert_int_equal(f->new_ranges[0].first, 2);
	assert_int_equal(f->new_ranges[0].last, 2);
	assert_int_equal(f->new_ranges[1].first, 4);
	assert_int_equal(f->new_ranges[1].last, 6);
	assert_int_equal(f->nr_old_ranges, 2);
	assert_int_equal(f->old_ranges[1].first, 5);
	assert_int_equal(f->old_ranges[1].last, 7);
	/* And it applies back. */
	assert_int_equal(klp_diff_file__apply(&d->files[0], old, strlen(old), &out, &size), 0);
	assert_string_equal(out, new);
	free(out);
	klp_diff__free(d);

	assert_int_equal(klp_diff__from_texts("x.c", "", 0, "int x;\n", 7, &d), 0);
	assert_int_equal(d->files[0].new_ranges[0].first, 1);
	klp_diff__free(d);
}

static void test_malformed(void **state)
{
	static const char bad_header[] = "--- a/f.c\n+++ b/f.c\n@@ -1,x +1 @@\n a\n";
	static const char short_hunk[] = "--- a/f.c\n+++ b/f.c\n@@ -1,3 +1,3 @@\n a\n";
	static const char stray[] = "--- a/f.c\n+++ b/f.c\n@@ -1,1 +1,1 @@\n*a\n";
	struct klp_diff *d;

	(void)state;
	assert_int_equal(klp_diff__parse(bad_header, strlen(bad_header), "p", 1, &d), -EBADMSG);
	assert_non_null(strstr(log_buf, "p:3: error: malformed hunk header"));
	assert_int_equal(klp_diff__parse(short_hunk, strlen(short_hunk), "p", 1, &d), -EBADMSG);
	assert_non_null(strstr(log_buf, "ends early"));
	assert_int_equal(klp_diff__parse(stray, strlen(stray), "p", 1, &d), -EBADMSG);
	assert_int_equal(klp_diff__parse("hello\n", 6, "p", 1, &d), -ENODATA);
	assert_null(d);
}

/*
 * A hunk that only adds, placed past the original's last line: it goes
 * after the last line (the offset search once ran past the end and read
 * line pointers that were never set; on an empty original a null one).
 */
static void test_addition_past_end(void **state)
{
	static const char diff[] = "--- a/f.c\n+++ b/f.c\n@@ -5,0 +6,1 @@\n+x\n";
	struct klp_diff *d;
	size_t size;
	char *out;

	(void)state;
	assert_int_equal(klp_diff__parse(diff, strlen(diff), "d", 1, &d), 0);
	assert_int_equal(klp_diff_file__apply(&d->files[0], "a\nb\nc\n", 6, &out, &size), 0);
	assert_string_equal(out, "a\nb\nc\nx\n");
	assert_int_equal(d->files[0].hunks[0].offset, -2);
	free(out);
	/* Too far past the end of an empty file: does not apply. */
	assert_int_equal(klp_diff_file__apply(&d->files[0], "", 0, &out, &size), -EILSEQ);
	klp_diff__free(d);
}

/* git format-patch output: mode changes pass, the signature is no hunk. */
static const char mail_head[] =
	"From 1234 Mon Sep 17 00:00:00 2001\n"
	"From: A U Thor <a@example.org>\n"
	"Subject: [PATCH] x: fix\n"
	"\n"
	"---\n"
	" a.c | 2 +-\n"
	"\n";

static void test_mail_modes_and_signature(void **state)
{
	static const char body[] =
		"diff --git a/a.c b/a.c\n"
		"old mode 100644\n"
		"new mode 100755\n"
		"index 1111111..2222222\n"
		"--- a/a.c\n"
		"+++ b/a.c\n"
		"@@ -1,2 +1,2 @@\n"
		" int a;\n"
		"-int b;\n"
		"+int c;\n"
		"diff --git a/scripts/x.sh b/scripts/x.sh\n"
		"old mode 100644\n"
		"new mode 100755\n"
		"diff --git a/b.c b/b.c\n"
		"new file mode 100644\n"
		"index 0000000..e69de29\n"
		"diff --git a/c.c b/c.c\n"
		"--- a/c.c\n"
		"+++ b/c.c\n"
		"@@ -1 +1 @@\n"
		"--- x;\n"
		"+++ y;\n"
		"-- \n"
		"2.39.2\n"
		"\n";
	char *mail;
	struct klp_diff *d;

	(void)state;
	assert_true(asprintf(&mail, "%s%s", mail_head, body) > 0);
	assert_int_equal(klp_diff__parse(mail, strlen(mail), "m", 1, &d), 0);
	/* The mode-only change and the empty new file have no text to patch. */
	assert_int_equal(d->nr_files, 2);
	assert_string_equal(d->files[0].new_path, "a.c");
	assert_int_equal(d->files[0].hunks[0].nr_lines, 3);
	/* "--- x;" / "+++ y;" inside a hunk are its lines, not a header. */
	assert_string_equal(d->files[1].new_path, "c.c");
	assert_string_equal(d->files[1].hunks[0].lines[0], "--- x;");
	assert_string_equal(d->files[1].hunks[0].lines[1], "+++ y;");
	assert_string_equal(log_buf, "");
	klp_diff__free(d);
	free(mail);
}

/* Each of these is refused at its line, saying what to do. */
static void test_mail_refused(void **state)
{
	static const struct {
		const char *body;
		const char *message;
	} refused[] = {
		{ "diff --git a/a.c b/b.c\n"
		  "similarity index 100%\n"
		  "rename from a.c\n"
		  "rename to b.c\n",
		  "m:10: error: the fix renames a.c ('diff --git a/a.c b/b.c'); "
		  "a livepatch cannot rename files: leave that out of the fix\n" },
		{ "diff --git a/a.c b/b.c\n"
		  "similarity index 90%\n"
		  "rename from a.c\n"
		  "rename to b.c\n"
		  "--- a/a.c\n"
		  "+++ b/b.c\n"
		  "@@ -1 +1 @@\n"
		  "-a\n"
		  "+b\n",
		  "m:10: error: the fix renames a.c" },
		{ "diff --git a/a.c b/c.c\n"
		  "similarity index 90%\n"
		  "copy from a.c\n"
		  "copy to c.c\n",
		  "m:10: error: the fix copies a.c ('diff --git a/a.c b/c.c'); "
		  "a livepatch cannot add files: leave that out of the fix\n" },
		{ "diff --git a/fw.bin b/fw.bin\n"
		  "index 1111111..2222222 100644\n"
		  "GIT binary patch\n"
		  "literal 5\n"
		  "McmZQzWMXCj0000\n"
		  "\n"
		  "literal 4\n"
		  "LcmZQzWMT#Y00aO4\n"
		  "\n",
		  "m:10: error: the fix changes a binary file ('diff --git a/fw.bin b/fw.bin'); "
		  "a livepatch carries code only: leave it out of the fix\n" },
		{ "diff --git a/fw.bin b/fw.bin\n"
		  "index 1111111..2222222 100644\n"
		  "Binary files a/fw.bin and b/fw.bin differ\n",
		  "m:10: error: the fix changes a binary file (a/fw.bin and b/fw.bin); " },
		{ "--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-a\n+b\n"
		  "-- \n2.39.2\n\n"
		  "From 5678 Mon Sep 17 00:00:00 2001\n"
		  "Subject: [PATCH 2/2] again\n\n---\n"
		  "--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-b\n+c\n",
		  "m:21: error: a.c is changed a second time (a series of patches?); "
		  "give one diff of the whole fix ('git diff BASE..TOP')\n" },
	};
	static const char qp[] =
		"From: A U Thor <a@example.org>\n"
		"Content-Transfer-Encoding: quoted-printable\n"
		"\n"
		"--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-a =3D 1;\n+a =3D 2;\n";
	struct klp_diff *d;
	char *mail;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		log_buf[0] = '\0';
		assert_true(asprintf(&mail, "%s%s", mail_head, refused[i].body) > 0);
		assert_int_equal(klp_diff__parse(mail, strlen(mail), "m", 1, &d), -EBADMSG);
		assert_null(d);
		if (!strstr(log_buf, refused[i].message))
			fail_msg("case %zu: got '%s'", i, log_buf);
		free(mail);
	}
	log_buf[0] = '\0';
	assert_int_equal(klp_diff__parse(qp, strlen(qp), "m", 1, &d), -EBADMSG);
	assert_string_equal(log_buf,
			    "m:2: error: the mail's body is quoted-printable-encoded; save the "
			    "patch decoded ('git am', 'b4 am' or the mail client's raw/decoded "
			    "save) and give that\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse, setup),
		cmocka_unit_test_setup(test_apply, setup),
		cmocka_unit_test_setup(test_no_newline_at_end, setup),
		cmocka_unit_test_setup(test_new_file_and_strip, setup),
		cmocka_unit_test_setup(test_from_texts, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_addition_past_end, setup),
		cmocka_unit_test_setup(test_mail_modes_and_signature, setup),
		cmocka_unit_test_setup(test_mail_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
