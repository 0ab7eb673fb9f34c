#!/bin/sh
# host-tests/soak/durability.sh BUILD [KILLS]
#
# Power cuts during downloads: KILLS times (default 30), the real dfu-util
# downloads a fresh image through `vstm32 run --board PART:dfu --state DIR`,
# and the emulator dies by SIGKILL right after the Nth data block had been
# acknowledged: the fault dfu.kill@nth=N+1 (models/faults.h) kills it when
# the (N+1)th data DNLOAD arrives, which dfu-util sends only once GETSTATUS
# said block N was written.  N (1 .. blocks-1) and the image bytes come from
# a seed printed at the start; VSTM32_DURABILITY_SEED=S replays the run.
# A kill counts only when it landed mid-transfer (the emulator said so and
# 0 < acknowledged < image size, dfu-util did not finish); one that did not
# is retried with the next draw, and the tier fails if KILLS misses pile up.
# Each counted kill checks:
#   - `vstm32 inspect DIR` loads the state cleanly;
#   - host-tests/soak/flashcheck finds every flash page old, new, erased or a
#     programmed prefix of new: what a real chip could hold after a power
#     cut (DESIGN.md rule 6; see flashcheck.c);
#   - nothing the host had been told was written was lost: the durable
#     prefix covers the N acknowledged blocks and dfu-util's own progress
#     count (the board journals every change before it answers the next
#     transfer, emulator/state/state_journal.h).  DURABILITY_STRICT=0 reports such
#     a loss without failing.
# Parts: l476xg (2 KiB pages), f407xg (16-128 KiB sectors), f072xb (2 KiB
# pages), in turn.  A failure prints the seed, attempt and N that replay it.
# Ends with "durability: N passed, N failed".
set -u
build=$1
kills=${2:-30}
seed=${VSTM32_DURABILITY_SEED:-$(($(od -An -N4 -tu4 /dev/urandom) % 1000000))}
strict=${DURABILITY_STRICT:-1}
base=0x08000000
echo "durability: seed $seed (replay with VSTM32_DURABILITY_SEED=$seed)"
work=$(mktemp -d "${TMPDIR:-/tmp}/vstm32-durability-XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
stale=0
max_lost=0

"$build/vstm32" parts --json >"$work/parts.json" || exit 2
field() {   # field PART NAME
    python3 -c 'import json,sys
for p in json.load(open(sys.argv[1])):
    if p["name"] == sys.argv[2]: print(p[sys.argv[3]])' "$work/parts.json" "$1" "$2"
}

draw() {    # draw ATTEMPT BLOCKS IMG SIZE: writes IMG, prints N in [1, BLOCKS-1]
    python3 -c 'import random,sys
r = random.Random("%s/%s" % (sys.argv[1], sys.argv[2]))
open(sys.argv[4], "wb").write(r.randbytes(int(sys.argv[5])))
print(r.randint(1, int(sys.argv[3]) - 1))' "$seed" "$1" "$2" "$3" "$4"
}

# dfu-util's last progress count: it counts a chunk once GETSTATUS said OK
told_of() {
    tr '\r' '\n' <"$1" | sed -n 's/^Download.* \([0-9][0-9]*\) bytes$/\1/p' | tail -n 1
}

parts="l476xg f407xg f072xb"
for p in $parts; do
    size=$(field "$p" flash_size)
    erased=$(field "$p" erased_value)
    [ "$size" -gt 524288 ] && isize=524288 || isize=$((size / 2))
    echo "$isize" >"$work/$p.isize"
    "$build/vstm32" new "$p" "$work/$p" >/dev/null || exit 2
    python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes([int(sys.argv[3])]) * int(sys.argv[2]))' \
        "$work/$p.old" "$size" "$erased"
    # one uninterrupted download: the transfer size, and old content that is not erased
    draw "$p" 2 "$work/$p.img" "$isize" >/dev/null
    "$build/vstm32" run --board "$p:dfu" --state "$work/$p" -- \
        dfu-util -a 0 -s $base -D "$work/$p.img" >"$work/dfu.out" 2>&1 || {
        echo "durability: the uninterrupted download into $p failed:"; tail -n 5 "$work/dfu.out"; exit 2; }
    xfer=$(sed -n 's/^Device returned transfer size \([0-9]*\)$/\1/p' "$work/dfu.out")
    [ -n "$xfer" ] || { echo "durability: dfu-util printed no transfer size for $p"; exit 2; }
    echo "$xfer" >"$work/$p.xfer"
    echo $(((isize + xfer - 1) / xfer)) >"$work/$p.blocks"
    "$build/soak/flashcheck" "$work/parts.json" "$p" "$work/$p" "$work/$p.old" "$work/$p.img" \
        $base "$work/$p.next" >/dev/null && mv "$work/$p.next" "$work/$p.old" || exit 2
    echo "durability: $p: a $isize-byte download is $(cat "$work/$p.blocks") blocks of $xfer bytes"
done
echo "durability: $kills kills"

