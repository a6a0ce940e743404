// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_coverage.c - klp-prep coverage: which split-off parts of a kernel
 * without stack_only support its own stack check can cover, and with
 * which callers (klp_prep/coverage.h, docs/stock-kernels.md)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gelf.h>

#include <klp_prep/coverage.h>
#include <klp_prep/elf.h>

#include "cli.h"
#include "json_writer.h"

static void print_help(FILE *out)
{
	fprintf(out,
		"usage: %s coverage --object FILE [OPTIONS] [FUNCTION...]\n"
		"\n"
		"On a kernel without stack_only support, a task in foo.cold is held by\n"
		"the stack check only if every function whose frame can be above it is\n"
		"patched too.  For each FUNCTION (a split-off part, or any function),\n"
		"print those covering callers and the path to each, or why they cannot\n"
		"be proven (address taken, exported, called from code in no function,\n"
		"limits).  FILE is a linked vmlinux with its relocations\n"
		"(--emit-relocs; Debian's 6.1 -dbg vmlinux has them), or a module's\n"
		".ko (or a unit's .o): its sections are given addresses of their own,\n"
		"the ones printed, and calls out of it (to vmlinux) are not followed.\n"
		"In a module, a caller in .init.text or .exit.text refuses the part\n"
		"(init_caller): that code runs while the module is patched.\n"
		"\n"
		"options:\n"
		"      --object FILE     the vmlinux or module to read\n"
		"      --vmlinux FILE    the same\n"
		"      --summary         every split-off part of FILE: counts, callers\n"
		"                        needed (median, 90th percentile, max), reasons\n"
		"      --json            machine-readable output\n"
		"      --max-depth N     functions between a part and a covering caller\n"
		"                        (default %u, at most 64)\n"
		"      --max-callers N   covering callers accepted (default %u)\n"
		"  -v                    more messages\n"
		"\n"
		"exit status: 0 every FUNCTION coverable (or --summary printed), 2 bad\n"
		"usage or input, 3 some FUNCTION cannot be covered.\n",
		klp_prog, KLP_COVERAGE_DEFAULT_DEPTH, KLP_COVERAGE_DEFAULT_CALLERS);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_problem(const struct klp_coverage_problem *p,
			  const char *part)
{
	const char *who = p->function ? p->function : part;

	switch (p->kind) {
	case KLP_COV_ADDRESS_TAKEN:
		printf("  address_taken: %s at 0x%llx (%s, %s+0x%llx)\n", who,
		       (unsigned long long)p->site, p->site_section,
		       p->site_symbol ? p->site_symbol : "?",
		       (unsigned long long)p->site_offset);
		break;
	case KLP_COV_EXPORTED:
		printf("  exported: %s (%s): modules may call it\n", who,
		       p->site_section);
		break;
	case KLP_COV_UNKNOWN_CODE:
		printf("  unknown_code: %s entered from 0x%llx (%s, %s+0x%llx), in no function\n",
		       who, (unsigned long long)p->site, p->site_section,
		       p->site_symbol ? p->site_symbol : "?",
		       (unsigned long long)p->site_offset);
		break;
	case KLP_COV_TOO_DEEP:
		printf("  too_deep: %s: frameless callers nested past --max-depth\n",
		       who);
		break;
	case KLP_COV_TOO_MANY:
		printf("  too_many_callers: more than --max-callers\n");
		break;
	case KLP_COV_INIT_CALLER:
		printf("  init_caller: %s called from 0x%llx (%s, %s+0x%llx): a module's init or exit code, run while it is patched\n",
		       who, (unsigned long long)p->site, p->site_section,
		       p->site_symbol ? p->site_symbol : "?",
		       (unsigned long long)p->site_offset);
		break;
	default:
		break;
	}
}

static void print_result(const struct klp_coverage_result *r)
{
	size_t i;

	printf("%s (%s, 0x%llx): ", r->part->name, klp_part_kind_name(r->kind),
	       (unsigned long long)r->address);
	if (r->coverable)
		printf("coverable by %zu caller%s", r->nr_callers,
		       r->nr_callers == 1 ? "" : "s");
	else
		printf("not coverable");
	/* a module's init callers are problems, printed below */
	for (i = 0; i < r->nr_problems; i++)
		if (r->problems[i].kind == KLP_COV_INIT_CALLER)
			break;
	if (r->nr_init_callers && i == r->nr_problems)
		printf(" (%zu init caller%s ignored)", r->nr_init_callers,
		       r->nr_init_callers == 1 ? "" : "s");
	printf("\n");
	/* the callers of a part that cannot be covered anyway: at -v */
	for (i = 0; i < r->nr_callers && (r->coverable || klp_verbose); i++)
		printf("  caller %s (0x%llx): %s\n", r->callers[i].name,
		       (unsigned long long)r->callers[i].address,
		       r->callers[i].chain);
	/* one reason is enough to refuse: the first few, all at -v */
	for (i = 0; i < r->nr_problems && (i < 5 || klp_verbose); i++)
		print_problem(&r->problems[i], r->part->name);
	if (i < r->nr_problems)
		printf("  ... and %zu more reasons (-v lists them)\n",
		       r->nr_problems - i);
}

static void json_result(struct json_writer *w,
			const struct klp_coverage_result *r)
{
	size_t i;

	json_begin_object(w);
	json_key(w, "name");
	json_string(w, r->part->name);
	json_key(w, "address");
	json_uint(w, r->address);
	json_key(w, "kind");
	json_string(w, klp_part_kind_name(r->kind));
	json_key(w, "coverable");
	json_bool(w, r->coverable);
	json_key(w, "init_callers");
	json_uint(w, r->nr_init_callers);
	json_key(w, "callers");
	json_begin_array(w);
	for (i = 0; i < r->nr_callers; i++) {
		json_begin_object(w);
		json_key(w, "name");
		json_string(w, r->callers[i].name);
		json_key(w, "address");
		json_uint(w, r->callers[i].address);
		json_key(w, "chain");
		json_string(w, r->callers[i].chain);
		json_end_object(w);
	}
	json_end_array(w);
	json_key(w, "problems");
	json_begin_array(w);
	for (i = 0; i < r->nr_problems; i++) {
		const struct klp_coverage_problem *p = &r->problems[i];

		json_begin_object(w);
		json_key(w, "kind");
		json_string(w, klp_coverage_problem_name(p->kind));
		json_key(w, "function");
		json_string(w, p->function ? p->function : r->part->name);
		json_key(w, "site");
		json_uint(w, p->site);
		json_key(w, "section");
		json_string(w, p->site_section);
		json_key(w, "symbol");
		json_string(w, p->site_symbol);
		json_key(w, "offset");
		json_uint(w, p->site_offset);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

/* ---- --summary ------------------------------------------------------------ */

struct tally {
	size_t parts, coverable, zero, foreign;
	size_t reasons[KLP_COV_NR_PROBLEMS];
	size_t first_reason[KLP_COV_NR_PROBLEMS];	/* each part once */
	size_t *callers;	/* needed, per coverable part */
};

static int compare_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile @p of the sorted @v. */
static size_t percentile(const size_t *v, size_t n, unsigned int p)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (n * p + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

static void tally_add(struct tally *t, const struct klp_coverage_result *r)
{
	bool seen[KLP_COV_NR_PROBLEMS] = { false };
	size_t i;

	t->parts++;
	if (r->nr_foreign_entries)
		t->foreign++;
	if (r->coverable) {
		t->callers[t->coverable++] = r->nr_callers;
		if (!r->nr_callers)
			t->zero++;
		return;
	}
	for (i = 0; i < r->nr_problems; i++)
		if (!seen[r->problems[i].kind]) {
			seen[r->problems[i].kind] = true;
			t->reasons[r->problems[i].kind]++;
		}
	/* in the enum's order: reasons no limit could lift come first */
	for (i = 0; i < KLP_COV_NR_PROBLEMS; i++)
		if (seen[i]) {
			t->first_reason[i]++;
			break;
		}
}

static void print_tally_row(const char *name, struct tally *t)
{
	size_t k;

	qsort(t->callers, t->coverable, sizeof(*t->callers), compare_size);
	printf("| %-9s | %6zu | %6zu (%4.1f%%) | %5zu | %3zu | %3zu | %3zu |",
	       name, t->parts, t->coverable,
	       t->parts ? 100.0 * (double)t->coverable / (double)t->parts : 0.0,
	       t->zero, percentile(t->callers, t->coverable, 50),
	       percentile(t->callers, t->coverable, 90),
	       t->coverable ? t->callers[t->coverable - 1] : 0);
	for (k = 0; k < KLP_COV_NR_PROBLEMS; k++)
		printf(" %5zu |", t->reasons[k]);
	printf(" %4zu |\n", t->foreign);
}

static void json_tally(struct json_writer *w, const char *name, struct tally *t)
{
	size_t k;

	qsort(t->callers, t->coverable, sizeof(*t->callers), compare_size);
	json_key(w, name);
	json_begin_object(w);
	json_key(w, "parts");
	json_uint(w, t->parts);
	json_key(w, "coverable");
	json_uint(w, t->coverable);
	json_key(w, "no_callers");
	json_uint(w, t->zero);
	json_key(w, "callers_median");
	json_uint(w, percentile(t->callers, t->coverable, 50));
	json_key(w, "callers_p90");
	json_uint(w, percentile(t->callers, t->coverable, 90));
	json_key(w, "callers_max");
	json_uint(w, t->coverable ? t->callers[t->coverable - 1] : 0);
	json_key(w, "reasons");
	json_begin_object(w);
	for (k = 0; k < KLP_COV_NR_PROBLEMS; k++) {
		json_key(w, klp_coverage_problem_name(k));
		json_uint(w, t->reasons[k]);
	}
	json_end_object(w);
	json_key(w, "first_reasons");
	json_begin_object(w);
	for (k = 0; k < KLP_COV_NR_PROBLEMS; k++) {
		json_key(w, klp_coverage_problem_name(k));
		json_uint(w, t->first_reason[k]);
	}
	json_end_object(w);
	json_key(w, "cold_entered_by_others");
	json_uint(w, t->foreign);
	json_end_object(w);
}

static int summary(const struct klp_coverage *cov,
		   const struct klp_coverage_limits *limits, bool json,
		   const char *path, double graph_time)
{
	enum { ALL = 0 };
	struct tally t[KLP_PART_CONSTPROP + 1] = {{ 0 }};
	size_t nr = klp_coverage__nr_parts(cov), i, k;
	struct klp_coverage_stats st;
	struct json_writer w;
	double start = now(), analysis_time;
	int status = KLP_EXIT_OK;

	for (k = 0; k <= KLP_PART_CONSTPROP; k++) {
		t[k].callers = calloc(nr ? nr : 1, sizeof(size_t));
		if (!t[k].callers) {
			fprintf(stderr, "%s: out of memory\n", klp_prog);
			status = KLP_EXIT_INTERNAL;
			goto out;
		}
	}
	for (i = 0; i < nr; i++) {
		const struct klp_symbol *part = klp_coverage__part(cov, i);
		struct klp_coverage_result r;
		int err = klp_coverage__analyse(cov, part, limits, &r);

		if (err) {
			fprintf(stderr, "%s: %s: error: %s: %s\n", klp_prog,
				path, part->name, strerror(-err));
			status = KLP_EXIT_INTERNAL;
			goto out;
		}
		tally_add(&t[ALL], &r);
		tally_add(&t[r.kind], &r);
		klp_coverage_result__fini(&r);
	}
	analysis_time = now() - start;
	klp_coverage__stats(cov, &st);

	if (json) {
		json_init(&w, stdout);
		json_begin_object(&w);
		json_key(&w, "vmlinux");
		json_string(&w, path);
		json_key(&w, "max_depth");
		json_uint(&w, limits->max_depth);
		json_key(&w, "max_callers");
		json_uint(&w, limits->max_callers);
		json_key(&w, "functions");
		json_uint(&w, st.functions);
		json_key(&w, "patchable");
		json_uint(&w, st.patchable);
		json_key(&w, "undecodable");
		json_uint(&w, st.undecodable);
		json_key(&w, "summary");
		json_begin_object(&w);
		json_tally(&w, "all", &t[ALL]);
		for (k = KLP_PART_COLD; k <= KLP_PART_CONSTPROP; k++)
			json_tally(&w, klp_part_kind_name(k), &t[k]);
		json_end_object(&w);
		json_key(&w, "graph_ms");
		json_uint(&w, (uint64_t)(graph_time * 1000));
		json_key(&w, "analysis_ms");
		json_uint(&w, (uint64_t)(analysis_time * 1000));
		json_end_object(&w);
		json_finish(&w);
		goto out;
	}
	printf("%s: %zu functions (%zu with __fentry__), %zu calls and %zu jumps between them, %zu other references; %zu walked by byte scan\n",
	       path, st.functions, st.patchable, st.calls, st.jumps,
	       st.references, st.undecodable);
	printf("limits: --max-depth %u --max-callers %u\n\n", limits->max_depth,
	       limits->max_callers);
	printf("| kind      |  parts | coverable       | no caller | median | p90 | max |");
	for (k = 0; k < KLP_COV_NR_PROBLEMS; k++)
		printf(" %s |", klp_coverage_problem_name(k));
	printf(" cold entered by others |\n");
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
	for (k = 0; k < KLP_COV_NR_PROBLEMS; k++)
		printf(" ---: |");
	printf(" ---: |\n");
	for (k = KLP_PART_COLD; k <= KLP_PART_CONSTPROP; k++)
		print_tally_row(klp_part_kind_name(k), &t[k]);
	print_tally_row("all", &t[ALL]);
	printf("\n(callers: covering callers needed, over the coverable parts; reasons:\n"
	       "parts not coverable that have each reason, one part may have several)\n\n");
	printf("not coverable, each part under its first reason in this order:\n\n| kind |");
	for (k = 0; k < KLP_COV_NR_PROBLEMS; k++)
		printf(" %s |", klp_coverage_problem_name(k));
	printf("\n| --- |");
	for (k = 0; k < KLP_COV_NR_PROBLEMS; k++)
		printf(" ---: |");
	printf("\n");
	for (k = KLP_PART_COLD; k <= KLP_PART_CONSTPROP; k++) {
		size_t j;

		printf("| %s |", klp_part_kind_name(k));
		for (j = 0; j < KLP_COV_NR_PROBLEMS; j++)
			printf(" %zu |", t[k].first_reason[j]);
		printf("\n");
	}
	printf("| all |");
	for (k = 0; k < KLP_COV_NR_PROBLEMS; k++)
		printf(" %zu |", t[ALL].first_reason[k]);
	printf("\n\n");
	printf("time: graph %.2f s, analysis of %zu parts %.2f s\n", graph_time,
	       nr, analysis_time);
out:
	for (k = 0; k <= KLP_PART_CONSTPROP; k++)
		free(t[k].callers);
	return status;
}

static int parse_limit(const char *arg, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || *arg == '-' || v > max) {
		usage_error("coverage: not a count from 0 to %lu: '%s'", max, arg);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

int cmd_coverage(int argc, char **argv)
{
	static const struct option options[] = {
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "object", required_argument, NULL, 'V' },
		{ "summary", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "max-depth", required_argument, NULL, 'd' },
		{ "max-callers", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct klp_coverage_limits limits = {
		KLP_COVERAGE_DEFAULT_DEPTH, KLP_COVERAGE_DEFAULT_CALLERS };
	const char *vmlinux = NULL;
	bool want_summary = false, json = false;
	struct klp_coverage *cov = NULL;
	struct klp_elf *elf = NULL;
	struct json_writer w;
	int status = KLP_EXIT_OK, opt, i;
	double start;

	while ((opt = getopt_long(argc, argv, "hv", options, NULL)) != -1) {
		switch (opt) {
		case 'V':
			vmlinux = optarg;
			break;
		case 's':
			want_summary = true;
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			if (parse_limit(optarg, KLP_COVERAGE_MAX_DEPTH,
					&limits.max_depth))
				return KLP_EXIT_USAGE;
			break;
		case 'c':
			if (parse_limit(optarg, 1000000, &limits.max_callers))
				return KLP_EXIT_USAGE;
			break;
		case 'v':
			klp_verbose++;
			break;
		case 'h':
			print_help(stdout);
			return KLP_EXIT_OK;
		default:
			print_help(stderr);
			return KLP_EXIT_USAGE;
		}
	}
	if (!vmlinux) {
		usage_error("coverage: --object FILE (a vmlinux or a module) is required");
		return KLP_EXIT_USAGE;
	}
	if (!want_summary && optind == argc) {
		usage_error("coverage: name a FUNCTION, or ask for --summary");
		return KLP_EXIT_USAGE;
	}

	start = now();
	elf = klp_elf__open(vmlinux, 0);
	if (!elf)
		return KLP_EXIT_USAGE;
	cov = klp_coverage__new(elf);
	if (!cov) {
		status = errno == ENOMEM ? KLP_EXIT_INTERNAL : KLP_EXIT_USAGE;
		goto out;
	}
	if (want_summary) {
		status = summary(cov, &limits, json, vmlinux, now() - start);
		goto out;
	}

	if (json) {
		json_init(&w, stdout);
		json_begin_array(&w);
	}
	for (i = optind; i < argc; i++) {
		const struct klp_symbol *sym;
		bool found = false;

		klp_elf__for_each_symbol_by_name(elf, argv[i], sym) {
			struct klp_coverage_result r;
			int err;

			if (sym->type != STT_FUNC)
				continue;
			err = klp_coverage__analyse(cov, sym, &limits, &r);
			if (err == -EINVAL)
				continue;	/* no code range: a size-0 symbol */
			if (err) {
				fprintf(stderr, "%s: %s: error: %s: %s\n",
					klp_prog, vmlinux, argv[i],
					strerror(-err));
				status = KLP_EXIT_INTERNAL;
				goto out;
			}
			found = true;
			if (json)
				json_result(&w, &r);
			else
				print_result(&r);
			if (!r.coverable && status == KLP_EXIT_OK)
				status = KLP_EXIT_UNSAFE;
			klp_coverage_result__fini(&r);
		}
		if (!found) {
			fprintf(stderr, "%s: %s: error: no function '%s' (with a size) in its symbol table\n",
				klp_prog, vmlinux, argv[i]);
			status = KLP_EXIT_USAGE;
		}
	}
	if (json) {
		json_end_array(&w);
		json_finish(&w);
	}
out:
	klp_coverage__free(cov);
	klp_elf__close(elf);
	return status;
}
