#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Passes when the harness module loads and unloads, and the guest layout
# contract holds (cwd, the .ko beside the script, functions.sh present).
set -eu
[ "$(pwd)" = /klp-tests/harness-suite ] || { echo "cwd is $(pwd)"; exit 1; }
[ -f /klp-tests/livepatch/functions.sh ] || { echo "no functions.sh"; exit 1; }
[ -d "$KDIR" ] || { echo "KDIR=$KDIR missing"; exit 1; }
insmod ./klp_harness_section.ko
grep -q '^klp_harness_section ' /proc/modules
dmesg | grep -q 'klp_harness_section: loaded'
rmmod klp_harness_section
echo "harness-suite: pass"
