#!/usr/bin/env bash
# Builds the release binary and the pinned PyTorch environment, then runs `semantic-draw bench`
# (Swift and eager PyTorch timed in the same command, interleaved) with the given arguments.
# Results go to stdout; add --json FILE to keep them. See docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-system-dependencies.sh
bash Tools/setup-reference-env.sh >&2
swift build -c release --product semantic-draw >&2
exec .build/release/semantic-draw bench "$@"
