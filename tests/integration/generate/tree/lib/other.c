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
