#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klp-prep on bad and good input under valgrind: no invalid access, no
# uninitialised use, no leak (definite, indirect or possible; what
# libLLVM's static constructors keep reachable is not ours).
#
# usage: cli_valgrind.sh KLP_PREP FORMAT_MKBLOCK GCC WORKDIR FIXTURES
klp_prep=$1
mkblock=$2
gcc=$3
work=$4
fixtures=$5

command -v valgrind > /dev/null 2>&1 || { echo "skip: no valgrind"; exit 77; }
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

cp "$fixtures/a.c" "$fixtures/c.c" .
"$gcc" -g -c a.c -o plain_a.o && "$gcc" -c c.c -o plain_c.o || exit 1
"$mkblock" rich.bin rich && "$mkblock" badstr.bin second strings &&
	"$mkblock" v99.bin second version && "$mkblock" short.bin rich truncate ||
	exit 1
for b in rich badstr v99 short; do
	objcopy --add-section .klp_prep.partition=$b.bin plain_c.o $b.o || exit 1
done
objcopy --add-section .klp_prep.partition=rich.bin plain_a.o a.o || exit 1
printf 'not ELF\n' > text.o
head -c 300 a.o > trunc.o

failed=0
vg()
{
	want=$1
	shift
	valgrind -q --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--error-exitcode=99 "$klp_prep" "$@" > out 2> err
	status=$?
	if [ "$status" -ne "$want" ]; then
		echo "FAIL: klp-prep $*: exit $status, want $want"
		sed 's/^/  /' err | head -30
		failed=$((failed + 1))
	fi
}

# Few runs, many files each: libLLVM (linked for generate) makes every
# start under valgrind slow.
vg 2 dump text.o trunc.o missing.o badstr.o short.o v99.o a.o plain_a.o
vg 2 check v99.o plain_a.o rich.o a.o
vg 1 check rich.o a.o plain_a.o
vg 0 dump --json a.o

if [ "$failed" -ne 0 ]; then
	echo "cli_valgrind: $failed failed"
	exit 1
fi
echo "cli_valgrind: all passed"
