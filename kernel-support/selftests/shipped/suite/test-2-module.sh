#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Modules of the shipped kernel from its image package load, work and
# unload: binfmt_misc.ko, which the livepatch of test-5 patches, and
# vfat.ko, whose dependency fat.ko modprobe loads first (the guest's
# modules.dep).
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

binfmt_up
expect "binfmt_misc status" "$(cat "$BINFMT/status")" enabled
cat "$BINFMT/klptest" | grep -q klp-prep && fail "the entry reads a livepatch's line unpatched"
no_version_refusals
binfmt_down
lsmod | grep -q '^binfmt_misc ' && fail "binfmt_misc is still loaded"
echo "ok: binfmt_misc unloaded"

modprobe vfat || fail "modprobe vfat"
lsmod | grep -q '^fat ' || fail "modprobe vfat did not load fat"
echo "ok: vfat and fat loaded"
grep -qw vfat /proc/filesystems || fail "no vfat in /proc/filesystems"
rmmod vfat fat || fail "rmmod vfat fat"
