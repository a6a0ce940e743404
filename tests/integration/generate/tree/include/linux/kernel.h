/* SPDX-License-Identifier: GPL-2.0 */
/* A few kernel declarations, enough for the generate fixtures. */
#ifndef _FIXTURE_KERNEL_H
#define _FIXTURE_KERNEL_H

#define __init __attribute__((__section__(".init.text")))
#define __weak __attribute__((__weak__))
#define noinline __attribute__((__noinline__))
#define unlikely(x) __builtin_expect(!!(x), 0)

int _printk(const char *fmt, ...);
#define KERN_INFO "\0016"
#define pr_info(fmt, ...) _printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)

extern char *saved_command_line;
extern int panic_timeout;

#endif
