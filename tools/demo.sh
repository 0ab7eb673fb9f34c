#!/bin/sh
# The main job: flash an image into a virtual STM32L476 with the real
# dfu-util through the libusb shim, read it back, compare, and show what the
# chip now holds.
set -eu
BUILD=${1:-build}
VSTM32="$BUILD/vstm32"
work=$(mktemp -d "${TMPDIR:-/tmp}/vstm32-demo-XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== the parts vstm32 models"
"$VSTM32" parts

echo
echo "== a factory-fresh STM32L476 in $work/l476"
"$VSTM32" new l476xg "$work/l476"

# The 'hello' firmware fixture, built from fixtures/firmware with
# arm-none-eabi-gcc for the L476's memory map.
image="$BUILD/firmware/l476xg/hello.bin"
size=$(wc -c < "$image")

echo
echo "== dfu-util -l, through the ROM bootloader's DFU device"
"$VSTM32" run --board l476xg:dfu --state "$work/l476" -- dfu-util -l

echo
echo "== dfu-util download of $image"
"$VSTM32" run --board l476xg:dfu --state "$work/l476" -- \
    dfu-util -a 0 -s 0x08000000 -D "$image"

echo
echo "== dfu-util upload of the same range"
"$VSTM32" run --board l476xg:dfu --state "$work/l476" -- \
    dfu-util -a 0 -s 0x08000000:"$size" -U "$work/readback.bin"

if cmp "$image" "$work/readback.bin"; then
    echo "== read back: identical to $image ($size bytes)"
else
    echo "== read back differs from the image" >&2
    exit 1
fi

echo
echo "== vstm32 inspect"
"$VSTM32" inspect "$work/l476"
