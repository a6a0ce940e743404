// SPDX-License-Identifier: GPL-2.0
/*
 * test_klp_so_mod.c - target module for the stack_only selftests
 *
 * A kthread calls test_klp_so_func() every 20 ms and records what it
 * returns.  While hold_cold is set, test_klp_so_func() takes its unlikely
 * path, which calls a cold helper; GCC moves that path out of the function
 * into test_klp_so_func.cold (the build checks with nm that it did), so a
 * task held there has a return address in test_klp_so_func.cold and none
 * in test_klp_so_func itself.  That is the case the stack_only entries of
 * a livepatch exist for.
 *
 * Parameters (sysfs, /sys/module/test_klp_so_mod/parameters/):
 *   hold_cold		write 1 to make the next call enter the cold part and
 *			stay there, 0 to let it leave
 *   in_cold		1 while the kthread is inside the cold part
 *   result		what the last call of test_klp_so_func() returned:
 *			1 for this module's code, 10/20 for the livepatches'
 *   cold_result	what the last call that went through this module's
 *			cold part returned: 1 if it finished in this module's
 *			code (after the cold part jumps back into it)
 *   other_result	what the last call of test_klp_so_other() returned
 *   pid		pid of the kthread, for /proc/PID/patch_state
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/sched.h>

/*
 * The kernel's __cold is empty with GCC < 14 on x86 (it depends on
 * -fmin-function-alignment), so use the attribute itself.
 */
#define KLP_SO_COLD __attribute__((__cold__)) noinline

static bool hold_cold;
module_param(hold_cold, bool, 0644);
MODULE_PARM_DESC(hold_cold, "hold the next call of test_klp_so_func() in its cold part (default=false)");

static int in_cold;
module_param(in_cold, int, 0444);
static int result;
module_param(result, int, 0444);
static int cold_result;
module_param(cold_result, int, 0444);
static int other_result;
module_param(other_result, int, 0444);
static int pid;
module_param(pid, int, 0444);

/* counts entries into the cold part */
static unsigned int cold_calls;

static int arg;

/* Global on purpose: GCC does not clone (.isra, .constprop) them then. */
int test_klp_so_func(int x);
int test_klp_so_other(int x);

static KLP_SO_COLD int test_klp_so_cold_wait(int x)
{
	cold_calls++;
	WRITE_ONCE(in_cold, 1);
	while (READ_ONCE(hold_cold))
		msleep(20);
	WRITE_ONCE(in_cold, 0);
	return x;
}

/* Patched by the test livepatches.  Version 1. */
noinline int test_klp_so_func(int x)
{
	if (unlikely(READ_ONCE(hold_cold)))
		x = test_klp_so_cold_wait(x);
	return x + 1;
}

/* Patched by the "other" table of the test livepatches.  Version 1. */
noinline int test_klp_so_other(int x)
{
	return x + 1;
}

static struct task_struct *thread;

static int test_klp_so_thread(void *data)
{
	unsigned int seen = 0;
	int ret;

	while (!kthread_should_stop()) {
		ret = test_klp_so_func(READ_ONCE(arg));
		WRITE_ONCE(result, ret);
		if (READ_ONCE(cold_calls) != seen) {
			seen = READ_ONCE(cold_calls);
			WRITE_ONCE(cold_result, ret);
		}
		WRITE_ONCE(other_result, test_klp_so_other(READ_ONCE(arg)));
		msleep(20);
	}

	return 0;
}

static int test_klp_so_mod_init(void)
{
	thread = kthread_run(test_klp_so_thread, NULL, "test_klp_so");
	if (IS_ERR(thread))
		return PTR_ERR(thread);
	pid = thread->pid;

	return 0;
}

static void test_klp_so_mod_exit(void)
{
	WRITE_ONCE(hold_cold, false);
	kthread_stop(thread);
}

module_init(test_klp_so_mod_init);
module_exit(test_klp_so_mod_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("klp-prep developers <dev@klp-prep.invalid>");
MODULE_DESCRIPTION("Livepatch test: target with a function split into a .cold part");
