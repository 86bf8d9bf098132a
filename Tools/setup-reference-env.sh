#!/usr/bin/env bash
# Creates the pinned Python environment (.venv-reference/) used to produce reference
# fixtures and the PyTorch side of benchmarks. Never needed by CI or at run time.
# Usage: Tools/setup-reference-env.sh   (idempotent)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${REFERENCE_VENV:-$root/.venv-reference}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet \
  "torch==2.13.0" \
  "diffusers==0.42.1" \
  "transformers==5.24.0" \
  "safetensors==0.8.0" \
  "numpy==2.4.6" \
  "peft==0.21.2" \
  "tokenizers==0.23.3"
"$venv/bin/python" -c "import torch, diffusers, transformers; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'transformers', transformers.__version__)"
