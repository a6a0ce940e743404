#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-stub-plugin.sh OUT.so - build the stand-in plugin that gives every
# object an empty .klp_prep.partition section (stub-plugin/), to test the
# linker-script entries of patch 0001 without the real plugin.
set -euo pipefail
HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build-stub-plugin.sh OUT.so}
plugdir=$(gcc -print-file-name=plugin)
[ -f "$plugdir/include/gcc-plugin.h" ] || {
	echo "harness: error: no GCC plugin headers in $plugdir/include: install gcc-12-plugin-dev (scripts/install-deps.sh)" >&2
	exit 1
}
g++ -shared -fPIC -fno-rtti -O2 -Wall -Werror -I"$plugdir/include" \
	-o "$out" "$HARNESS_DIR/stub-plugin/klp_section_stub.cc"
