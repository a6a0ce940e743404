// SPDX-License-Identifier: GPL-2.0-or-later
/* b.c - what a.c calls, compiled without -pg */
void __fentry__(void) { }
void sink(int x) { asm volatile("" : : "r"(x)); }
__attribute__((cold, noinline)) void report(int x) { asm volatile("" : : "r"(x)); }
