#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The split-part hole on a stock kernel, closed by covering callers.
#
# klp-demo's kthread can be held in klp_demo_work.cold (hold_work): its
# stack then has a return address in klp_demo_work.cold and in
# klp_demo_step(), none in klp_demo_work() itself.  The shipped kernel
# has no stack_only, so the livepatch of klp_demo_work() that klp-prep
# build made here (livepatch-demo-work) also patches klp_demo_step(), "covers
# klp_demo_work.cold".  Shown in the guest:
#
#   control   livepatch-demo-work-nocover (--no-cover: klp_demo_work() alone)
#             enables and disables while the kthread is in the old .cold
#             part: the escape
#   enable    livepatch-demo-work stays in transition while the kthread is
#             in klp_demo_work.cold, completes once it leaves
#   disable   the same while it is in the new copy's .cold part
#   replace   livepatch-demo-work2 (--replaces livepatch-demo-work) the same
. "$(dirname "${BASH_SOURCE[0]}")/functions.sh"

lp_need livepatch-demo-work livepatch-demo-work-nocover livepatch-demo-work2
P=/sys/module/klp_demo/parameters

insmod ./klp_demo.ko || fail "insmod klp_demo.ko"
wait_for $P/work 1
pid=$(cat $P/pid)

# in_frame SYMBOL: the kthread's stack has a return address in SYMBOL
in_frame() {
	grep -q "[] ]$1+0x" "/proc/$pid/stack" ||
		fail "the kthread is not in $1: $(tr '\n' ' ' <"/proc/$pid/stack")"
}

# hold PART: the kthread waits in PART (the old or the new .cold)
hold() {
	echo 1 >$P/hold_work || fail "echo 1 > hold_work"
	wait_for $P/in_cold 1
	in_frame "$1"
	echo "ok: the kthread waits in $1 (stack: $(grep -o '[a-zA-Z0-9_.]*+0x' "/proc/$pid/stack" |
		sed 's/+0x//' | head -5 | paste -sd' '))"
}

release() {
	echo 0 >$P/hold_work || fail "echo 0 > hold_work"
	wait_for $P/in_cold 0
}

# -- the control: nothing covers the .cold part, the task escapes -------------
hold klp_demo_work.cold
insmod ./livepatch-demo-work-nocover.ko || fail "insmod livepatch-demo-work-nocover.ko"
wait_for "$(lp_dir livepatch-demo-work-nocover)/transition" 0
expect "control: in_cold when the enable completed" "$(cat $P/in_cold)" 1
in_frame klp_demo_work.cold
expect "control: the kthread's patch_state, still in the old .cold" \
	"$(cat /proc/$pid/patch_state)" -1
echo "ok: control: enabled while the kthread was in klp_demo_work.cold (the escape)"
echo 0 >"$(lp_dir livepatch-demo-work-nocover)/enabled"
wait_gone "$(lp_dir livepatch-demo-work-nocover)"
expect "control: in_cold when the disable completed" "$(cat $P/in_cold)" 1
echo "ok: control: disabled while the kthread was in klp_demo_work.cold"
rmmod livepatch_demo_work_nocover || fail "rmmod livepatch_demo_work_nocover"
release
wait_for $P/work 1

# -- enable: held in the old .cold part --------------------------------------------
hold klp_demo_work.cold
insmod ./livepatch-demo-work.ko || fail "insmod livepatch-demo-work.ko"
lp_stalls livepatch-demo-work $pid 0 klp_demo_work.cold
release
wait_for "$(lp_dir livepatch-demo-work)/transition" 0
wait_for $P/work 10
echo "ok: livepatch-demo-work enabled once the kthread left klp_demo_work.cold"

# -- disable: held in the new copy's .cold part ------------------------------------
hold klpp_klp_demo_work.cold
echo 0 >"$(lp_dir livepatch-demo-work)/enabled"
lp_stalls livepatch-demo-work $pid 1 klpp_klp_demo_work.cold
release
wait_gone "$(lp_dir livepatch-demo-work)"
rmmod livepatch_demo_work || fail "rmmod livepatch_demo_work"
wait_for $P/work 1
echo "ok: livepatch-demo-work disabled once the kthread left klpp_klp_demo_work.cold"

# -- atomic replace: held in the first livepatch's .cold part -----------------------
lp_enable livepatch-demo-work
wait_for $P/work 10
hold klpp_klp_demo_work.cold
insmod ./livepatch-demo-work2.ko || fail "insmod livepatch-demo-work2.ko"
lp_stalls livepatch-demo-work2 $pid 0 "the first livepatch's klpp_klp_demo_work.cold"
release
wait_for "$(lp_dir livepatch-demo-work2)/transition" 0
wait_gone "$(lp_dir livepatch-demo-work)"
wait_for $P/work 20
echo "ok: livepatch-demo-work2 replaced livepatch-demo-work once the kthread left its .cold"
rmmod livepatch_demo_work || fail "rmmod livepatch_demo_work (replaced)"
lp_disable livepatch-demo-work2
wait_for $P/work 1
rmmod klp_demo || fail "rmmod klp_demo"
