#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the stack_only selftests, on top of the kernel's livepatch
# selftests' functions.sh (load_mod, load_lp, check_result, ...), which they
# use unchanged.  Source this file from a test-*.sh script.

SO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The kernel's livepatch selftests' scripts: in the harness guest they are
# at /klp-tests/livepatch/; KLP_FUNCTIONS overrides.
for f in "${KLP_FUNCTIONS:-}" /klp-tests/livepatch/functions.sh \
	 "$SO_DIR/../livepatch/functions.sh"; do
	if [[ -n "$f" && -f "$f" ]]; then
		# shellcheck source=/dev/null
		. "$f"
		break
	fi
done
if ! declare -F check_result > /dev/null; then
	echo "SKIP: the kernel's tools/testing/selftests/livepatch/functions.sh was not found (set KLP_FUNCTIONS)" >&2
	exit 4
fi

cd "$SO_DIR" || exit 1

# functions.sh loads test_modules/NAME.ko; the harness may put the built
# modules beside the scripts instead.
if [[ ! -d test_modules ]] || ! ls test_modules/*.ko > /dev/null 2>&1; then
	if ls ./*.ko > /dev/null 2>&1; then
		rm -rf test_modules
		ln -s . test_modules
	fi
fi

# has_kdir() (setup_config) only checks that KDIR exists; the modules are
# built already, so any existing directory will do.
export KDIR=${KDIR:-$SO_DIR}

# The 6.12 functions.sh loads test_modules/NAME.ko with insmod; older ones
# (6.1) load in-tree test modules by name with modprobe.  For the latter,
# install this suite's modules where modprobe finds them.
if declare -f __load_mod | grep -q modprobe; then
	SO_LOADER=modprobe
	so_moddir="/lib/modules/$(uname -r)"
	if [[ ! -d "$so_moddir" ]]; then
		echo "SKIP: $so_moddir does not exist: modprobe cannot load the test modules" >&2
		exit 4
	fi
	mkdir -p "$so_moddir/extra/klp-stack-only" &&
		cp test_modules/*.ko "$so_moddir/extra/klp-stack-only/" &&
		depmod -a || {
		echo "ERROR: cannot install the test modules for modprobe" >&2
		exit 1
	}
else
	SO_LOADER=insmod
fi

# so_load_line(mod, params...) - the line functions.sh logs when it loads
# mod, for check_result
function so_load_line() {
	local mod="$1"; shift
	local msg

	if [[ $SO_LOADER == modprobe ]]; then
		msg="% modprobe $mod $*"
	else
		msg="% insmod test_modules/$mod.ko $*"
	fi
	echo "${msg%% }"
}

# so_load_error(mod) - what the loader says when the module's init fails
# with -EINVAL (load_failing_mod logs it)
function so_load_error() {
	if [[ $SO_LOADER == modprobe ]]; then
		echo "modprobe: ERROR: could not insert '$1': Invalid argument"
	else
		echo "insmod: ERROR: could not insert module test_modules/$1.ko: Invalid parameters"
	fi
}

# How long a stalled transition is watched before the task is released.
# Keep it below the livepatch core's SIGNALS_TIMEOUT (15 s), so that no
# "signaling remaining tasks" message enters the expected log.
SO_STALL_SECS=${SO_STALL_SECS:-3}

SO_REPORT=""

# so_note(text) - remember a line for the summary printed by so_report
function so_note() {
	SO_REPORT="$SO_REPORT$1"$'\n'
}

function so_report() {
	if [[ -n "$SO_REPORT" ]]; then
		echo -n "$SO_REPORT"
	fi
}

function so_now() {
	date +%s.%N
}

function so_elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

function so_param() {
	cat "/sys/module/$1/parameters/$2"
}

# so_set(mod, param, value) - write a module parameter, logged like the
# kernel's selftests log their commands
function so_set() {
	local mod="$1" param="$2" val="$3"

	log "% echo $val > /sys/module/$mod/parameters/$param"
	echo "$val" > "/sys/module/$mod/parameters/$param" ||
		die "failed to set $mod.$param"
}

# so_wait_param(mod, param, value) - wait until a parameter reads value
function so_wait_param() {
	local mod="$1" param="$2" val="$3"

	loop_until '[[ $(so_param "$mod" "$param") == "$val" ]]' ||
		die "$mod.$param did not become $val (it is $(so_param "$mod" "$param"))"
}

# so_expect_param(mod, param, value) - a parameter must read value now
function so_expect_param() {
	local mod="$1" param="$2" val="$3" cur

	cur=$(so_param "$mod" "$param")
	[[ "$cur" == "$val" ]] ||
		die "$mod.$param is $cur, expected $val"
}

# so_hold(mod) - make the worker of the target module (or of a livepatch,
# whose new function has a cold part of its own) enter the cold part and
# stay there
function so_hold() {
	so_set "$1" hold_cold 1
	so_wait_param "$1" in_cold 1
}

function so_release() {
	SO_RELEASED=$(so_now)
	so_set "$1" hold_cold 0
}

function so_worker_pid() {
	so_param test_klp_so_mod pid
}

function so_patch_state() {
	cat "/proc/$(so_worker_pid)/patch_state"
}

# so_expect_stall(lp, state, what) - for SO_STALL_SECS seconds, the
# transition of livepatch lp must stay pending and the worker must stay in
# patch state 'state' (0 unpatched, 1 patched)
function so_expect_stall() {
	local lp="$1" state="$2" what="$3"
	local start end polls=0

	start=$(so_now)
	end=$(awk -v s="$start" -v d="$SO_STALL_SECS" 'BEGIN { printf "%.3f", s + d }')
	# at least 5 checks however slow the guest is, and at least the time
	while true; do
		[[ $(cat "$KLP_SYSFS_DIR/$lp/transition") == "1" ]] ||
			die "$lp: the transition completed while a task was in $what"
		[[ $(so_patch_state) == "$state" ]] ||
			die "the worker was switched (patch_state $(so_patch_state)) while in $what"
		polls=$((polls + 1))
		if [[ $polls -ge 5 ]] &&
		   ! awk -v n="$(so_now)" -v e="$end" 'BEGIN { exit !(n < e) }'; then
			break
		fi
		sleep 0.2
	done
	so_note "  $lp: transition stayed pending for $(so_elapsed "$start" "$(so_now)")s ($polls checks, worker patch_state $state) while the worker was in $what"
}

# so_wait_done(lp) - wait until the transition of lp completed (or, for a
# disable, until lp is gone from sysfs); report the time since so_release
function so_wait_done() {
	local lp="$1"

	loop_until '[[ ! -e "$KLP_SYSFS_DIR/$lp" ]] || grep -q "^0$" "$KLP_SYSFS_DIR/$lp/transition"' ||
		die "$lp: the transition did not complete after the task left"
	so_note "  $lp: transition completed $(so_elapsed "$SO_RELEASED" "$(so_now)")s after the worker was released"
}

function so_wait_gone() {
	local lp="$1"

	loop_until '[[ ! -e "$KLP_SYSFS_DIR/$lp" ]]' ||
		die "$lp did not go away"
	so_note "  $lp: transition completed $(so_elapsed "$SO_RELEASED" "$(so_now)")s after the worker was released"
}

# so_disable_nowait(lp) - start disabling a livepatch, do not wait
function so_disable_nowait() {
	local lp="$1"

	log "% echo 0 > $KLP_SYSFS_DIR/$lp/enabled"
	echo 0 > "$KLP_SYSFS_DIR/$lp/enabled" || die "failed to disable $lp"
}
