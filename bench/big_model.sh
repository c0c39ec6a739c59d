#!/usr/bin/env bash
# Load time and peak RSS of mobinfer on a model over 1 GB with external data:
# weights are mapped, not copied, so peak RSS should stay below the weight
# bytes + the planned arena + a small constant. The model is built by a
# separate Python process first: Linux carries a parent's peak RSS into a
# forked child, so measuring from inside the Python that made 1 GB of arrays
# would report the Python's peak.
# Usage: bench/big_model.sh [GIB]   (after tools/setup_python_env.sh and a build)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
model=$(.venv/bin/python bench/big_model.py build/big-model "${1:-1.1}")
weights=$(stat -c %s build/big-model/big.weights)
.venv/bin/python -c "import numpy as np; np.save('build/big-model/x.npy', np.ones((1, 4096), np.float32))"
arena=$(build/mobinfer info "$model" --json | .venv/bin/python -c "import json,sys; print(json.load(sys.stdin)['session']['arena_bytes'])")
echo "weights: $weights bytes ($((weights / 1048576)) MiB), planned arena: $arena bytes"
build/mobinfer bench "$model" --input build/big-model/x.npy --runs 5 --warmup 1
