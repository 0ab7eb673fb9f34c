#!/bin/sh
# fuzz/long.sh BUILD_FUZZ SECONDS TARGET...   (make fuzz-long)
#
# Runs each target for SECONDS with fuzz/run.sh, then minimises its corpus
# (what this and earlier runs found, the generated seeds and the kept
# corpus) with libFuzzer's -merge=1 and writes the result back as text to
# fuzz/corpus/TARGET.hex, one input per line, for a commit.  Prints, per
# target, one line of figures:
#
#   fuzz-long TARGET: runs N, coverage E edges, features F, crashes C, slow inputs S, kept K inputs (B bytes of hex)
#
# and ends with run.sh's "fuzz: N passed, N failed" status.
set -u
dir=$1
secs=$2
shift 2
FUZZ_CPU=1 sh fuzz/run.sh "$dir" "$secs" "$@"
status=$?
mkdir -p fuzz/corpus
for t in "$@"; do
    log=$dir/$t.log
    min=$dir/min/$t
    rm -rf "$min"
    mkdir -p "$min"
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        "$dir/fuzz_$t" -merge=1 -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
        "$min" "$dir/corpus/$t" "$dir/seeds/$t" >"$dir/$t.merge.log" 2>&1
    if [ $? -ne 0 ]; then
        echo "fuzz-long $t: merge FAILED (see $dir/$t.merge.log); fuzz/corpus/$t.hex left as it was"
        status=1
        continue
    fi
    "$dir/make_corpus" --to-hex "$min" "fuzz/corpus/$t.hex" || status=1
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | sed 's/ft: //')
    # libFuzzer also keeps inputs that took over 10 s of wall time
    # (slow-unit-*): on a loaded machine, or a fuzzer stopped for a while,
    # those are the clock's doing; they are counted apart from crashes.
    crashes=$(find "$dir/crashes/$t" -type f ! -name 'slow-unit-*' | wc -l)
    slow=$(find "$dir/crashes/$t" -type f -name 'slow-unit-*' | wc -l)
    kept=$(grep -vc '^#' "fuzz/corpus/$t.hex")
    bytes=$(wc -c <"fuzz/corpus/$t.hex")
    echo "fuzz-long $t: runs ${runs:-?}, coverage ${cov:-?} edges, features ${ft:-?}, crashes $crashes, slow inputs $slow, kept $kept inputs ($bytes bytes of hex)"
done
exit $status
