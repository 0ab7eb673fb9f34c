#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The guest kernel for the kernel USB/IP tier: Debian's stock kernel, taken
# from its package without installing it (installing linux-image-amd64 would
# build an initramfs under the host's /boot).
#
#   host-tests/kernel/vm/kernel.sh BUILD_DIR
#
# Leaves, under BUILD_DIR/vm/kernel/:
#   vmlinux          the uncompressed ELF kernel (QEMU boots it by its PVH note)
#   modules/*.ko     usb-common, usbcore, usbip-core, vhci-hcd, cdc-acm (the
#                    ST-Link's virtual COM port) and what they need
#   modules.load     those modules in load order
#   PACKAGE          the .deb they came from; a second run with the same
#                    package does nothing
set -eu

BUILD=${1:?usage: kernel.sh BUILD_DIR}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
VM="$BUILD/vm"
CACHE="$VM/cache/debs"
OUT="$VM/kernel"
WANTED="vhci-hcd usbip-core usbcore usb-common cdc-acm"

die() { echo "kernel.sh: $*" >&2; exit 1; }

mkdir -p "$CACHE" "$OUT"

# Which kernel package: the one linux-image-amd64 depends on today, or, with
# no package lists at all, whatever was downloaded before.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
    apt-get update >/dev/null 2>&1 || true
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
fi
if [ -n "$pkg" ]; then
    deb=$(ls "$CACHE/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        echo "kernel.sh: downloading $pkg"
        (cd "$CACHE" && apt-get download "$pkg" >/dev/null 2>"$CACHE/apt.err") ||
            die "apt-get download $pkg failed: $(tail -n 3 "$CACHE/apt.err")"
        deb=$(ls "$CACHE/${pkg}_"*.deb | head -n 1)
    fi
else
    deb=$(ls -t "$CACHE"/linux-image-*-amd64_*.deb 2>/dev/null | head -n 1 || true)
    [ -n "$deb" ] || die "no package list names linux-image-amd64's kernel (run apt-get update as root) and none is cached in $CACHE"
fi

if [ -f "$OUT/PACKAGE" ] && [ "$(cat "$OUT/PACKAGE")" = "$(basename "$deb")" ] &&
   [ -f "$OUT/vmlinux" ] && [ -f "$OUT/modules.load" ] &&
   [ "$(cat "$OUT/WANTED" 2>/dev/null)" = "$WANTED" ]; then
    exit 0
fi

echo "kernel.sh: unpacking $(basename "$deb")"
rm -rf "$OUT" "$VM/cache/unpack"
mkdir -p "$OUT/modules" "$VM/cache/unpack"
UNPACK="$VM/cache/unpack"

# Everything in one pass: the kernel image and every .ko is only ~1/3 of the
# package, and a second tar pass per missing dependency would cost more.
dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$UNPACK" --wildcards './boot/vmlinuz-*' '*/kernel/drivers/usb/*' ||
    die "cannot unpack $deb"

bz=$(ls "$UNPACK"/boot/vmlinuz-* | head -n 1)
python3 "$HERE/vmtool.py" vmlinux "$bz" "$OUT/vmlinux" || die "cannot extract vmlinux from $bz"
cp "$bz" "$OUT/bzImage"

# Resolve dependencies depth-first; a module is listed after what it needs.
find_ko() {
    # module names use _ and - interchangeably
    local pat
    pat=$(echo "$1" | sed 's/[-_]/[-_]/g')
    find "$UNPACK" -name "$pat.ko" | head -n 1
}
: >"$OUT/modules.load"
add_module() {
    local name=$1 ko dep
    grep -qx "$name" "$OUT/modules.load" && return 0
    ko=$(find_ko "$name")
    if [ -z "$ko" ]; then
        # a dependency outside drivers/usb: one more pass for it alone
        dpkg-deb --fsys-tarfile "$deb" |
            tar -x -C "$UNPACK" --wildcards "*/$(echo "$name" | sed 's/[-_]/[-_]/g').ko" 2>/dev/null || true
        ko=$(find_ko "$name")
    fi
    [ -n "$ko" ] || die "module $name is not in $(basename "$deb")"
    for dep in $(python3 "$HERE/vmtool.py" depends "$ko"); do
        add_module "$dep"
    done
    grep -qx "$name" "$OUT/modules.load" && return 0
    cp "$ko" "$OUT/modules/$name.ko"
    echo "$name" >>"$OUT/modules.load"
}
for m in $WANTED; do
    add_module "$m"
done

basename "$deb" >"$OUT/PACKAGE"
echo "$WANTED" >"$OUT/WANTED"
rm -rf "$UNPACK"
echo "kernel.sh: $(tr '\n' ' ' <"$OUT/modules.load")from $(cat "$OUT/PACKAGE")"
