#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The logic of the vstm32 GitHub Action (action.yml at the top of the
# repository) and of the GitLab CI template (ci/gitlab/vstm32.gitlab-ci.yml),
# as a plain script that also runs on a desk:
#
#   vstm32-action.sh install   apt-get what building and the boards need
#   vstm32-action.sh build     make the emulator and the usbfs preload
#   vstm32-action.sh start     start the boards; later steps reach them
#   vstm32-action.sh stop      stop them (state saved), collect artifacts
#
# Inputs (environment, as a composite action passes them):
#   INPUT_BOARDS   board specs, space-separated: "l476xg:dfu f103xb:stlink-v2-1"
#   INPUT_STATE    directory of the chips: board N keeps its chip in
#                  STATE/boardN across runs (default: WORK/state)
#   INPUT_FAULTS   fault specs (see fixtures/scenarios/README.md), one or
#                  more per line; a line that starts with a board number
#                  applies to that board only, any other to every board:
#                  "0 flash.erase.time:us=100000 usb.busy-stall:op=erase"
#   INPUT_SEED     --seed of the boards (default 0): the chips' unique IDs
#                  and probabilistic faults follow it
#   VSTM32_SKIP_INSTALL=1   install does nothing (an image with the packages)
#
# How a later step reaches the boards, with no root and no kernel USB:
# start runs `vstm32 serve` in the background, then `vstm32 run --connect`
# around a command that only sleeps: its umockdev testbed mirrors the
# server's devices (usbfs route, README "A long-running server") and stays
# up until stop.  The testbed's variables -- LD_PRELOAD (the usbfs preload
# and libumockdev-preload), UMOCKDEV_DIR -- and VSTM32_USBIP go to
# $GITHUB_ENV, so every later step's libusb, lsusb and udev see the boards
# as USB devices: a plain `dfu-util -l` lists them.  Also exported:
# VSTM32_CTL (the `vstm32 ctl` socket), VSTM32_ARTIFACTS, VSTM32_JUNIT_DIR
# (write `--junit` reports there), VSTM32_STATE; build/ goes to $GITHUB_PATH.
#
# Artifacts (WORK/artifacts): vstm32.pcap (every transfer, usbmon pcap),
# inspect-boardN.json (`vstm32 inspect --json` after stop), junit/*.xml,
# serve.log and mirror.log.  Outside GitHub, GITHUB_ENV, GITHUB_PATH and
# GITHUB_OUTPUT default to files in WORK (source GITHUB_ENV to use them).
# shellcheck disable=SC2016 # (single quotes: expanded later, by eval or the inner sh)
set -eu

ROOT=$(cd -P "$(dirname "$0")/../.." && pwd)
VSTM32_BIN=$ROOT/build/vstm32
WORK=${VSTM32_WORK:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/vstm32-action}
ART=$WORK/artifacts
GITHUB_ENV=${GITHUB_ENV:-$WORK/github-env}
GITHUB_PATH=${GITHUB_PATH:-$WORK/github-path}
GITHUB_OUTPUT=${GITHUB_OUTPUT:-$WORK/github-output}
# What building the emulator and the usbfs route need, and the host tools
# a job usually drives (all in the Makefile's DEB_PACKAGES).
PACKAGES="make build-essential pkg-config libjansson-dev libunicorn-dev libmicrohttpd-dev libusb-1.0-0-dev \
umockdev libumockdev-dev dfu-util stlink-tools openocd python3-usb usbutils"

say() { printf 'vstm32-action: %s\n' "$*"; }
die() { printf 'vstm32-action: %s\n' "$*" >&2; exit 1; }

# wait_for TEST SECONDS: poll TEST every 0.1 s, at most SECONDS (a bound, not
# a guess of how long it takes: it normally holds at once)
wait_for() {
    n=$(($2 * 10))
    while [ "$n" -gt 0 ]; do
        if eval "$1"; then return 0; fi
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

# the process whose pid file is $1 runs: a zombie nobody reaps (its parent
# was this script) has ended once its last thread has
alive() {
    [ -f "$1" ] || return 1
    pid=$(cat "$1")
    kill -0 "$pid" 2>/dev/null || return 1
    grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null || return 0
    ! grep -q '^Threads:[[:space:]]*1$' "/proc/$pid/status" 2>/dev/null
}

cmd_install() {
    if [ "${VSTM32_SKIP_INSTALL:-0}" = 1 ]; then
        say "install: skipped (VSTM32_SKIP_INSTALL=1)"
        return 0
    fi
    sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    # shellcheck disable=SC2086
    if [ "${VSTM32_DRY_RUN:-0}" = 1 ]; then
        echo "$sudo apt-get install -y --no-install-recommends $PACKAGES"
        return 0
    fi
    $sudo apt-get update
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $PACKAGES
}

cmd_build() {
    make -C "$ROOT" -j"$(nproc 2>/dev/null || echo 2)" build/vstm32 build/usbfs/libvstm32-usbfs.so
}

# serve's --fault options for board $1 from INPUT_FAULTS
faults_for() {
    printf '%s\n' "${INPUT_FAULTS:-}" | while read -r first rest; do
        [ -n "$first" ] || continue
        case $first in
            \#*) continue ;;
            *[!0-9]*) specs="$first $rest" ;;
            *) [ "$first" = "$1" ] || continue; specs=$rest ;;
        esac
        for spec in $specs; do printf ' --fault %s' "$spec"; done
    done
}

