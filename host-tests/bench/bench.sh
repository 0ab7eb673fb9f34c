#!/bin/sh
# make bench: performance figures of vstm32 on this machine (issue 9).
# Never part of a test: nothing here fails on a time.
#
# Output: one figure per line on stdout,
#     name value unit [target OP LIMIT ok|MISSED]
# a MISSED figure is followed by one line "# why: ...", and a summary table
# ends the output.  Notes from the programs go to stderr.
#
#   sh host-tests/bench/bench.sh [BUILD]
#   BENCH_REAL_KIB=N   size of the real-time-mode dfu-util download
#                      (default 256: dfu-util sleeps the ROM's 104 ms
#                      bwPollTimeout twice per 2 KiB, ~115 s for 1 MiB)
#   BENCH_STFLASH=0    skip figure 4
#   BENCH_BOARDS=N     boards of figure 5 (default 1024)
set -eu
BUILD=${1:-build}
CC=${CC:-gcc}
VSTM32="$BUILD/vstm32"
export VSTM32
BIN="$BUILD/bench"
REAL_KIB=${BENCH_REAL_KIB:-256}
mkdir -p "$BIN"
work=$(mktemp -d "${TMPDIR:-/tmp}/vstm32-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
results="$work/results"
: > "$results"

# ---- the bench programs, with the Makefile's flags ---------------------------
CFLAGS_BENCH="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla -g -I. -O2"
COMMON="host-tests/bench/bench_common.c host-tests/bench/bench_dfu.c host-tests/lib/usbip_client.c lib/usbip_client.c lib/usbip_proto.c"
for prog in rtt floor startup many flash; do
    $CC $CFLAGS_BENCH -o "$BIN/bench_$prog" "host-tests/bench/bench_$prog.c" $COMMON \
        "$BUILD/libvstm32models.a" -ljansson -lpthread -lm
done
# figure 7 is a libusb program: Debian's libusb, on the usbfs route under `vstm32 run`
$CC $CFLAGS_BENCH -o "$BIN/bench_libusb" host-tests/bench/bench_libusb.c -lusb-1.0

# ---- helpers -----------------------------------------------------------------
now_ns() { date +%s%N; }

# figure NAME VALUE UNIT [OP LIMIT WHY-IF-MISSED]
# OP is le (value <= limit), ge, eq or within (|value - 1| <= limit).
figure() {
    name=$1 value=$2 unit=$3
    if [ $# -lt 5 ]; then
        echo "$name $value $unit"
        echo "$name $value $unit - -" >> "$results"
        return
    fi
    op=$4 limit=$5 why=${6:-}
    verdict=$(awk -v v="$value" -v l="$limit" -v op="$op" 'BEGIN {
        if (v !~ /^-?[0-9.]+$/) ok = 0
        else if (op == "le") ok = v + 0 <= l + 0
        else if (op == "ge") ok = v + 0 >= l + 0
        else if (op == "eq") ok = v + 0 == l + 0
        else ok = (v - 1 <= l + 0 && 1 - v <= l + 0)
        print ok ? "ok" : "MISSED" }')
    case $op in
        le) shown="<=$limit" ;; ge) shown=">=$limit" ;; eq) shown="=$limit" ;;
        within) shown="1±$limit" ;;
    esac
    echo "$name $value $unit target $shown $verdict"
    [ "$verdict" = MISSED ] && [ -n "$why" ] && echo "# why: $why"
    echo "$name $value $unit $shown $verdict" >> "$results"
}

# Reads `name value unit` lines of a bench program; value of NAME.
pick() { awk -v n="$1" '$1 == n { print $2 }' "$2"; }

fmt() { awk -v v="$1" 'BEGIN { printf "%.3f", v }'; }

# wait_bounded PID T0_NS SECONDS: waits for PID (a session leader, started
# with setsid) and sets status to its exit status, or stops its whole
# session after SECONDS from T0_NS and sets status=timeout.
wait_bounded() {
    status=
    while [ -z "$status" ]; do
        if ! kill -0 "$1" 2>/dev/null; then
            wait "$1" && status=0 || status=$?
        elif [ $(( ($(now_ns) - $2) / 1000000000 )) -ge "$3" ]; then
            kill -TERM -- "-$1" 2>/dev/null || true
            sleep 1
            kill -KILL -- "-$1" 2>/dev/null || true
            wait "$1" 2>/dev/null || true
            status=timeout
        else
            sleep 0.1
        fi
    done
}

