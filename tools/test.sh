#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the build and test
# dependencies, builds mobinfer (Release, ThreadSanitizer for the concurrency
# test, ASan+UBSan, and the clang fuzz build), fetches the
# ONNX backend node tests, exports the test models with ONNX Runtime
# reference outputs, and runs every ctest test in both builds.
#
# Usage: tools/test.sh            (CI runs exactly this)
# Environment (local use): MOBINFER_TEST_SKIP_ASAN=1 skips the sanitizer
# build, MOBINFER_TEST_SKIP_FUZZ=1 the short fuzz run, MOBINFER_FUZZ_SECONDS
# sets its seconds per harness (default 20).
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
"$PY" tools/zoo/zoo.py build/zoo
# EfficientNet-Lite0 with real weights and sample photos, for tests/apps.
mkdir -p build/demo
[ -f build/demo/efficientnet_lite0.onnx ] || "$PY" tools/export_efficientnet_lite0.py build/demo/efficientnet_lite0.onnx
"$PY" tools/sample_images.py build/demo/images --no-predict

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMOBINFER_PYTHON="$PY" \
      -DMOBINFER_TEST_DATA="$REPO/build"
cmake --build build -j"$JOBS"
(cd build && ctest --output-on-failure -j"$JOBS")

# ThreadSanitizer over sessions of one model on several threads.
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOBINFER_TSAN=ON \
      -DMOBINFER_BUILD_CLI=OFF >/dev/null
# The thread pool, and sessions running their nodes on two threads, too.
cmake --build build-tsan -j"$JOBS" --target unit_concurrent_sessions unit_thread_pool \
      unit_opt_passes
build-tsan/tests/unit_concurrent_sessions
build-tsan/tests/unit_concurrent_sessions build/models/mobilenet_v3_small/model.onnx
build-tsan/tests/unit_thread_pool
build-tsan/tests/unit_opt_passes

# The portable C kernels alone (what a CPU without AVX2 runs): kernel tests,
# the optimized-vs-reference graph tests, conformance and whole models.
cmake -S . -B build-scalar -DCMAKE_BUILD_TYPE=Release -DMOBINFER_FORCE_SCALAR=ON \
      -DMOBINFER_PYTHON="$PY" -DMOBINFER_TEST_DATA="$REPO/build" >/dev/null
cmake --build build-scalar -j"$JOBS"
(cd build-scalar && ctest --output-on-failure -j"$JOBS" \
     -R '^(kernels\.|unit\.opt_passes|conformance\.|models\.match_onnxruntime)')

if [ "${MOBINFER_TEST_SKIP_ASAN:-0}" != 1 ]; then
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOBINFER_SANITIZE=ON \
          -DMOBINFER_PYTHON="$PY" -DMOBINFER_TEST_DATA="$REPO/build"
    cmake --build build-asan -j"$JOBS"
    # Whole-model comparisons are slow under ASan and repeat the Release run.
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$JOBS" -LE slow)
fi

# A short fuzz run of every libFuzzer harness (clang; tests/fuzz/README.md
# describes long runs). Fails on any crash, leak or sanitizer report.
if [ "${MOBINFER_TEST_SKIP_FUZZ:-0}" != 1 ]; then
    bash tests/fuzz/run_fuzz.sh "${MOBINFER_FUZZ_SECONDS:-20}"
    ctest --test-dir build-fuzz -R '^fuzz\.' --output-on-failure
fi
