#!/usr/bin/env bash
# Installs what Tools/browser_test.py needs: Debian's chromium and chromium-driver (apt-get, when
# missing) and Python selenium (pinned) in the virtual environment .venv-browser/.
# Usage: bash Tools/install-browser-test-deps.sh   (then .venv-browser/bin/python Tools/browser_test.py ...)
set -euo pipefail
cd "$(dirname "$0")/.."

SELENIUM_VERSION="4.51.0"   # 4.52.0 needs a certifi newer than the package index here offers
VENV=".venv-browser"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-browser-test-deps: apt-get install ${missing[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "install-browser-test-deps: creating $VENV" >&2
    python3 -m venv "$VENV"
fi
# The venv ignores itself, so that `git status` stays clean without touching .gitignore.
[ -f "$VENV/.gitignore" ] || echo '*' > "$VENV/.gitignore"
if ! "$VENV/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$SELENIUM_VERSION')" 2>/dev/null; then
    echo "install-browser-test-deps: pip install selenium==$SELENIUM_VERSION" >&2
    "$VENV/bin/python" -m pip install -q "selenium==$SELENIUM_VERSION" >&2
fi
echo "install-browser-test-deps: $(chromium --version 2>/dev/null), $(chromedriver --version 2>/dev/null | head -c 40), selenium $SELENIUM_VERSION" >&2
