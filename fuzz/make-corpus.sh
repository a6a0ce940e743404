#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-corpus.sh - seed corpora for the fuzz targets, from real objects
#
# usage: fuzz/make-corpus.sh NORMAL_BUILD_DIR CORPUS_DIR
#
#   NORMAL_BUILD_DIR  a normal (gcc) build of this tree: its plugin
#                     compiles the fixtures of tests/integration/fixtures
#   CORPUS_DIR        gets one directory per target
#
# Seeds: the plugin fixtures compiled as the plugin tests do (objects,
# their sections, their -fdump-ipa-clones dumps, an ld -r of two); from
# the newest complete harness kernel build (build-kernel.sh's cache,
# $KLP_PREP_CACHE or /var/cache/klp-prep), a sample of vmlinux's
# partition blocks (the whole section is megabytes) and the section and
# debug-stripped bytes of its smaller modules; the repository's diffs and
# templates.  Inputs over 64 KiB are left out: libFuzzer mutates small
# inputs far faster, and the blocks of a big section are all alike.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${1:?usage: make-corpus.sh NORMAL_BUILD_DIR CORPUS_DIR}
out=${2:?usage: make-corpus.sh NORMAL_BUILD_DIR CORPUS_DIR}
cache=${KLP_PREP_CACHE:-/var/cache/klp-prep}
plugin=$build/gcc-plugin/klp_partition.so
gcc=${KLP_GCC:-gcc-12}
max=65536
sec=.klp_prep.partition

[ -f "$plugin" ] || { echo "make-corpus: no plugin at $plugin: build $build first" >&2; exit 1; }
for t in partition object ipa_clones diff template verify; do
	mkdir -p "$out/$t"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Keep a seed under its content's hash when it is small enough.
keep()		# TARGET FILE
{
	local size
	size=$(stat -c %s "$2")
	[ "$size" -gt 0 ] && [ "$size" -le $max ] || return 0
	cp "$2" "$out/$1/$(sha1sum < "$2" | cut -c1-16)"
}

section()	# OBJECT OUTFILE: the partition bytes, false if none
{
	# (-O binary --only-section writes nothing for a non-allocated one)
	objcopy --dump-section "$sec=$2" "$1" "$work/dump.tmp" 2>/dev/null && [ -s "$2" ]
}

# The plugin fixtures, with the flags of tests/integration/fixtures/README.md.
kflags="-fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel -mno-red-zone -ffreestanding -mfentry -pg"
for c in "$src"/tests/integration/fixtures/*.c; do
	n=$(basename "$c" .c)
	flags=$(sed -n 's/.*klp-cflags: *//p' "$c" | head -1)
	for g in "" -g; do
		# shellcheck disable=SC2086
		(cd "$work" && "$gcc" -O2 $g ${flags:-$kflags} "-fplugin=$plugin" \
			-fdump-ipa-clones -c "$c" -o "$n$g.o") 2>/dev/null || continue
		keep object "$work/$n$g.o"
		section "$work/$n$g.o" "$work/$n$g.bin" && keep partition "$work/$n$g.bin"
	done
	for d in "$work"/"$n".c.*ipa-clones; do
		[ -f "$d" ] && keep ipa_clones "$d"
	done
done
if [ -f "$work/cold_split.o" ] && [ -f "$work/isra.o" ]; then
	ld -r "$work/cold_split.o" "$work/isra.o" -o "$work/two.o" &&
		keep object "$work/two.o" &&
		section "$work/two.o" "$work/two.bin" && keep partition "$work/two.bin"
fi

# The newest complete harness kernel build whose vmlinux has records.
kbuild=""
for k in $(ls -td "$cache"/*/*/complete 2>/dev/null); do
	d=$(dirname "$k")/build
	if readelf -SW "$d/vmlinux" 2>/dev/null | grep -q "$sec"; then
		kbuild=$d
		break
	fi
done
if [ -n "$kbuild" ]; then
	echo "make-corpus: kernel build $kbuild"
	if section "$kbuild/vmlinux" "$work/vmlinux.bin"; then
		python3 - "$work/vmlinux.bin" "$out/partition" <<'PY'
import hashlib, struct, sys
data = open(sys.argv[1], 'rb').read()
off, blocks = 0, []
while off + 16 <= len(data):
    if data[off] == 0:
        off += 1
        continue
    size = struct.unpack_from('<I', data, off + 8)[0]
    if data[off:off + 4] != b'KLPp' or size < 16:
        break
    blocks.append(data[off:off + size])
    off += size
# A dozen blocks of at most 8 KiB (small inputs mutate fast), spread
# over the section, and one run of three blocks as a link has them.
small = [b for b in blocks if len(b) <= 8192]
picks = small[::max(1, len(small) // 12)]
picks.append(b''.join(small[len(small) // 2:len(small) // 2 + 3]))
for b in picks:
    if len(b) <= 65536:
        open('%s/%s' % (sys.argv[2], hashlib.sha1(b).hexdigest()[:16]), 'wb').write(b)
print('make-corpus: vmlinux: %d blocks, %d seeds' % (len(blocks), len(picks)))
PY
	fi
	find "$kbuild" -name '*.ko' -size -200k | sort | head -8 | while read -r ko; do
		n=$(basename "$ko" .ko)
		objcopy --strip-debug "$ko" "$work/$n.ko" 2>/dev/null || continue
		keep object "$work/$n.ko"
		section "$ko" "$work/$n.ko.bin" && keep partition "$work/$n.ko.bin"
	done
else
	echo "make-corpus: no complete harness kernel build with records under $cache: fixtures only"
fi

# Livepatch tables as klp-prep verify reads them: the variants of
# tests/integration/build/table.c, with the plugin, and the livepatch
# modules of the harness stack_only suite.
for v in PAIR NONE OLD_ONLY WRONG TWICE FIRST; do
	"$gcc" -O2 -D$v "-fplugin=$plugin" -I "$src/include" -c "$src/tests/integration/build/table.c" \
		-o "$work/table-$v.o" 2>/dev/null && keep verify "$work/table-$v.o"
done
find "$cache" -maxdepth 2 -name 'test_klp_so_lp*.ko' 2>/dev/null | sort | head -4 |
	while read -r ko; do
		objcopy --strip-debug "$ko" "$work/lp.ko" 2>/dev/null && keep verify "$work/lp.ko"
	done

# Diffs and templates of the repository.
find "$src/tests" "$src/examples" "$src/kernel-support" -name '*.diff' -o -name '*.patch' |
	while read -r f; do keep diff "$f"; done
for f in "$src"/templates/*.tmpl; do
	keep template "$f"
done

for t in partition object ipa_clones diff template verify; do
	echo "make-corpus: $t: $(ls "$out/$t" | wc -l) seeds, $(du -sk "$out/$t" | cut -f1) KiB"
done
