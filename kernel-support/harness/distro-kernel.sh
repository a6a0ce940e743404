#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# distro-kernel.sh - build the kernel-support series into a kernel with
# Debian's own cloud-amd64 configuration and run the stack-only and
# klp-build suites on it.  On demand, not in CI: it is a distribution
# build (about 1,600 built-in options), many times the harness kernel.
#
# Usage: distro-kernel.sh --version 6.12|6.1 --plugin PATH/klp_partition.so
#                         [--klp-prep PATH/klp-prep] [--work-dir DIR]
#                         [--jobs N] [--smp N] [--preempt MODE]
#                         [--config-only]
#
#   --klp-prep      also run the klp-build suite (needs klp-prep)
#   --work-dir      where the source, the build and the results go
#                   (default /var/tmp/klp-prep-distro-VER); a finished
#                   build there is reused
#   --config-only   stop after writing the configuration and the list of
#                   deviations
#
# The configuration is Debian's config.amd64_none_cloud-amd64 from the
# package linux-config-VER (the installed one, else fetched with
# apt-get download) with these deviations, and no others:
#   - no modules: every "=m" option is off (the guest boots an initramfs
#     on the built-in serial console and loads only the test modules,
#     which are built out of tree);
#   - no debug information (DEBUG_INFO_NONE): -g does not change the
#     code, and BTF and DWARF would double the build;
#   - the kernel's own GCC plugins stay off (GCC_PLUGINS), as on Debian's
#     build machines, where Debian's file leaves it unset; olddefconfig
#     would turn it on where gcc-12-plugin-dev is installed.
# After olddefconfig every option that differs from Debian's file is
# listed in WORK/deviations.txt and printed, so that the list above is
# checked, not claimed.
set -euo pipefail
export LC_ALL=C

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HARNESS_DIR/../.." && pwd)
CACHE_DIR=${KLP_PREP_CACHE:-/var/cache/klp-prep}

die() {
	echo "distro-kernel: error: $*" >&2
	exit 1
}
info() {
	echo "distro-kernel: $*" >&2
}
usage() {
	sed -n '/^# Usage:/,/^# The configuration/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' | head -n -1 >&2
	exit 2
}

VERSION=""
PLUGIN=""
KLP_PREP=""
WORK=""
JOBS=$(nproc)
SMP=2
PREEMPT=full
CONFIG_ONLY=""
while [ $# -gt 0 ]; do
	case "$1" in
	--version) VERSION=${2:?}; shift 2 ;;
	--plugin) PLUGIN=${2:?}; shift 2 ;;
	--klp-prep) KLP_PREP=${2:?}; shift 2 ;;
	--work-dir) WORK=${2:?}; shift 2 ;;
	--jobs|-j) JOBS=${2:?}; shift 2 ;;
	--smp) SMP=${2:?}; shift 2 ;;
	--preempt) PREEMPT=${2:?}; shift 2 ;;
	--config-only) CONFIG_ONLY=1; shift ;;
	-h|--help) usage ;;
	*) echo "distro-kernel: error: unknown argument '$1'" >&2; usage ;;
	esac
done
case "$VERSION" in
6.12|6.1) ;;
*) die "--version 6.12 or 6.1 is required" ;;
esac
[ -n "$PLUGIN" ] && [ -f "$PLUGIN" ] ||
	die "--plugin PATH/klp_partition.so is required (cmake --build build --target klp_partition)"
PLUGIN=$(readlink -f "$PLUGIN")
[ -z "$KLP_PREP" ] || KLP_PREP=$(readlink -f "$KLP_PREP")
WORK=${WORK:-/var/tmp/klp-prep-distro-$VERSION}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
KDIR=$WORK/kernel
OBJ=$KDIR/build
LOG=$KDIR/build.log
info "work directory: $WORK"

