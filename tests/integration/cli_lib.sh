# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the cli_*.sh tests: run klp-prep, keep its status and output,
# assert on them.  A test prints every failed assertion, then exits 1.

failed=0

fail()
{
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# run EXPECTED_STATUS ARGS...: klp-prep's stdout in $out, stderr in $err.
run()
{
	want=$1
	shift
	"$klp_prep" "$@" > "$work/out" 2> "$work/err"
	status=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	if [ "$status" -ne "$want" ]; then
		fail "klp-prep $*: exit $status, want $want"
		sed 's/^/  stdout: /' "$work/out" | head -20
		sed 's/^/  stderr: /' "$work/err" | head -20
	fi
}

# has WHERE TEXT: $out or $err contains the fixed string TEXT.
has()
{
	case $1 in
	out) printf '%s\n' "$out" | grep -qF -- "$2" ||
		fail "stdout of the last klp-prep lacks: $2" ;;
	err) printf '%s\n' "$err" | grep -qF -- "$2" ||
		fail "stderr of the last klp-prep lacks: $2" ;;
	esac
}

hasnt()
{
	case $1 in
	out) ! printf '%s\n' "$out" | grep -qF -- "$2" ||
		fail "stdout of the last klp-prep has: $2" ;;
	err) ! printf '%s\n' "$err" | grep -qF -- "$2" ||
		fail "stderr of the last klp-prep has: $2" ;;
	esac
}

# json PYTHON_EXPR: the last stdout parses as JSON and EXPR (over d) holds.
json()
{
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$work/out" "$1" 2>/dev/null ||
		fail "JSON: not valid, or not: $1"
}

finish()
{
	if [ "$failed" -ne 0 ]; then
		echo "$test_name: $failed failed"
		exit 1
	fi
	echo "$test_name: all passed"
	exit 0
}
