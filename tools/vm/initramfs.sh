#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The guest's whole root file system, as one initramfs: busybox, the kernel
# modules, the real host tools (usbip, lsusb, dfu-util, st-info/st-flash,
# openocd) with the shared libraries they load, the server under test and
# the in-guest suite (host-tests/kernel/).
#
#   tools/vm/initramfs.sh BUILD_DIR [vstm32|testserver]
#
# vstm32      serve with BUILD_DIR/vstm32 (the tier)
# testserver  serve with tools/vm/testserver.py, one fake device: checks the
#             VM plumbing alone (python3 goes into the image)
#
# Writes BUILD_DIR/vm/initramfs-MODE.cpio.  Tools come from the host's
# Debian packages (the Makefile's deps install them); as root a missing one
# is installed here, otherwise the script says which package to install.
set -eu

BUILD=${1:?usage: initramfs.sh BUILD_DIR [vstm32|testserver]}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
MODE=${2:-vstm32}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
VM="$BUILD/vm"
ROOT="$VM/root-$MODE"
OUT="$VM/initramfs-$MODE.cpio"
KERNEL="$VM/kernel"

# every part whose ROM bootloader has USB DFU (issue 5's list), and the ones
# the download tests use
DFU_PARTS="f042x6 f072xb f401xe f407xg f446xe l073xz l412xb l476xg g474xe"
ROUNDTRIP_PARTS="f446xe l476xg"
LEAVE_PARTS="l476xg"
RESET_PARTS="f446xe"
UNPLUG_PARTS="f072xb"

die() { echo "initramfs.sh: $*" >&2; exit 1; }

[ -f "$KERNEL/modules.load" ] || die "no kernel modules: run tools/vm/kernel.sh $BUILD first"

# binary -> Debian package, for the message or the install
declare -A PKG=(
    [/bin/busybox]=busybox-static
    [/usr/sbin/usbip]=usbip
    [/usr/bin/lsusb]=usbutils
    [/usr/bin/dfu-util]=dfu-util
    [/usr/bin/st-info]=stlink-tools
    [/usr/bin/st-flash]=stlink-tools
    [/usr/bin/openocd]=openocd
)
TOOLS="/usr/sbin/usbip /usr/bin/lsusb /usr/bin/dfu-util /usr/bin/st-info /usr/bin/st-flash /usr/bin/openocd"

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

if [ "$MODE" = vstm32 ]; then
    [ -x "$BUILD/vstm32" ] || die "$BUILD/vstm32 is not built (make all)"
    [ -f "$BUILD/libvstm32models.a" ] || die "$BUILD/libvstm32models.a is not built (make all)"
fi

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

# the server under test
case "$MODE" in
vstm32)
    copy_bin "$BUILD/vstm32" /usr/bin/vstm32
    # `vstm32 attach` alone, for as long as build/vstm32 does not dispatch it
    cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -O2 -I"$TOP" \
        -o "$VM/vstm32-attach" "$TOP/host-tests/kernel/attach_main.c" \
        "$TOP/tools/vstm32/cmd_attach.c" "$TOP/emulator/usbip/usbip_proto.c" ||
        die "cannot build tools/vstm32/cmd_attach.c"
    copy_bin "$VM/vstm32-attach" /usr/bin/vstm32-attach
    ;;
testserver)
    copy_bin /usr/bin/python3 /usr/bin/python3
    # the standard library modules testserver.py imports (python -S)
    # the standard library modules testserver.py imports (python3 -S), with
    # their compiled form so the guest does not compile them again
    for mod in $(/usr/bin/python3 -S -v "$HERE/testserver.py" --list-imports 2>&1 >/dev/null |
                 sed -n 's/^# \(\/usr\/lib\/python3[^ ]*\.pyc\) matches \(\/usr\/lib\/python3[^ ]*\.py\)$/\1 \2/p'); do
        mkdir -p "$ROOT$(dirname "$mod")"
        cp "$mod" "$ROOT$mod"
    done
    cp "$HERE/testserver.py" "$ROOT/usr/bin/testserver.py"
    ;;
*)
    die "unknown mode $MODE"
    ;;
esac

# the suite, its expectations and its images
cp "$TOP/host-tests/kernel/init" "$ROOT/init"
chmod 755 "$ROOT/init"
cp "$TOP"/host-tests/kernel/*.sh "$ROOT/test/"
echo "MODE=$MODE" >"$ROOT/test/config"
mkdir -p "$ROOT/test/expect" "$ROOT/test/images"
case "$MODE" in
vstm32)
    # every part whose ROM has USB DFU, one board each, in this order
    i=0
    for part in $DFU_PARTS; do
        i=$((i + 1))
        echo "1-$i $part"
    done >"$ROOT/test/boards"
    # expectations from the part table itself
    cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$TOP" -o "$VM/expect_dfu" \
        "$TOP/host-tests/kernel/expect_dfu.c" "$BUILD/libvstm32models.a" -ljansson -lm ||
        die "cannot build host-tests/kernel/expect_dfu.c against $BUILD/libvstm32models.a"
    "$VM/expect_dfu" "$ROOT/test/expect" $DFU_PARTS >"$VM/flash-bases" ||
        die "expect_dfu failed"
    for part in $ROUNDTRIP_PARTS; do
        echo "roundtrip $part $(awk -v p="$part" '$1 == p { print $2 }' "$VM/flash-bases")"
    done >"$ROOT/test/dfu-tests"
    for part in $LEAVE_PARTS; do
        echo "leave $part $(awk -v p="$part" '$1 == p { print $2 }' "$VM/flash-bases")"
    done >>"$ROOT/test/dfu-tests"
    # reset after the round trip: the image must still be there
    for part in $RESET_PARTS; do
        echo "reset $part $(awk -v p="$part" '$1 == p { print $2 }' "$VM/flash-bases")"
    done >>"$ROOT/test/dfu-tests"
    for part in $UNPLUG_PARTS; do
        echo "unplug $part"
    done >>"$ROOT/test/dfu-tests"
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
    ;;
testserver)
    echo "1-1 standin" >"$ROOT/test/boards"
    cat >"$ROOT/test/expect/standin.txt" <<'TXT'
idVendor 0x0483
idProduct 0xdf11
bcdDevice 22.00
iProduct STM32  BOOTLOADER
alt0 @Internal Flash  /0x08000000/064*0002Kg
alt1 @Option Bytes  /0x1FFFF800/01*016 e
wTransferSize 2048
bcdDFUVersion 1.1a
TXT
    ;;
esac

# uncompressed: gunzip under software emulation costs the guest ~2 s
python3 "$HERE/vmtool.py" cpio "$ROOT" "$OUT" --gzip 0
echo "initramfs.sh: $OUT ($(du -k "$OUT" | cut -f1) KiB, mode $MODE)"
