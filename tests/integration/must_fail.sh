#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# must_fail.sh - fixes that klp-prep generate must refuse (exit status 3)
# with the reason that names the function or type, why, and what to do
#
# must-fail/tree is a small "kernel" (kernel/mf.c with everything that
# cannot be patched; lib/nofentry.c compiled without -pg), built with
# gcc-12 and the real plugin into a linked vmlinux with a
# compile_commands.json, as tests/integration/generate/run.sh does.  Each
# must-fail/cases/CASE.diff changes one such thing; each must fail with
# status 3, print its reason, and write nothing.  --allow-unsafe then lets
# the author through, with the override named in livepatch_NAME.c; the
# same through klp-prep build, as far as the tree lets it go.
#
# usage: must_fail.sh KLP_PREP PLUGIN WORK_DIR
# Prints "ok NAME" or "FAIL NAME: why"; exits with the number of failures.
set -uo pipefail

KLP=${1:?klp-prep binary}
PLUGIN=${2:?klp_partition.so}
WORK=${3:?work dir}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/must-fail" && pwd)
FAILS=0

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

rm -rf "$WORK" && mkdir -p "$WORK/out" || exit 99
# shellcheck source=must-fail/mktree.sh
. "$HERE/mktree.sh"
mf_build_tree

# The tree's good fix passes: the refusals below are the cases', not the tree's.
mf_good_diff "$WORK/good.diff"
if "$KLP" generate -k "$WORK/build" -o "$WORK/out/good" "$WORK/good.diff" \
	2>"$WORK/out/good.stderr"; then
	ok good
else
	fail good "exit $?: $(head -c 800 "$WORK/out/good.stderr")"
fi

# must_fail CASE 'REASON'...: status 3, every REASON (a grep -F string) in
# the messages, no output directory, no temporary left.
must_fail() {
	local case=$1 want
	shift
	"$KLP" generate -k "$WORK/build" -o "$WORK/out/$case" \
		"$HERE/cases/$case.diff" 2>"$WORK/out/$case.stderr"
	local status=$?
	if [ "$status" != 3 ]; then
		fail "$case" "exit status $status, want 3: $(head -c 800 "$WORK/out/$case.stderr")"
		return
	fi
	for want in "$@"; do
		if ! grep -qF -- "$want" "$WORK/out/$case.stderr"; then
			fail "$case" "no '$want' in: $(head -c 800 "$WORK/out/$case.stderr")"
			return
		fi
	done
	if ls -d "$WORK/out/$case"* 2>/dev/null | grep -qv '\.stderr$'; then
		fail "$case" "a refused fix left output: $(ls -d "$WORK/out/$case"*)"
		return
	fi
	ok "$case"
}

must_fail struct-layout \
	"kernel/mf.c:9: error: the fix changes the definition of struct mf_stats" \
	"shadow variable" "--allow-unsafe=type"
must_fail global-init \
	"kernel/mf.c:15: error: the fix changes global variable 'mf_limit'" \
	"klp_shadow" "pre-patch callback"
must_fail static-type \
	"kernel/mf.c:16: error: the fix changes static variable 'mf_level'"
must_fail init \
	"error: 'mf_setup' cannot be livepatched safely: in .init code" \
	"--allow-unsafe=init"
must_fail exit \
	"error: 'mf_teardown' cannot be livepatched safely: in .exit code"
must_fail notrace \
	"error: 'mf_quiet' cannot be livepatched safely: notrace: no ftrace hook" \
	"patch its callers instead"
must_fail notrace-tail \
	"error: 'mf_tail_step' cannot be livepatched safely: notrace: no ftrace hook" \
	"its callers cannot be patched instead: no function of its unit calls it (it is only jumped to"
must_fail nmi \
	"error: 'mf_nmi_handler' cannot be livepatched safely: in non-instrumentable code (.noinstr.text/.entry.text)"
must_fail entry \
	"error: 'mf_entry' cannot be livepatched safely: in non-instrumentable code (.noinstr.text/.entry.text)"
must_fail inlined-into-notrace \
	"error: 'mf_quiet_user' cannot be livepatched safely: notrace" \
	"it must be patched because" "mf_scale"
must_fail nofentry \
	"error: 'nf_func' cannot be livepatched safely: no fentry call"
# Headers: what every unit including them keeps is refused as in a unit.
must_fail header-struct-layout \
	"include/linux/mf_queue.h:6: error: the fix changes the definition of struct mf_queue" \
	"shadow variable" "--allow-unsafe=type"
must_fail header-global-init \
	"include/linux/mf_queue.h:11: error: the fix changes static variable 'mf_queue_depth'" \
	"klp_shadow" "--allow-unsafe=data"
must_fail header-comments-only \
	"error: the fix changes only comments and whitespace; nothing a livepatch can replace"

# A changed static inline that no unit of the build inlines or emits,
# as a macro would be: exit 2, what klp-prep cannot find the users of.
"$KLP" generate -k "$WORK/build" -o "$WORK/out/header-inline" \
	"$HERE/cases/header-inline.diff" 2>"$WORK/out/header-inline.stderr"
