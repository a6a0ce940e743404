#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Must be reported as failed: the harness's own check that a failing
# script is not counted as passed.
echo "harness-suite: failing on purpose"
exit 3
