#!/usr/bin/env bash
# Builds and runs the CLI unit tests with AddressSanitizer and UBSan, without
# CMake or the mobinfer library (handy while the library is in flux).
# Usage: tests/cli/run_unit_tests.sh [OUTDIR]   (default: build-cli-tests)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$REPO/build-cli-tests}"
CLI="$REPO/tools/cli"
mkdir -p "$OUT"
CFLAGS=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
        -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=address,undefined
        -fno-sanitize-recover=undefined -fno-omit-frame-pointer
        -I"$REPO/include" -I"$CLI")
IMAGE=("$CLI/image.c" "$CLI/image_png.c" "$CLI/image_jpeg.c")

build() {
    local name="$1"; shift
    gcc "${CFLAGS[@]}" "$REPO/tests/cli/$name.c" "$@" -o "$OUT/$name"
}
build test_npy "$CLI/npy.c"
build test_image "${IMAGE[@]}" -lpng -ljpeg -lz
build test_preprocess "$CLI/preprocess.c" "$CLI/cli_tensor.c" "${IMAGE[@]}" -lpng -ljpeg -lm
build test_args "$CLI"/{args,bindings,classify,fileio,format,imagenet_labels,inputs,stats,summary,report}.c -lm
build test_limits "$CLI"/{limit_options,args,report}.c

status=0
for t in test_npy test_image test_preprocess test_args test_limits; do
    printf '%-16s ' "$t"
    "$OUT/$t" || status=1
done
exit $status