# ---- Debian's configuration ----------------------------------------------
debian_config() {
	local xz=/usr/src/linux-config-$VERSION/config.amd64_none_cloud-amd64.xz deb
	if [ ! -f "$xz" ]; then
		mkdir -p "$WORK/deb"
		xz=$WORK/deb/usr/src/linux-config-$VERSION/config.amd64_none_cloud-amd64.xz
		if [ ! -f "$xz" ]; then
			info "fetching linux-config-$VERSION with apt-get download"
			(cd "$WORK/deb" && apt-get download "linux-config-$VERSION" >/dev/null) ||
				die "apt-get download linux-config-$VERSION failed"
			deb=$(ls "$WORK"/deb/linux-config-"$VERSION"_*.deb | tail -1)
			dpkg-deb -x "$deb" "$WORK/deb"
		fi
	fi
	[ -f "$xz" ] || die "no config.amd64_none_cloud-amd64.xz in linux-config-$VERSION"
	xzcat "$xz" >"$WORK/debian.config"
}

# ---- the source: Debian's, with the series --------------------------------
prepare_source() {
	local debver pristine p
	debver=$(dpkg-query -W -f='${Version}' "linux-source-$VERSION") ||
		die "linux-source-$VERSION is not installed (scripts/install-deps.sh)"
	[ -d "$KDIR/src" ] && return 0
	pristine=$CACHE_DIR/$VERSION/pristine-$debver/linux-source-$VERSION
	rm -rf "$KDIR/src.tmp"
	mkdir -p "$KDIR"
	if [ -f "$CACHE_DIR/$VERSION/pristine-$debver/.klp-unpacked" ]; then
		cp -al "$pristine" "$KDIR/src.tmp"
	else
		info "unpacking /usr/src/linux-source-$VERSION.tar.xz"
		mkdir -p "$KDIR/unpack"
		tar -xf "/usr/src/linux-source-$VERSION.tar.xz" -C "$KDIR/unpack"
		mv "$KDIR/unpack/linux-source-$VERSION" "$KDIR/src.tmp"
		rmdir "$KDIR/unpack"
	fi
	for p in $(sed -e 's/#.*//' "$REPO_DIR/kernel-support/patches/$VERSION/series"); do
		patch -d "$KDIR/src.tmp" -p1 --fuzz=0 --no-backup-if-mismatch -s \
			<"$REPO_DIR/kernel-support/patches/$VERSION/$p" ||
			die "patch $p does not apply"
	done
	mv "$KDIR/src.tmp" "$KDIR/src"
}

