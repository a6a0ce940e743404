#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A function of the shipped vmlinux: livepatch-version (cases/version.diff,
# made by klp-prep build -k) adds a line to /proc/version; disabled, the
# line goes and the module unloads.
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

lp_need livepatch-version
before=$(cat /proc/version)
grep -q klp-prep /proc/version && fail "/proc/version has a livepatch's line unpatched"
lp_enable livepatch-version
expect "/proc/version, patched, first line" "$(head -1 /proc/version)" "$before"
expect "/proc/version, patched, second line" "$(sed -n 2p /proc/version)" "klp-prep: livepatch 1"
lp_disable livepatch-version
expect "/proc/version after the disable" "$(cat /proc/version)" "$before"
