#!/usr/bin/env bash
# Builds the fuzz targets (Fuzz/SemanticDrawFuzz: libFuzzer + AddressSanitizer, the project's
# modules instrumented; SEMANTIC_DRAW_FUZZ=1 in Package.swift) and runs each for a
# bounded, seeded number of inputs from its committed seed corpus (Fuzz/Corpus/<target>). A crash,
# a sanitizer report or a broken invariant fails the run; the input is kept as
# <scratch>/findings/<target>/crash-* (docs/RELIABILITY.md: replaying it, making it a test).
#
#   Tools/run-fuzzers.sh                       20 000 inputs per target (seed 1)
#   FUZZ_RUNS=0 FUZZ_SECONDS=600 Tools/run-fuzzers.sh     longer: 10 minutes per target
#   FUZZ_TARGETS="png palette" Tools/run-fuzzers.sh       some targets only
#
# FUZZ_RUNS: inputs per target (0: no limit); FUZZ_SECONDS: time per target (0: no limit);
# FUZZ_SEED: libFuzzer's seed; FUZZ_SCRATCH (default .build-fuzz, a build of its own) and
# FUZZ_CONFIGURATION (default debug): where and how to build. CI (Tools/run-tests.sh) builds in
# .build instead, reusing the dependencies of the test build: only the project's modules are
# rebuilt, instrumented (and again, plain, by the next ordinary build). New interesting inputs go
# to <scratch>/corpus/<target> (not committed), which later runs start from as well.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${FUZZ_RUNS:-20000}"
[ "$runs" != 0 ] || runs=-1                 # libFuzzer: -1 is no limit
seconds="${FUZZ_SECONDS:-0}"
seed="${FUZZ_SEED:-1}"
targets="${FUZZ_TARGETS:-safetensors png jpeg palette lora-keys single-file client-message http-path}"
scratch="${FUZZ_SCRATCH:-.build-fuzz}"
configuration="${FUZZ_CONFIGURATION:-debug}"

SEMANTIC_DRAW_FUZZ=1 swift build -c "$configuration" --scratch-path "$scratch" --product semantic-draw-fuzz
binary="$scratch/$configuration/semantic-draw-fuzz"

# The Swift runtime's crash backtracer would symbolicate the instrumented binary for many
# minutes; libFuzzer and AddressSanitizer print the stack instead.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:symbolize=1}"
failed=()
for target in $targets; do
    corpus="$scratch/corpus/$target" findings="$scratch/findings/$target"
    mkdir -p "$corpus" "$findings"
    log="$scratch/fuzz-$target.log"
    echo "== fuzz $target (runs ${runs}, seconds ${seconds}, seed ${seed})"
    started=$(date +%s)
    if SEMANTIC_DRAW_FUZZ_TARGET="$target" "$binary" "$corpus" "Fuzz/Corpus/$target" \
        -seed="$seed" -runs="$runs" -max_total_time="$seconds" -max_len=65536 -timeout=30 -rss_limit_mb=4096 \
        -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1 </dev/null; then
        executed=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
        coverage=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
        peak=$(grep -Eo 'stat::peak_rss_mb: [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
        echo "   $executed inputs in $(( $(date +%s) - started )) s, ${coverage:-cov: ?}, corpus $(ls "$corpus" | wc -l) files, peak RSS ${peak} MB"
    else
        echo "FAILED: $target (log $log, input in $findings)"
        tail -40 "$log"
        failed+=("$target")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]}"
    exit 1
fi
echo "fuzzing: every target ran clean"
