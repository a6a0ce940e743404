// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layout.c - include/klp_kernel_abi.h held against the kernel's own
 * struct klp_func, klp_object and klp_patch; it only compiles when every
 * offset and size there is that of the patched include/linux/livepatch.h
 * (check-layout.sh compiles it once per kernel-support series).
 *
 * Why stubs suffice: the checked fields are the external ones, which come
 * before any member of a stubbed type (kobject, list_head, work_struct,
 * completion); the types before them are pointers, unsigned long, bool and
 * struct klp_callbacks, all real.  check-layout.sh compiles this file
 * twice, with 1-byte stubs aligned to 1 and with 4096-byte stubs aligned
 * to 64: a checked field placed after a stubbed member would move between
 * the two, so one of them would fail.
 */
#include <linux/livepatch.h>

#include <klp_kernel_abi.h>

_Static_assert(sizeof(void *) == 8 && sizeof(unsigned long) == 8,
	       "klp_kernel_abi.h describes a 64-bit kernel (x86_64)");

#define FIELD_SIZE(type, field) sizeof(((struct type *)0)->field)

/* FIELD(klp_func, old_name, KLP_FUNC_OLD_NAME): offset and size. */
#define FIELD(type, field, abi)							\
	_Static_assert(offsetof(struct type, field) == abi,			\
		       "struct " #type "." #field ": offset is not " #abi);	\
	_Static_assert(FIELD_SIZE(type, field) == abi##_SIZE,			\
		       "struct " #type "." #field ": size is not " #abi "_SIZE")

FIELD(klp_func, old_name, KLP_FUNC_OLD_NAME);
FIELD(klp_func, new_func, KLP_FUNC_NEW_FUNC);
FIELD(klp_func, old_sympos, KLP_FUNC_OLD_SYMPOS);
FIELD(klp_func, stack_only, KLP_FUNC_STACK_ONLY);
FIELD(klp_func, new_name, KLP_FUNC_NEW_NAME);
FIELD(klp_func, new_sympos, KLP_FUNC_NEW_SYMPOS);
/* new_sympos ends the external part, and old_func begins the internal one. */
_Static_assert(offsetof(struct klp_func, new_sympos) + FIELD_SIZE(klp_func, new_sympos) ==
	       KLP_FUNC_EXTERNAL_SIZE, "struct klp_func: external part does not end at "
	       "KLP_FUNC_EXTERNAL_SIZE");
_Static_assert(offsetof(struct klp_func, old_func) == KLP_FUNC_EXTERNAL_SIZE,
	       "struct klp_func: the internal part does not start at KLP_FUNC_EXTERNAL_SIZE");

FIELD(klp_object, name, KLP_OBJECT_NAME);
FIELD(klp_object, funcs, KLP_OBJECT_FUNCS);

FIELD(klp_patch, objs, KLP_PATCH_OBJS);
FIELD(klp_patch, replace, KLP_PATCH_REPLACE);
