#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Atomic replace: livepatch-version2 (cases/version2.diff, built with
# --replaces livepatch-version.ko) replaces livepatch-version, whose
# change disappears with it; disabling the second restores the shipped
# /proc/version.
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

lp_need livepatch-version livepatch-version2
before=$(cat /proc/version)
lp_enable livepatch-version
expect "/proc/version, first livepatch" "$(sed -n 2p /proc/version)" "klp-prep: livepatch 1"
lp_enable livepatch-version2
wait_gone "$(lp_dir livepatch-version)"
echo "ok: livepatch-version replaced"
expect "/proc/version, replaced" "$(cat /proc/version)" "$before
klp-prep: livepatch 2"
rmmod livepatch_version || fail "rmmod livepatch_version (replaced)"
lp_disable livepatch-version2
expect "/proc/version after the disable" "$(cat /proc/version)" "$before"
