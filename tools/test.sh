#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the build and test
# dependencies, builds mobinfer twice (Release, and ASan+UBSan), fetches the
# ONNX backend node tests, exports the test models with ONNX Runtime
# reference outputs, and runs every ctest test in both builds.
#
# Usage: tools/test.sh            (CI runs exactly this)
# Environment: MOBINFER_TEST_SKIP_ASAN=1 skips the sanitizer build (local use).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
JOBS=2

bash tools/install_build_deps.sh
bash tools/setup_python_env.sh
PY="$REPO/.venv/bin/python"

bash tools/fetch_onnx_node_tests.sh build/onnx-node
"$PY" tests/onnx/extra/gen_all.py build/onnx-extra
"$PY" tools/export_models.py build/models
# EfficientNet-Lite0 with real weights and sample photos, for tests/apps.
mkdir -p build/demo
[ -f build/demo/efficientnet_lite0.onnx ] || "$PY" tools/export_efficientnet_lite0.py build/demo/efficientnet_lite0.onnx
"$PY" tools/sample_images.py build/demo/images --no-predict

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMOBINFER_PYTHON="$PY" \
      -DMOBINFER_TEST_DATA="$REPO/build"
cmake --build build -j"$JOBS"
(cd build && ctest --output-on-failure -j"$JOBS")

if [ "${MOBINFER_TEST_SKIP_ASAN:-0}" != 1 ]; then
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOBINFER_SANITIZE=ON \
          -DMOBINFER_PYTHON="$PY" -DMOBINFER_TEST_DATA="$REPO/build"
    cmake --build build-asan -j"$JOBS"
    # Whole-model comparisons are slow under ASan and repeat the Release run.
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$JOBS" -LE slow)
fi