status=$?
if [ $status == 2 ] && [ ! -e "$WORK/out/header-inline" ] &&
	grep -qF "include/linux/mf_queue.h:15: error: the fix changes lines 15-15 of the header, where no function of the records is defined" \
		"$WORK/out/header-inline.stderr"; then
	ok header-inline
else
	fail header-inline "exit $status, want 2: $(head -c 800 "$WORK/out/header-inline.stderr")"
fi
# --allow-unsafe=type lets the layout through; then nothing is left to patch.
"$KLP" generate -k "$WORK/build" -o "$WORK/out/header-struct-layout-allowed" --allow-unsafe=type \
	"$HERE/cases/header-struct-layout.diff" 2>"$WORK/out/header-struct-layout-allowed.stderr"
status=$?
if [ $status == 3 ] && [ ! -e "$WORK/out/header-struct-layout-allowed" ] &&
	grep -qF "warning: --allow-unsafe: include/linux/mf_queue.h:6: the fix changes the layout of struct mf_queue (kind type)" \
		"$WORK/out/header-struct-layout-allowed.stderr" &&
	grep -qF "include/linux/mf_queue.h: error: the fix changes no function that the build has code of" \
		"$WORK/out/header-struct-layout-allowed.stderr"; then
	ok header-struct-layout-allowed
else
	fail header-struct-layout-allowed "exit $status, want 3: $(head -c 800 "$WORK/out/header-struct-layout-allowed.stderr")"
fi

# The same inside a unit's struct: it is no layout change.
"$KLP" generate -v -k "$WORK/build" -o "$WORK/out/struct-comments" \
	"$HERE/cases/struct-comments.diff" 2>"$WORK/out/struct-comments.stderr"
status=$?
if [ $status == 0 ] && grep -qF '.old_name = "mf_count"' "$WORK/out/struct-comments"/livepatch_*.c &&
	grep -qF "kernel/mf.c:9: only comments and whitespace change in struct mf_stats" \
		"$WORK/out/struct-comments.stderr"; then
	ok struct-comments
else
	fail struct-comments "exit $status: $(head -c 800 "$WORK/out/struct-comments.stderr")"
fi

# Comments inside a header's struct are no change: with a real change to
# kernel/mf.c the livepatch is the one of that change alone (-v says so).
mkdir -p "$WORK/c-only"
sed -n '/^--- a\/kernel\/mf.c/,$p' "$HERE/cases/header-comments-with-fix.diff" \
	>"$WORK/c-only/header-comments-with-fix.diff"
"$KLP" generate -v -k "$WORK/build" -o "$WORK/out/header-comments" \
	"$HERE/cases/header-comments-with-fix.diff" 2>"$WORK/out/header-comments.stderr"
status=$?
"$KLP" generate -k "$WORK/build" -o "$WORK/out/c-only" \
	"$WORK/c-only/header-comments-with-fix.diff" 2>"$WORK/out/c-only.stderr"
c_status=$?
if [ $status != 0 ] || [ $c_status != 0 ]; then
	fail header-comments-with-fix "exit $status (.c alone: $c_status): $(head -c 800 "$WORK/out/header-comments.stderr")"
elif ! grep -qF "include/linux/mf_queue.h: the fix changes only comments and whitespace: no change to the code" \
	"$WORK/out/header-comments.stderr"; then
	fail header-comments-with-fix "no -v note: $(head -c 800 "$WORK/out/header-comments.stderr")"
elif ! grep -qF '.old_name = "mf_count"' "$WORK/out/header-comments"/livepatch_*.c ||
	! diff -r "$WORK/out/c-only" "$WORK/out/header-comments" >"$WORK/out/header-comments.diff"; then
	fail header-comments-with-fix "not the .c change alone: $(head -c 800 "$WORK/out/header-comments.diff")"
else
	ok header-comments-with-fix
fi

# allow CASE KINDS 'COMMENT'...: status 0 with --allow-unsafe=KINDS, and
# each COMMENT (grep -F) in livepatch_*.c
allow() {
	local case=$1 kinds=$2 want
	shift 2
	"$KLP" generate -k "$WORK/build" -o "$WORK/out/$case-allowed" --allow-unsafe="$kinds" \
		"$HERE/cases/$case.diff" 2>"$WORK/out/$case-allowed.stderr"
	local status=$?
	if [ "$status" != 0 ]; then
		fail "$case-allowed" "exit status $status, want 0: $(head -c 800 "$WORK/out/$case-allowed.stderr")"
		return
	fi
	for want in "$@"; do
		if ! cat "$WORK/out/$case-allowed"/livepatch_*.c | grep -qF -- "$want"; then
			fail "$case-allowed" "no '$want' in livepatch_*.c"
			return
		fi
	done
	ok "$case-allowed"
}

allow struct-layout type \
	"OVERRIDDEN (--allow-unsafe): kernel/mf.c:9: the fix changes the layout of struct mf_stats (kind type)"
allow global-init data \
	"OVERRIDDEN (--allow-unsafe): kernel/mf.c:15: the fix changes the type or initializer of global variable mf_limit (kind data)"
