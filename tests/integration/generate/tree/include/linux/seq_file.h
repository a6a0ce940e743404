/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FIXTURE_SEQ_FILE_H
#define _FIXTURE_SEQ_FILE_H

struct seq_file {
	char *buf;
	unsigned long size, count;
};

void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);
void seq_printf(struct seq_file *m, const char *fmt, ...);

#endif
