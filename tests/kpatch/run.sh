#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh - kpatch's integration patches (tests/kpatch/<set>/, see README)
# through klp-prep build on a harness kernel, then in the guest: each
# livepatch that was built loads, its transition completes, its
# NAME-LOADED.test (when kpatch has one) fails before the load, passes
# while it is enabled and fails after the disable, and the kernel reports
# no warning, oops or livepatch error (guest/kp-check.sh).
#
# expected-VER.txt says what each patch must do, one line per patch:
#
#   SET/NAME | pass
#   SET/NAME | exit N | THE LINE klp-prep prints on stderr
#
# "pass": klp-prep build exits 0 and the guest check passes.  "exit N":
# klp-prep build exits N (3: refused as unsafe, which every kpatch -FAIL
# patch must be) and prints that line, whole, on stderr (the work
# directory written as WORK, the kernel build as KBUILD, its source as
# SRC).  Anything else is a failure of this test: a patch that built
# before and fails now, a different reason, a crash, a module that does
# not load or misbehaves.
#
# Usage: run.sh KLP_PREP PLUGIN WORK_DIR --version VER [--kernel-build DIR]
#               [--smp N] [--preempt MODE]   (passed to run-tests.sh)
# Prints one table row per patch: patch, kernel, result, exit, reason.
# Exit status: 0 every patch as expected, 77 no harness kernel could be
# had, else the number of patches not as expected.
set -uo pipefail

KLP=${1:?klp-prep binary}
PLUGIN=${2:?klp_partition.so}
WORK=${3:?work dir}
shift 3
KBUILD=""
VERSION=""
BOOT_ARGS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel-build) KBUILD=${2:?}; shift 2 ;;
	--version) VERSION=${2:?}; shift 2 ;;
	--smp|--preempt) BOOT_ARGS+=("$1" "${2:?}"); shift 2 ;;
	*) echo "kpatch suite: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$VERSION" ] || { echo "kpatch suite: --version VER is required" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
HARNESS=$REPO/kernel-support/harness
EXPECT=$HERE/expected-$VERSION.txt
[ -f "$EXPECT" ] || { echo "kpatch suite: no $EXPECT" >&2; exit 2; }

rm -rf "$WORK" && mkdir -p "$WORK" || exit 99
WORK=$(readlink -f "$WORK")
KLP=$(readlink -f "$KLP")
PLUGIN=$(readlink -f "$PLUGIN")
T0=$(date +%s)

if [ -z "$KBUILD" ]; then
	KBUILD=$("$HARNESS/build-kernel.sh" --version "$VERSION" --plugin "$PLUGIN" \
		2>"$WORK/build-kernel.log" | tail -1) || KBUILD=""
	if [ -z "$KBUILD" ] || [ ! -f "$KBUILD/vmlinux" ]; then
		echo "kpatch suite: no harness kernel (log: $WORK/build-kernel.log)" >&2
		exit 77
	fi
fi
KBUILD=$(readlink -f "$KBUILD")
SRC=$(readlink -f "$KBUILD/source")
KPLUGIN=$PLUGIN
[ -f "$KBUILD/../plugin/klp_partition.so" ] &&
	KPLUGIN=$(readlink -f "$KBUILD/../plugin/klp_partition.so")
echo "kpatch suite: linux $VERSION, kernel build $KBUILD"

SUITE=$WORK/kpatch
mkdir -p "$SUITE"
printf '# Nothing to build: run.sh built the livepatches with klp-prep build.\n' >"$SUITE/Kbuild"
cp "$HERE/guest/kp-check.sh" "$SUITE/"

# Per patch, in the order of the expectations file.
NAMES=()
declare -A SETNAME WANT WANT_LINE RC LINE RESULT
trim() { sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$1"; }

while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	IFS='|' read -r path want reason <<<"$line"
	path=$(trim "$path")
	want=$(trim "$want")
	reason=$(trim "${reason:-}")
	name=$(basename "$path")
	if [ ! -f "$HERE/$path.patch" ]; then
		echo "kpatch suite: $EXPECT: no $HERE/$path.patch" >&2
		exit 2
	fi
	case "$want" in
	pass) ;;
	"exit "[0-9]*)
		[ -n "$reason" ] || { echo "kpatch suite: $EXPECT: $path: '$want' needs the line klp-prep prints" >&2; exit 2; } ;;
	*) echo "kpatch suite: $EXPECT: $path: unknown outcome '$want'" >&2; exit 2 ;;
	esac
	NAMES+=("$name")
	SETNAME[$name]=$path
	WANT[$name]=$want
	WANT_LINE[$name]=$reason