allow inlined-into-notrace notrace \
	"OVERRIDDEN (--allow-unsafe): 'mf_quiet_user'" "left out of the patch" \
	'.old_name = "mf_user"'

# The wrong kind lets nothing through; an unknown kind is bad usage.
"$KLP" generate -k "$WORK/build" -o "$WORK/out/wrong-kind" --allow-unsafe=data \
	"$HERE/cases/struct-layout.diff" 2>"$WORK/out/wrong-kind.stderr"
[ $? == 3 ] && ok wrong-kind || fail wrong-kind "--allow-unsafe=data let a struct change through"
"$KLP" generate -k "$WORK/build" -o "$WORK/out/bad-kind" --allow-unsafe=everything \
	"$HERE/cases/struct-layout.diff" 2>"$WORK/out/bad-kind.stderr"
if [ $? == 2 ] && grep -qF "unknown kind 'everything'" "$WORK/out/bad-kind.stderr"; then
	ok bad-kind
else
	fail bad-kind "$(cat "$WORK/out/bad-kind.stderr")"
fi

# klp-prep build takes --allow-unsafe as generate does.  The tree is no
# kernel make can build a module for, so a build that gets past its
# generate step fails at the build step (exit 4): what it generated is in
# WORK/src, and --resume picks it up from there.
build_case() {	# NAME CASE [OPTION...]
	local name=$1 case=$2
	shift 2
	"$KLP" build -k "$WORK/build" --plugin "$PLUGIN" -w "$WORK/out/$name-work" \
		-o "$WORK/out/$name.ko" "$@" "$HERE/cases/$case.diff" \
		>"$WORK/out/$name.stdout" 2>"$WORK/out/$name.stderr"
}
build_case build-refused struct-layout
status=$?
if [ $status == 3 ] && grep -qF "kernel/mf.c:9: error: the fix changes the definition of struct mf_stats" \
	"$WORK/out/build-refused.stderr"; then
	ok build-refused
else
	fail build-refused "exit $status, want 3: $(head -c 800 "$WORK/out/build-refused.stderr")"
fi
build_case build-header-refused header-struct-layout
status=$?
if [ $status == 3 ] && grep -qF "include/linux/mf_queue.h:6: error: the fix changes the definition of struct mf_queue" \
	"$WORK/out/build-header-refused.stderr"; then
	ok build-header-refused
else
	fail build-header-refused "exit $status, want 3: $(head -c 800 "$WORK/out/build-header-refused.stderr")"
fi
build_case build-allowed struct-layout --allow-unsafe=type
status=$?
if [ $status != 4 ] || ! grep -q '^generate: .*(livepatch_struct_layout.c)' "$WORK/out/build-allowed.stdout" ||
	! grep -qF "step build failed" "$WORK/out/build-allowed.stderr"; then
	fail build-allowed "exit $status, want 4 at the build step: $(cat "$WORK/out/build-allowed.stdout") $(head -c 800 "$WORK/out/build-allowed.stderr")"
elif ! grep -qF "OVERRIDDEN (--allow-unsafe): kernel/mf.c:9: the fix changes the layout of struct mf_stats (kind type)" \
	"$WORK/out/build-allowed-work/src/livepatch_struct_layout.c"; then
	fail build-allowed "no override comment in the generated livepatch_struct_layout.c"
else
	ok build-allowed
fi
build_case build-allowed struct-layout --allow-unsafe=type --resume
status=$?
if [ $status == 4 ] && grep -q '^resume: from step build' "$WORK/out/build-allowed.stdout"; then
	ok build-resume-after-generate
else
	fail build-resume-after-generate "exit $status: $(cat "$WORK/out/build-allowed.stdout") $(head -c 800 "$WORK/out/build-allowed.stderr")"
fi
# The same work directory without --allow-unsafe is another run.
"$KLP" build -k "$WORK/build" --plugin "$PLUGIN" -w "$WORK/out/build-allowed-work" \
	-o "$WORK/out/build-allowed.ko" --resume "$HERE/cases/struct-layout.diff" \
	>/dev/null 2>"$WORK/out/build-resume-other.stderr"
status=$?
if [ $status == 2 ] && grep -qF -- "--resume with other arguments" "$WORK/out/build-resume-other.stderr"; then
	ok build-resume-without-allow
else
	fail build-resume-without-allow "exit $status: $(head -c 800 "$WORK/out/build-resume-other.stderr")"
fi
build_case build-bad-kind struct-layout --allow-unsafe=bogus
status=$?
if [ $status == 2 ] && grep -qF "unknown kind 'bogus'" "$WORK/out/build-bad-kind.stderr" &&
	[ ! -e "$WORK/out/build-bad-kind-work" ]; then
	ok build-bad-kind
else
	fail build-bad-kind "exit $status: $(cat "$WORK/out/build-bad-kind.stderr")"
fi
if "$KLP" build --help | grep -qF -- "--allow-unsafe KIND[,KIND]"; then
	ok build-help-allow-unsafe
else
	fail build-help-allow-unsafe "klp-prep build --help does not list --allow-unsafe"
fi

[ $FAILS -gt 100 ] && FAILS=100
exit $FAILS
