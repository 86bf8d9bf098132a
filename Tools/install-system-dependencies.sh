#!/usr/bin/env bash
# Installs the system libraries the package links against, when missing (Debian/Ubuntu):
# OpenBLAS (cblas_sgemm), libpng (PNG images), libjpeg-turbo (stream frames) and pkg-config, which SwiftPM uses to find them.
set -euo pipefail
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! pkg-config --exists openblas 2>/dev/null; then missing+=(libopenblas-dev); fi
if ! pkg-config --exists libpng 2>/dev/null; then missing+=(libpng-dev); fi
if [ ! -f /usr/include/jpeglib.h ] && ! pkg-config --exists libjpeg 2>/dev/null; then missing+=(libjpeg-dev); fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(uname -s)" != "Linux" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing ${missing[*]} with apt-get" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
