#!/bin/sh
# Install the Debian 12 packages klp-prep needs to build, test and run its
# kernel harness.  Idempotent; run as root (CI is root).
set -eu

PACKAGES="
build-essential cmake pkg-config git
gcc-12 g++-12 gcc-12-plugin-dev
gcc-11
libelf-dev libdw-dev libcmocka-dev
libclang-14-dev clang-14 libclang-rt-14-dev llvm-14
valgrind
qemu-system-x86 busybox-static cpio xz-utils gzip kmod patch procps
linux-source-6.12 linux-source-6.1
bc bison flex libssl-dev dwarves rsync python3
"

# The shipped kernels' packages (headers, the -dbg vmlinux, the source):
# their list is scripts/shipped-kernels, which the tests read too.
here=$(dirname "$0")
while read -r release series; do
	case $release in ''|'#'*) continue ;; esac
	PACKAGES="$PACKAGES linux-headers-$release linux-image-$release-dbg linux-source-$series"
done < "$here/shipped-kernels"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

echo "install-deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: error: must run as root to apt-get install" >&2
	exit 1
fi
case $missing in
*-dbg*) echo "install-deps: the shipped kernels' -dbg packages are large (6.1's: 283 MB to" \
	"download, 1.75 GB installed); apt prints each package as it fetches it" ;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
