#!/usr/bin/env bash
# The test command (README, .ci/run): installs missing system libraries, builds, runs every Swift
# test, then the browser test of the web app (chromium + selenium, installed when missing; skip it
# with SEMANTIC_DRAW_SKIP_BROWSER_TEST=1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-system-dependencies.sh
swift build --build-tests
swift test --skip-build "$@"
if [ "${SEMANTIC_DRAW_SKIP_BROWSER_TEST:-0}" != "1" ] && [ $# -eq 0 ]; then
    bash Tools/run-browser-test.sh
fi
