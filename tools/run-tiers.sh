#!/bin/sh
# Run every test tier that exists, each showing criterion's own summary,
# then one closing line with the totals.  Any tier that fails, crashes or
# cannot start fails the whole run: nothing is skipped quietly.
BUILD=${1:-build}
JOBS=${JOBS:-2}
total_pass=0
export LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
total_fail=0
failed_tiers=""

# run_logged NAME CMD...: runs CMD into $BUILD/tier-NAME.log; sets log, rc.
run_logged() {
    name=$1; shift
    echo "==== tier $name: $*"
    log="$BUILD/tier-$name.log"
    t0=$(date +%s)
    "$@" >"$log" 2>&1
    rc=$?
    echo "==== tier $name took $(($(date +%s) - t0)) s (log: $log)"
}

# A tier that stopped before its summary line counts as a failure, loudly.
no_summary() {
    echo "!!!! tier $name did not run to its summary (exit $rc); last lines:"
    tail -n 20 "$log"
    failed_tiers="$failed_tiers $name"
    total_fail=$((total_fail + 1))
}

run_tier() {
    run_logged "$@"
    # criterion's per-test failures and its summary, as it printed them
    grep -E '^\[(----|FAIL|====)\]|Synthesis|ERROR|runtime error|AddressSanitizer' "$log" | tail -n 60
    summary=$(grep -E 'Synthesis: Tested' "$log" | tail -n 1)
    if [ -z "$summary" ]; then
        no_summary
        return
    fi
    pass=$(echo "$summary" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
    fail=$(echo "$summary" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
    crash=$(echo "$summary" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
    total_pass=$((total_pass + ${pass:-0}))
    total_fail=$((total_fail + ${fail:-0} + ${crash:-0}))
    if [ "$rc" != 0 ]; then
        failed_tiers="$failed_tiers $name"
        [ "${fail:-0}" = 0 ] && [ "${crash:-0}" = 0 ] && total_fail=$((total_fail + 1))
    fi
}

# A tier that ends with a plain "NAME: N passed, N failed" line.
run_plain_tier() {
    run_logged "$@"
    summary=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
    if [ -z "$summary" ]; then
        no_summary
        return
    fi
    grep -iE 'fail|error' "$log" | grep -vE " 0 failed|VSTM32-TEST ok" | tail -n 20
    echo "$summary"
    pass=$(echo "$summary" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
    fail=$(echo "$summary" | sed -n 's/.*passed, \([0-9]*\) failed.*/\1/p')
    total_pass=$((total_pass + ${pass:-0}))
    total_fail=$((total_fail + ${fail:-0}))
    if [ "$rc" != 0 ]; then
        failed_tiers="$failed_tiers $name"
        [ "${fail:-0}" = 0 ] && total_fail=$((total_fail + 1))
    fi
}

run_tier unit "$BUILD/tests/unit" -j"$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_tier unit-asan "$BUILD/tests/unit-asan" -j"$JOBS"
run_tier usbip "$BUILD/tests/usbip" -j"$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_tier usbip-asan "$BUILD/tests/usbip-asan" -j"$JOBS"
VSTM32="$BUILD/vstm32" VSTM32_SHIM_DIR="$BUILD/shim" run_tier tools "$BUILD/tests/tools" -j"$JOBS"

if [ -n "$(ls host-tests/scenarios/*.c 2>/dev/null)" ]; then
    VSTM32="$BUILD/vstm32" VSTM32_SHIM_DIR="$BUILD/shim" run_tier scenarios "$BUILD/tests/scenarios" -j"$JOBS"
fi
# Reliability: fuzzing (60 s per target), soak, kill -9 durability.
run_plain_tier fuzz make --no-print-directory fuzz-ci BUILD="$BUILD"
run_plain_tier soak make --no-print-directory soak BUILD="$BUILD"
run_plain_tier durability make --no-print-directory durability BUILD="$BUILD"
run_plain_tier kernel bash tools/vm/run-kernel-tier.sh "$BUILD"
if [ -n "$failed_tiers" ]; then
    echo "!!!! failing tiers:$failed_tiers"
fi
echo "check: $total_pass passed, $total_fail failed"
[ -z "$failed_tiers" ]
