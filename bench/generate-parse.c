// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate-parse.c - the floor of bench/generate.sh: one bare libclang
 * parse of a unit, with the flags klp-prep generate gives libclang (the
 * compile database's, through the same filter), and nothing else.
 *
 * Usage: generate-parse COMPDB_DIR TREE/PATH.c
 * Prints the parse's wall time in seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <clang-c/Index.h>

#include "compdb.h"

int main(int argc, char **argv)
{
	struct klp_compile_args *a;
	struct klp_compdb *db;
	CXTranslationUnit tu;
	struct timespec t0, t1;
	const char **args;
	CXIndex index;
	int i, n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s COMPDB_DIR TREE/PATH.c\n", argv[0]);
		return 2;
	}
	if (klp_compdb__open(argv[1], &db) || klp_compdb__find(db, argv[2], &a))
		return 1;
	args = calloc(a->argc + 3, sizeof(*args));
	if (!args)
		return 1;
	for (i = 0; i < a->argc; i++)
		args[n++] = a->argv[i];
	args[n++] = "-w";
	args[n++] = "-ferror-limit=0";

	clock_gettime(CLOCK_MONOTONIC, &t0);
	index = clang_createIndex(0, 0);
	if (clang_parseTranslationUnit2(index, a->file, args, n, NULL, 0, 0, &tu)) {
		fprintf(stderr, "%s: parse failed\n", argv[2]);
		return 1;
	}
	clang_disposeTranslationUnit(tu);
	clang_disposeIndex(index);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(args);
	klp_compile_args__free(a);
	free(a);
	klp_compdb__free(db);
	return 0;
}
