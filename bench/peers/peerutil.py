"""Helpers shared by the converter, the per-engine runner and the driver.

Kept free of numpy and of every engine's module so that importing it costs
nothing measurable in a runner's cold start."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_MODELS_DIR = os.path.join(REPO, "build", "models")
DEFAULT_WORK_DIR = os.path.join(REPO, "build", "peers")
DEFAULT_MOBINFER = os.path.join(REPO, "build", "mobinfer")

MODELS = ["mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "mnasnet1_0",
          "efficientnet_b0", "shufflenet_v2_x1_0", "squeezenet1_1", "resnet18", "ocr_det"]
PEERS = ["ort", "openvino", "mnn", "ncnn"]
ENGINES = ["mobinfer"] + PEERS
ENGINE_NAMES = {"mobinfer": "mobinfer", "ort": "ONNX Runtime", "openvino": "OpenVINO",
                "mnn": "MNN", "ncnn": "ncnn"}

# A converted model whose output differs from ONNX Runtime's by more than this
# (max abs difference over max |reference|) is flagged as a mismatch.
MISMATCH_TOL = 1e-3

# Linux carries a parent's peak RSS into a child across exec (the old mm's
# high-water mark is folded into the new process's ru_maxrss), so a child
# started straight from this Python would report at least this Python's peak.
# An intermediate shell that forks (rather than execs) the command breaks the
# chain: the shell's own new mm is small, and that is all its child inherits.
_FORK_VIA_SH = ["/bin/sh", "-c", '"$0" "$@"; exit $?']


def spawn(cmd, timeout, cwd=None):
    """Runs cmd in a fresh process whose peak RSS is its own.

    Returns (perf_counter just before the spawn, CompletedProcess or None on
    timeout, elapsed seconds until the process ended)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(_FORK_VIA_SH + [str(c) for c in cmd], capture_output=True,
                           text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        p = None
    return t0, p, time.perf_counter() - t0


def last_json_line(text):
    """The last line of text that parses as a JSON object, else None.

    Engines print banners on stdout (MNN prints the CPU features it found), so
    the runner's report is the last JSON line, not the whole output."""
    for line in reversed((text or "").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def tail(text, n=300):
    """The end of a tool's output, on one line, for an error cell."""
    text = " ".join((text or "").split())
    return text if len(text) <= n else "..." + text[-n:]


def latency_stats(samples):
    """min, median (mean of the middle two for an even count), p90 (nearest
    rank) and mean, in the units given: the same rules as `mobinfer bench`."""
    s = sorted(samples)
    n = len(s)
    if n == 0:
        return {}
    med = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    rank = max(1, -(-9 * n // 10))  # ceil(0.9 n)
    return {"min": s[0], "median": med, "p90": s[rank - 1], "mean": sum(s) / n, "max": s[-1]}


def median(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return latency_stats(values)["median"]


def manifest_path(work_dir, model):
    return os.path.join(work_dir, model, "manifest.json")


def load_manifest(work_dir, model):
    with open(manifest_path(work_dir, model)) as f:
        return json.load(f)


def runner_cmd(engine, manifest, threads, warmup, runs):
    return [sys.executable, os.path.join(HERE, "run_engine.py"), "--engine", engine,
            "--manifest", manifest, "--threads", str(threads), "--warmup", str(warmup),
            "--runs", str(runs)]
