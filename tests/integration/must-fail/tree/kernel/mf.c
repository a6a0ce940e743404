// SPDX-License-Identifier: GPL-2.0
/*
 * kernel/mf.c - one unit holding everything a fix must not be allowed to
 * change in a livepatch (tests/integration/must_fail.sh; cases/ changes
 * one thing each).
 */
#include <linux/kernel.h>

struct mf_stats {
	int hits;
	int misses;
};

static struct mf_stats stats;
int mf_limit = 10;
static int mf_level = 1;

/* Unchanged code that reads struct mf_stats with its old layout. */
noinline int mf_read_hits(void)
{
	return stats.hits;
}

noinline int mf_count(int x)
{
	if (x > mf_limit)
		stats.misses++;
	else
		stats.hits++;
	return stats.hits + mf_level;
}

int __init mf_setup(void)
{
	mf_level = 2;
	pr_info("mf: level %d\n", mf_level);
	return 0;
}

void __exit mf_teardown(void)
{
	stats.hits = 0;
	pr_info("mf: bye\n");
}

notrace noinline int mf_quiet(int x)
{
	return x * 3 + mf_level;
}

/* What an NMI handler looks like in the kernel: noinstr. */
noinstr int mf_nmi_handler(int x)
{
	return x + stats.misses;
}

__entry_text int mf_entry(int x)
{
	return x - stats.hits;
}

/* Inlined into a traceable and into a notrace caller. */
static inline int mf_scale(int x)
{
	return x * 7 + mf_level;
}

noinline int mf_user(int x)
{
	return mf_scale(x) + 1;
}

notrace noinline int mf_quiet_user(int x)
{
	return mf_scale(x) + 2;
}

/* No hook, and only jumped to (a tail call): no caller's frame is above it. */
static noinline notrace int mf_tail_step(int x)
{
	return x * 5 + mf_level;
}

noinline int mf_tail(int x)
{
	return mf_tail_step(x + 1);
}
