#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-kernel.sh - build (or reuse) a minimal livepatch-capable x86_64
# kernel from Debian's linux-source-VER package, with klp-prep's
# kernel-support patches applied and, optionally, klp-prep's GCC plugin
# loaded into every compilation.
#
# Usage: build-kernel.sh --version 6.12|6.1 [--plugin PATH/klp_partition.so]
#                        [--jobs N] [--print-dir]
#
# Prints the kernel build directory (the O= directory) as the last line of
# standard output; progress goes to standard error.  With --print-dir it
# only computes and prints the directory, builds nothing, and exits 0 if
# the build there is complete, 3 if not.
#
# Old builds are pruned: beyond the newest KLP_PREP_KEEP_KEYS (4) per
# version, a build not built or reused within the last hour is removed.
#
# Cache: ${KLP_PREP_CACHE:-/var/cache/klp-prep}/VER/
#   pristine-DEBVER/linux-source-VER/  unpacked package (shared, read only)
#   KEY/src/        source, hard-linked from pristine, then patched
#   KEY/build/      O= directory
#   KEY/plugin/     the plugin the build used (out-of-tree modules use it)
#   KEY/build.log   configure and build log
#   KEY/complete    stamp, written only after a successful build
# KEY hashes everything that changes the build: the package version, the
# configuration recipe, this script, the patch series and patches, the
# plugin's bytes, the partition format header, the compiler and linker.
set -euo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HARNESS_DIR/../.." && pwd)
CACHE_DIR=${KLP_PREP_CACHE:-/var/cache/klp-prep}
KEEP_KEYS=${KLP_PREP_KEEP_KEYS:-4}

die() {
	echo "harness: error: $*" >&2
	exit 1
}
info() {
	echo "harness: $*" >&2
}

usage() {
	sed -n '/^# Usage:/,/^# Prints/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' | head -n -1 >&2
	exit 2
}

VERSION=""
PLUGIN=""
PRINT_DIR=""
JOBS=$(nproc)
while [ $# -gt 0 ]; do
	case "$1" in
	--version) VERSION=${2:?}; shift 2 ;;
	--version=*) VERSION=${1#*=}; shift ;;
	--plugin) PLUGIN=${2:?}; shift 2 ;;
	--plugin=*) PLUGIN=${1#*=}; shift ;;
	--jobs|-j) JOBS=${2:?}; shift 2 ;;
	--print-dir) PRINT_DIR=1; shift ;;
	-h|--help) usage ;;
	*) echo "harness: error: unknown argument '$1'" >&2; usage ;;
	esac
done

case "$VERSION" in
6.12|6.1) ;;
"") die "--version is required (6.12 or 6.1)" ;;
*) die "unsupported --version '$VERSION' (supported: 6.12, 6.1)" ;;
esac

TARBALL=/usr/src/linux-source-$VERSION.tar.xz
[ -r "$TARBALL" ] ||
	die "$TARBALL not found: install the Debian package linux-source-$VERSION (scripts/install-deps.sh)"
DEBVER=$(dpkg-query -W -f='${Version}' "linux-source-$VERSION" 2>/dev/null) ||
	die "dpkg-query does not know linux-source-$VERSION: install it with scripts/install-deps.sh"

if [ -n "$PLUGIN" ]; then
	[ -f "$PLUGIN" ] ||
		die "plugin '$PLUGIN' not found: build it first (cmake --build build --target klp_partition)"
	PLUGIN=$(readlink -f "$PLUGIN")
fi

PATCH_DIR=$REPO_DIR/kernel-support/patches/$VERSION
SERIES=$PATCH_DIR/series

