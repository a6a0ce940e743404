/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klp_kernel_abi.h - where a livepatch module's tables keep their fields
 *
 * The byte layout, on x86_64, of the external (module-filled) part of the
 * kernel's struct klp_func, struct klp_object and struct klp_patch, as
 * include/linux/livepatch.h declares them with the kernel-support series
 * applied (patch 0002 of kernel-support/patches/6.12 and .../6.1 adds
 * stack_only, new_name and new_sympos to struct klp_func).  klp-prep verify
 * reads built modules' tables with it; nothing here is compiled into a
 * kernel.
 *
 * KLP_<STRUCT>_<FIELD> is the field's byte offset in the struct and
 * KLP_<STRUCT>_<FIELD>_SIZE its size.  Only the external fields that a
 * reader needs are here: the internal part that follows them has a size
 * that depends on the kernel's configuration (struct kobject), so a reader
 * finds sizeof(struct klp_func) from the table itself.
 *
 * The ctest kernel_abi_layout (tests/unit/kernel_abi/) checks every value
 * here against the structs of the Debian 6.12 and 6.1 sources with each
 * series' patches applied, so a change to the patches' structs fails it.
 */
#ifndef KLP_KERNEL_ABI_H
#define KLP_KERNEL_ABI_H

/* struct klp_func: old_name, new_func, old_sympos, then the series' fields. */
#define KLP_FUNC_OLD_NAME		0	/* const char * */
#define KLP_FUNC_OLD_NAME_SIZE		8
#define KLP_FUNC_NEW_FUNC		8	/* void * */
#define KLP_FUNC_NEW_FUNC_SIZE		8
#define KLP_FUNC_OLD_SYMPOS		16	/* unsigned long */
#define KLP_FUNC_OLD_SYMPOS_SIZE	8
#define KLP_FUNC_STACK_ONLY		24	/* bool */
#define KLP_FUNC_STACK_ONLY_SIZE	1
#define KLP_FUNC_NEW_NAME		32	/* const char * */
#define KLP_FUNC_NEW_NAME_SIZE		8
#define KLP_FUNC_NEW_SYMPOS		40	/* unsigned long */
#define KLP_FUNC_NEW_SYMPOS_SIZE	8
/* Where the external part ends: the least sizeof(struct klp_func). */
#define KLP_FUNC_EXTERNAL_SIZE		48

/* struct klp_object: name (NULL for vmlinux), funcs. */
#define KLP_OBJECT_NAME			0	/* const char * */
#define KLP_OBJECT_NAME_SIZE		8
#define KLP_OBJECT_FUNCS		8	/* struct klp_func * */
#define KLP_OBJECT_FUNCS_SIZE		8

/* struct klp_patch: mod, objs, states, replace. */
#define KLP_PATCH_OBJS			8	/* struct klp_object * */
#define KLP_PATCH_OBJS_SIZE		8
#define KLP_PATCH_REPLACE		24	/* bool */
#define KLP_PATCH_REPLACE_SIZE		1

#endif /* KLP_KERNEL_ABI_H */
