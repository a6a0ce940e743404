#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Quick start: install what is needed, build everything, and run klp-prep
# on the bundled example (examples/partition-demo): compile it with the
# partition plugin and show what GCC did to each function.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${KLP_BUILD_DIR:-$top/build}
example=$top/examples/partition-demo

"$top/scripts/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"

plugin=$build/gcc-plugin/klp_partition.so
klp_prep=$build/klp-prep/klp-prep
out=$build/examples/partition-demo
mkdir -p "$out"

# Kernel-like flags: -O2 as distributions build, fentry hooks as ftrace
# (and so livepatch) needs them.
echo "== gcc-12 -O2 -fplugin=$plugin -c demo.c"
gcc-12 -O2 -g -fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel \
	-mno-red-zone -ffreestanding -mfentry -pg \
	-fplugin="$plugin" -c "$example/demo.c" -o "$out/demo.o"

echo "== klp-prep dump demo.o"
"$klp_prep" dump "$out/demo.o"
echo "== klp-prep check demo.o"
"$klp_prep" check "$out/demo.o"
