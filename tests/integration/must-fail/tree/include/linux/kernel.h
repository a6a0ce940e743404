/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's spellings of what the must-fail fixtures need. */
#ifndef _FIXTURE_KERNEL_H
#define _FIXTURE_KERNEL_H

#define noinline	__attribute__((__noinline__))
#define notrace		__attribute__((__no_instrument_function__))
#define __init		__attribute__((__section__(".init.text"))) __attribute__((__cold__))
#define __exit		__attribute__((__section__(".exit.text"))) __attribute__((__used__))
/* As include/linux/compiler_types.h: no tracing, no instrumentation. */
#define noinstr		noinline notrace __attribute__((__section__(".noinstr.text")))
/* As arch/x86's entry code: C helpers that run before the kernel's state is set up. */
#define __entry_text	noinline notrace __attribute__((__section__(".entry.text")))

#include <linux/mf_queue.h>

int _printk(const char *fmt, ...);
#define pr_info(fmt, ...) _printk(fmt, ##__VA_ARGS__)

#endif
