// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regress_main - run a fuzz target's LLVMFuzzerTestOneInput() on files,
 * outside libFuzzer: every input a fuzzer found a bug with stays here
 * (tests/unit/regress/TARGET/), fed through the normal build, so the bug
 * stays fixed.  A crash, sanitizer report or abort fails the test; a hang
 * fails it through CTest's TIMEOUT.
 *
 * usage: regress_TARGET FILE|DIR...
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		perror(path);
		if (f)
			fclose(f);
		return 1;
	}
	/* Exactly @size bytes, as libFuzzer gives them: ASan sees overreads. */
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != (size_t)size) {
		perror(path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	printf("%s (%ld bytes)\n", path, size);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	return 0;
}

static int run_dir(const char *dir, int *count)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), err = 0;

	if (n < 0) {
		perror(dir);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char *path;

		if (names[i]->d_name[0] != '.' &&
		    asprintf(&path, "%s/%s", dir, names[i]->d_name) >= 0) {
			err |= run_file(path);
			(*count)++;
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return err;
}

int main(int argc, char **argv)
{
	int err = 0, count = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
			err |= run_dir(argv[i], &count);
		} else {
			err |= run_file(argv[i]);
			count++;
		}
	}
	printf("%d inputs, %s\n", count, err ? "errors" : "no crash");
	return err;
}