done <"$EXPECT"

# The stderr of klp-prep with this run's directories written as names.
normalise() {
	sed -e "s|$WORK|WORK|g" -e "s|$KBUILD|KBUILD|g" -e "s|$SRC|SRC|g" "$1"
}

for name in "${NAMES[@]}"; do
	t0=$(date +%s)
	"$KLP" build -k "$KBUILD" --plugin "$KPLUGIN" -n "$name" -w "$WORK/build-$name" \
		-o "$SUITE/livepatch-$name.ko" "$HERE/${SETNAME[$name]}.patch" \
		>"$WORK/$name.steps" 2>"$WORK/$name.stderr"
	RC[$name]=$?
	normalise "$WORK/$name.stderr" >"$WORK/$name.reasons"
	# The reason shown: the first error line, else the last line.
	LINE[$name]=$(grep -m1 'error' "$WORK/$name.reasons" || tail -1 "$WORK/$name.reasons")
	echo "kpatch suite: build $name: exit ${RC[$name]} ($(($(date +%s) - t0)) s)"
	if [ "${RC[$name]}" = 0 ]; then
		printf '#!/bin/bash\nexec "$(dirname "$0")/kp-check.sh" %s\n' "$name" \
			>"$SUITE/test-$name.sh"
		chmod +x "$SUITE/test-$name.sh"
		loaded=$HERE/${SETNAME[$name]}-LOADED.test
		[ -f "$loaded" ] && cp "$loaded" "$SUITE/"
	fi
done
T_BUILD=$(($(date +%s) - T0))

# One boot for every livepatch that was built.
if ls "$SUITE"/test-*.sh >/dev/null 2>&1; then
	"$HARNESS/run-tests.sh" --version "$VERSION" --kernel-build "$KBUILD" \
		--suite "$SUITE" --work-dir "$WORK/harness" --no-skip "${BOOT_ARGS[@]}" \
		>"$WORK/harness.log" 2>&1
	echo "kpatch suite: run-tests.sh exited $? (log: $WORK/harness.log)"
fi
T_ALL=$(($(date +%s) - T0))

# The table.
UNEXPECTED=0
row() { printf '%-36s %-7s %-9s %-5s %s\n' "$@"; }
echo
row patch kernel result exit "reason / as expected"
for name in "${NAMES[@]}"; do
	rc=${RC[$name]}
	got="exit $rc"
	ok=""
	if [ "$rc" = 0 ]; then
		if grep -q "^harness: PASS kpatch/test-$name.sh\$" "$WORK/harness.log" 2>/dev/null; then
			result=PASS
			[ "${WANT[$name]}" = pass ] && ok=1
			reason=""
		else
			result=GUEST-FAIL
			reason=$(grep -h "^FAIL: $name:" "$WORK/harness/"*.log "$WORK/harness.log" 2>/dev/null | head -1)
			[ -n "$reason" ] || reason="no PASS line for kpatch/test-$name.sh (see $WORK/harness.log)"
		fi
	else
		case "$rc" in
		3) result=REFUSED ;;
		2|4) result=FAILED ;;
		*) result=CRASHED ;;	# a signal or an exit status klp-prep does not have
		esac
		reason=${LINE[$name]}
		if [ "${WANT[$name]}" = "$got" ] &&
			grep -qxF -- "${WANT_LINE[$name]}" "$WORK/$name.reasons"; then
			ok=1
			reason=${WANT_LINE[$name]}
		fi
	fi
	if [ -n "$ok" ]; then
		row "${SETNAME[$name]}" "$VERSION" "$result" "$rc" "$reason"
	else
		UNEXPECTED=$((UNEXPECTED + 1))
		row "${SETNAME[$name]}" "$VERSION" "$result" "$rc" \
			"UNEXPECTED (want ${WANT[$name]}${WANT_LINE[$name]:+: ${WANT_LINE[$name]}}): $reason"
	fi
done
echo
echo "kpatch suite: linux $VERSION: ${#NAMES[@]} patches, $UNEXPECTED not as expected;" \
	"klp-prep build ${T_BUILD} s, all ${T_ALL} s"
exit "$UNEXPECTED"
