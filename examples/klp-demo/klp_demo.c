// SPDX-License-Identifier: GPL-2.0
/*
 * klp_demo.c - a module to livepatch, with functions GCC splits
 *
 * A kthread calls klp_demo_work(), klp_demo_gain() and klp_demo_lose()
 * every 20 ms and publishes what they return.  While hold_work is set,
 * klp_demo_work() takes its unlikely path, which calls the cold
 * klp_demo_wait() (klp_demo.h); GCC puts that path into klp_demo_work.cold, so the
 * kthread then sleeps with a return address in klp_demo_work.cold and
 * none in klp_demo_work() itself: the case stack_only entries are for.
 * klp_demo_lose() has such a path too (hold_lose), klp_demo_gain() has
 * none (hold_gain is there for livepatches that give it one).
 *
 * Parameters (/sys/module/klp_demo/parameters/):
 *   hold_work, hold_gain, hold_lose	1: the next call that tests it
 *			waits in its cold path until it is set to 0
 *   in_cold		1 while the kthread waits in a cold path
 *   work, gain, lose	what the last calls returned (1, 2, 3 here)
 *   pid		the kthread, for /proc/PID/patch_state
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "klp_demo.h"

/*
 * Global, so that GCC does not clone them (.constprop for the constant
 * arguments the kthread passes): a livepatch patches them as they are.
 */
int klp_demo_work(int x);
int klp_demo_gain(int x);
int klp_demo_lose(int x);

static int hold_work;
module_param(hold_work, int, 0644);
static int hold_gain;
module_param(hold_gain, int, 0644);
static int hold_lose;
module_param(hold_lose, int, 0644);
static int in_cold;
module_param(in_cold, int, 0444);
static int work;
module_param(work, int, 0444);
static int gain;
module_param(gain, int, 0444);
static int lose;
module_param(lose, int, 0444);
static int pid;
module_param(pid, int, 0444);

noinline int klp_demo_work(int x)
{
	if (unlikely(READ_ONCE(hold_work)))
		x = klp_demo_wait(x, &hold_work, &in_cold);
	return x + 1;
}

noinline int klp_demo_gain(int x)
{
	return x + 2;
}

noinline int klp_demo_lose(int x)
{
	if (unlikely(READ_ONCE(hold_lose)))
		x = klp_demo_wait(x, &hold_lose, &in_cold);
	return x + 3;
}

static struct task_struct *thread;

static int klp_demo_thread(void *data)
{
	while (!kthread_should_stop()) {
		WRITE_ONCE(work, klp_demo_work(0));
		WRITE_ONCE(gain, klp_demo_gain(0));
		WRITE_ONCE(lose, klp_demo_lose(0));
		msleep(20);
	}
	return 0;
}

static int __init klp_demo_init(void)
{
	thread = kthread_run(klp_demo_thread, NULL, "klp_demo");
	if (IS_ERR(thread))
		return PTR_ERR(thread);
	pid = thread->pid;
	return 0;
}

static void __exit klp_demo_exit(void)
{
	WRITE_ONCE(hold_work, 0);
	WRITE_ONCE(hold_gain, 0);
	WRITE_ONCE(hold_lose, 0);
	kthread_stop(thread);
}

module_init(klp_demo_init);
module_exit(klp_demo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-prep demo: a module to livepatch, with .cold parts");
