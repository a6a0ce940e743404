/* SPDX-License-Identifier: GPL-2.0 */
/* What the must-fail fixtures change in a header (cases/header-*.diff). */
#ifndef _FIXTURE_MF_QUEUE_H
#define _FIXTURE_MF_QUEUE_H

struct mf_queue {
	int head;	/* next to take */
	int tail;	/* next free */
};

static const int mf_queue_depth = 4;

static inline int mf_queue_len(const struct mf_queue *q)
{
	return q->tail - q->head;
}

#endif
