/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * generate.h - klp-prep generate: a livepatch module source from a fix
 *
 * Inputs: a kernel build directory (its compile_commands.json, vmlinux,
 * Module.symvers, and the partition records in vmlinux when it was built
 * with the plugin), and the fix: a unified diff against that tree, or
 * patched copies of its files with the functions to patch.  Output: a
 * directory with the module source, rendered from the templates:
 *
 *   livepatch_NAME.c	klp_func tables per object (patched functions and
 *			their stack_only subfunctions, old side), klp_object
 *			per target, klp_patch, init and exit
 *   livepatch_NAME.h	prototypes of the new functions, KLP_PREP_EXTERN
 *   UNIT.c		per patched unit ("fs_proc_cmdline.c"): the
 *			extraction (extract.h)
 *   Kbuild		the module's objects and per-unit flags
 *   patched_funcs.csv	SUSE's list: object, old name[,sympos], new name
 *
 * The output is written to a temporary directory next to the target and
 * renamed into place; an existing output directory is replaced only with
 * @force.  Nothing in it depends on where the inputs were (no absolute
 * paths) or when (no dates): the same inputs give the same bytes.
 */
#ifndef KLP_PREP_GENERATE_H
#define KLP_PREP_GENERATE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Returned when the fix cannot be livepatched safely (a refusal). */
#define KLP_GENERATE_UNSAFE	(-EPERM)

/*
 * The new side of one stack_only entry, which only a built module can
 * tell (klp-prep build reads it from the module's own records): a part
 * the compiler split off the new function of the patched function
 * @parent (its old_name and old_sympos) in @object.  @old_name names the
 * old-side entry it pairs with; NULL makes an entry of its own, with no
 * old side, after the old-side ones (@why is its comment).  Old-side
 * entries that no element names keep no new side (new_name NULL).
 */
struct klp_generate_subfunc {
	const char *object;		/* "vmlinux" or the module's name */
	const char *parent;
	unsigned long parent_sympos;
	const char *old_name;		/* NULL: the new code's only */
	unsigned long old_sympos;
	const char *new_name;		/* in the livepatch module */
	unsigned long new_sympos;	/* its position there, 0: unique */
	const char *why;		/* for an entry without old side */
};

struct klp_generate_opts {
	const char *build_dir;		/* the kernel's O= directory */
	const char *compdb_dir;		/* its compile_commands.json; NULL:
					 * @build_dir */
	const char *diff;		/* a unified diff, or NULL */
	int strip;			/* its -p; <0: 1 */
	/*
	 * Patched files instead of a diff: "TREE/PATH.c=LOCAL/FILE.c" (the
	 * file as the tree names it, and where the patched copy is).
	 */
	const char *const *patched;
	size_t nr_patched;
	/*
	 * The functions that changed, "NAME" or "FILE:NAME": they replace
	 * what the diff's hunks (or the patched files' differences) say.
	 */
	const char *const *functions;
	size_t nr_functions;
	const char *name;		/* the livepatch's name; NULL: from the
					 * diff's file name */
	const char *prefix;		/* NULL: "klpp_" */
	const char *templates;		/* directory; NULL: the installed one */
	const char *output;		/* the directory to write */
	bool force;			/* replace an existing @output */
	bool replace;			/* klp_patch.replace (atomic replace) */
	/*
	 * The author's C file of klp_object callbacks, or NULL: copied into
	 * the module as callbacks.c; its klp_prep_{pre,post}_{patch,unpatch}
	 * _OBJECT functions become the callbacks of those objects
	 * (generate_callbacks.c).
	 */
	const char *callbacks;
	/* The new side of the stack_only entries (klp-prep build), or NULL. */
	const struct klp_generate_subfunc *new_side;
	size_t nr_new_side;
	/* Refusals the author overrides (KLP_ALLOW_*, --allow-unsafe). */
	unsigned int allow_unsafe;
	/*
	 * A kernel built without the plugin (klp-prep build on a
	 * distribution's headers, shipped.h): vmlinux's symbols from
	 * @vmlinux (NULL: BUILD_DIR/vmlinux), the records of the units the
	 * fix changes from @rebuilt_units (those units rebuilt with the
	 * plugin and proven against the shipped code; not NULL: vmlinux
	 * itself has none, even when @nr_rebuilt_units is 0).  A unit
	 * compiled for a module (-DMODULE) belongs to the module of its
	 * KBUILD_MODNAME, whose symbols come from NAME.ko under
	 * @modules_dir (searched; NULL: beside the unit, or under
	 * BUILD_DIR).
	 */
	const char *vmlinux;
	const char *const *rebuilt_units;
	size_t nr_rebuilt_units;
	const char *modules_dir;
	/*
	 * The kernel's struct klp_func has no stack_only (a stock kernel,
	 * without the kernel-support series): the table names no split
	 * part; each part of a patched function is covered instead by
	 * patching every caller whose frame can be above it (coverage.h,
	 * generate_cover.c), or refused with the reason.  Its limits: 0
	 * for the defaults.
	 */
	bool no_stack_only;
	bool no_cover;			/* cover nothing: each part is left to
					 * escape, an override (a control
					 * experiment) */
	unsigned int cover_max_depth;
	unsigned int cover_max_callers;
};

/*
 * What --allow-unsafe=KIND[,KIND] lets through.  Each override is logged
 * as a warning and named in a comment of the generated livepatch_NAME.c.
 */
#define KLP_ALLOW_TYPE		(1u << 0)	/* "type": a struct/union
						 * definition changes */
#define KLP_ALLOW_DATA		(1u << 1)	/* "data": a file-scope
						 * variable's type or
						 * initializer changes */
