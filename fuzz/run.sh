#!/bin/sh
# fuzz/run.sh BUILD_FUZZ SECONDS TARGET...
#
# Runs each libFuzzer target for SECONDS on its generated seeds plus what
# earlier runs kept (BUILD_FUZZ/corpus/TARGET), FUZZ_JOBS targets at a time
# (default 2: the machine has 2 cores).  Prints one line per target and a
# closing "fuzz: N passed, N failed".  A crash's input is kept in
# BUILD_FUZZ/crashes/TARGET/ and the fuzzer's report in BUILD_FUZZ/TARGET.log;
# reproduce with `BUILD_FUZZ/fuzz_TARGET INPUT`.
#
# FUZZ_SEED fixes libFuzzer's seed (fuzz-ci uses 1, so a CI run explores
# the same way each time; the number of runs still depends on speed).
#
# FUZZ_CPU=1 (make fuzz-long) makes SECONDS a budget of CPU time instead of
# wall time: a watchdog interrupts the fuzzer once its own user+system time
# reaches SECONDS, so targets sharing the cores, a loaded machine or a
# fuzzer stopped for a while (kill -STOP) still get their full share.  The
# result line then gives the CPU seconds the fuzzer used.
set -u
dir=$1
secs=$2
shift 2
jobs=${FUZZ_JOBS:-2}
seed_opt=
[ -n "${FUZZ_SEED:-}" ] && seed_opt="-seed=$FUZZ_SEED"

run_one() {
    t=$1
    bin=$dir/fuzz_$t
    corpus=$dir/corpus/$t
    crashes=$dir/crashes/$t
    log=$dir/$t.log
    mkdir -p "$corpus" "$crashes"
    seeds=$dir/seeds/$t
    [ -d "$seeds" ] || seeds=
    start=$(date +%s)
    wall=$secs
    per_input=10
    # A CPU budget: the wall limit is only a backstop (ten times the budget),
    # and libFuzzer times each input in wall time, which a loaded machine
    # stretches (a 0.3 s input at nice 19 beside a busy make check): a hang
    # is still caught, after 120 s.
    if [ "${FUZZ_CPU:-0}" = 1 ]; then
        wall=$((secs * 10))
        per_input=120
    fi
    # -rss_limit_mb: a leak or a runaway allocation fails the run instead
    # of the machine.  -timeout: one input may take at most 10 s.  Do not
    # stop a fuzzer with SIGSTOP: the time it stands still counts against
    # the input it was running.
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$bin" -max_total_time="$wall" -timeout=$per_input -rss_limit_mb=4096 -max_len=65536 \
               -print_final_stats=1 \
               -artifact_prefix="$crashes/" $seed_opt \
               "$corpus" $seeds >"$log" 2>&1 &
    pid=$!
    cpu=0
    stopped=0
    if [ "${FUZZ_CPU:-0}" = 1 ]; then
        tck=$(getconf CLK_TCK)
        while kill -0 "$pid" 2>/dev/null; do
            # utime and stime, fields 14 and 15 (the name has no spaces).
            used=$(awk -v k="$tck" '{ printf "%d", ($14 + $15) / k }' "/proc/$pid/stat" 2>/dev/null) || break
            [ -n "$used" ] && cpu=$used
            if [ "$cpu" -ge "$secs" ]; then
                kill -INT "$pid" 2>/dev/null && stopped=1
                break
            fi
            sleep 5
        done
    fi
    wait "$pid"
    rc=$?
    # libFuzzer ends an interrupted run with its final statistics and exit
    # status 72 (clang 14's libFuzzer cannot be told another): the end the
    # watchdog asked for, not a failure.
    [ $stopped = 1 ] && [ $rc -eq 72 ] && grep -q 'libFuzzer: run interrupted' "$log" && rc=0
    end=$(date +%s)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    if [ $rc -eq 0 ]; then
        spent="$((end - start)) s"
        [ "${FUZZ_CPU:-0}" = 1 ] && spent="$spent ($cpu s of CPU)"
        echo "fuzz $t: ok, ${runs:-?} runs in $spent, coverage ${cov:-?} edges" >"$dir/$t.result"
    else
        what=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==ERROR' "$log")
        echo "fuzz $t: FAILED after $((end - start)) s: ${what:-exit $rc} (see $log, input in $crashes/)" >"$dir/$t.result"
    fi
}

for t in "$@"; do
    rm -f "$dir/$t.result"
done
running=0
for t in "$@"; do
    run_one "$t" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

passed=0
failed=0
for t in "$@"; do
    if [ -f "$dir/$t.result" ]; then
        cat "$dir/$t.result"
        grep -q ': ok,' "$dir/$t.result" && passed=$((passed + 1)) || failed=$((failed + 1))
    else
        echo "fuzz $t: FAILED: no result"
        failed=$((failed + 1))
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
