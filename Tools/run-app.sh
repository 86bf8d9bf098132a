#!/usr/bin/env bash
# The start command (README): installs missing system libraries, builds the release binary and
# runs `semantic-draw` with the given arguments (default: --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-system-dependencies.sh
swift build -c release --product semantic-draw >&2
if [ $# -eq 0 ]; then set -- --help; fi
exec .build/release/semantic-draw "$@"
