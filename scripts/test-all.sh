#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The whole test suite, as CI runs it: install what is missing, build, run
# every test (unit, integration against real GCC output, kernel end-to-end
# tests in qemu), then build again with AddressSanitizer and
# UndefinedBehaviorSanitizer and run the host-side tests there.
#
# Build trees: build/ and build-asan/ in the source tree (override with
# KLP_BUILD_DIR / KLP_ASAN_BUILD_DIR).  Kernel builds are cached outside
# the repository (KLP_PREP_CACHE, default /var/cache/klp-prep).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${KLP_BUILD_DIR:-$top/build}
asan=${KLP_ASAN_BUILD_DIR:-$top/build-asan}
jobs=$(nproc)

"$top/scripts/install-deps.sh"

status=0

echo "== build and test: $build"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$jobs"
# Kernel tests are RUN_SERIAL: they run alone, with every core.
ctest --test-dir "$build" --output-on-failure -j "$jobs" || status=1

# The kernel tests run once, above: they exercise the kernel and the
# plugin in cc1, neither of which is sanitized.
echo "== build and test under ASan+UBSan: $asan"
cmake -S "$top" -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DKLP_SANITIZE=ON \
	-DKLP_KERNEL_TESTS=OFF
cmake --build "$asan" -j "$jobs"
ctest --test-dir "$asan" --output-on-failure -j "$jobs" || status=1

exit $status