# ---- 1. USB/IP control round trip --------------------------------------------
"$BIN/bench_rtt" 20000 > "$work/rtt"
p50=$(pick usbip_control_rtt_p50 "$work/rtt")
p99=$(pick usbip_control_rtt_p99 "$work/rtt")
figure usbip_control_rtt_p50 "$(fmt "$p50")" us le 20 \
    "client and server on different CPUs: the server polls without sleeping for 50 us after an answer (the request needs no wake-up), but the answer still wakes the client on another CPU (an IPI, dear in a VM); floor_tcp_rtt_cross_cpu_p50 below is the kernel's own loopback round trip with no emulator at all, each side woken"
figure usbip_control_rtt_p99 "$(fmt "$p99")" us
# The same with client and server pinned to one CPU: what the emulator and
# loopback TCP cost without the scheduler's cross-CPU wake-ups.
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
    taskset -c 0 "$BIN/bench_rtt" 20000 > "$work/rtt1"
    figure usbip_control_rtt_p50_one_cpu "$(fmt "$(pick usbip_control_rtt_p50 "$work/rtt1")")" us le 30 \
        "even on one CPU"
fi

# The kernel's floor under figure 1: a plain C ping-pong of 48 bytes
# between two threads, no emulator (bench_floor.c); the round trip cannot
# beat it on this machine.
"$BIN/bench_floor" 20000 > "$work/floor"
for f in floor_tcp_rtt_p50 floor_tcp_rtt_cross_cpu_p50 floor_socketpair_rtt_cross_cpu_p50; do
    v=$(pick "$f" "$work/floor")
    [ -n "$v" ] && figure "$f" "$(fmt "$v")" us
done

# ---- 2. and 3. dfu-util download + upload of an F407 -------------------------
# One `vstm32 run` per mode: download, then upload of the same range, each
# timed around the dfu-util process (server start-up is figure 6).
dfu_round_trip() {   # MODE KIB [PART ADDR] -> "download_s upload_s" on stdout, or fails
    # through Debian's libusb on the usbfs route, the only one (issue 15)
    mode=$1 kib=$2 part=${3:-f407xg} addr=${4:-0x08000000}
    head -c $((kib * 1024)) /dev/urandom > "$work/img.bin"
    rm -f "$work/back.bin"
    "$VSTM32" run --board "$part:dfu" --time "$mode" -- sh -c '
        t0=$(date +%s%N)
        dfu-util -a 0 -s "$5" -D "$1" >"$3.dl.log" 2>&1 || exit 11
        t1=$(date +%s%N)
        dfu-util -a 0 -s "$5:$(( $4 * 1024 ))" -U "$2" >"$3.ul.log" 2>&1 || exit 12
        t2=$(date +%s%N)
        echo "$t0 $t1 $t2" > "$3.times"' sh "$work/img.bin" "$work/back.bin" "$work/dfu-$mode" "$kib" "$addr" \
        || { echo "bench: dfu-util in $mode mode failed (logs: $work/dfu-$mode.*.log)" >&2
             tail -3 "$work/dfu-$mode.dl.log" "$work/dfu-$mode.ul.log" >&2 2>/dev/null; return 1; }
    cmp -s "$work/img.bin" "$work/back.bin" || { echo "bench: $mode read back differs" >&2; return 1; }
    awk '{ printf "%.6f %.6f\n", ($2 - $1) / 1e9, ($3 - $2) / 1e9 }' "$work/dfu-$mode.times"
}

