#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Per-CPU data: klp_demo counts each read of /proc/klp_demo_percpu on
# the CPU that reads (klp_demo_count(): static DEFINE_PER_CPU reads, and
# the global, not exported klp_demo_added) and prints every CPU's counts.
# The fix (cases/percpu.diff) counts 1000 through livepatch relocations
# to those variables.  Pinned to each CPU in turn, a read must move that
# CPU's count of the running module by 1 before, by 1000 while patched
# and by 1 again after the patch is disabled, and leave the other CPUs'
# counts alone.
. "$(dirname "${BASH_SOURCE[0]}")/bt-functions.sh"

PCPU=/proc/klp_demo_percpu
command -v taskset >/dev/null || fail "no taskset in the guest"

# read_on CPU: read the file pinned to CPU; sets READS[n], ADDED[n] for
# every online CPU n from what it printed
declare -A READS ADDED
read_on() {
	local out cpu r a
	out=$(taskset -c "$1" cat "$PCPU") || fail "taskset -c $1 cat $PCPU"
	while read -r cpu r a; do
		READS[${cpu#cpu}]=$r
		ADDED[${cpu#cpu}]=$a
	done <<<"$out"
}

# round STEP WANT: read once on each CPU; that CPU's count grows by
# WANT, the others' stay
round() {
	local c o before
	declare -A prev
	for c in $CPUS; do
		for o in $CPUS; do prev[$o]=${READS[$o]}; done
		read_on "$c"
		before=${prev[$c]}
		expect "$1: cpu$c's count after a read on cpu$c" "$((READS[$c] - before))" "$2"
		expect "$1: cpu$c's last addition" "${ADDED[$c]}" "$2"
		for o in $CPUS; do
			[ "$o" = "$c" ] && continue
			expect "$1: cpu$o's count after a read on cpu$c" "${READS[$o]}" "${prev[$o]}"
		done
		echo "percpu: $1 cpu$c $before -> ${READS[$c]}"
	done
}

target_load
[ -r "$PCPU" ] || fail "no $PCPU"
read_on 0
CPUS=$(printf '%s\n' "${!READS[@]}" | sort -n | tr '\n' ' ')
[ "$(echo $CPUS | wc -w)" -ge 2 ] || fail "one CPU online ($CPUS): nothing per-CPU to prove"
echo "ok: online CPUs: $CPUS"
round "before" 1
lp_enable_wait livepatch-percpu
round "patched" 1000
lp_remove livepatch-percpu
round "unpatched" 1
target_unload
