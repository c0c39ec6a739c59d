#!/usr/bin/env bash
# Installs what building mobinfer needs on Debian 12: a C compiler, CMake, and
# libpng/libjpeg for the CLI's image input; for tests, valgrind and the fonts
# the OCR test renders its pages with (DejaVu, and WenQuanYi for Chinese). Idempotent; needs root only when
# something is missing.
set -euo pipefail
PKGS=(gcc make cmake pkg-config libpng-dev libjpeg-dev valgrind fontconfig fonts-dejavu-core
      fonts-wqy-microhei)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install_build_deps: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
