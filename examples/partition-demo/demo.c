// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small unit in the style of kernel code that makes gcc-12 -O2 split,
 * clone and inline its functions in each of the ways klp-prep records.
 * scripts/quickstart.sh compiles it with the plugin and dumps the records.
 */
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define __cold		__attribute__((__cold__))
#define noinline	__attribute__((__noinline__))

struct request {
	int id;
	int flags;
	long bytes;
};

extern void report_error(const char *what, int id) __cold;
extern void submit(long bytes);
extern int lookup(int id);

/* Hot/cold partitioning: the error path goes to request_end.cold. */
int request_end(struct request *rq, int err)
{
	if (unlikely(err)) {
		report_error("request failed", rq->id);
		report_error("retrying", rq->id + 1);
		return err;
	}
	submit(rq->bytes);
	return 0;
}

/* IPA-SRA: only rq->bytes is used, so GCC passes it alone (.isra). */
static noinline long request_bytes(const struct request *rq)
{
	return rq->bytes * 2 + lookup((int)rq->bytes);
}

/* IPA-CP: every caller passes the same constant (.constprop). */
static noinline int scaled(int value, int factor)
{
	return lookup(value) * factor + lookup(factor);
}

/* Inlined into its callers, and itself inlines request_bytes' caller. */
static inline long request_cost(const struct request *rq)
{
	return request_bytes(rq) + scaled(rq->id, 3);
}

long account(struct request *rq)
{
	return request_cost(rq) + scaled(rq->flags, 3);
}

long account_twice(struct request *rq)
{
	return 2 * request_cost(rq);
}
