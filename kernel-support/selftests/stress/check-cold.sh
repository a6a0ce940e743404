#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check-cold.sh NM DIR - the stress objects must contain the .cold parts
# the test relies on; without them it would pass for the wrong reason.
set -eu
NM=$1
DIR=$2
fail=0
for pair in test_klp_stress_mod.o:test_klp_stress_func.cold \
	    test_klp_stress_lp.o:klpp_test_klp_stress_func.cold \
	    test_klp_stress_lp2.o:klpp_test_klp_stress_func.cold; do
	obj=${pair%%:*}
	sym=${pair#*:}
	if $NM "$DIR/$obj" | grep -q " t $sym\$"; then
		echo "  COLD    $obj: $sym"
	else
		echo "error: $obj has no local function $sym: GCC did not split it (is the module built at -O2?)" >&2
		fail=1
	fi
done
exit $fail
