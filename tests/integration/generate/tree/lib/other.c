// SPDX-License-Identifier: GPL-2.0
/* Another unit with a static "counter": positions must tell them apart. */
#include <linux/kernel.h>

static int counter = 3;
int panic_timeout;
char *saved_command_line = "console=ttyS0";

int other_count(void)
{
	return counter++;
}

/* kernel/calc.c has a static tweak() too. */
static noinline int tweak(int x)
{
	return x - 1;
}

int other_tweak(int x)
{
	return tweak(x);
}
