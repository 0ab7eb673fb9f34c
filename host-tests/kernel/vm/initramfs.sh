#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The guest's whole root file system, as one initramfs: busybox, the kernel
# modules, the real host tools (usbip, lsusb, dfu-util, st-info/st-flash,
# openocd) with the shared libraries they load, the product under test
# (BUILD_DIR/vstm32: its serve, ctl and attach commands) and the in-guest
# suite with its inputs (host-tests/kernel/).
#
#   host-tests/kernel/vm/initramfs.sh BUILD_DIR
#
# Writes BUILD_DIR/vm/initramfs.cpio.  Tools come from the host's
# Debian packages (the Makefile's deps install them); as root a missing one
# is installed here, otherwise the script says which package to install.
set -eu

BUILD=${1:?usage: initramfs.sh BUILD_DIR}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
VM="$BUILD/vm"
ROOT="$VM/root"
OUT="$VM/initramfs.cpio"
KERNEL="$VM/kernel"

die() { echo "initramfs.sh: $*" >&2; exit 1; }

[ -f "$KERNEL/modules.load" ] || die "no kernel modules: run host-tests/kernel/vm/kernel.sh $BUILD first"

# binary -> Debian package, for the message or the install
declare -A PKG=(
    [/bin/busybox]=busybox-static
    [/usr/sbin/usbip]=usbip
    [/usr/bin/lsusb]=usbutils
    [/usr/bin/dfu-util]=dfu-util
    [/usr/bin/st-info]=stlink-tools
    [/usr/bin/st-flash]=stlink-tools
    [/usr/bin/openocd]=openocd
    [/usr/bin/stm32flash]=stm32flash
)
TOOLS="/usr/sbin/usbip /usr/bin/lsusb /usr/bin/dfu-util /usr/bin/st-info /usr/bin/st-flash /usr/bin/openocd
       /usr/bin/stm32flash"

missing=""
for b in /bin/busybox $TOOLS; do
    [ -x "$b" ] || missing="$missing ${PKG[$b]}"
done
# busybox must be the static one: the dynamic build lacks applets we use
if [ -x /bin/busybox ] && ! /bin/busybox --list 2>/dev/null | grep -qx insmod; then
    missing="$missing busybox-static"
fi
if [ -n "$missing" ]; then
    missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
    if [ "$(id -u)" = 0 ]; then
        echo "initramfs.sh: installing $missing"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null ||
            die "apt-get install $missing failed"
    else
        die "missing Debian packages: $missing(install them as root, or run make deps)"
    fi
fi

[ -x "$BUILD/vstm32" ] || die "$BUILD/vstm32 is not built (make all)"

rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,root,etc,lib/modules,test,var}
ln -s ../run "$ROOT/var/run"
ln -s lib "$ROOT/lib64"

# busybox and its applets as symlinks (done here, not by the guest: faster)
cp /bin/busybox "$ROOT/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ -e "$ROOT/bin/$applet" ] || ln -s busybox "$ROOT/bin/$applet"
done

# a binary and the shared libraries ldd resolves for it, at the same paths
copy_libs() {
    local lib
    for lib in $(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
        [ -e "$ROOT$lib" ] && continue
        mkdir -p "$ROOT$(dirname "$lib")"
        cp -L "$lib" "$ROOT$lib"
    done
}
copy_bin() {
    local dest="$ROOT${2:-$1}"
    mkdir -p "$(dirname "$dest")"
    cp -L "$1" "$dest"
    copy_libs "$1"
}
for t in $TOOLS; do
    copy_bin "$t"
done
# OpenOCD's board and interface scripts (the ST-Link suite uses them)
if [ -d /usr/share/openocd/scripts ]; then
    mkdir -p "$ROOT/usr/share/openocd"
    cp -r /usr/share/openocd/scripts "$ROOT/usr/share/openocd/"
fi

# kernel modules, in load order
cp "$KERNEL"/modules/*.ko "$ROOT/lib/modules/"
cp "$KERNEL/modules.load" "$ROOT/lib/modules/"

# the product under test, and what it loads with dlopen (invisible to
# ldd): libunicorn when a board makes its first core (emulator/cpu/cpu_uc.c)
copy_bin "$BUILD/vstm32" /usr/bin/vstm32
for soname in libunicorn.so.2; do
    lib=$(/sbin/ldconfig -p | awk -v n="$soname" '$1 == n { print $NF; exit }')
    [ -n "$lib" ] || { echo "initramfs: $soname not found (ldconfig -p)" >&2; exit 1; }
    copy_bin "$lib"
done

# the suite and its inputs: the boards to serve (every part whose ROM has
# USB DFU, issue 5's list), the download tests, what lsusb must show
# (pinned from real logs) and the expected markers (read on the host)
K="$TOP/host-tests/kernel"
cp "$K/init" "$ROOT/init"
chmod 755 "$ROOT/init"
cp "$K"/*.sh "$K/boards" "$K/dfu-tests" "$ROOT/test/"
mkdir -p "$ROOT/test/expect" "$ROOT/test/images"
cp "$K"/expect/*.txt "$ROOT/test/expect/"
# images: the same bytes every run (seeded), sizes spanning several
# erase units (F446: 16 KiB sectors; L476: 2 KiB pages)
python3 - "$ROOT/test/images" <<'PY'
import random, sys
out = sys.argv[1]
for name, size, seed in (("f446xe", 40 * 1024 + 12, 446), ("l476xg", 24 * 1024 + 8, 476),
                         ("l476xg-leave", 6 * 1024, 4760)):
    data = random.Random(seed).randbytes(size)
    open("%s/%s.bin" % (out, name), "wb").write(data)
PY
# the firmware fixture stm32flash writes through the ST-Link's VCP
[ -f "$BUILD/firmware/l476xg/hello.bin" ] || die "$BUILD/firmware/l476xg/hello.bin is not built (make all)"
cp "$BUILD/firmware/l476xg/hello.bin" "$ROOT/test/images/l476xg-hello.bin"

# uncompressed: gunzip under software emulation costs the guest ~2 s
python3 "$HERE/vmtool.py" cpio "$ROOT" "$OUT" --gzip 0
echo "initramfs.sh: $OUT ($(du -k "$OUT" | cut -f1) KiB)"