configure() {
	local o args=()
	mkdir -p "$OBJ"
	cp "$WORK/debian.config" "$OBJ/.config"
	for o in $(sed -n 's/^CONFIG_\([A-Za-z0-9_]*\)=m$/\1/p' "$WORK/debian.config"); do
		args+=(-d "$o")
	done
	args+=(-d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d DEBUG_INFO_DWARF4 -d DEBUG_INFO_DWARF5
	       -e DEBUG_INFO_NONE -d DEBUG_INFO_BTF -d DEBUG_INFO_BTF_MODULES
	       -d GCC_PLUGINS)
	"$KDIR/src/scripts/config" --file "$OBJ/.config" "${args[@]}"
	make -C "$KDIR/src" O="$OBJ" ARCH=x86_64 olddefconfig >>"$LOG" 2>&1 ||
		die "olddefconfig failed (see $LOG)"

	# Every difference from Debian's file, by kind.
	local norm
	norm() { sed -n -e 's/^CONFIG_\([^=]*\)=\(.*\)$/\1 \2/p' \
		       -e 's/^# CONFIG_\(.*\) is not set$/\1 n/p' "$1" | sort; }
	join -a1 -a2 -e n -o 0,1.2,2.2 <(norm "$WORK/debian.config") <(norm "$OBJ/.config") |
		awk '$2 != $3' >"$WORK/deviations.all"
	# Kinds: the modules left out; built-in options that went with them
	# (olddefconfig unsets an option only when its dependencies are
	# gone); the toolchain's own values; options Debian's file leaves
	# unset because its build sets them (signing keys, salt); the rest,
	# which must be the explicit deviations above and nothing else.
	awk '
		$2 == "m" { mods++; next }
		$1 ~ /^(DEBUG_INFO|GCC_PLUGINS)/ { other = other sprintf("  %s: %s -> %s\n", $1, $2, $3); next }
		$3 == "n" { deps++; next }
		$1 ~ /^(CC_VERSION_TEXT|RUSTC_|GCC_VERSION|LD_VERSION|AS_VERSION|PAHOLE_VERSION)/ { tool = tool " " $1; next }
		$2 == "n" && $1 ~ /^(BUILD_SALT|MODULE_SIG_KEY|MODULE_SIG_ALL|SYSTEM_TRUSTED_KEYS|SYSTEM_REVOCATION_KEYS)$/ { unset = unset " " $1 "=" $3; next }
		{ other = other sprintf("  %s: %s -> %s\n", $1, $2, $3) }
		END {
			printf "deviations from Debian'"'"'s config.amd64_none_cloud-amd64 (full list: deviations.all, OPTION DEBIAN HERE):\n"
			printf "  %d modules left out (=m -> not set)\n", mods
			printf "  %d built-in options that depend on them, unset with them\n", deps
			printf "  set at Debian'"'"'s build, absent from its file:%s\n", unset
			printf "  toolchain values (this host'"'"'s, not options):%s\n", tool
			printf "other differences (the explicit deviations):\n%s", other
		}' "$WORK/deviations.all" >"$WORK/deviations.txt"
	for o in LIVEPATCH SMP PREEMPT_DYNAMIC UNWINDER_ORC MODULES DEBUG_FS DEVTMPFS SERIAL_8250_CONSOLE BLK_DEV_INITRD; do
		grep -qx "CONFIG_$o=y" "$OBJ/.config" || die "CONFIG_$o is not =y in $OBJ/.config"
	done
}

build() {
	mkdir -p "$KDIR/plugin"
	cp "$PLUGIN" "$KDIR/plugin/klp_partition.so"
	info "building bzImage and modules with -j$JOBS and the plugin; log: $LOG"
	local start
	start=$(date +%s)
	if ! make -C "$KDIR/src" O="$OBJ" ARCH=x86_64 -j"$JOBS" \
		KCFLAGS="-fplugin=$KDIR/plugin/klp_partition.so" bzImage modules >>"$LOG" 2>&1; then
		tail -25 "$LOG" >&2
		die "the build failed (full log: $LOG)"
	fi
	echo "$(( $(date +%s) - start ))" >"$WORK/build-seconds"
	date -u +%FT%TZ >"$KDIR/complete"
}

debian_config
if [ -f "$KDIR/complete" ]; then
	info "reusing the build in $OBJ (remove $KDIR to build afresh)"
else
	rm -rf "$OBJ"
	mkdir -p "$KDIR"
	: >"$LOG"
	prepare_source
	configure
	info "deviations from Debian's configuration ($WORK/deviations.txt):"
	sed 's/^/  /' "$WORK/deviations.txt" >&2
	[ -z "$CONFIG_ONLY" ] || exit 0
	build
fi
info "kernel build: $(cat "$WORK/build-seconds" 2>/dev/null || echo '?') s"

# ---- the suites -------------------------------------------------------------
rc=0
"$HARNESS_DIR/run-tests.sh" --version "$VERSION" --kernel-build "$OBJ" \
	--suite "$REPO_DIR/kernel-support/selftests/stack-only" --no-skip \
	--smp "$SMP" --preempt "$PREEMPT" --work-dir "$WORK/stack-only" \
	${KLP_PREP:+--klp-prep "$KLP_PREP"} || rc=1
if [ -n "$KLP_PREP" ]; then
	"$REPO_DIR/kernel-support/selftests/klp-build/run.sh" "$KLP_PREP" "$PLUGIN" \
		"$WORK/klp-build" --kernel-build "$OBJ" --version "$VERSION" \
		--smp "$SMP" --preempt "$PREEMPT" || rc=1
fi
exit $rc
