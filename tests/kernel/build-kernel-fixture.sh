#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# CTest fixture: build (or reuse from the cache) the harness kernel of
# version VER with this build's plugin, before the tests that use it.
# Those tests pick the newest complete build in the cache, so the stamp of
# this one is refreshed: on a machine with older builds (other plugins,
# other patches) they still test the kernel this tree produces.
#
# Usage: build-kernel-fixture.sh VER PLUGIN
set -eu
ver=${1:?usage: build-kernel-fixture.sh VER PLUGIN}
plugin=${2:?usage: build-kernel-fixture.sh VER PLUGIN}
top=$(cd "$(dirname "$0")/../.." && pwd)

dir=$("$top/kernel-support/harness/build-kernel.sh" --version "$ver" --plugin "$plugin" | tail -n 1)
stamp=$(dirname "$dir")/complete
if [ ! -f "$stamp" ]; then
	echo "build-kernel-fixture: error: $dir has no completion stamp $stamp" >&2
	exit 1
fi
touch "$stamp"
echo "build-kernel-fixture: linux $ver with the plugin: $dir"
