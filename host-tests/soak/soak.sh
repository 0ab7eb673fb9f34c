#!/bin/sh
# host-tests/soak/soak.sh BUILD SECONDS BOARDS [THREADS]
#
# One `vstm32 serve` (an ASan+UBSan build, so LeakSanitizer reports at its
# exit) with BOARDS boards of every DFU part in turn; soak-client threads
# import, transfer, vanish and come back for SECONDS.  Then:
#   clients    no wrong byte, no stuck board, no unexplained transport error
#   boards     every board still imports and answers GETSTATUS
#   fds        the server holds as many file descriptors as before the storm
#   exit       SIGTERM ends it with status 0
#   leaks      no LeakSanitizer / AddressSanitizer / UBSan report
# plus the limit and bind checks of host-tests/soak/limits.sh.
# The clients' choices (board, operation, address, bytes) come from a seed
# printed first; VSTM32_SOAK_SEED=S replays them (the threads' interleaving
# and how many sessions fit in SECONDS still vary).
# Ends with "soak: N passed, N failed".
set -u
build=$1
secs=${2:-60}
nboards=${3:-32}
threads=${4:-8}
seed=${VSTM32_SOAK_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "soak: seed $seed (replay with VSTM32_SOAK_SEED=$seed)"
work=$(mktemp -d "${TMPDIR:-/tmp}/vstm32-soak-XXXXXX")
passed=0
failed=0
server_pid=

check() {   # check NAME OK(0/1) DETAIL
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
        echo "soak $1: ok${3:+ ($3)}"
    else
        failed=$((failed + 1))
        echo "soak $1: FAILED${3:+ ($3)}; replay with VSTM32_SOAK_SEED=$seed"
    fi
}

cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

fd_count() {
    ls "/proc/$1/fd" 2>/dev/null | wc -l
}

parts="f042x6 f072xb f401xe f407xg f446xe l073xz l412xb l476xg g474xe"
set --
i=0
while [ $i -lt "$nboards" ]; do
    for p in $parts; do
        [ $i -lt "$nboards" ] || break
        set -- "$@" --board "$p:dfu"
        i=$((i + 1))
    done
done

# quarantine_size_mb: ASan keeps 256 MiB of freed blocks by default, which
# would hide whether the crowd's memory is bounded (crowd-memory below)
ASAN_OPTIONS=detect_leaks=1:exitcode=23:quarantine_size_mb=32 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/soak/vstm32-asan" serve --port 0 "$@" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=
# 32 boards under ASan, each saving a fresh chip with fsync: allow 60 s.
# The server must not take the machine down with it: past half the memory
# available at start it is stopped and the soak fails, saying how much.
avail_kb=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
limit_kb=${SOAK_MAX_RSS_KB:-$((avail_kb / 2))}
why="did not start within 60 s"
for _ in $(seq 1 1200); do
    port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.out")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { why="exited while starting"; break; }
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null)
    if [ "${rss:-0}" -gt "$limit_kb" ]; then
        why="stopped while starting: $((rss / 1024)) MiB resident, over the soak's limit of $((limit_kb / 1024)) MiB for $nboards boards"
        kill -KILL "$server_pid"
        break
    fi
    sleep 0.05
done
if [ -z "$port" ]; then
    echo "soak: the server $why"
    tail -n 20 "$work/server.err"
    echo "soak: seed $seed"
    echo "soak: 0 passed, 1 failed"
    exit 1
fi
fds_before=$(fd_count "$server_pid")
rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
echo "soak: $nboards boards on port $port, $threads client threads for $secs s, seed $seed"

"$build/soak/soak-client" 127.0.0.1 "$port" "$nboards" "$secs" "$threads" "$seed" \
    >"$work/client.out" 2>"$work/client.err"
client_rc=$?
sed 's/^/  /' "$work/client.out"
head -n 20 "$work/client.err" | sed 's/^/  /'
answering=$(sed -n 's/^soak-client: \([0-9]*\) of [0-9]* boards answer GETSTATUS$/\1/p' "$work/client.out")
check clients $client_rc "$(grep -c . "$work/client.err") client-side failure lines"
[ "${answering:-0}" = "$nboards" ]; check boards $? "${answering:-0} of $nboards answer GETSTATUS"

# The crowd: SOAK_CROWD (256) connections at once listing, fighting over
# one device, transferring, vanishing mid-URB, plus a reader of one byte a
# second, while a well-behaved client times its round trips.
crowd=${SOAK_CROWD:-256}
crowd_secs=${SOAK_CROWD_SECONDS:-15}
"$build/soak/soak-crowd" 127.0.0.1 "$port" "$nboards" "$crowd" "$crowd_secs" \
    >"$work/crowd.out" 2>"$work/crowd.err"
crowd_rc=$?
sed 's/^/  /' "$work/crowd.out"
head -n 20 "$work/crowd.err" | sed 's/^/  /'
check crowd $crowd_rc "$crowd clients for $crowd_secs s; probe round trip p50 $(sed -n 's/^crowd_rtt_p50_us //p' "$work/crowd.out") us, max $(sed -n 's/^crowd_rtt_max_us //p' "$work/crowd.out") us"
rss_crowd=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
# bounded: 256 connections at once, each with its buffers, the slow
# reader's backlog (at most 4 MiB), ASan's 32 MiB quarantine and the ASan
# allocator's per-thread caches, which keep freed memory: a CI run grew
# the server by 138 MiB; a leak or an unbounded backlog grows past 256 MiB
[ $((rss_crowd - rss_before)) -lt 262144 ]; check crowd-memory $? "RSS ${rss_before} -> ${rss_crowd} KiB"

# Connections the clients dropped are closed by the server within its
# handshake / linger time-outs: wait for the count to come back.
fds_after=$(fd_count "$server_pid")
for _ in $(seq 1 100); do
    [ "$fds_after" -le "$fds_before" ] && break
    sleep 0.1
    fds_after=$(fd_count "$server_pid")
done
rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
[ "$fds_after" -eq "$fds_before" ]; check fds $? "$fds_before before, $fds_after after; RSS ${rss_before} -> ${rss_after} KiB"

kill -TERM "$server_pid"
wait "$server_pid"
server_rc=$?
server_pid=
check exit $server_rc "status $server_rc"
if grep -qE 'LeakSanitizer|AddressSanitizer|runtime error' "$work/server.err"; then
    grep -m5 -E 'LeakSanitizer|AddressSanitizer|runtime error|SUMMARY' "$work/server.err" | sed 's/^/  /'
    cp "$work/server.err" "$build/soak/server.err"
    check leaks 1 "report kept in $build/soak/server.err"
else
    check leaks 0 "$(grep -c . "$work/server.err") server log lines"
fi

sh "$(dirname "$0")/limits.sh" "$build" >"$work/limits.out" 2>&1
cat "$work/limits.out"
lp=$(sed -n 's/^limits: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$work/limits.out")
lf=$(sed -n 's/^limits: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$work/limits.out")
passed=$((passed + ${lp:-0}))
failed=$((failed + ${lf:-1}))

echo "soak: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
