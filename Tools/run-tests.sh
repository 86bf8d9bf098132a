#!/usr/bin/env bash
# The test command (README, .ci/run): installs missing system libraries, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-system-dependencies.sh
swift build --build-tests
swift test --skip-build "$@"
