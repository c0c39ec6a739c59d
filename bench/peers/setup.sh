#!/usr/bin/env bash
# Installs the peer engines of the side-by-side benchmark into the project
# venv (tools/setup_python_env.sh makes it, with ONNX Runtime, and is run
# first; it is a no-op when up to date). Versions are the ones the harness was
# checked with. numpy, onnx, onnxruntime and protobuf are held at their
# installed versions so this never moves them under the project's other tools.
# Usage: bench/peers/setup.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$REPO/tools/setup_python_env.sh" >/dev/null
PY="${MOBINFER_VENV:-$REPO/.venv}/bin/python"

constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
"$PY" - "$constraints" <<'PYEOF'
import sys
from importlib import metadata
with open(sys.argv[1], "w") as f:
    for name in ("numpy", "onnx", "onnxruntime", "protobuf"):
        try:
            f.write(f"{name}=={metadata.version(name)}\n")
        except metadata.PackageNotFoundError:
            pass
PYEOF

"$PY" -m pip install --quiet --disable-pip-version-check -c "$constraints" \
    mnn==3.6.1 \
    ncnn==1.0.20261020 \
    openvino==2026.4.1 \
    onnxsim==0.8.1
# pnnx's metadata requires torch, which it needs only to convert TorchScript;
# the harness feeds it ONNX. --no-deps keeps pip from fetching a torch wheel
# of several GB where Debian's is not installed.
"$PY" -m pip install --quiet --disable-pip-version-check --no-deps pnnx==20261020

"$PY" -c "import MNN, ncnn, openvino, onnxsim, onnxruntime, importlib.util as u; assert u.find_spec('pnnx')" 2>/dev/null \
    || { echo "setup.sh: a peer engine does not import" >&2; exit 1; }
echo "peers installed in $PY"
