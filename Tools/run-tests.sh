#!/usr/bin/env bash
# The test command (README, .ci/run): installs missing system libraries, builds, runs every Swift
# test, then the browser test of the web app (chromium + selenium, installed when missing; skip it
# with SEMANTIC_DRAW_SKIP_BROWSER_TEST=1), the bounded fuzz run (Tools/run-fuzzers.sh; skip with
# SEMANTIC_DRAW_SKIP_FUZZ=1) and a 2-minute soak of the server (Tools/soak.py; skip with
# SEMANTIC_DRAW_SKIP_SOAK=1). docs/RELIABILITY.md describes the last two. With arguments (passed
# to `swift test`), only the Swift tests run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-system-dependencies.sh
swift build --build-tests
swift test --skip-build "$@"
[ $# -eq 0 ] || exit 0
if [ "${SEMANTIC_DRAW_SKIP_BROWSER_TEST:-0}" != "1" ]; then
    bash Tools/run-browser-test.sh
fi
if [ "${SEMANTIC_DRAW_SKIP_SOAK:-0}" != "1" ]; then
    # The debug server of the build above: 20 sessions for 2 minutes, then the disconnect storm.
    python3 Tools/soak.py --binary .build/debug/semantic-draw --duration 120 --sessions 20
fi
if [ "${SEMANTIC_DRAW_SKIP_FUZZ:-0}" != "1" ]; then
    # Reuses the dependencies built above (debug, same scratch folder): only the project's modules
    # are recompiled, instrumented. Seeded and bounded: the same inputs on every run.
    # lora-keys and single-file write or parse a whole file per input (about 25-40 inputs/s in
    # this build): 1500 inputs each, about 1.5 minutes together (docs/RELIABILITY.md).
    FUZZ_SCRATCH=.build FUZZ_CONFIGURATION=debug FUZZ_RUNS="${FUZZ_RUNS:-4000}" \
        FUZZ_TARGETS="${FUZZ_TARGETS:-safetensors png jpeg palette client-message http-path}" bash Tools/run-fuzzers.sh
    FUZZ_SCRATCH=.build FUZZ_CONFIGURATION=debug FUZZ_RUNS="${FUZZ_SLOW_RUNS:-1500}" \
        FUZZ_TARGETS="${FUZZ_SLOW_TARGETS:-lora-keys single-file}" bash Tools/run-fuzzers.sh
fi
