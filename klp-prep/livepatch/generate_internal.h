/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * generate_internal.h - the original build's symbols, as generate asks
 * them: every symbol of vmlinux (data too, unlike klp_objfile, which reads
 * functions), grouped by STT_FILE, and the exports of Module.symvers;
 * and the state klp_generate()'s passes share (generate.c lists them)
 */
#ifndef KLP_PREP_GENERATE_INTERNAL_H
#define KLP_PREP_GENERATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klp_prep/elf.h>
#include <klp_prep/object.h>
#include <klp_prep/sympos.h>

#include "compdb.h"
#include "extract.h"
#include "generate.h"

#include "extract_strset.h"

struct gen_sym {
	const char *name;		/* in the symtab's struct klp_elf */
	uint64_t value;
	unsigned char type;		/* STT_* */
	unsigned char bind;		/* STB_* */
	unsigned int file;		/* STT_FILE group, 0 = none */
};

struct gen_symtab {
	char *path;
	char *object;			/* "vmlinux" or the module's name */
	bool is_module;			/* positions in .symtab order */
	struct klp_elf *elf;		/* the file; its STT_FILE groups */
	struct gen_sym *syms;		/* .symtab order, defined ones only */
	size_t nr;
	struct klp_sympos_table *sympos;	/* syms, for positions */
	const size_t *by_name;		/* indexes sorted by name, then address
					 * (vmlinux): the sympos walk */
	struct strset exports;		/* Module.symvers */
	bool have_exports;
};

/*
 * Read @path's .symtab and @symvers (may be NULL or missing: no exports).
 * @is_module: positions are counted in .symtab order, as
 * module_kallsyms_on_each_symbol() walks them, not by address.
 */
int gen_symtab__open(const char *path, const char *object, bool is_module,
		     const char *symvers, struct gen_symtab **out);
void gen_symtab__free(struct gen_symtab *st);

/* Symbols named @name: first index into by_name and the count. */
size_t gen_symtab__named(const struct gen_symtab *st, const char *name,
			 size_t *first);

/* The oracle for one unit (its basename picks the STT_FILE groups). */
struct gen_unit_oracle {
	struct klp_symbol_oracle oracle;
	const struct gen_symtab *st;	/* the unit's object */
	const struct gen_symtab *vmlinux;	/* for a module's unit: globals
					 * it does not define */
	const char *display;		/* the unit, for messages */
	char *basename;
	unsigned int *groups;
	size_t nr_groups;
	char candidates[256];		/* of an ambiguous static local */
};

int gen_unit_oracle__init(struct gen_unit_oracle *uo, const struct gen_symtab *st,
			  const struct gen_symtab *vmlinux, const char *unit_path,
			  const char *display);
void gen_unit_oracle__fini(struct gen_unit_oracle *uo);

/* The unit's local symbol @name of type @type (STT_*), or NULL. */
const struct gen_sym *gen_unit_oracle__local(const struct gen_unit_oracle *uo,
					     const char *name, int type);

/* The position of symbol @s among those of its name (0: unique). */
unsigned long gen_symtab__sympos(const struct gen_symtab *st,
				 const struct gen_sym *s);

/* ---- klp_generate()'s state and passes (generate*.c) --------------------- */

/* A subfunction of a patched function: a stack_only entry (old side). */
struct gen_subfunc {
	char *symbol;
	unsigned long sympos;
	char *why;			/* "cold part of foo" */
	const char *cover;		/* a stock kernel's: how it is covered
					 * (static text), NULL: not yet */
};

struct gen_func {
	char *origin;			/* source name */
	char *symbol;			/* old_name */
	char *new_name;			/* from the extraction (klpp_NAME, or
					 * a macro-made name) */
	unsigned long sympos;
	char *reason;
	struct gen_subfunc *subs;
	size_t nr_subs;
};

struct gen_unit {
	char *path;			/* in the tree: "fs/proc/cmdline.c" */
	char *flat;			/* "fs_proc_cmdline" */
	char *display;
	struct klp_compile_args *args;
	char *orig;			/* original text */
	size_t orig_size;
	char *patched;
	size_t patched_size;
	struct klp_line_range *old_ranges, *new_ranges;
	size_t nr_old_ranges, nr_new_ranges;
	char **changed;			/* changed functions (names) */
	size_t nr_changed;
	char **new_funcs;		/* functions new in the fix (names):
					 * the module's own, never patched */
	size_t nr_new_funcs;
	char **notrace_copies;		/* of new_funcs, those the fix changes
					 * that have no ftrace hook: the
					 * module's copy, called by patched
					 * callers (generate_cover.c) */
	size_t nr_notrace_copies;
	char **shared_funcs;		/* of those, the ones other units of
					 * the fix call: global in the module */
	size_t nr_shared_funcs;
	struct gen_func *funcs;		/* to patch */
	size_t nr_funcs;
	struct klp_tu *tu;
	struct klp_tu *orig_tu;		/* the original text, parsed when
					 * a signature's lines change */
	int orig_err;			/* its parse failed */
	struct klp_extract *ex;
	char *spdx;			/* the unit's SPDX line, or NULL */
	size_t obj;			/* into gen->objs */
	bool records;			/* its object has its records */
	bool unchanged;			/* not in the fix: patched because it
					 * inlined a changed header's code */
};

/*
 * A header the fix changes in code (a static inline function): every
 * function that inlined the change, in any unit, is patched; those
 * units are parsed, and the module built, with the patched text.
 */
