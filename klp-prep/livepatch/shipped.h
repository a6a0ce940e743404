/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shipped.h - records for a distribution's kernel, proven against it
 *
 * A shipped kernel was built without the plugin.  Its units are
 * recompiled, with the plugin, from the distribution's source package
 * against its headers package (the kbuild interface, as shipped: no
 * "make prepare", no configuration to guess), and each is held against
 * the shipped -dbg vmlinux function by function (klp_code_compare());
 * only a unit whose every function matches is kept, in a cache per
 * release:
 *
 *   CACHE/src/NAME-VERSION/	the source package's tarball, unpacked
 *				once per version (objects land beside the
 *				sources)
 *   CACHE/RELEASE/identity	what the entries below were made from;
 *				another identity empties them
 *   CACHE/RELEASE/obj/		the kbuild output directory: a copy of
 *				the headers' flavour directory whose
 *				Makefile includes the source tree's
 *   CACHE/RELEASE/units/PATH.o	proven units (after the link-time objtool
 *				step where the kernel has one): the
 *				records and the code they were proven on
 *   CACHE/RELEASE/make.log	the compiles' output
 *
 * Written through temporary names renamed into place, so an interrupted
 * run leaves nothing half made.
 */
#ifndef KLP_PREP_SHIPPED_H
#define KLP_PREP_SHIPPED_H

#include <stdbool.h>
#include <stddef.h>

#include <klp_prep/affected.h>
#include <klp_prep/object.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A unit's rebuilt code differs from the shipped code (named, logged). */
#define KLP_SHIPPED_DIFFERS	1

struct klp_shipped_opts {
	const char *build_dir;		/* -k: /lib/modules/RELEASE/build */
	const char *vmlinux;		/* NULL: the -dbg package's */
	/* NULL: /usr/src/linux-source-SERIES.tar.xz; a directory: as is */
	const char *source;
	const char *cache;		/* NULL: klp_shipped_default_cache() */
	const char *plugin;		/* NULL: klp_build_default_plugin() */
	/*
	 * Flags added to the compiles, to show that the proof refuses code
	 * compiled otherwise; units made with them are never cached.
	 */
	const char *extra_cflags;
	bool cache_only;		/* for reading proven units: no source,
					   compiler or plugin needed */
};

struct klp_shipped;

/*
 * Find the release's packages and check them: the headers at
 * @opts->build_dir, the -dbg vmlinux, the source (its version the
 * kernel's) and the compiler CONFIG_CC_VERSION_TEXT names.  Returns 0
 * and *@out, -ENOENT when a package is missing (the apt-get line to run
 * is logged), -EINVAL for a source or compiler that is not the kernel's,
 * other -errno; every error is logged.
 */
int klp_shipped_open(const struct klp_shipped_opts *opts,
		     struct klp_shipped **out);
void klp_shipped_free(struct klp_shipped *s);

const char *klp_shipped_release(const struct klp_shipped *s);
const char *klp_shipped_vmlinux(const struct klp_shipped *s);
/* The -dbg package's modules, unstripped: DIR/NAME.ko under it. */
const char *klp_shipped_modules(const struct klp_shipped *s);
/*
 * The file of module @name ('-' and '_' alike) under @dir, found by
 * walking it; NULL when there is none (logged).
 */
char *klp_shipped_find_module(const char *dir, const char *name);
/*
 * What the proven @unit was proven against: *@target the -dbg vmlinux,
 * or for a unit of a module the module's .ko (*@module its name, else
 * NULL).  0, or -errno (logged).
 */
int klp_shipped_unit_target(const struct klp_shipped *s, const char *unit, char **module,
			    char **target);
/*
 * The unit of source file @path (its first @len bytes): "fs/proc/version.c"
 * gives "fs/proc/version.o".  NULL with errno EINVAL for a file that is no
 * .c unit, ENOMEM.
 */
char *klp_shipped_unit_of(const char *path, size_t len);
/*
 * Say (@where: error: ...) that @function cannot be patched on a stock
 * kernel: its split part @part (@kind, or NULL) would need a stack_only
 * entry, which the kernel's struct klp_func lacks.
 */
void klp_shipped_refuse_split_part(const char *where, const char *function,
				   const char *part, const char *kind);
/* CACHE/RELEASE/units/@unit, whether it is there or not (NULL: ENOMEM). */
char *klp_shipped_unit_path(const struct klp_shipped *s, const char *unit);

/*
 * Make the records of @units (paths of the source tree: "fs/proc/version.o"):
 * unpack the source and make the kbuild directory if not done yet,
 * compile each unit not cached yet, prove it against the shipped vmlinux,
 * or the -dbg .ko of the module kbuild compiled it for (-DMODULE), and
 * cache it.  Each unit's
 * outcome is printed on stdout, one line.  Returns 0 when every unit is
 * proven, KLP_SHIPPED_DIFFERS when one is not (the others are still
 * done), -errno when a step failed (logged).
 */
int klp_shipped_make_records(struct klp_shipped *s,
			     const char *const *units, size_t nr_units);

/*
 * For klp-prep build.  Does @build_dir look like a headers package (a
 * .config, no System.map) rather than a kernel build?
 */
bool klp_shipped_is_headers(const char *build_dir);
const char *klp_shipped_headers(const struct klp_shipped *s);
/* The unpacked source (unpacked now if not yet); NULL: error, logged. */
const char *klp_shipped_source_tree(struct klp_shipped *s);

/*
 * Has the kernel's struct klp_func the stack_only entries of the
 * kernel-support series (KLP_HAVE_STACK_ONLY in the headers'
 * <linux/livepatch.h>)?  1, 0, or -ENOENT (logged) without the header.
 */
int klp_shipped_has_stack_only(const struct klp_shipped *s);

/*
 * Write @path, a compile_commands.json: the commands kbuild compiled
 * @units with here (from the .cmd files beside them in the source tree;
 * a unit without one is compiled again), and those of the C units of the
 * out-of-tree modules @module_dirs, built against the headers.  Returns
 * 0 or -errno (logged).
 */
int klp_shipped_write_compdb(struct klp_shipped *s, const char *const *units, size_t nr_units,
			     const char *const *module_dirs, size_t nr_module_dirs,
			     const char *path);

/*
 * Add object @name (vmlinux, or a module: @module) of the shipped kernel
 * to @a for its proven units @units (open; @unit_names for messages):
 * their records, and the symbols of @shipped, its shipped binary, in
 * .symtab order for old_sympos, each local one tied to the unit whose
 * STT_FILE group holds that unit's local functions (the rule of the
 * proof).  Returns the object's index in @a, or -errno (logged).
 */
int klp_shipped_add_object(struct klp_affected *a, const char *name, bool module,
			   const struct klp_objfile *shipped,
			   struct klp_objfile *const *units, const char *const *unit_names,
			   size_t nr_units);

/* $XDG_CACHE_HOME/klp-prep/shipped, or ~/.cache/klp-prep/shipped. */
const char *klp_shipped_default_cache(void);

#ifdef __cplusplus
}
#endif

#endif /* KLP_PREP_SHIPPED_H */
