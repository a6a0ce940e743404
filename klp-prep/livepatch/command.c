// SPDX-License-Identifier: GPL-2.0-or-later
/* command.c - running a tool with its output kept (command.h) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "log.h"

/* Where the command's output goes: @log, a pipe to @line, or nowhere. */
static int open_output(char *const argv[], const char *env, const char *log,
		       char *line, int pipefd[2])
{
	int fd, i;

	if (log) {
		fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			int err = -errno;

			log_err("%s: error: %s\n", log, strerror(errno));
			return err;
		}
		dprintf(fd, "$%s%s", env ? " " : "", env ? env : "");
		for (i = 0; argv[i]; i++)
			dprintf(fd, " %s", argv[i]);
		dprintf(fd, "\n");
		return fd;
	}
	if (!line) {
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	return pipefd[1];
}

/* The first line of what the command wrote, the rest drained. */
static void read_first_line(int fd, char *line, size_t size)
{
	char junk[4096];
	size_t got = 0;
	ssize_t n;

	while ((n = read(fd, got + 1 < size ? line + got : junk,
			 got + 1 < size ? size - 1 - got : sizeof(junk))) > 0)
		if (got + 1 < size)
			got += (size_t)n;
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
}

int klp_run_command(char *const argv[], const char *env, const char *log,
		    char *line, size_t size)
{
	int pipefd[2] = { -1, -1 }, fd, status, err;
	pid_t pid;

	fd = open_output(argv, env, log, line, pipefd);
	if (fd < 0)
		return fd;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(fd);
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		return err;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (env)
			putenv((char *)env);
		execvp(argv[0], argv);
		/* Why it did not start goes where its output would have. */
		dprintf(STDERR_FILENO, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	if (pipefd[0] >= 0) {
		read_first_line(pipefd[0], line, size);
		close(pipefd[0]);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 127 ? -ENOENT : WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
