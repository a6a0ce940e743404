// SPDX-License-Identifier: GPL-2.0
#include <linux/kernel.h>
#include <linux/seq_file.h>

int cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, saved_command_line);
	seq_putc(m, '\n');
	return 0;
}
