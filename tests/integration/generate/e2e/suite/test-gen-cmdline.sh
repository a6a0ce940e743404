#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# (a) The cmdline_proc_show change of fs/proc/cmdline.c, generated from
# the diff: /proc/cmdline shows it while the livepatch is enabled.  The
# new function reads saved_command_line, which vmlinux does not export,
# through a livepatch relocation.
. "$(dirname "${BASH_SOURCE[0]}")/gen-functions.sh"

orig=$(cat /proc/cmdline)
load_lp livepatch-cmdline
expect "patched /proc/cmdline" "$(cat /proc/cmdline)" "klp-prep-generate $orig"
unload_lp livepatch-cmdline
expect "unpatched /proc/cmdline" "$(cat /proc/cmdline)" "$orig"
