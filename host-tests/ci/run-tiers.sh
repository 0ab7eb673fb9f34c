#!/bin/sh
# Run every test tier, each ending in a "tier NAME: N passed, N failed"
# line, then one closing line that is their exact sum.  Any tier that
# fails, crashes or cannot start fails the whole run: nothing is skipped
# quietly.  A criterion tier must run exactly the tests in its
# host-tests/TIER/EXPECTED (`make expected-lists` rewrites them after a
# test is added or removed).  Per-tier files: $BUILD/tier-NAME.log and
# $BUILD/tier-NAME.out/ (JSON report, marks, sanitizer reports).
BUILD=${1:-build}
JOBS=${JOBS:-2}
total_pass=0
export LSAN_OPTIONS="suppressions=$(pwd)/host-tests/ci/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# TIERS="unit tools" runs only those (default: all); the net's self-test
# always runs.
wanted() { [ -z "${TIERS:-}" ] || case " $TIERS " in *" $1 "*) true ;; *) false ;; esac; }
# A criterion tier's expected list: one line per test instance.
expected() { echo "host-tests/$1/EXPECTED"; }
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

# run_tier NAME EXPECTED CMD...: a criterion tier, judged test by test by
# host-tests/ci/tier_check.py from criterion's JSON report, the harness's start/end
# marks (host-tests/harness/test_marks.c) and the sanitizer reports written
# under $BUILD/tier-NAME.san: a test that did not run, was skipped, vanished
# mid-body or whose worker wrote a report fails the tier, and so does a test
# missing from EXPECTED.  Each instance counts once (a crash is one failure).
run_tier() {
    name=$1; expected=$2; shift 2
    dir="$BUILD/tier-$name.out"
    rm -rf "$dir" && mkdir -p "$dir/san" || exit 1
    run_logged "$name" env -u VSTM32_TEST_LIST VSTM32_TEST_MARKS="$dir/marks" \
        ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$dir/san/asan" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$dir/san/ubsan" \
        "$@" --json="$dir/report.json"
    # criterion's per-test failures and its summary, as it printed them
    grep -E '^\[(----|FAIL|====)\]|Synthesis|ERROR|runtime error|AddressSanitizer' "$log" | tail -n 60
    python3 host-tests/ci/tier_check.py "$name" "$expected" "$dir/report.json" "$dir/marks" \
        "$dir/san" "$log" "$rc" "$dir/problems" >"$dir/verdict" 2>&1
    check_rc=$?
    cat "$dir/verdict"
    summary=$(grep -E "^tier $name: [0-9]+ passed, [0-9]+ failed$" "$dir/verdict")
    if [ -z "$summary" ]; then
        echo "!!!! tier $name: host-tests/ci/tier_check.py gave no verdict (exit $check_rc)"
        failed_tiers="$failed_tiers $name"
        total_fail=$((total_fail + 1))
        return
    fi
    pass=$(echo "$summary" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
    fail=$(echo "$summary" | sed -n 's/.*passed, \([0-9]*\) failed.*/\1/p')
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    [ "$check_rc" = 0 ] || failed_tiers="$failed_tiers $name"
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

# The net's self-test: host-tests/selftest holds one test per defect the
# runner must catch (a leak, a UBSan report, a vanished, skipped, crashed,
# failed, missing and unlisted test).  Its own counts stay out of the
# totals; the run checks that run_tier reported exactly those problems.
selftest_net() {
    saved_pass=$total_pass saved_fail=$total_fail saved_tiers=$failed_tiers
    # Its planted failures are expected: what run_tier printed about them
    # stays in a file (and on the screen only when the self-test fails), so
    # no criterion summary with failures shows in a green run's output.
    run_tier selftest host-tests/selftest/EXPECTED "$BUILD/tests/selftest" -j"$JOBS" \
        >"$BUILD/tier-selftest.verdict" 2>&1
    total_pass=$saved_pass total_fail=$saved_fail failed_tiers=$saved_tiers
    want="tier selftest: $(cat host-tests/selftest/VERDICT)"
    if [ "$summary" = "$want" ] && diff -u host-tests/selftest/PROBLEMS "$dir/problems" \
            >"$BUILD/tier-selftest.diff"; then
        echo "==== self-test of the net: ok, the runner failed every planted defect:" \
            "$(cut -d' ' -f1 host-tests/selftest/PROBLEMS | sort -u | tr '\n' ' ')(log: $BUILD/tier-selftest.verdict)"
        total_pass=$((total_pass + 1))
    else
        cat "$BUILD/tier-selftest.verdict" "$BUILD/tier-selftest.diff"
        echo "!!!! self-test of the net: the runner missed a planted defect"
        echo "!!!! wanted \"$want\", got \"$summary\" (problems above: want - / got +)"
        failed_tiers="$failed_tiers selftest"
        total_fail=$((total_fail + 1))
    fi
}

if [ -n "${TIERS:-}" ]; then
    echo "==== TIERS is set: only $TIERS (and the net's self-test)"
    # CI runs every tier: a tier left out there is a tier that did not run.
    if [ -n "${CI:-}" ]; then
        echo "!!!! TIERS=\"$TIERS\" under CI: every tier must run; unset TIERS"
        echo "check: 0 passed, 1 failed"
        exit 1
    fi
fi
selftest_net
wanted unit && run_tier unit "$(expected unit)" "$BUILD/tests/unit" -j"$JOBS"
wanted unit-asan && run_tier unit-asan "$(expected unit)" "$BUILD/tests/unit-asan" -j"$JOBS"
wanted usbip && run_tier usbip "$(expected usbip)" "$BUILD/tests/usbip" -j"$JOBS"
wanted usbip-asan && run_tier usbip-asan "$(expected usbip)" "$BUILD/tests/usbip-asan" -j"$JOBS"
wanted tools && VSTM32="$BUILD/vstm32" \
    run_tier tools "$(expected tools)" "$BUILD/tests/tools" -j"$JOBS"
wanted scenarios && VSTM32="$BUILD/vstm32" \
    run_tier scenarios "$(expected scenarios)" "$BUILD/tests/scenarios" -j"$JOBS"
# The pytest plugin and the package (make install, the .deb, the quick
# start from both): host-tests/pytest/run-tier.sh, judged against
# host-tests/pytest/EXPECTED by its tier_verdict.py.
wanted pytest && run_plain_tier pytest sh host-tests/pytest/run-tier.sh "$BUILD"
# Reliability: fuzzing (60 s per target), soak, kill -9 durability.
wanted fuzz && run_plain_tier fuzz make --no-print-directory fuzz-ci BUILD="$BUILD"
wanted soak && run_plain_tier soak make --no-print-directory soak BUILD="$BUILD"
wanted durability && run_plain_tier durability make --no-print-directory durability BUILD="$BUILD"
wanted kernel && run_plain_tier kernel bash host-tests/kernel/vm/run-kernel-tier.sh "$BUILD"
if [ -n "$failed_tiers" ]; then
    echo "!!!! failing tiers:$failed_tiers"
fi
echo "check: $total_pass passed, $total_fail failed"
[ -z "$failed_tiers" ]