if out=$(dfu_round_trip fast 1024); then
    set -- $out
    total=$(awk -v a="$1" -v b="$2" 'BEGIN { print a + b }')
    figure dfuutil_fast_download "$(fmt "$1")" s
    figure dfuutil_fast_upload "$(fmt "$2")" s
    figure dfuutil_fast_total "$(fmt "$total")" s le 0.3 \
        "~4100 USB/IP transfers (SET_ADDRESS, GETSTATUS x2, DNLOAD per 2 KiB block; UPLOAD per block) through Debian's libusb and the usbfs preload: each a round trip to the server thread"
    figure dfuutil_fast_rate "$(awk -v t="$total" 'BEGIN { printf "%.3f", 2 / t }')" MiB/s
else
    figure dfuutil_fast_total failed s
fi

# The same 1 MiB on an H743 (2 MiB, two banks of 8 x 128 KiB, RM0433
# 4.3.2) from 0x08080000: the second half lands in bank 2 (0x08100000),
# whose controller has its own registers; 8 sector erases of 128 KiB.
if out=$(dfu_round_trip fast 1024 h743zi 0x08080000); then
    set -- $out
    total=$(awk -v a="$1" -v b="$2" 'BEGIN { print a + b }')
    figure dfuutil_fast_h743_download "$(fmt "$1")" s
    figure dfuutil_fast_h743_upload "$(fmt "$2")" s
    figure dfuutil_fast_h743_total "$(fmt "$total")" s
    figure dfuutil_fast_h743_rate "$(awk -v t="$total" 'BEGIN { printf "%.3f", 2 / t }')" MiB/s
else
    figure dfuutil_fast_h743_total failed s
fi

"$BIN/bench_flash" sums "$REAL_KIB" > "$work/sums"
datasheet=$(awk '$1 == "datasheet" { print $2 }' "$work/sums")
expected=$(awk '$1 == "dfuutil" { print $2 }' "$work/sums")
if out=$(dfu_round_trip real "$REAL_KIB"); then
    set -- $out
    figure dfuutil_real_kib "$REAL_KIB" KiB
    figure dfuutil_real_download "$(fmt "$1")" s
    figure dfuutil_real_upload "$(fmt "$2")" s
    figure dfuutil_real_datasheet "$(fmt "$datasheet")" s
    figure dfuutil_real_ratio_datasheet "$(awk -v a="$1" -v b="$datasheet" 'BEGIN { printf "%.3f", a / b }')" \
        ratio within 0.05 \
        "dfu-util sleeps the ROM's bwPollTimeout (104 ms) after SET_ADDRESS and after each 2 KiB write, as on silicon; see dfuutil_real_ratio_rom"
    figure dfuutil_real_ratio_rom "$(awk -v a="$1" -v b="$expected" 'BEGIN { printf "%.3f", a / b }')" \
        ratio within 0.05 "download time vs datasheet busy times plus the ROM's advertised poll timeouts"
else
    figure dfuutil_real_download failed s
fi

# The emulator's own pacing: the in-tree client polls without sleeping
# (GETSTATUS is NAKed until the flash is done), 1 MiB.
"$BIN/bench_flash" real 1024 > "$work/flashreal"
figure flash_real_wall "$(fmt "$(pick flash_real_wall "$work/flashreal")")" s
figure flash_real_datasheet "$(fmt "$(pick flash_real_datasheet "$work/flashreal")")" s
figure flash_real_ratio "$(fmt "$(pick flash_real_ratio "$work/flashreal")")" ratio within 0.05 \
    "the ROM model programs word by word, each 16 us word a wake-up of the event loop that starts late by the scheduling latency (lost time accumulates); periodic state saves (fsync) stall the loop too"

