/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel_stubs.h - just enough of the kernel for include/linux/livepatch.h
 * to compile in user space (check-layout.sh makes its other includes empty)
 *
 * The types of the structs' internal members are stubs of STUB_SIZE bytes
 * aligned to STUB_ALIGN; layout.c says why that does not weaken the check.
 */
#ifndef KLP_TEST_KERNEL_STUBS_H
#define KLP_TEST_KERNEL_STUBS_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_LIVEPATCH			1
#define CONFIG_STACKTRACE			1
#define CONFIG_HAVE_RELIABLE_STACKTRACE		1
#define IS_ENABLED(option)			(option)

#define KLP_STUB_TYPE(name) \
	struct name { _Alignas(STUB_ALIGN) unsigned char bytes[STUB_SIZE]; }
KLP_STUB_TYPE(list_head);
KLP_STUB_TYPE(kobject);
KLP_STUB_TYPE(work_struct);
KLP_STUB_TYPE(completion);

/* Only pointed to. */
struct module;
struct task_struct;
typedef struct elf64_shdr Elf_Shdr;

/* For the declarations and inline functions after the structs. */
typedef unsigned int gfp_t;
#define TIF_PATCH_PENDING	0
bool test_tsk_thread_flag(struct task_struct *task, int flag);

#endif /* KLP_TEST_KERNEL_STUBS_H */
