#!/usr/bin/env bash
# The start command (README): installs missing system libraries, builds the release binary and
# runs `semantic-draw` with the given arguments (default: `serve`, the web app with the default
# model on http://127.0.0.1:8000; offline demo: `bash Tools/run-app.sh serve --model tiny-random`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-system-dependencies.sh
swift build -c release --product semantic-draw >&2
if [ $# -eq 0 ]; then set -- serve; fi
exec .build/release/semantic-draw "$@"
