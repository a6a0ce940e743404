#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Quick start: install what is needed, build everything, and run klp-prep
# on the bundled examples:
#
#   1. examples/partition-demo: compiled with the partition plugin; what
#      GCC did to each function (klp-prep dump, check);
#   2. examples/klp-demo: a module whose functions GCC splits into .cold
#      parts, and a fix to it.  The harness's 6.12 kernel (with the
#      kernel-support patches and the plugin) is built, or reused from
#      the cache (the first build takes a few minutes); the module is
#      built against it with the plugin; `klp-prep build` turns the fix
#      into a verified livepatch module; its klp_func table is shown,
#      with the stack_only pairs.  (To load it:
#      kernel-support/selftests/klp-build/run.sh boots that kernel in qemu
#      and does, docs/workflow.md.)
#   3. a kernel people run, with no kernel build: Debian 12's shipped
#      6.1 cloud kernel (its headers, -dbg and linux-source packages,
#      which install-deps.sh installs).  `klp-prep build -k
#      /lib/modules/RELEASE/build` turns examples/shipped/version.diff into
#      a verified livepatch module for it (the first time, the source is
#      unpacked and the changed unit compiled with the plugin and proven
#      against the -dbg vmlinux; both are cached); the shipped vmlinuz
#      boots under qemu (TCG, 2 CPUs) with the module, which loads; the
#      guest's /proc/version is printed before, livepatched, and after the
#      livepatch is disabled (examples/shipped/guest/test-version.sh).
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
echo "== 1. gcc-12 -O2 -fplugin=$plugin -c demo.c"
gcc-12 -O2 -g -fno-strict-aliasing -fno-common -fno-PIE -mcmodel=kernel \
	-mno-red-zone -ffreestanding -mfentry -pg \
	-fplugin="$plugin" -c "$example/demo.c" -o "$out/demo.o"

echo "== klp-prep dump demo.o"
"$klp_prep" dump "$out/demo.o"
echo "== klp-prep check demo.o"
"$klp_prep" check "$out/demo.o"

echo "== 2. the harness's 6.12 kernel, with the plugin (built once, then cached)"
kbuild=$("$top/kernel-support/harness/build-kernel.sh" --version 6.12 \
	--plugin "$plugin" | tail -1)
echo "kernel build: $kbuild"

demo=$build/examples/klp-demo
rm -rf "$demo"
mkdir -p "$demo"
cp -r "$top/examples/klp-demo" "$demo/target"
echo "== make -C \$kernel M=target $("$klp_prep" cflags --kbuild) modules"
make -s -C "$kbuild" M="$demo/target" KCFLAGS="-fplugin=$plugin" modules
echo "== nm klp_demo.ko: the parts GCC split off"
nm "$demo/target/klp_demo.ko" | grep '\.cold$'

echo "== klp-prep build -k \$kernel -m target examples/klp-demo/fix.diff"
"$klp_prep" build -k "$kbuild" -m "$demo/target" --plugin "$plugin" -n demo \
	-w "$demo/work" -o "$demo/livepatch-demo.ko" "$top/examples/klp-demo/fix.diff"

echo "== klp-prep verify livepatch-demo.ko: the klp_func table, read back from the module"
"$klp_prep" verify "$demo/livepatch-demo.ko"
echo "== the table in the generated source ($demo/work/src/livepatch_demo.c)"
sed -n '/^static struct klp_func /,/^};/p' "$demo/work/src/livepatch_demo.c"

# Debian 12's 6.1 cloud kernel, the release scripts/shipped-kernels lists
release=$(awk '$2 == "6.1" { print $1 }' "$top/scripts/shipped-kernels")
shipped=$build/examples/shipped
# the proven units and the unpacked source, shared with the shipped tests
records=${KLP_SHIPPED_CACHE:-${KLP_PREP_CACHE:-/var/cache/klp-prep}/shipped-records}
rm -rf "$shipped"
mkdir -p "$shipped"
echo "== 3. Debian 12's shipped kernel $release: livepatched with no kernel build"
echo "== klp-prep build -k /lib/modules/$release/build examples/shipped/version.diff"
echo "   (the first time: the linux-source tarball unpacked, 1.5 GB, about a"
echo "   minute; then cached in $records)"
"$klp_prep" build -k "/lib/modules/$release/build" --cache "$records" \
	--plugin "$plugin" -n shipped-version -w "$shipped/work" \
	-o "$shipped/livepatch-shipped-version.ko" "$top/examples/shipped/version.diff"
echo "== klp-prep verify livepatch-shipped-version.ko"
"$klp_prep" verify "$shipped/livepatch-shipped-version.ko"
echo "vermagic: $(modinfo -F vermagic "$shipped/livepatch-shipped-version.ko")"

echo "== the shipped kernel under qemu with the module (run-tests.sh --shipped $release)"
cp -r "$top/examples/shipped/guest" "$shipped/guest"
cp "$shipped/livepatch-shipped-version.ko" "$shipped/guest/"
status=0
"$top/kernel-support/harness/run-tests.sh" --shipped "$release" --smp 2 \
	--suite "$shipped/guest" --work-dir "$shipped/harness" \
	--timeout 600 --test-timeout 120 || status=$?
echo "== in the guest (from $shipped/harness/console.txt)"
sed -n '/^KLP-HARNESS-START guest\/test-version.sh/,/^KLP-HARNESS-RESULT /p' \
	"$shipped/harness/console.txt" | sed '1d;$d'
if [ "$status" -ne 0 ]; then
	echo "quickstart: error: the livepatch test in the shipped kernel failed (above; console: $shipped/harness/console.txt)" >&2
	exit 1
fi
