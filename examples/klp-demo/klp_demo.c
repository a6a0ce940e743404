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
 *
 * Per-CPU data: each read of /proc/klp_demo_percpu counts itself on the
 * CPU that reads (klp_demo_count(): reads, static, and klp_demo_added,
 * global and not exported, both DEFINE_PER_CPU) and prints one line per
 * online CPU, "cpuN READS ADDED": what klp_demo_count() added up there,
 * and what it added last time (1 here).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "klp_demo.h"

/*
 * Global, so that GCC does not clone them (.constprop for the constant
 * arguments the kthread passes): a livepatch patches them as they are.
 */
int klp_demo_work(int x);
int klp_demo_gain(int x);
int klp_demo_lose(int x);
void klp_demo_count(void);

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

static DEFINE_PER_CPU(unsigned long, reads);
DEFINE_PER_CPU(unsigned long, klp_demo_added);

/* Count a read on this CPU. */
noinline void klp_demo_count(void)
{
	this_cpu_add(reads, 1);
	this_cpu_write(klp_demo_added, 1);
}

static int klp_demo_percpu_show(struct seq_file *m, void *v)
{
	int cpu;

	klp_demo_count();
	for_each_online_cpu(cpu)
		seq_printf(m, "cpu%d %lu %lu\n", cpu, per_cpu(reads, cpu),
			   per_cpu(klp_demo_added, cpu));
	return 0;
}

/*
 * One round of the kthread, in a function that returns: on a kernel
 * without stack_only, a livepatch of klp_demo_work() holds a task in
 * klp_demo_work.cold by patching this caller too (docs/stock-kernels.md);
 * the kthread's loop never returns, so it could not be that caller.
 */
void klp_demo_step(void);
noinline void klp_demo_step(void)
{
	WRITE_ONCE(work, klp_demo_work(0));
	WRITE_ONCE(gain, klp_demo_gain(0));
	WRITE_ONCE(lose, klp_demo_lose(0));
}

static int klp_demo_thread(void *data)
{
	while (!kthread_should_stop()) {
		klp_demo_step();
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
	if (!proc_create_single("klp_demo_percpu", 0444, NULL, klp_demo_percpu_show)) {
		kthread_stop(thread);
		return -ENOMEM;
	}
	return 0;
}

static void __exit klp_demo_exit(void)
{
	remove_proc_entry("klp_demo_percpu", NULL);
	WRITE_ONCE(hold_work, 0);
	WRITE_ONCE(hold_gain, 0);
	WRITE_ONCE(hold_lose, 0);
	kthread_stop(thread);
}

module_init(klp_demo_init);
module_exit(klp_demo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-prep demo: a module to livepatch, with .cold parts");
