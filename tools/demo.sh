#!/bin/sh
# The main job: flash an image into a virtual STM32L476 with the real
# dfu-util through `vstm32 run` (Debian's libusb on the usbfs route), read
# it back, compare, and show what the chip now holds; then flash an STM32F103 through its ST-Link with OpenOCD
# (target-side flash algorithm on the emulated core) and watch it boot.
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
echo
echo "== dfu-util :leave — the ROM jumps to the application, which runs"
"$VSTM32" run --board l476xg:dfu --state "$work/l476" --expect-console "hello from l476xg" -- \
    dfu-util -a 0 -s 0x08000000:leave -D "$image"

echo
echo "== vstm32 inspect"
"$VSTM32" inspect "$work/l476"

echo
echo "== OpenOCD through an ST-Link V2-1: program, verify, reset an STM32F103"
f103="$BUILD/firmware/f103xb/hello.elf"
"$VSTM32" run --board f103xb:stlink-v2-1 --expect-console "hello from f103xb" -- \
    openocd -c "gdb_port disabled; telnet_port disabled; tcl_port disabled" \
    -f interface/stlink.cfg -f target/stm32f1x.cfg \
    -c "program $f103 verify reset exit"
echo "== the F103 runs what OpenOCD wrote: its console said 'hello from f103xb'"
