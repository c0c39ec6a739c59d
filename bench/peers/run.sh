#!/usr/bin/env bash
# The side-by-side benchmark in one command: installs the peers (setup.sh),
# exports the models and builds mobinfer where they are missing, converts the
# models for MNN and ncnn, and runs every engine (run_all.py).
# Usage: bench/peers/run.sh [OUT.md] [run_all.py options]
#   bench/peers/run.sh                                   # everything, to bench/peers/latest.md
#   bench/peers/run.sh --models mobilenet_v2 --runs 10 --rounds 1   # a quick check
# Run it on a quiet machine: other load makes every number noisy, and
# multi-threaded runs (ncnn's OpenMP above all) suffer most.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
bash bench/peers/setup.sh
PY="${MOBINFER_VENV:-$REPO/.venv}/bin/python"

custom_models=0 custom_bin=0
for arg in "$@"; do
    case "$arg" in
        --models-dir|--models-dir=*) custom_models=1 ;;
        --mobinfer|--mobinfer=*) custom_bin=1 ;;
    esac
done
if [ "$custom_models" = 0 ]; then
    # export_models.py skips the models already there.
    "$PY" tools/export_models.py build/models --only \
        mobilenet_v2,mobilenet_v3_small,mobilenet_v3_large,mnasnet1_0,efficientnet_b0,shufflenet_v2_x1_0,squeezenet1_1,resnet18,ocr_det
fi
if [ "$custom_bin" = 0 ] && [ ! -x build/mobinfer ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
    cmake --build build -j2 --target mobinfer_cli
fi
exec "$PY" bench/peers/run_all.py "$@"
