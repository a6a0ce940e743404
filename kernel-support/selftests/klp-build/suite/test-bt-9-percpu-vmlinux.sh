#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Per-CPU data of vmlinux: the patched proc_nr_inodes() (run.sh's diff
# to fs/inode.c) sums fs/inode.c's static per-CPU nr_inodes and
# nr_unused through livepatch relocations (the zero-based offsets
# kallsyms reports) and reports them plus 2000000 and 3000000 in
# /proc/sys/fs/inode-nr.  The sums must be the kernel's: what the
# original handler reports just before and after, within what the guest
# changes meanwhile.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

F=/proc/sys/fs/inode-nr
[ -f ./livepatch-vmlinux-percpu.ko ] || fail "no livepatch-vmlinux-percpu.ko"

# near WHAT GOT WANT SLACK: |GOT - WANT| <= SLACK
near() {
	local d=$(($2 - $3))
	[ "${d#-}" -le "$4" ] || fail "$1: got $2, want $3 +- $4"
	echo "ok: $1: $2 (unpatched: $3)"
}

read -r n0 u0 <"$F"
[ "$n0" -gt 100 ] || fail "the kernel counts $n0 inodes: too few to tell a wrong sum from the right one"
echo "percpu: vmlinux inode-nr before: $n0 $u0"
lp_enable_wait livepatch-vmlinux-percpu
read -r n1 u1 <"$F"
echo "percpu: vmlinux inode-nr patched: $n1 $u1"
lp_remove livepatch-vmlinux-percpu
read -r n2 u2 <"$F"
echo "percpu: vmlinux inode-nr after: $n2 $u2"
[ "$n1" -ge 2000000 ] && [ "$u1" -ge 3000000 ] || fail "the patched handler did not run: $n1 $u1"
[ "$n2" -lt 2000000 ] && [ "$u2" -lt 3000000 ] || fail "the original handler is not back: $n2 $u2"
# insmod and rmmod make and drop a few inodes (sysfs, the module's
# files); a wrong address would read another variable, nowhere near.
near "patched nr_inodes - 2000000" $((n1 - 2000000)) "$n0" $((n0 / 10 + 50))
near "patched nr_unused - 3000000" $((u1 - 3000000)) "$u0" $((u0 / 10 + 50))
