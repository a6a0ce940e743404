/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coverage.h - split-off parts a stock kernel's stack check can cover
 *
 * A kernel without `stack_only` entries checks a task's stack only
 * against the functions a livepatch replaces.  A task in foo.cold runs in
 * foo's frame, so what its stack shows above it is the return address
 * into foo's caller (through tail calls, that caller's caller): if every
 * function that can own that frame is replaced too, the stock check
 * holds the task while it is in the old part.  That is sound only where
 * every such caller is known.
 *
 * struct klp_coverage is the caller graph of one file: a linked vmlinux
 * with --emit-relocs relocations (e.g. Debian's -dbg vmlinux), or an
 * object (a module's .ko, a unit's .o, or an ld -r of units): every
 * direct call and jump between functions, read from the instructions
 * (the assembler resolves those within a section without a relocation)
 * and, in an object, from the relocations on their rel32 fields; and
 * every other reference to a function (an address taken), read from the
 * instructions and the relocations of the allocated sections.  It
 * answers, for one part, the functions whose frames cover it, or why no
 * such set can be proven.  docs/stock-kernels.md states the rule.
 *
 * Addresses: a linked file's own.  An object is not laid out, so each of
 * its allocated sections gets a base of its own (in section header
 * order, each on a 4 KiB boundary from 0x100000, at least one page
 * apart), and every address in a result, a caller or a problem is that
 * base + the section offset: compare them within one graph, not with
 * st_value.
 */
#ifndef KLP_PREP_COVERAGE_H
#define KLP_PREP_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klp_prep/elf.h>
#include <klp_prep/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct klp_coverage;

/* What a split-off part is, from its name's last suffix. */
enum klp_part_kind {
	KLP_PART_NONE,
	KLP_PART_COLD,		/* foo.cold: jumped into, runs in foo's frame */
	KLP_PART_PART,		/* foo.part.N: called, a frame of its own */
	KLP_PART_ISRA,		/* foo.isra.N */
	KLP_PART_CONSTPROP,	/* foo.constprop.N */
};

KLP_API enum klp_part_kind klp_part_kind(const char *name);
/*
 * The function a part's code was split from, every suffix taken off:
 * "foo.part.0.cold" -> "foo".  malloc'd; NULL with errno ENOMEM.
 */
KLP_API char *klp_part_origin(const char *name);
KLP_API const char *klp_part_kind_name(enum klp_part_kind kind);

/* Why a part cannot be covered. */
enum klp_coverage_problem_kind {
	KLP_COV_EXPORTED,	/* in __ksymtab*: modules may call it */
	KLP_COV_ADDRESS_TAKEN,	/* a reference that is not a direct branch */
	KLP_COV_UNKNOWN_CODE,	/* a branch from code in no function symbol */
	KLP_COV_TOO_DEEP,	/* frameless callers nested past the limit */
	KLP_COV_TOO_MANY,	/* more covering callers than the limit */
	KLP_COV_INIT_CALLER,	/* a caller in an object's .init.text/.exit.text */
	KLP_COV_NR_PROBLEMS,
};

KLP_API const char *klp_coverage_problem_name(enum klp_coverage_problem_kind kind);

struct klp_coverage_problem {
	enum klp_coverage_problem_kind kind;
	const char *function;	/* whose address is taken, ... (NULL: the part) */
	uint64_t function_address;
	uint64_t site;		/* where: the referencing address, 0 if none */
	const char *site_section;
	const char *site_symbol;	/* the nearest symbol at or before site */
	uint64_t site_offset;		/* site - that symbol */
	unsigned int depth;	/* functions between the part and function */
};

/* A function to replace too, and how its frame comes to cover the part. */
struct klp_coverage_caller {
	const char *name;
	uint64_t address;
	unsigned int file;	/* its STT_FILE group (klp_elf__file_name) */
	char *chain;		/* "part <- ... <- name": the path up */
	unsigned int depth;	/* functions on the path below it */
};

struct klp_coverage_result {
	const struct klp_symbol *part;
	uint64_t address;	/* of part: st_value, or an object's own address */
	enum klp_part_kind kind;
	bool coverable;
	struct klp_coverage_caller *callers;
	size_t nr_callers;
	struct klp_coverage_problem *problems;
	size_t nr_problems;
	/*
	 * Callers in .init.text / .exit.text.  vmlinux: gone before any
	 * patch loads, dropped.  An object (a module): a problem each
	 * (KLP_COV_INIT_CALLER), its init and exit run while it is patched.
	 */
	size_t nr_init_callers;
	/* Functions other than the name's parent that jump into a .cold part. */
	size_t nr_foreign_entries;
};

struct klp_coverage_limits {
	/* functions between the part and a covering caller, at most 64 */
	unsigned int max_depth;
	unsigned int max_callers;	/* covering callers accepted */
};

#define KLP_COVERAGE_DEFAULT_DEPTH	4
#define KLP_COVERAGE_DEFAULT_CALLERS	16
#define KLP_COVERAGE_MAX_DEPTH		64

struct klp_coverage_stats {
	size_t functions;	/* code ranges (STT_FUNC with a size), aliases merged */
	size_t patchable;	/* those with a __fentry__ call at their entry */
	size_t calls, jumps;	/* direct branches between functions */
	size_t references;	/* other references to functions */
	size_t undecodable;	/* functions walked by byte scan instead */
	size_t parts;		/* split-off parts */
};

/*
 * Build the graph of @elf, an x86-64 linked file (ET_EXEC) with its
 * relocations, or an x86-64 object (ET_REL).  @elf must stay open while
 * the result is used.  NULL with errno set after logging: ENOTSUP for
 * another machine or file type, ENOENT when a linked file has no
 * relocations for .text (a vmlinux without --emit-relocs), ENOMEM.
 */
KLP_API struct klp_coverage *klp_coverage__new(const struct klp_elf *elf);
KLP_API void klp_coverage__free(struct klp_coverage *cov);

KLP_API void klp_coverage__stats(const struct klp_coverage *cov,
				 struct klp_coverage_stats *out);

/* The split-off parts, in address order. */
KLP_API size_t klp_coverage__nr_parts(const struct klp_coverage *cov);
KLP_API const struct klp_symbol *klp_coverage__part(const struct klp_coverage *cov,
						    size_t i);

/*
 * The covering callers of @part (a function symbol of the file; any
 * function, not only a split-off part, is answered the same way), or
 * the problems that prevent them (nearest the part first).  0, or -EINVAL when @part is not a
 * function of the graph, -ENOMEM.  Free with klp_coverage_result__fini().
 */
KLP_API int klp_coverage__analyse(const struct klp_coverage *cov,
				  const struct klp_symbol *part,
				  const struct klp_coverage_limits *limits,
				  struct klp_coverage_result *out);
KLP_API void klp_coverage_result__fini(struct klp_coverage_result *r);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_COVERAGE_H */