struct gen_header {
	char *path;			/* in the tree: "include/linux/foo.h" */
	char *file;			/* on disk, absolute */
	char *patched;
	size_t patched_size;
	struct klp_line_range *old_ranges;	/* lines of the original */
	size_t nr_old_ranges;
	size_t nr_data_changes;		/* structs and variables: refused, or
					 * let through by --allow-unsafe */
};

/* An object the fix patches: vmlinux (always objs[0]) or a module. */
struct gen_object {
	char *name;			/* as the livepatch core names it */
	char *path;			/* vmlinux or the .ko */
	struct gen_symtab *st;
	bool rebuilt;			/* its units' records: opts->rebuilt_units */
};

struct gen {
	const struct klp_generate_opts *opts;
	char *name;
	const char *prefix;
	struct klp_compdb *db;
	struct gen_object *objs;
	size_t nr_objs;
	struct klp_index *ix;		/* records, NULL without */
	/* opts->rebuilt_units and their objects, open: g->aff points into them */
	struct klp_objfile **unit_objs;
	size_t nr_unit_objs;
	struct klp_affected *aff;
	struct gen_unit *units;
	size_t nr_units;
	struct gen_header *headers;
	size_t nr_headers;
	unsigned int unsafe;		/* refusals */
	unsigned int unsupported;	/* what klp-prep cannot do yet (exit 2) */
	char **overrides;		/* refusals --allow-unsafe let through */
	size_t nr_overrides;
	char *callbacks_text;		/* opts->callbacks, read */
	char *tmpdir;			/* the output until it is installed */
	struct klp_generate_result *res;	/* what was written */
};

/* Log an input error (a whole message line); returns -EINVAL. */
int gen_err_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* generate_load.c: the build and the fix. */
int gen_load_build(struct gen *g);
int gen_load_fix(struct gen *g);
int gen_load_records(struct gen *g);
int gen_parse_units(struct gen *g);
/*
 * Unit @unit (a record's source name) is not in the fix but inlined a
 * changed header's code: add it, its text unchanged, parsed with the
 * patched headers.  Returns 0, -EINVAL (logged), -ENOMEM.
 */
int gen_add_unchanged_unit(struct gen *g, const char *unit, struct gen_unit **out);
bool gen_is_header(const char *path);
/*
 * @file (absolute) in the tree, as a diff names it: under the root the
 * first changed header was found in, else @file itself.  malloc'd.
 */
char *gen_tree_path(const struct gen *g, const char *file);
/* Does path @a end with the tree path @b at a '/' (or equal it)? */
bool gen_same_unit(const char *a, const char *b);

/* generate_plan.c: what to patch, its extraction, the table. */
int gen_find_patched(struct gen *g);
/*
 * A record (@tag "struct"/"union") or variable (@tag "global"/"static")
 * defined at @file:@line that the fix changes: refused (logged, counted
 * in g->unsafe), or noted as overridden when --allow-unsafe says so.
 * Returns 0 or -ENOMEM.
 */
int gen_data_change(struct gen *g, const char *file, unsigned int line, bool record,
		    const char *tag, const char *name);
int gen_extract_units(struct gen *g);
int gen_plan_table(struct gen *g);
bool gen_strv_has(char **v, size_t n, const char *s);
int gen_strv_push(char ***v, size_t *n, const char *s);
/*
 * Function @symbol (source name @origin) of unit @u has no ftrace hook:
 * when it is static and every frame above it is a direct caller's in its
 * unit's object, those callers are patched instead (*@done), and the
 * module holds its own copy of it (@in_header: the patched header gives
 * it).  Otherwise @why says why not ("" for a global function, whose
 * callers in other units are not known).  generate_cover.c.  Returns 0
 * or -ENOMEM.
 */
int gen_patch_callers_instead(struct gen *g, struct gen_unit *u, const char *symbol,
			      const char *origin, bool in_header, char *why, size_t why_size,
			      bool *done);
int gen_add_func(struct gen_unit *u, const char *origin, const char *symbol,
		 unsigned long sympos, const char *reason, struct gen_func **out);
int gen_add_sub(struct gen_func *f, const char *symbol, unsigned long sympos,
		const char *why);
/* Note a refusal --allow-unsafe let through: warned now, a comment later. */
int gen_add_override(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* generate_callbacks.c: the author's klp_object callbacks (--callbacks). */
struct klp_tdata;
int gen_callbacks_load(struct gen *g);
int gen_callbacks_object(struct gen *g, struct klp_tdata *root, struct klp_tdata *obj,
			 const char *object);
int gen_callbacks_write(struct gen *g);

/* generate_cover.c: a stock kernel's patch covers its split-off parts. */
int gen_cover_split_parts(struct gen *g);

/* generate_render.c: the templates, into g->tmpdir. */
int gen_render(struct gen *g);
const char *gen_templates_dir(const struct gen *g);
/* One externalized declaration, as templates/extern.tmpl spells it. */
char *gen_spell_extern(void *ctx, const struct klp_extern *e);

/* generate_output.c: the temporary directory and its installation. */
int gen_check_output(struct gen *g);
int gen_output_tmpdir(struct gen *g);
/* Write @name in g->tmpdir and list it in g->res->files. */
int gen_output_write(struct gen *g, const char *name, const char *text, size_t len);
int gen_install(struct gen *g);
int gen_output_remove(const char *path);

#endif /* KLP_PREP_GENERATE_INTERNAL_H */
