#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-stress.sh - STRESS_CYCLES (50) cycles of enable, atomic replace and
# disable of livepatches with stack_only entries, while eight workers,
# bound round-robin to the CPUs, enter and leave the .cold parts of the
# old and the new function at random, half of them sleeping there, half
# busy-waiting (test_klp_stress_mod.c, test_klp_stress_lp.c).  After every
# transition:
#   - it completed within STRESS_TRANSITION_TIMEOUT seconds (30);
#   - every worker is out of transition (patch_state -1);
#   - code that must no longer run does not: the original's after a
#     patch completed, the outgoing patch's after a replace or disable
#     (a task left behind in a .cold part would return into it): the
#     count of calls finished in that copy has not moved since the
#     patch's callback marked it at the completion;
#   - the workers run the code of the patch now in effect.
# At the end the kernel log since the start holds no warning, BUG, oops
# or lockdep report, and lockdep (when the kernel has it) is still on.
# Prints the cycle count, the transitions, the slowest one, and from the
# livepatch core's own debug lines (dynamic debug on for transition.c
# during the run) how often a try found a task running on another CPU or
# sleeping in a function or part the transition waits for.
#
# Exit status: 0 pass, 1 fail, 4 skip (the harness's convention).

CYCLES=${STRESS_CYCLES:-50}
TIMEOUT=${STRESS_TRANSITION_TIMEOUT:-30}
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYS=/sys/kernel/livepatch
MOD=test_klp_stress_mod
LP1=test_klp_stress_lp
LP2=test_klp_stress_lp2
PARAMS=/sys/module/$MOD/parameters

[ -d "$SYS" ] || { echo "SKIP: no $SYS: livepatch is not enabled"; exit 4; }
for m in $MOD $LP1 $LP2; do
	[ -f "$DIR/$m.ko" ] || { echo "SKIP: $DIR/$m.ko was not built"; exit 4; }
done

# lockdep_on: 0 when the kernel has lockdep and it switched itself off
# (after its first report; nothing after that would be seen)
lockdep_on() {
	[ -r /proc/lockdep_stats ] || return 0
	grep -Eq '^ *debug_locks: *1$' /proc/lockdep_stats
}
[ -r /proc/lockdep_stats ] && lockdep_note=", lockdep on throughout"
lockdep_on || { echo "FAIL: lockdep is off before the test started:"; dmesg | grep -A5 -m1 -E 'WARNING|BUG|lockdep'; exit 1; }

DYNDBG=/sys/kernel/debug/dynamic_debug/control
dyndbg() {
	[ -w "$DYNDBG" ] && echo "file kernel/livepatch/transition.c $1" >"$DYNDBG" 2>/dev/null
}
dyndbg +p || echo "note: no dynamic debug for kernel/livepatch/transition.c: the running-task count will read 0"

log_start=$(dmesg | wc -l)
transitions=0
slowest=0
slowest_what=""

pids() { tr ',' ' ' <"$PARAMS/pids"; }

dump_workers() {
	local p
	for p in $(pids); do
		echo "  worker $p: patch_state $(cat "/proc/$p/patch_state" 2>/dev/null)"
		sed 's/^/    /' "/proc/$p/stack" 2>/dev/null
	done
	dmesg | tail -n +"$((log_start + 1))" | tail -20 | sed 's/^/  dmesg: /'
}

cleanup() {
	local lp
	dyndbg -p
	for lp in $LP2 $LP1; do
		[ -e "$SYS/$lp/enabled" ] && echo 0 >"$SYS/$lp/enabled" 2>/dev/null
	done
	for lp in $LP2 $LP1; do
		for _ in $(seq 100); do
			[ -e "$SYS/$lp" ] || break
			sleep 0.1
		done
		rmmod_retry "$lp"
	done
	rmmod_retry $MOD
}

fail() {
	echo "FAIL: cycle $cycle: $*"
	dump_workers
	cleanup
	exit 1
}