# ---- 4. st-flash write of 1 MiB ----------------------------------------------
STFLASH_TIMEOUT=${BENCH_STFLASH_TIMEOUT:-60}
stflash() {
    head -c 1048576 /dev/urandom > "$work/st.bin"
    t0=$(now_ns)
    # its own session, so a hung st-flash can be stopped with its emulator
    setsid "$VSTM32" run --board f407xg:stlink-v2 --time fast -- \
        st-flash write "$work/st.bin" 0x08000000 > "$work/st.log" 2>&1 &
    pid=$!
    wait_bounded "$pid" "$t0" "$STFLASH_TIMEOUT"
    t1=$(now_ns)
    last=$(grep -v '^[[:space:]]*$' "$work/st.log" | tail -1 | cut -c1-160)
    if [ "$status" = 0 ]; then
        figure stflash_write_1mib "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" s le 1.0 \
            "st-flash write (with its verify) under vstm32 run, start-up included"
        figure stflash_write_rate "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", 1e9 / (b - a) }')" MiB/s
    elif [ "$status" = timeout ]; then
        figure stflash_write_1mib not-available s
        echo "# why: st-flash write did not finish in ${STFLASH_TIMEOUT} s; last output: $last"
    else
        figure stflash_write_1mib not-available s
        echo "# why: st-flash write failed (exit $status); last output: $last"
    fi
}
if [ "${BENCH_STFLASH:-1}" = 1 ]; then
    stflash
else
    figure stflash_write_1mib not-available s
    echo "# why: BENCH_STFLASH=0"
fi

# ---- 9. OpenOCD `program FILE 0x08000000 verify` of 1 MiB (issue 21) -----------
# OpenOCD's flash loader runs on the emulated core (Unicorn) and is fed
# through the probe's FIFO in SRAM; timed around the openocd process
# (server start-up is figure 6), under `vstm32 run` as a user would.
OPENOCD_TIMEOUT=${BENCH_OPENOCD_TIMEOUT:-120}
openocd_program() {   # PART TARGET_CFG NAME
    part=$1 cfg=$2 name=$3
    if ! command -v openocd >/dev/null 2>&1; then
        figure "openocd_program_1mib_$name" not-available s
        echo "# why: openocd is not installed"
        return
    fi
    head -c 1048576 /dev/urandom > "$work/ocd.bin"
    rm -f "$work/ocd-$name.times"
    setsid "$VSTM32" run --board "$part:stlink-v2-1" --time fast -- sh -c '
        t0=$(date +%s%N)
        openocd -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
            -f interface/stlink.cfg -f "$2" -c "program $1 0x08000000 verify exit" >"$3.log" 2>&1 || exit 11
        t1=$(date +%s%N)
        echo "$t0 $t1" > "$3.times"' sh "$work/ocd.bin" "$cfg" "$work/ocd-$name" \
        > /dev/null 2>&1 &
    pid=$!
    t0=$(now_ns)
    wait_bounded "$pid" "$t0" "$OPENOCD_TIMEOUT"
    if [ "$status" = 0 ] && [ -s "$work/ocd-$name.times" ] && grep -q "Verified OK" "$work/ocd-$name.log"; then
        figure "openocd_program_1mib_$name" \
            "$(awk '{ printf "%.3f", ($2 - $1) / 1e9 }' "$work/ocd-$name.times")" s le 1.5 \
            "the flash loader stores, so it runs on Unicorn's per-instruction hook (the verify CRC runs in fast blocks), and the core spins on the loader's empty buffer in wall time; see emulator/cpu/README.md"
    else
        figure "openocd_program_1mib_$name" failed s
        echo "# why: openocd program ($status): $(grep -E 'Error|rror:' "$work/ocd-$name.log" 2>/dev/null | head -1 | cut -c1-160)"
    fi
}
openocd_program f407xg target/stm32f4x.cfg f407
openocd_program l476xg target/stm32l4x.cfg l476

# ---- 5. a farm: BENCH_BOARDS (1024) boards, a client each, 64 KiB each ------------
BOARDS=${BENCH_BOARDS:-1024}
if "$BIN/bench_many" "$BOARDS" 64 > "$work/many"; then :; fi
figure many_devices_per_process "$(pick many_boards "$work/many")" devices ge 1024 \
    "BENCH_BOARDS was set below 1024"
figure many_download_total_rate "$(fmt "$(pick many_download_total_rate "$work/many")")" MiB/s
figure many_download_wall "$(fmt "$(pick many_download_wall "$work/many")")" s
figure many_failures "$(pick many_failures "$work/many")" count eq 0 "see the bench notes on stderr"
figure many_resident_per_board_beyond_written "$(fmt "$(pick many_resident_per_board_beyond_written "$work/many")")" MiB le 1 \
    "proportional set size of the server less a one-board server's, per board, less the 64 KiB written"