# The series, quilt style: one patch file name per line, '#' comments.
series_patches() {
	[ -f "$SERIES" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$SERIES" |
		grep -v '^$' || true
}

# ---- cache key ---------------------------------------------------------
compute_key() {
	{
		echo "linux-source-$VERSION $DEBVER"
		echo "recipe"; cat "$HARNESS_DIR/configure-kernel.sh"
		# the build steps below are part of the recipe too
		echo "builder"; sed -n '/^# ---- build steps/,/^# ---- end of build steps/p' "${BASH_SOURCE[0]}"
		echo "cc $(gcc --version | head -1)"
		echo "ld $(ld --version | head -1)"
		echo "format"; cat "$REPO_DIR/include/klp_partition.h"
		if [ -f "$SERIES" ]; then
			echo "series"; cat "$SERIES"
			local p
			for p in $(series_patches); do
				[ -f "$PATCH_DIR/$p" ] ||
					die "series names '$p', which is not in $PATCH_DIR: fix $SERIES"
				echo "patch $p"; cat "$PATCH_DIR/$p"
			done
		fi
		if [ -n "$PLUGIN" ]; then
			echo "plugin"; cat "$PLUGIN"
		fi
	} | sha256sum | cut -c1-16
}

KEY=$(compute_key)
VDIR=$CACHE_DIR/$VERSION
KDIR=$VDIR/$KEY
OBJ=$KDIR/build

if [ -n "$PRINT_DIR" ]; then
	echo "$OBJ"
	[ -f "$KDIR/complete" ] && exit 0
	exit 3
fi

mkdir -p "$VDIR" || die "cannot create the cache directory $VDIR (set KLP_PREP_CACHE to a writable place)"

# One build per key at a time; a concurrent run with the same key waits
# and then reuses the result.
exec 9>"$VDIR/$KEY.lock"
if ! flock -n 9; then
	info "another run is building linux $VERSION key $KEY; waiting for it"
	flock 9
fi

if [ -f "$KDIR/complete" ]; then
	touch "$KDIR"
	info "reusing linux $VERSION build $KEY (cached)"
	echo "$OBJ"
	exit 0
fi

if [ -e "$KDIR" ]; then
	info "removing an incomplete build of key $KEY (a killed or failed run)"
	rm -rf "$KDIR"
fi

# ---- build steps (hashed into the cache key) ----------------------------
unpack_pristine() {
	local dir=$VDIR/pristine-$DEBVER
	exec 8>"$VDIR/pristine.lock"
	flock 8
	if [ ! -f "$dir/.klp-unpacked" ]; then
		info "unpacking $TARBALL ($DEBVER)"
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xf "$TARBALL" -C "$dir.tmp" ||
			die "unpacking $TARBALL failed (disk full? $(df -h "$VDIR" | tail -1))"
		[ -d "$dir.tmp/linux-source-$VERSION" ] ||
			die "$TARBALL does not contain linux-source-$VERSION/"
		mv "$dir.tmp" "$dir"
		touch "$dir/.klp-unpacked"
	fi
	flock -u 8
	PRISTINE=$dir/linux-source-$VERSION
}

apply_series() {
	local src="$1" p
	for p in $(series_patches); do
		info "applying $p"
		if ! patch -d "$src" -p1 --fuzz=0 --no-backup-if-mismatch -s \
			<"$PATCH_DIR/$p" >>"$LOG" 2>&1; then
			tail -20 "$LOG" >&2
			die "patch $p does not apply to linux-source-$VERSION $DEBVER with --fuzz=0: refresh it (see $LOG)"
		fi
	done
}

build_kernel() {
	local kcflags=()
	if [ -n "$PLUGIN" ]; then
		mkdir -p "$KDIR/plugin"
		cp "$PLUGIN" "$KDIR/plugin/klp_partition.so"
		kcflags=("KCFLAGS=-fplugin=$KDIR/plugin/klp_partition.so")
	fi
	info "configuring linux $VERSION in $OBJ"
	# shellcheck source=configure-kernel.sh
	. "$HARNESS_DIR/configure-kernel.sh"
	klp_configure_kernel "$KDIR/src" "$OBJ" "$VERSION" "$LOG" ||
		die "configuration failed (see $LOG)"
	info "building bzImage and modules with -j$JOBS${PLUGIN:+ and the plugin}; log: $LOG"
	if ! make -C "$KDIR/src" O="$OBJ" ARCH=x86_64 -j"$JOBS" \
		"${kcflags[@]}" bzImage modules >>"$LOG" 2>&1; then
		echo "---- last lines of $LOG" >&2
		grep -E 'error|Error' "$LOG" | tail -15 >&2 || true
		tail -25 "$LOG" >&2
		die "building linux $VERSION failed (full log: $LOG)"
	fi
	if grep -n 'orphan section' "$LOG" >&2; then
		die "the link left orphan sections (above): the linker scripts need entries for them (patch 0001 of the series covers .klp_prep.partition)"
	fi
}
# ---- end of build steps -------------------------------------------------

prune_old_keys() {
	local d n=0
	# newest first; the one just built or reused is the newest
	for d in $(ls -1td "$VDIR"/*/ 2>/dev/null); do
		d=${d%/}
		case "$(basename "$d")" in pristine-*) continue ;; esac
		n=$((n + 1))
		[ "$n" -le "$KEEP_KEYS" ] && continue
		# built or reused within the hour: another run may be using it
		[ -n "$(find "$d" -maxdepth 0 -mmin -60)" ] && continue
		(
			exec 7>"$d.lock"
			flock -n 7 || exit 0
			info "pruning old build $(basename "$d") (keeping $KEEP_KEYS per version)"
			rm -rf "$d"
			rm -f "$d.lock"
		)
	done
}

START=$(date +%s)
mkdir -p "$KDIR"
LOG=$KDIR/build.log
: >"$LOG"
unpack_pristine
info "preparing source for key $KEY"
cp -al "$PRISTINE" "$KDIR/src.tmp"
apply_series "$KDIR/src.tmp"
mv "$KDIR/src.tmp" "$KDIR/src"
build_kernel
date -u +%FT%TZ >"$KDIR/complete"
info "built linux $VERSION ($(make -s -C "$KDIR/src" O="$OBJ" kernelrelease 2>/dev/null)) in $(( $(date +%s) - START )) s"
prune_old_keys
echo "$OBJ"
