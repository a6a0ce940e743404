// SPDX-License-Identifier: GPL-2.0
/*
 * test_klp_stress_mod.c - target module of the livepatch stress test
 *
 * STRESS_WORKERS kthreads, bound round-robin to the online CPUs, call
 * test_klp_stress_func() in a loop with a random number.  One call in four
 * takes the unlikely path, which GCC moves into test_klp_stress_func.cold,
 * and stays there in a cold helper.  Half of the workers (the sleepers)
 * sleep there 1-40 ms, between calls 1-8 ms; the other half (the spinners)
 * busy-wait there 20-219 us and call the function back to back for a
 * tick or two before they sleep a little: at any moment some workers have
 * a return address in the .cold part, some of them running on another
 * CPU than the one checking their stacks, and they come and go at random.
 * The spinners sleep between bursts because a task that never leaves its
 * CPU is never switched (6.1 has no cond_resched() switching).  The build
 * checks with nm that the split happened.
 *
 * calls[] counts the calls that finished in each copy of the function:
 * [0] this module's, [1] and [2] those of the livepatches (versions 10 and
 * 20), which count through the exported array.  The livepatches' post_patch
 * and post_unpatch callbacks, which run once a transition has completed,
 * call test_klp_stress_mark() to copy calls[] into marked[]: from then on
 * the count of a copy that must no longer run must not move.  A task left
 * behind in its .cold part would move it when it returns, however soon.
 *
 * Parameters (sysfs, /sys/module/test_klp_stress_mod/parameters/):
 *   pids		the workers' pids, for /proc/PID/patch_state
 *   cpus		the CPU each worker is bound to
 *   calls, marked	see above
 *   cold_calls		entries into the original's cold part
 *   result		what the last call returned (1 here, 10/20 patched)
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>

#include "test_klp_stress.h"

/* Even-numbered workers sleep in the cold part, odd-numbered ones spin. */
#define STRESS_WORKERS 8

static int pids[STRESS_WORKERS];
static int nr_pids = STRESS_WORKERS;
module_param_array(pids, int, &nr_pids, 0444);
static int cpus[STRESS_WORKERS];
static int nr_cpus = STRESS_WORKERS;
module_param_array(cpus, int, &nr_cpus, 0444);
unsigned int test_klp_stress_calls[3];
EXPORT_SYMBOL_GPL(test_klp_stress_calls);
static int nr_calls = 3;
module_param_array_named(calls, test_klp_stress_calls, uint, &nr_calls, 0444);
static unsigned int marked[3];
static int nr_marked = 3;
module_param_array(marked, uint, &nr_marked, 0444);
static unsigned int cold_calls;
module_param(cold_calls, uint, 0444);
static int result;
module_param(result, int, 0444);

/* Global on purpose: GCC does not clone (.isra, .constprop) them then. */
int test_klp_stress_func(int x, unsigned int r);

void test_klp_stress_mark(void);

/* A transition completed: what has run so far is allowed. */
void test_klp_stress_mark(void)
{
	int i;

	for (i = 0; i < 3; i++)
		WRITE_ONCE(marked[i], READ_ONCE(test_klp_stress_calls[i]));
}
EXPORT_SYMBOL_GPL(test_klp_stress_mark);

static KLP_STRESS_COLD int test_klp_stress_cold_stay(int x, unsigned int r)
{
	/* counted racily by several CPUs: a figure for the report only */
	cold_calls++;
	test_klp_stress_stay(r);
	return x;
}

/* Patched by the stress livepatches. */
noinline int test_klp_stress_func(int x, unsigned int r)
{
	if (unlikely(r % 4 == 0))
		x = test_klp_stress_cold_stay(x, r);
	WRITE_ONCE(test_klp_stress_calls[0], READ_ONCE(test_klp_stress_calls[0]) + 1);
	return x + 1;
}

static struct task_struct *threads[STRESS_WORKERS];

static int test_klp_stress_sleeper(void *data)
{
	while (!kthread_should_stop()) {
		unsigned int r = get_random_u32() & ~KLP_STRESS_SPIN;

		WRITE_ONCE(result, test_klp_stress_func(0, r));
		msleep(1 + (r >> 16) % 8);
	}
	return 0;
}

static int test_klp_stress_spinner(void *data)
{
	while (!kthread_should_stop()) {
		unsigned long until = jiffies + 1 + get_random_u32() % 2;

		do {
			unsigned int r = get_random_u32() | KLP_STRESS_SPIN;

			WRITE_ONCE(result, test_klp_stress_func(0, r));
			cond_resched();
		} while (time_before(jiffies, until));
		msleep(1);
	}
	return 0;
}

static void test_klp_stress_stop(void)
{
	int i;

	for (i = 0; i < STRESS_WORKERS; i++)
		if (!IS_ERR_OR_NULL(threads[i]))
			kthread_stop(threads[i]);
}

static int test_klp_stress_mod_init(void)
{
	int i, cpu = -1;

	for (i = 0; i < STRESS_WORKERS; i++) {
		bool spin = i % 2;

		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		threads[i] = kthread_create(spin ? test_klp_stress_spinner :
					    test_klp_stress_sleeper, NULL,
					    "klp_stress/%d%s", i, spin ? "s" : "");
		if (IS_ERR(threads[i])) {
			int err = PTR_ERR(threads[i]);

			test_klp_stress_stop();
			return err;
		}
		kthread_bind(threads[i], cpu);
		pids[i] = threads[i]->pid;
		cpus[i] = cpu;
		wake_up_process(threads[i]);
	}
	return 0;
}

static void test_klp_stress_mod_exit(void)
{
	test_klp_stress_stop();
}

module_init(test_klp_stress_mod_init);
module_exit(test_klp_stress_mod_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klp-prep developers <dev@klp-prep.invalid>");
MODULE_DESCRIPTION("Livepatch stress test: workers sleeping and spinning in and out of a .cold part on every CPU");