#define KLP_ALLOW_INIT		(1u << 2)	/* "init": leave out __init/
						 * __exit functions (run
						 * already, or only at unload) */
#define KLP_ALLOW_NOTRACE	(1u << 3)	/* "notrace": leave out
						 * functions without an ftrace
						 * hook (notrace, noinstr,
						 * entry code, no fentry) */
/*
 * A stock kernel's split part that no set of patched callers is proven
 * to cover, by the reason (coverage.h spells them): leave the part
 * uncovered.  "uncovered": the callers exist but this patch cannot
 * carry them (another unit, a clone, no relocations to prove with).
 */
#define KLP_ALLOW_EXPORTED	(1u << 4)	/* "exported" */
#define KLP_ALLOW_ADDRESS_TAKEN	(1u << 5)	/* "address_taken" */
#define KLP_ALLOW_UNKNOWN_CODE	(1u << 6)	/* "unknown_code" */
#define KLP_ALLOW_TOO_DEEP	(1u << 7)	/* "too_deep" */
#define KLP_ALLOW_TOO_MANY	(1u << 8)	/* "too_many_callers" */
#define KLP_ALLOW_UNCOVERED	(1u << 9)	/* "uncovered" */
#define KLP_ALLOW_INIT_CALLER	(1u << 10)	/* "init_caller" */
#define KLP_ALLOW_UNCOVERED_PARTS	(KLP_ALLOW_EXPORTED | KLP_ALLOW_ADDRESS_TAKEN | \
					 KLP_ALLOW_UNKNOWN_CODE | KLP_ALLOW_TOO_DEEP | \
					 KLP_ALLOW_TOO_MANY | KLP_ALLOW_UNCOVERED | \
					 KLP_ALLOW_INIT_CALLER)
#define KLP_ALLOW_ALL		((1u << 11) - 1)

/* Parse "type,data,..." (the kinds above) or "all"; -EINVAL names the bad kind. */
int klp_generate_parse_allow(const char *kinds, unsigned int *flags);

/*
 * What klp_generate() wrote, for a caller that goes on from there
 * (klp-prep build) without reading the generated text back.
 */

/* One stack_only entry, as the table in livepatch_NAME.c has it. */
struct klp_generate_part {
	char *old_name;			/* NULL: the new code's only */
	unsigned long old_sympos;
	char *new_name;			/* NULL: no new side (yet) */
	unsigned long new_sympos;
	char *why;			/* its comment */
	bool covered;			/* a stock kernel's: no table entry,
					 * only a comment saying how it is
					 * covered (@cover, static text) */
	const char *cover;
};

/* One patched function, followed in the table by its stack_only parts. */
struct klp_generate_func {
	char *old_name;
	unsigned long old_sympos;
	char *new_name;			/* in the livepatch module */
	char *reason;			/* why it is patched (its comment) */
	char *unit;			/* its unit in the tree: "fs/proc/cmdline.c" */
	struct klp_generate_part *parts;
	size_t nr_parts;
};

/* One klp_object: vmlinux (first) or a module, with its functions. */
struct klp_generate_object {
	char *name;			/* as the livepatch core names it */
	struct klp_generate_func *funcs;
	size_t nr_funcs;
};

/* A symbol the new code reaches through .klp.sym (KLP_PREP_EXTERN). */
struct klp_generate_extern {
	char *object;			/* "vmlinux" or the module's name */
	char *symbol;			/* in the object ("var.N": a static local) */
	unsigned long pos;		/* as the livepatch core counts; 0: unique */
	char *unit;			/* the unit that uses it */
};

/* A function new in the fix: the module's own, static, not in the table. */
struct klp_generate_new_func {
	char *name;
	char *unit;			/* its unit in the tree */
	char *reason;			/* "new in the fix" */
};

struct klp_generate_result {
	char *name;			/* the livepatch's: livepatch_NAME.c */
	char *module;			/* "livepatch-NAME": the .ko it builds */
	char *output;			/* the directory written */
	char **files;			/* what it holds, by name, as written */
	size_t nr_files;
	struct klp_generate_object *objs;	/* with functions only */
	size_t nr_objs;
	struct klp_generate_extern *externs;	/* per unit, in source order */
	size_t nr_externs;
	struct klp_generate_new_func *new_funcs;	/* per unit, in source order */
	size_t nr_new_funcs;
};

/*
 * Returns 0; KLP_GENERATE_UNSAFE when something cannot be livepatched
 * safely (every reason logged as "file:line: error: ..."); -EINVAL for
 * bad input; -EEXIST when @output exists and !@force; other -errno.
 * On success *@result (when @result is not NULL) describes what was
 * written; free it with klp_generate_result__free().
 */
int klp_generate(const struct klp_generate_opts *opts,
		 struct klp_generate_result **result);
void klp_generate_result__free(struct klp_generate_result *r);

/*
 * The post-link step, on a built livepatch module: its weak undefined
 * ".klp.sym.OBJ.NAME,POS" symbols (KLP_PREP_EXTERN) become livepatch
 * symbols (SHN_LIVEPATCH) and the relocations against them move to
 * .klp.rela.OBJ.SECTION sections, as
 * Documentation/livepatch/module-elf-format.rst describes.  Rewrites
 * @ko in place; running it again changes nothing.  *@nr_syms and
 * *@nr_relocs count what it converted.  Returns 0 or -errno (logged).
 */
int klp_generate_convert_module(const char *ko, unsigned int *nr_syms,
				unsigned int *nr_relocs);

/* The templates directory used when opts->templates is NULL. */
const char *klp_generate_default_templates(void);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_GENERATE_H */
