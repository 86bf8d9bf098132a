#!/usr/bin/env bash
# The browser test (docs/WEB_APP.md): installs chromium, chromium-driver and selenium when
# missing, starts `semantic-draw serve` with each built-in model on a free port, drives the
# web app with Tools/browser_test.py, and stops the server. Screenshots: .build/browser-test/.
# Expects the debug build (Tools/run-tests.sh builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/install-browser-test-deps.sh
binary=.build/debug/semantic-draw
[ -x "$binary" ] || swift build --product semantic-draw
# The built-in models: tiny-random (SD1.5 architecture), tiny-random-xl (SDXL) and tiny-random-sd3
# (SD3: MMDiT, flow matching, 16-channel latents; its preset is flash).
models=${BROWSER_TEST_MODELS:-"tiny-random tiny-random-xl tiny-random-sd3"}
for model in $models; do
    work=$(mktemp -d)
    log="$work/serve.log"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    "$binary" serve --model "$model" --tiny-vae tiny-random --captioner tiny-random --width 64 --height 64 --port "$port" \
        --data-dir "$work/data" >"$log" 2>&1 &
    server=$!
    cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
    trap cleanup EXIT
    for _ in $(seq 1 100); do
        if curl -fsS "http://127.0.0.1:$port/api/info" >/dev/null 2>&1; then break; fi
        if ! kill -0 "$server" 2>/dev/null; then cat "$log" >&2; echo "the server exited ($model)" >&2; exit 1; fi
        sleep 0.2
    done
    mkdir -p ".build/browser-test/$model"
    echo "browser test with --model $model"
    if ! .venv-browser/bin/python Tools/browser_test.py --url "http://127.0.0.1:$port" --screenshots ".build/browser-test/$model/"; then
        echo "--- server log ($model) ---" >&2
        cat "$log" >&2
        exit 1
    fi
    cleanup
    trap - EXIT
done
