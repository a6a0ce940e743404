#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# shipped-image.sh - the unpacked image package of a shipped distribution
# kernel (Debian's linux-image-RELEASE: boot/vmlinuz-RELEASE and
# lib/modules/RELEASE), cached outside the repository under
# ${KLP_PREP_CACHE:-/var/cache/klp-prep}/shipped-image/RELEASE/VERSION,
# keyed on the package version.  The .deb comes from apt's cache, else
# from `apt-get download`; nothing is installed.
#
# Usage: shipped-image.sh RELEASE
# Output: the unpacked directory, alone on the last line of stdout.
set -euo pipefail

die() {
	echo "shipped-image: error: $*" >&2
	exit 1
}
info() {
	echo "shipped-image: $*" >&2
}

[ $# -eq 1 ] || die "usage: shipped-image.sh RELEASE (e.g. 6.1.0-57-cloud-amd64)"
RELEASE=$1
case "$RELEASE" in
*/*|.*|"") die "'$RELEASE' is not a kernel release" ;;
esac
PKG=linux-image-$RELEASE
PATH=$PATH:/usr/sbin:/sbin	# depmod
for t in dpkg-deb dpkg-query apt-cache apt-get flock depmod; do
	command -v "$t" >/dev/null || die "'$t' not found: the shipped flavour needs a Debian system with apt"
done

# The version: the installed package's, else the one apt would install.
VER=$(dpkg-query -W -f='${Status} ${Version}\n' "$PKG" 2>/dev/null |
	awk '$3 == "installed" { print $4 }' || true)
if [ -z "$VER" ]; then
	VER=$(apt-cache policy "$PKG" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }' || true)
	[ -n "$VER" ] && [ "$VER" != "(none)" ] ||
		die "apt knows no package $PKG: run 'apt-get update', or check the release name"
fi

CACHE=${KLP_PREP_CACHE:-/var/cache/klp-prep}/shipped-image/$RELEASE
DIR=$CACHE/$VER
if [ -f "$DIR/boot/vmlinuz-$RELEASE" ]; then
	info "$PKG $VER: cached in $DIR"
	echo "$DIR"
	exit 0
fi

mkdir -p "$CACHE" || die "cannot create $CACHE (set KLP_PREP_CACHE to a writable directory)"
exec 9>"$CACHE/.lock"
flock 9
# Another run may have unpacked it while this one waited.
if [ -f "$DIR/boot/vmlinuz-$RELEASE" ]; then
	echo "$DIR"
	exit 0
fi

TMP=$(mktemp -d "$CACHE/.unpack.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# apt's file name escapes the epoch's colon
DEB=/var/cache/apt/archives/${PKG}_${VER//:/%3a}_amd64.deb
if [ ! -f "$DEB" ]; then
	info "downloading $PKG=$VER"
	(cd "$TMP" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$PKG=$VER" >&2) ||
		die "apt-get download $PKG=$VER failed (messages above)"
	DEB=$(ls "$TMP"/*.deb)
fi
got="$(dpkg-deb -f "$DEB" Package) $(dpkg-deb -f "$DEB" Version)"
[ "$got" = "$PKG $VER" ] || die "$DEB is '$got', not '$PKG $VER'"

t0=$(date +%s.%N)
dpkg-deb -x "$DEB" "$TMP/root" || die "unpacking $DEB failed"
[ -f "$TMP/root/boot/vmlinuz-$RELEASE" ] || die "$DEB has no boot/vmlinuz-$RELEASE"
# The package has no modules.dep: dpkg's postinst runs depmod.
[ -d "$TMP/root/lib/modules/$RELEASE/kernel" ] || die "$DEB has no lib/modules/$RELEASE/kernel"
depmod -b "$TMP/root" "$RELEASE" ||
	die "depmod -b $TMP/root $RELEASE failed (is kmod installed?)"
# A rename makes it appear complete or not at all.
mv "$TMP/root" "$DIR"
t1=$(date +%s.%N)
info "$PKG $VER unpacked into $DIR in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
echo "$DIR"