cmd_start() {
    [ -x "$VSTM32_BIN" ] || die "no $VSTM32_BIN: run '$0 build' first"
    [ -n "${INPUT_BOARDS:-}" ] || die "no boards: give the input boards, e.g. 'l476xg:dfu f103xb:stlink-v2-1'"
    alive "$WORK/serve.pid" && die "boards already started (pid $(cat "$WORK/serve.pid")); stop them first"
    STATE=${INPUT_STATE:-$WORK/state}
    mkdir -p "$WORK" "$ART/junit" "$STATE"
    STATE=$(cd "$STATE" && pwd)
    rm -f "$WORK/testbed.env" "$WORK/serve.out"
    set -- serve --port 0 --ctl "$WORK/ctl.sock" --pcap "$ART/vstm32.pcap" --seed "${INPUT_SEED:-0}"
    i=0
    for spec in $INPUT_BOARDS; do
        # shellcheck disable=SC2046
        set -- "$@" --board "$spec" --state "$STATE/board$i" $(faults_for "$i")
        i=$((i + 1))
    done
    say "starting $i board(s): $INPUT_BOARDS"
    # a session of its own: it outlives this step (and whatever ends the
    # step's process group), until stop
    setsid nohup "$VSTM32_BIN" "$@" >"$WORK/serve.out" 2>"$ART/serve.log" </dev/null &
    echo $! >"$WORK/serve.pid"
    # its first line says where it listens, once every board is served
    if ! wait_for '[ -s "$WORK/serve.out" ] || ! alive "$WORK/serve.pid"' 60 ||
       ! head -n 1 "$WORK/serve.out" | grep -q '^listening '; then
        cat "$ART/serve.log" >&2
        die "vstm32 serve did not start"
    fi
    addr=$(head -n 1 "$WORK/serve.out" | cut -d' ' -f2)
    tail -n +2 "$WORK/serve.out"
    # the mirror: a testbed that later steps share
    setsid nohup "$VSTM32_BIN" run --connect "$addr" -- sh -c '
        { printf "LD_PRELOAD=%s\n" "$LD_PRELOAD"; printf "UMOCKDEV_DIR=%s\n" "$UMOCKDEV_DIR";
          printf "VSTM32_USBIP=%s\n" "$VSTM32_USBIP"; } >"$1.tmp" && mv "$1.tmp" "$1"
        exec sleep 2147483647' vstm32-mirror "$WORK/testbed.env" >"$ART/mirror.log" 2>&1 </dev/null &
    echo $! >"$WORK/mirror.pid"
    if ! wait_for '[ -s "$WORK/testbed.env" ] || ! alive "$WORK/mirror.pid"' 60 || [ ! -s "$WORK/testbed.env" ]; then
        cat "$ART/mirror.log" >&2
        cmd_stop >/dev/null 2>&1 || true
        die "the usbfs testbed did not start"
    fi
    {
        cat "$WORK/testbed.env"
        echo "VSTM32_CTL=$WORK/ctl.sock"
        echo "VSTM32_ARTIFACTS=$ART"
        echo "VSTM32_JUNIT_DIR=$ART/junit"
        echo "VSTM32_STATE=$STATE"
    } >>"$GITHUB_ENV"
    echo "$ROOT/build" >>"$GITHUB_PATH"
    { echo "usbip=$addr"; echo "artifacts=$ART"; } >>"$GITHUB_OUTPUT"
    say "boards served at $addr; later steps reach them (\$GITHUB_ENV: LD_PRELOAD, UMOCKDEV_DIR, VSTM32_USBIP)"
}

# stop_pid FILE SECONDS: SIGTERM, wait at most SECONDS, then SIGKILL (1)
stop_pid() {
    pidfile=$1    # (wait_for's eval has positional parameters of its own)
    alive "$pidfile" || { rm -f "$pidfile"; return 0; }
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    if wait_for '! alive "$pidfile"' "$2"; then rm -f "$pidfile"; return 0; fi
    kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
    return 1
}

cmd_stop() {
    # this script's own tools run off the testbed
    unset LD_PRELOAD UMOCKDEV_DIR
    rc=0
    stop_pid "$WORK/mirror.pid" 20 || { say "the mirror did not stop on SIGTERM"; rc=1; }
    # SIGTERM: serve saves every board's state and closes the capture
    stop_pid "$WORK/serve.pid" 60 || { say "vstm32 serve did not stop on SIGTERM"; rc=1; }
    STATE=${VSTM32_STATE:-${INPUT_STATE:-$WORK/state}}
    mkdir -p "$ART"
    for dir in "$STATE"/board*; do
        [ -f "$dir/chip.json" ] || continue
        "$VSTM32_BIN" inspect "$dir" --json >"$ART/inspect-$(basename "$dir").json" || rc=1
    done
    # later steps (the artifact upload among them) run off the testbed again
    { echo "LD_PRELOAD="; echo "UMOCKDEV_DIR="; } >>"$GITHUB_ENV"
    say "stopped; artifacts in $ART:"
    (cd "$ART" && find . -type f | sort | sed 's|^\./|  |')
    return $rc
}

case ${1:-} in
    install) cmd_install ;;
    build) cmd_build ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    *) die "usage: $0 install|build|start|stop" ;;
esac
