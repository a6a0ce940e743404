// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * a.c - the functions test_coverage.c asks about; each has a split-off
 * .cold part (the unlikely branch calls a cold function).  Compiled with
 * -O2 -pg -mfentry -fpie -fno-asynchronous-unwind-tables (the kernel has
 * no .eh_frame either): every function here but untraced() starts with
 * a __fentry__ call, and local addresses are taken RIP-relative, which
 * the assembler resolves without a relocation.  Each BODY has its own
 * constant, so that GCC's identical code folding merges none of them.
 */
void sink(int x);
void report(int x) __attribute__((cold));
int untraced(int x) __attribute__((no_instrument_function));

#define BODY(x, k)						\
	do {							\
		if (__builtin_expect((x) < 0, 0)) {		\
			report(x);				\
			sink((x) * (k));				\
			return -1;				\
		}						\
		sink((x) + (k));				\
		return 0;					\
	} while (0)

#define NOINLINE __attribute__((noinline))

/* one_caller.cold: its frame is one_caller's, called by user_a only */
NOINLINE int one_caller(int x) { BODY(x, 2); }
int user_a(int x) { return one_caller(x) + 1; }

/* taken: also stored in a function pointer */
NOINLINE int taken(int x) { BODY(x, 3); }
int (*taken_ops)(int) = taken;
int user_b(int x) { return taken(x) + 1; }

/* local_taken: its address taken by lea, with no relocation */
static NOINLINE int local_taken(int x) { BODY(x, 4); }
void *get_local(void) { return (void *)local_taken; }
int user_c(int x) { return local_taken(x) + 1; }

/*
 * exported: in a hand-made __ksymtab entry (value, name, namespace), as
 * EXPORT_SYMBOL makes it with PREL32 relocations
 */
NOINLINE int exported(int x) { BODY(x, 5); }
asm(".pushsection __ksymtab, \"a\"\n"
    "__ksymtab_exported: .long exported - .\n"
    ".long 0\n.long 0\n"
    ".popsection\n");
int user_d(int x) { return exported(x) + 1; }

/* chained: tail-called by middle, so the frame above is middle's caller */
NOINLINE int chained(int x) { BODY(x, 6); }
NOINLINE int middle(int x) { sink(x); return chained(x + 1); }
int top_caller(int x) { return middle(x) + 2; }

/* guarded: called from a function without __fentry__, so its caller covers */
NOINLINE int guarded(int x) { BODY(x, 7); }
NOINLINE int untraced(int x) { return guarded(x) + 1; }
int outer(int x) { return untraced(x) + 3; }

/* deep: five tail calls from its only caller, past a depth limit of 4 */
NOINLINE int deep(int x) { BODY(x, 8); }
NOINLINE int t1(int x) { sink(x); return deep(x + 1); }
NOINLINE int t2(int x) { sink(x); return t1(x + 1); }
NOINLINE int t3(int x) { sink(x); return t2(x + 1); }
NOINLINE int t4(int x) { sink(x); return t3(x + 1); }
NOINLINE int t5(int x) { sink(x); return t4(x + 1); }
int deep_caller(int x) { return t5(x) + 4; }

/* initonly: called only from .init.text, gone before a livepatch loads */
NOINLINE int initonly(int x) { BODY(x, 9); }
__attribute__((section(".init.text"))) int boot(int x) { return initonly(x) + 5; }

/* many: called from three functions */
NOINLINE int many(int x) { BODY(x, 10); }
int m1(int x) { return many(x) + 1; }
int m2(int x) { return many(x) + 2; }
int m3(int x) { return many(x) + 3; }

/* via_asm: called from assembly code that has no function symbol */
NOINLINE int via_asm(int x) { BODY(x, 12); }
asm(".pushsection .text\n"
    "asm_code_without_symbol:\n"
    "\tcall via_asm\n"
    "\tret\n"
    ".popsection\n");

/*
 * stop: noreturn, so ends_in_call's call to it is its last instruction
 * and the return address it leaves is past ends_in_call's end: the stack
 * check does not see ends_in_call there, its caller covers instead
 */
NOINLINE __attribute__((noreturn)) void stop(int x)
{
	if (__builtin_expect(x < 0, 0))
		report(x);
	for (;;)
		sink(x + 13);
}
NOINLINE void ends_in_call(int x) { sink(x + 14); stop(x); }
NOINLINE int ender(int x) { if (x == 7) ends_in_call(x); return x + 15; }
int ender_user(int x) { return ender(x) * 2; }
