#!/bin/sh
# make bench: performance figures of vstm32 on this machine (issue 9).
# Never part of a test: nothing here asserts a time.
#
# Each figure is one line on stdout, `name value unit`, optionally followed
# by `target OP VALUE ok|MISSED`; a MISSED figure is followed by a line
# `# why: ...`.  A summary table ends the output.
#
#   sh tools/bench.sh [BUILD]
#   BENCH_REAL_KIB=N    size of the real-time-mode download (default 1024)
set -eu
BUILD=${1:-build}
CC=${CC:-gcc}
VSTM32="$BUILD/vstm32"
export VSTM32
BIN="$BUILD/bench"
mkdir -p "$BIN"

# ---- build the bench programs with the Makefile's flags ----------------------
CFLAGS_BENCH="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla -g -I. -O2"
COMMON="tools/bench/bench_common.c tools/bench/bench_dfu.c host-tests/lib/usbip_client.c emulator/usbip/usbip_proto.c"
for prog in rtt startup many; do
    $CC $CFLAGS_BENCH -o "$BIN/bench_$prog" "tools/bench/bench_$prog.c" $COMMON \
        "$BUILD/libvstm32models.a" -ljansson -lpthread -lm
done

"$BIN/bench_rtt"
"$BIN/bench_startup"
"$BIN/bench_many"