i=0         # kills that landed mid-transfer
attempt=0
misses=0
while [ $i -lt "$kills" ]; do
    attempt=$((attempt + 1))
    set -- $parts
    shift $((i % $#))
    p=$1
    dir=$work/$p
    isize=$(cat "$work/$p.isize")
    blocks=$(cat "$work/$p.blocks")
    n=$(draw "$attempt" "$blocks" "$work/$p.img" "$isize")
    where="$p, attempt $attempt, after block $n of $blocks; replay: VSTM32_DURABILITY_SEED=$seed"
    rm -f "$work/dfu.pid"
    "$build/vstm32" run --board "$p:dfu" --state "$dir" --fault "dfu.kill:op=data@nth=$((n + 1))" -- \
        sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/dfu.pid" \
        dfu-util -a 0 -s $base -D "$work/$p.img" >"$work/dfu.out" 2>"$work/run.err"
    rc=$?
    # dfu-util notices the emulator is gone (or gets SIGTERM, cmd_run.c's
    # PR_SET_PDEATHSIG) and exits; bounded wait before reading its output
    child=$(cat "$work/dfu.pid" 2>/dev/null)
    for _ in $(seq 1 50); do
        [ -n "$child" ] && kill -0 "$child" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$child" ] && kill -KILL "$child" 2>/dev/null

    at=$(sed -n 's/^vstm32: .*: dfu: fault dfu.kill: SIGKILL at data block [0-9]* (address \(0x[0-9A-F]*\))$/\1/p' "$work/run.err")
    if [ $rc -ne 137 ] || [ -z "$at" ]; then
        # the kill did not land: a miss if the download simply finished
        if [ $rc -eq 0 ] && grep -q '^Download done' "$work/dfu.out"; then
            # the flash now holds the whole image: the old of the next round
            "$build/soak/flashcheck" "$work/parts.json" "$p" "$dir" "$work/$p.old" "$work/$p.img" \
                $base "$work/$p.next" >/dev/null && mv "$work/$p.next" "$work/$p.old" || exit 2
            misses=$((misses + 1))
            echo "durability: kill missed ($where): the download finished; retried, not counted"
            if [ $misses -gt "$kills" ]; then
                failed=$((failed + 1))
                echo "durability: FAILED: $misses kills missed the transfer (seed $seed)"
                break
            fi
            continue
        fi
        i=$((i + 1))
        failed=$((failed + 1))
        echo "durability kill $i ($where): FAILED: the download ended with status $rc without the kill:"
        tail -n 3 "$work/run.err" "$work/dfu.out" | sed 's/^/  /'
        continue
    fi
    acked=$((at - base))
    told=$(told_of "$work/dfu.out")
    told=${told:-0}
    if [ "$acked" -le 0 ] || [ "$acked" -ge "$isize" ] || grep -q '^Download done' "$work/dfu.out"; then
        misses=$((misses + 1))
        echo "durability: kill missed ($where): $acked of $isize bytes acknowledged; retried, not counted"
        [ $misses -le "$kills" ] && continue
        failed=$((failed + 1))
        echo "durability: FAILED: $misses kills missed the transfer (seed $seed)"
        break
    fi
    i=$((i + 1))
    why=
    if [ "$acked" -ne $((n * $(cat "$work/$p.xfer"))) ]; then
        why="the kill came at $at, not after block $n"
    elif [ "$told" -gt "$acked" ]; then
        why="dfu-util was told $told bytes, more than the $acked acknowledged before the kill"
    elif ! "$build/vstm32" inspect "$dir" >/dev/null 2>"$work/inspect.err"; then
        why="inspect: $(head -n 1 "$work/inspect.err")"
    elif ! "$build/soak/flashcheck" "$work/parts.json" "$p" "$dir" "$work/$p.old" "$work/$p.img" \
            $base "$work/$p.next" >"$work/check.out" 2>"$work/check.err"; then
        why="$(cat "$work/check.out") $(head -n 3 "$work/check.err")"
    fi
    summary=$(sed 's/^flashcheck: //' "$work/check.out" 2>/dev/null)
    durable=$(sed -n 's/.*durable \([0-9]*\) bytes$/\1/p' "$work/check.out" 2>/dev/null)
    lost=0
    [ -n "$durable" ] && [ "$acked" -gt "$durable" ] && lost=$((acked - durable))
    if [ "$lost" -gt 0 ]; then
        stale=$((stale + 1))
        [ "$lost" -gt "$max_lost" ] && max_lost=$lost
        [ "$strict" = 1 ] && [ -z "$why" ] && why="$lost acknowledged bytes lost (durable $durable of $acked)"
    fi
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        echo "durability kill $i ($p, block $n of $blocks): ok: $summary; $acked bytes acknowledged, dfu-util showed $told"
    else
        failed=$((failed + 1))
        echo "durability kill $i ($where): FAILED: $why"
    fi
    [ -f "$work/$p.next" ] && mv "$work/$p.next" "$work/$p.old"
    rm -f "$work/check.out"
done
echo "durability: $i kills landed mid-transfer, $misses missed and were retried (seed $seed)"
echo "durability: acknowledged writes lost at $stale of $i kills (at most $max_lost bytes)"
echo "durability: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$i" -eq "$kills" ]
