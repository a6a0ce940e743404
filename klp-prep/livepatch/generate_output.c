// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_output.c - where klp_generate() writes: a temporary directory
 * beside the output, renamed into place (exchanged with the old output
 * in one step where the file system can), so that no run, killed at any
 * point, leaves a half-written output
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "generate.h"

#include "log.h"
#include "generate_internal.h"

int gen_check_output(struct gen *g)
{
	struct stat sb;

	if (!g->opts->output || !*g->opts->output)
		return gen_err_input("error: no output directory given\n");
	if (!stat(g->opts->output, &sb) && !g->opts->force) {
		log_err("%s: error: exists; pass --force to replace it\n", g->opts->output);
		return -EEXIST;
	}
	return 0;
}

/* The temporary directory beside the output: OUTPUT.tmp-XXXXXX. */
int gen_output_tmpdir(struct gen *g)
{
	if (asprintf(&g->tmpdir, "%s.tmp-XXXXXX", g->opts->output) < 0) {
		g->tmpdir = NULL;
		return -ENOMEM;
	}
	if (!mkdtemp(g->tmpdir)) {
		int err = -errno;

		log_err("%s: error: cannot make a temporary directory: %s\n", g->tmpdir,
			strerror(errno));
		free(g->tmpdir);
		g->tmpdir = NULL;
		return err;
	}
	chmod(g->tmpdir, 0755);
	return 0;
}

int gen_output_write(struct gen *g, const char *name, const char *text, size_t len)
{
	struct klp_generate_result *r = g->res;
	char *path, **files, *slash;
	FILE *f = NULL;
	int err = 0;

	files = realloc(r->files, (r->nr_files + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	r->files = files;
	files[r->nr_files] = strdup(name);
	if (!files[r->nr_files])
		return -ENOMEM;
	r->nr_files++;
	if (asprintf(&path, "%s/%s", g->tmpdir, name) < 0)
		return -ENOMEM;
	/* klp-tree/include/linux/x.h: its directories first */
	for (slash = strchr(path + strlen(g->tmpdir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			err = -errno;
		*slash = '/';
	}
	f = err ? NULL : fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len) {
		err = -errno;
		log_err("%s: error: %s\n", path, strerror(errno));
	}
	if (f && fclose(f) && !err) {
		err = -errno;
		log_err("%s: error: %s\n", path, strerror(errno));
	}
	free(path);
	return err;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int gen_output_remove(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
}

int gen_install(struct gen *g)
{
	const char *out = g->opts->output, *tmpdir = g->tmpdir;
	struct stat sb;
	char *old = NULL;
	int err = 0;

	if (!stat(out, &sb)) {
		if (!g->opts->force) {
			log_err("%s: error: appeared meanwhile; not replaced\n", out);
			return -EEXIST;
		}
		/*
		 * Swap both in one step, so that a run killed at any point
		 * leaves the old output or the new one in place, never none;
		 * the old one is then removed under the temporary name.  Only
		 * where the file system cannot exchange, move it aside first.
		 */
		if (!renameat2(AT_FDCWD, tmpdir, AT_FDCWD, out, RENAME_EXCHANGE)) {
			gen_output_remove(tmpdir);
			return 0;
		}
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
			err = -errno;
			log_err("%s: error: cannot replace it with %s: %s\n", out, tmpdir,
				strerror(errno));
			return err;
		}
		if (asprintf(&old, "%s.old-%d", out, (int)getpid()) < 0)
			return -ENOMEM;
		if (rename(out, old)) {
			err = -errno;
			log_err("%s: error: cannot move it aside: %s\n", out, strerror(errno));
			free(old);
			return err;
		}
	}
	if (rename(tmpdir, out)) {
		err = -errno;
		log_err("%s: error: cannot rename %s to it: %s\n", out, tmpdir, strerror(errno));
		if (old)
			rename(old, out);
	} else if (old) {
		gen_output_remove(old);
	}
	free(old);
	return err;
}
