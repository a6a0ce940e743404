#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh - run every fuzz target for a while; print executions and
# findings per target and the totals
#
# usage: fuzz/run.sh SECONDS [TARGET...]
#
# Each target runs SECONDS, one after the other (the machine is shared).
# Environment:
#   KLP_FUZZ_BUILD  the KLP_FUZZ=ON build (default: build-fuzz at the top)
#   KLP_BUILD       a normal build, whose plugin seeds the corpora when
#                   they do not exist yet (default: build at the top)
#   KLP_FUZZ_JOBS   parallel runs of libFuzzer per target (default 1)
# Corpora grow in $KLP_FUZZ_BUILD/corpus/TARGET; crashes, leaks, timeouts
# and out-of-memory inputs go to $KLP_FUZZ_BUILD/findings/TARGET/, and
# each one found must become a regression input under
# tests/unit/regress/TARGET/ (docs/hardening.md).  Exits 1 on any
# finding.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
fbuild=${KLP_FUZZ_BUILD:-$src/build-fuzz}
nbuild=${KLP_BUILD:-$src/build}
jobs=${KLP_FUZZ_JOBS:-1}
targets=${*:-partition object ipa_clones diff template verify}

for t in $targets; do
	[ -x "$fbuild/fuzz/fuzz_$t" ] || {
		echo "run.sh: no $fbuild/fuzz/fuzz_$t: CC=clang-14 cmake -S . -B build-fuzz -DKLP_FUZZ=ON && cmake --build build-fuzz" >&2
		exit 2
	}
done
if [ ! -d "$fbuild/corpus" ]; then
	"$here/make-corpus.sh" "$nbuild" "$fbuild/corpus.tmp" &&
		mv "$fbuild/corpus.tmp" "$fbuild/corpus" || exit 2
fi

total_execs=0
total_findings=0
printf '%-12s %14s %10s %9s  %s\n' target executions exec/s findings "corpus (inputs)"
for t in $targets; do
	corpus=$fbuild/corpus/$t
	findings=$fbuild/findings/$t
	log=$fbuild/findings/$t.log
	mkdir -p "$corpus" "$findings"
	# crash-, leak-, timeout-, oom- inputs; slow-unit- ones (over 10 s
	# but done) are listed, not counted: see docs/hardening.md
	before=$(ls "$findings" | grep -vc '^slow-unit-')
	# Leaks are findings too (detect_leaks is on by default with ASan);
	# -timeout: an input taking 10 s is a hang.
	execs=0
	if [ "$jobs" -gt 1 ]; then
		"$fbuild/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-jobs="$jobs" -workers="$jobs" \
			-artifact_prefix="$findings/" "$corpus" > "$log" 2>&1
		for w in fuzz-*.log; do
			[ -f "$w" ] || continue
			execs=$((execs + $(sed -n 's/^stat::number_of_executed_units: *//p' "$w" | tail -1)))
			cat "$w" >> "$log"
			rm -f "$w"
		done
	else
		"$fbuild/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$findings/" "$corpus" > "$log" 2>&1
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	fi
	execs=${execs:-0}
	found=$(( $(ls "$findings" | grep -vc '^slow-unit-') - before ))
	printf '%-12s %14d %10d %9d  %d\n' "$t" "$execs" $((execs / secs)) "$found" \
		"$(ls "$corpus" | wc -l)"
	if [ "$found" -gt 0 ]; then
		grep -m3 -E '^(SUMMARY|==[0-9]+== ?ERROR)' "$log" | sed 's/^/    /'
		ls -t "$findings" | head -"$found" | sed "s|^|    $findings/|"
	fi
	total_execs=$((total_execs + execs))
	total_findings=$((total_findings + found))
done
printf '%-12s %14d %10s %9d\n' total "$total_execs" "" "$total_findings"
[ "$total_findings" -eq 0 ]
