// SPDX-License-Identifier: GPL-2.0-or-later
/* install_dir.c - paths relative to the installed klp-prep command */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "install_dir.h"

const char *klp_installed_path(const char *rel, char *buf, size_t size)
{
	char exe[PATH_MAX];
	char *slash;
	ssize_t n;
	int len;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');		/* PREFIX/bin */
	if (!slash)
		return NULL;
	*slash = '\0';
	len = snprintf(buf, size, "%s/../%s", exe, rel);
	if (len < 0 || (size_t)len >= size || access(buf, F_OK))
		return NULL;
	return buf;
}
