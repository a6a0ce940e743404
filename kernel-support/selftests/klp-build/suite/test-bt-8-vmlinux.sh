#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vmlinux: the livepatch of a function of vmlinux with a .cold part
# (do_syslog() or suspend_console(); its pair FUNC.cold <-> klpp_FUNC.cold,
# made by klp-prep build from a diff against the kernel's source)
# resolves both sides in the running kernel, enables and disables.  Left
# out (skip) when the kernel splits neither.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

[ -f ./livepatch-vmlinux.ko ] || { echo "SKIP: no livepatch-vmlinux.ko"; exit 4; }
lp_enable_wait livepatch-vmlinux
expect "livepatch-vmlinux enabled" "$(cat "$(lp_dir livepatch-vmlinux)/enabled")" 1
dmesg | grep -q "livepatch_vmlinux.*not found" && fail "a name did not resolve"
lp_remove livepatch-vmlinux
echo "ok: a vmlinux function patched and unpatched"