rmmod_retry() {
	local i
	grep -q "^$1 " /proc/modules || return 0
	for i in $(seq 50); do
		rmmod "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# A random pause of 0-99 ms, so that transitions start at random points
# of the workers' loops.
jitter() { sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"; }

# wait_done LP WHAT: wait until LP's transition is over (or LP is gone)
wait_done() {
	local lp=$1 what=$2 t=0 limit=$((TIMEOUT * 20))
	while [ -e "$SYS/$lp/transition" ] && [ "$(cat "$SYS/$lp/transition" 2>/dev/null)" = 1 ]; do
		t=$((t + 1))
		[ $t -lt $limit ] || fail "$what: the transition of $lp did not complete in ${TIMEOUT}s"
		sleep 0.05
	done
	transitions=$((transitions + 1))
	if [ $t -gt $slowest ]; then
		slowest=$t
		slowest_what="$what (cycle $cycle)"
	fi
}

# workers_settled: no worker in a transition
workers_settled() {
	local p s
	for p in $(pids); do
		s=$(cat "/proc/$p/patch_state")
		[ "$s" = -1 ] || fail "worker $p has patch_state $s after the transition completed"
	done
}

# retired N WHAT: copy N (0 original, 1 and 2 the patches) has finished
# no call since the completion was marked; waits out the longest sleep in
# a .cold part first
retired() {
	local calls marked
	sleep 0.1
	calls=$(cut -d, -f$(($1 + 1)) "$PARAMS/calls")
	marked=$(cut -d, -f$(($1 + 1)) "$PARAMS/marked")
	[ "$calls" = "$marked" ] ||
		fail "$2 ran after the transition completed ($((calls - marked)) calls finished in it)"
}

# runs VERSION: the workers run the code of that version
runs() {
	local r
	sleep 0.2
	r=$(cat "$PARAMS/result")
	[ "$r" = "$1" ] || fail "the workers return $r, expected $1"
}

cycle=0
insmod "$DIR/$MOD.ko" || fail "insmod $MOD failed"
echo "stress: $(grep -c "^processor" /proc/cpuinfo) CPUs, preempt $(sed -n 's/.*(\([a-z]*\)).*/\1/p' /sys/kernel/debug/sched/preempt 2>/dev/null);" \
	"workers $(pids) on CPUs $(tr ',' ' ' <"$PARAMS/cpus") (even: sleep in .cold, odd: spin)"
start=$(date +%s)
for cycle in $(seq "$CYCLES"); do
	# enable: the original's .cold part must be left before completion
	jitter
	insmod "$DIR/$LP1.ko" replace=1 || fail "insmod $LP1 failed"
	wait_done $LP1 "enable $LP1"
	workers_settled
	retired 0 "the original test_klp_stress_func"
	runs 10

	# atomic replace: the outgoing patch's new .cold part too
	jitter
	insmod "$DIR/$LP2.ko" replace=1 || fail "insmod $LP2 failed"
	wait_done $LP2 "replace $LP1 by $LP2"
	workers_settled
	retired 1 "$LP1's klpp_test_klp_stress_func"
	retired 0 "the original test_klp_stress_func"
	runs 20
	rmmod_retry $LP1 || fail "rmmod $LP1 failed after it was replaced"

	# disable: the patch's own .cold part must be left before completion
	jitter
	echo 0 >"$SYS/$LP2/enabled" || fail "disabling $LP2 failed"
	wait_done $LP2 "disable $LP2"
	workers_settled
	retired 2 "$LP2's klpp_test_klp_stress_func"
	runs 1
	for _ in $(seq 100); do
		[ -e "$SYS/$LP2" ] || break
		sleep 0.05
	done
	rmmod_retry $LP2 || fail "rmmod $LP2 failed after it was disabled"
done
end=$(date +%s)
cold=$(cat "$PARAMS/cold_calls")
rmmod_retry $MOD || fail "rmmod $MOD failed"
dyndbg -p

log=$(dmesg | tail -n +"$((log_start + 1))")
bad=$(echo "$log" | grep -E 'WARNING|BUG|Oops|Call Trace|general protection|refcount_t|list_(add|del) corruption|stuck|INFO: |lockdep|possible (circular|recursive)|inconsistent lock')
if [ -n "$bad" ]; then
	echo "$bad" | head -20 | sed 's/^/  dmesg: /'
	fail "the kernel log has warnings"
fi
lockdep_on || fail "lockdep switched itself off during the run"
running=$(echo "$log" | grep -c ' is running$')
running_workers=$(echo "$log" | grep -c ': klp_stress/[0-9]*s*:[0-9]* is running$')
sleeping=$(echo "$log" | grep -c ': klp_stress/[0-9]*s*:[0-9]* is sleeping on function')
echo "stress: $CYCLES cycles (enable, atomic replace, disable) in $((end - start)) s;" \
	"$transitions transitions, the slowest $(awk -v t="$slowest" 'BEGIN { printf "%.2f", t * 0.05 }') s" \
	"($slowest_what); $cold entries into the original's .cold part"
echo "stress: a try found a task running on another CPU $running times ($running_workers of them" \
	"workers, the rest idle or other tasks); a worker in a function or part the transition" \
	"waits for $sleeping times; kernel log clean${lockdep_note:-}"
exit 0
