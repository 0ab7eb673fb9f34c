#!/bin/sh
# fuzz/run.sh BUILD_FUZZ SECONDS TARGET...
#
# Runs each libFuzzer target for SECONDS on its generated seeds plus what
# earlier runs kept (BUILD_FUZZ/corpus/TARGET), one after the other (the
# machine has 2 cores: libFuzzer's own -fork would only halve each).
# Prints one line per target and a closing "fuzz: N passed, N failed".
# A crash's input is kept in BUILD_FUZZ/crashes/TARGET/ and its report in
# BUILD_FUZZ/TARGET.log.
set -u
dir=$1
secs=$2
shift 2
passed=0
failed=0
for t in "$@"; do
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
               -print_final_stats=1 -artifact_prefix="$crashes/" \
               "$corpus" $seeds >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "fuzz $t: ok, ${runs:-?} runs in $((end - start)) s, coverage ${cov:-?} edges"
    else
        failed=$((failed + 1))
        what=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==ERROR' "$log")
        echo "fuzz $t: FAILED after $((end - start)) s: ${what:-exit $rc} (see $log, input in $crashes/)"
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
