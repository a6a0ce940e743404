// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hold-cold - hold a task in a .cold part of a vmlinux function until
 * told to let it go: the guest side of the stock-kernel coverage tests
 * (docs/stock-kernels.md).
 *
 * Usage: hold-cold RELEASE_FILE
 *
 * The held task is this process's main thread.  It calls
 * io_uring_register(ring, IORING_REGISTER_IOWQ_MAX_WORKERS, arg, 2) with
 * arg on a page registered with userfaultfd and not yet populated.  In
 * Debian's 6.1 vmlinux io_register_iowq_max_workers() is __cold and
 * inlined into __io_uring_register(), so its copy_from_user() of arg is
 * called from __io_uring_register.cold; the copy faults and the fault
 * sleeps in handle_userfault() until the page is filled.  The task's
 * stack is then, from the top:
 *
 *   handle_userfault, ..., exc_page_fault, asm_exc_page_fault,
 *   (the copy routine), _copy_from_user,
 *   __io_uring_register.cold, __x64_sys_io_uring_register,
 *   do_syscall_64, entry_SYSCALL_64_after_hwframe
 *
 * A second thread reads the fault from the userfaultfd, prints "held",
 * waits until RELEASE_FILE exists, then fills the page with two zero
 * counts (a query: "change nothing") and the call returns 0.
 *
 * The fault sleeps interruptibly (TASK_INTERRUPTIBLE): a fatal signal
 * ends the hold (the copy fails, -EFAULT).  Any other pending signal
 * makes the fault return VM_FAULT_RETRY, which a kernel-mode fault
 * retries at once: the task stays in the part but spins, a whole CPU,
 * until the signal is gone or the page is filled (measured with
 * SIGSTOP: state R).  The livepatch core's fake signal, sent after
 * 15 s of a stalled transition (set_notify_signal()), stays pending
 * until the task returns to user mode, so a transition stalled longer
 * than that spins the held task until its release.
 *
 * The hold ends by itself after MAX_HOLD_S, so that a test that dies
 * leaves no task held for the next one; the program then exits 2.
 *
 * Output: "hold-cold: pid PID", "hold-cold: held", then
 * "hold-cold: released: ..." and exit status 0.
 *
 * Needs CAP_SYS_PTRACE (root) for a userfaultfd that takes kernel-mode
 * faults (vm.unprivileged_userfaultfd is 0 on Debian).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_HOLD_S	300
#define POLL_MS		20

static const char *release_file;
static int uffd;
static void *page;
static long page_size;
static int timed_out;

static void die(const char *what)
{
	fprintf(stderr, "hold-cold: error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *resolver(void *unused)
{
	struct uffd_msg msg;
	struct uffdio_copy copy;
	struct timespec tick = { 0, POLL_MS * 1000000L };
	void *fill;
	long waited_ms = 0;
	ssize_t n;

	(void)unused;
	do {
		n = read(uffd, &msg, sizeof(msg));
	} while (n < 0 && errno == EINTR);
	if (n != sizeof(msg))
		die("read the userfaultfd");
	if (msg.event != UFFD_EVENT_PAGEFAULT ||
	    msg.arg.pagefault.address - (uintptr_t)page >= (uint64_t)page_size) {
		fprintf(stderr, "hold-cold: error: unexpected userfaultfd event %u at 0x%llx\n",
			msg.event, (unsigned long long)msg.arg.pagefault.address);
		exit(1);
	}
	printf("hold-cold: held\n");
	fflush(stdout);

	while (access(release_file, F_OK) != 0) {
		if (waited_ms >= MAX_HOLD_S * 1000L) {
			timed_out = 1;
			break;
		}
		nanosleep(&tick, NULL);
		waited_ms += POLL_MS;
	}

	/* zero counts: io_register_iowq_max_workers() changes nothing */
	fill = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fill == MAP_FAILED)
		die("mmap the fill page");
	copy.dst = (uintptr_t)page;
	copy.src = (uintptr_t)fill;
	copy.len = page_size;
	copy.mode = 0;
	copy.copy = 0;
	if (ioctl(uffd, UFFDIO_COPY, &copy) != 0)
		die("UFFDIO_COPY");
	return NULL;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct io_uring_params params;
	pthread_t thread;
	uint32_t *counts;
	long ring, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: hold-cold RELEASE_FILE\n");
		return 2;
	}
	release_file = argv[1];
	page_size = sysconf(_SC_PAGESIZE);

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		die("userfaultfd (root is needed for kernel-mode faults)");
	if (ioctl(uffd, UFFDIO_API, &api) != 0)
		die("UFFDIO_API");
	page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		die("mmap");
	reg.range.start = (uintptr_t)page;
	reg.range.len = page_size;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0)
		die("UFFDIO_REGISTER");

	/* no SQPOLL: the call takes no lock but the ring's own */
	memset(&params, 0, sizeof(params));
	ring = syscall(__NR_io_uring_setup, 1, &params);
	if (ring < 0)
		die("io_uring_setup");

	errno = pthread_create(&thread, NULL, resolver, NULL);
	if (errno)
		die("pthread_create");
	printf("hold-cold: pid %d\n", getpid());
	fflush(stdout);

	ret = syscall(__NR_io_uring_register, ring, IORING_REGISTER_IOWQ_MAX_WORKERS,
		      page, 2);
	if (ret != 0)
		die("io_uring_register(IORING_REGISTER_IOWQ_MAX_WORKERS)");
	pthread_join(thread, NULL);
	counts = page;
	printf("hold-cold: released: io_uring_register returned 0, io-wq limits %u %u%s\n",
	       counts[0], counts[1], timed_out ? " (the hold timed out)" : "");
	return timed_out ? 2 : 0;
}
