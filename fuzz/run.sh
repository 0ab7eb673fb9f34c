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
    # -rss_limit_mb: a leak or a runaway allocation fails the run instead
    # of the machine.  -timeout: one input may take at most 10 s.
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
               -print_final_stats=1 -artifact_prefix="$crashes/" $seed_opt \
               "$corpus" $seeds >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    if [ $rc -eq 0 ]; then
        echo "fuzz $t: ok, ${runs:-?} runs in $((end - start)) s, coverage ${cov:-?} edges" >"$dir/$t.result"
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
