#!/usr/bin/env bash
# Fetch the ONNX backend node test cases (onnx/backend/test/data/node/*) into DEST.
#
# Usage: tools/fetch_onnx_node_tests.sh DEST
#
# Newer onnx wheels no longer ship the backend test data; onnx==1.16.2 does
# (1282 cases). The wheel is fetched with `pip download --no-deps` (from PyPI,
# nothing is installed) and only the node test data is extracted, so that
# DEST/test_abs/model.onnx, DEST/test_abs/test_data_set_0/input_0.pb, ... exist.
# Idempotent: does nothing if DEST already holds the complete set (a stamp file
# DEST/.complete is written last).
set -euo pipefail

if [ $# -ne 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
    echo "usage: $0 DEST" >&2
    exit 2
fi
DEST="$1"
ONNX_VERSION=1.16.2
EXPECTED_CASES=1282
STAMP="$DEST/.complete"
STAMP_VALUE="onnx==$ONNX_VERSION node tests"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_VALUE" ] && [ -f "$DEST/test_abs/model.onnx" ]; then
    echo "fetch_onnx_node_tests: $DEST already complete"
    exit 0
fi

# Any python with pip will do; prefer the project venv.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=""
for cand in "$REPO/.venv/bin/python" python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -m pip --version >/dev/null 2>&1; then
        PY="$cand"; break
    fi
done
if [ -z "$PY" ]; then
    echo "fetch_onnx_node_tests: no python with pip found (run tools/setup_python_env.sh)" >&2
    exit 1
fi

TMPD="$(mktemp -d)"
trap 'rm -rf "$TMPD"' EXIT
echo "fetch_onnx_node_tests: downloading onnx==$ONNX_VERSION wheel"
# The data is platform independent; fix the wheel tag so this works from any
# local python version.
PIP_DISABLE_PIP_VERSION_CHECK=1 "$PY" -m pip download -q --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux_2_17_x86_64 \
    -d "$TMPD" "onnx==$ONNX_VERSION"
WHEEL="$(ls "$TMPD"/onnx-"$ONNX_VERSION"-*.whl | head -n1)"

mkdir -p "$DEST"
rm -f "$STAMP"
"$PY" - "$WHEEL" "$DEST" "$EXPECTED_CASES" <<'EOF'
import os, shutil, sys, zipfile
wheel, dest, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
prefix = "onnx/backend/test/data/node/"
cases = set()
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        rel = info.filename[len(prefix):]
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts):
            continue
        cases.add(parts[0])
        out = os.path.join(dest, *parts)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with z.open(info) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
n = len(cases)
missing = [c for c in cases if not os.path.isfile(os.path.join(dest, c, "model.onnx"))]
print(f"fetch_onnx_node_tests: extracted {n} node test cases into {dest}")
if n != expected or missing:
    sys.exit(f"fetch_onnx_node_tests: expected {expected} cases with model.onnx, "
             f"got {n} ({len(missing)} without model.onnx)")
EOF
echo "$STAMP_VALUE" > "$STAMP"