figure many_anon_per_board "$(fmt "$(pick many_anon_per_board "$work/many")")" MiB
figure many_rss_per_board_beyond_flash "$(fmt "$(pick many_rss_per_board_beyond_flash "$work/many")")" MiB
figure many_peak_per_board_beyond_flash "$(fmt "$(pick many_hwm_per_board_beyond_flash "$work/many")")" MiB

# ---- 6. start-up -------------------------------------------------------------
"$BIN/bench_startup" 20 > "$work/startup"
figure startup_first_device_p50 "$(fmt "$(pick startup_first_device_p50 "$work/startup")")" ms le 10 \
    "exec, a fresh chip saved with fsync, first devlist"
figure startup_first_device_max "$(fmt "$(pick startup_first_device_max "$work/startup")")" ms

# ---- 7. the no-root route ------------------------------------------------------
# The 1 MiB dfu-util round trip and a libusb control round trip through
# Debian's libusb on the usbfs preload, the route `vstm32 run` takes.  Issue
# 15 compared it here with the libusb shim it replaced (README, "why usbfs");
# the names stay route_usbfs_* so the figures compare across commits.
for route in usbfs; do
    if out=$(dfu_round_trip fast 1024); then
        set -- $out
        figure "route_${route}_dfuutil_total" "$(fmt "$(awk -v a="$1" -v b="$2" 'BEGIN { print a + b }')")" s
    else
        figure "route_${route}_dfuutil_total" failed s
    fi
    if "$VSTM32" run --route "$route" --board f407xg:dfu --time fast -- "$BIN/bench_libusb" 5000 \
            > "$work/lrtt-$route"; then
        figure "route_${route}_control_rtt_p50" "$(fmt "$(pick libusb_control_rtt_p50 "$work/lrtt-$route")")" us
        figure "route_${route}_control_rtt_p99" "$(fmt "$(pick libusb_control_rtt_p99 "$work/lrtt-$route")")" us
    else
        figure "route_${route}_control_rtt_p50" failed us
    fi
done

# ---- 8. a well-behaved client among 256 others ------------------------------------
# host-tests/soak/crowd_client.c against 10 boards: 256 connections listing,
# fighting over one device, transferring, vanishing mid-URB, a reader of
# one byte a second; the probe's GETSTATUS round trip meanwhile.
$CC $CFLAGS_BENCH -o "$BIN/soak_crowd" host-tests/soak/crowd_client.c host-tests/lib/usbip_client.c \
    lib/usbip_client.c lib/usbip_proto.c -lpthread
set --
for i in 1 2 3 4 5 6 7 8 9 10; do set -- "$@" --board f042x6:dfu; done
"$VSTM32" serve --port 0 "$@" >"$work/crowd-server.out" 2>/dev/null &
crowd_pid=$!
crowd_port=
for _ in $(seq 1 200); do
    # the file may not exist yet (the shell behind & has not opened it): no
    # error, or set -e ends the whole bench here
    crowd_port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/crowd-server.out" 2>/dev/null || true)
    [ -n "$crowd_port" ] && break
    sleep 0.05
done
if [ -n "$crowd_port" ] && "$BIN/soak_crowd" 127.0.0.1 "$crowd_port" 10 256 10 >"$work/crowd" 2>/dev/null; then
    figure crowd_rtt_p50 "$(pick crowd_rtt_p50_us "$work/crowd")" us
    figure crowd_rtt_p99 "$(pick crowd_rtt_p99_us "$work/crowd")" us
    figure crowd_rtt_max "$(pick crowd_rtt_max_us "$work/crowd")" us
else
    figure crowd_rtt_p50 failed us
fi
kill "$crowd_pid" 2>/dev/null; wait "$crowd_pid" 2>/dev/null || true

# ---- summary -----------------------------------------------------------------
echo
echo "summary ($(uname -n), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
awk 'BEGIN { printf "%-36s %12s %-6s %-10s %s\n", "figure", "value", "unit", "target", "result" }
     { printf "%-36s %12s %-6s %-10s %s\n", $1, $2, $3, $4, $5 }' "$results"
