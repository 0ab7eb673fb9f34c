#!/bin/sh
# host-tests/soak/limits.sh BUILD
#
# The server's limits and its bind address, through the real CLI:
#   bind-default   `vstm32 serve` listens on 127.0.0.1 and warns of nothing
#   bind-refused   `--bind 0.0.0.0` without --allow-remote: refused, exit 2
#   bind-any       `--bind 0.0.0.0 --allow-remote` says loudly that it is not loopback
#   bind-any6      the same for `--bind ::` (where the host has IPv6)
#   limits-*       soak-client --limits: over-long transfer and one client
#                  too many each close only the offender, with a log line
# Only binding is tested on a non-loopback address: nothing connects there.
# Ends with "limits: N passed, N failed".
set -u
build=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/vstm32-limits-XXXXXX")
passed=0
failed=0
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$work"' EXIT

check() {
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1)); echo "limits $1: ok${3:+ ($3)}"
    else
        failed=$((failed + 1)); echo "limits $1: FAILED${3:+ ($3)}"
    fi
}

# start_server NAME ARGS...: sets pid and port (empty if it did not start)
start_server() {
    name=$1
    shift
    "$build/vstm32" serve --port 0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pid=$!
    port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$work/$name.out")
        [ -n "$port" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
}

stop_server() {
    kill -TERM $pid 2>/dev/null
    wait $pid 2>/dev/null
    pid=
}

start_server default --board f042x6:dfu
grep -q '^listening 127\.0\.0\.1:' "$work/default.out" && ! grep -qi 'loopback' "$work/default.err"
check bind-default $? "$(head -n 1 "$work/default.out")"
stop_server

"$build/vstm32" serve --port 0 --bind 0.0.0.0 --board f042x6:dfu >"$work/refused.out" 2>"$work/refused.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'refusing to listen on 0.0.0.0.*--allow-remote' "$work/refused.err" && ! [ -s "$work/refused.out" ]
check bind-refused $? "exit $rc: $(head -c 120 "$work/refused.err")"

start_server any --bind 0.0.0.0 --allow-remote --board f042x6:dfu
stop_server
grep -q 'warning: listening on 0.0.0.0, not a loopback address' "$work/any.err"
check bind-any $? "$(grep -m1 warning "$work/any.err")"

if [ -f /proc/net/if_inet6 ]; then
    start_server any6 --bind :: --allow-remote --board f042x6:dfu
    stop_server
    grep -q 'warning: listening on ::, not a loopback address' "$work/any6.err"
    check bind-any6 $? "$(grep -m1 -E 'warning|cannot' "$work/any6.err")"
fi

start_server limits --max-clients 64 --board f042x6:dfu --board l476xg:dfu
if [ -n "$port" ]; then
    "$build/soak/soak-client" --limits 127.0.0.1 "$port" >"$work/limits-client.out" 2>&1
    rc=$?
    stop_server
    sed 's/^/  /' "$work/limits-client.out"
    grep -q 'transfer_buffer_length 1048577, limit 1048576' "$work/limits.err"
    check limits-transfer-log $? "$(grep -m1 'transfer_buffer_length' "$work/limits.err")"
    grep -q 'refused, already 64 clients' "$work/limits.err"
    check limits-clients-log $? "$(grep -m1 'refused' "$work/limits.err")"
    check limits-others-served $rc "soak-client --limits exit $rc"
else
    stop_server
    check limits-server 1 "did not start"
fi

echo "limits: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
