#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vmlinux: the livepatch of do_syslog() (its pair do_syslog.cold <->
# klpp_do_syslog.cold, made by klp-prep build from a diff against the
# kernel's source) resolves both sides in the running kernel, enables and
# disables.  Left out (skip) when the kernel has no do_syslog.cold.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

[ -f ./livepatch-syslog.ko ] || { echo "SKIP: no livepatch-syslog.ko"; exit 4; }
lp_enable_wait livepatch-syslog
expect "livepatch-syslog enabled" "$(cat "$(lp_dir livepatch-syslog)/enabled")" 1
dmesg | grep -q "livepatch_syslog.*not found" && fail "a name did not resolve"
lp_remove livepatch-syslog
echo "ok: do_syslog patched and unpatched"
