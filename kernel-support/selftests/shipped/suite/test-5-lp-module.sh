#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A function of an in-tree module of the shipped kernel, loaded before the
# livepatch: livepatch-binfmt-misc (cases/binfmt-misc.diff) makes an entry
# of /proc/sys/fs/binfmt_misc read one more line; disabled, it goes.
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

lp_need livepatch-binfmt-misc
binfmt_up
before=$(cat "$BINFMT/klptest")
lp_enable livepatch-binfmt-misc
expect "the entry's last line, patched" "$(tail -1 "$BINFMT/klptest")" "klp-prep: livepatched"
expect "the entry's other lines, patched" "$(sed '$d' "$BINFMT/klptest")" "$before"
lp_disable livepatch-binfmt-misc
expect "the entry after the disable" "$(cat "$BINFMT/klptest")" "$before"
binfmt_down
