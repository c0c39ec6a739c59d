"""mobinfer through its CLI, each measurement in a fresh process.

`mobinfer bench --json` gives load, latency and peak RSS. The CLI has no
in-process cold-start figure, so cold start is the wall time of a whole
`mobinfer run` process (start, load, plan, one run, writing the outputs,
exit), measured by the driver; the outputs it writes are checked against
ONNX Runtime's as the peers' are."""
import os
import re
import shutil
import subprocess
import tempfile

import peerutil


def version(exe):
    try:
        p = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError) as e:
        return "unknown (%s)" % e


def _input_args(manifest):
    args = []
    for i in manifest["inputs"]:
        args += ["--input", "%s=%s" % (i["name"], i["file"])]
    return args


def _rel_err(out_dir, manifest):
    import numpy as np
    worst = 0.0
    for o in manifest["outputs"]:
        path = os.path.join(out_dir, re.sub(r"[^A-Za-z0-9._-]", "_", o["name"]) + ".npy")
        y = np.load(path).astype(np.float64).ravel()
        r = np.load(o["ref"]).astype(np.float64).ravel()
        if y.size != r.size:
            raise ValueError("output %s has %d elements, ONNX Runtime's %d"
                             % (o["name"], y.size, r.size))
        scale = float(np.abs(r).max()) if r.size else 0.0
        diff = float(np.abs(y - r).max()) if r.size else 0.0
        worst = max(worst, diff / scale if scale > 0 else diff)
    return worst


def cold_start(exe, manifest, threads, timeout):
    out_dir = tempfile.mkdtemp(prefix="mobinfer-cold-")
    try:
        cmd = [exe, "run", manifest["onnx"], "--threads", str(threads), "--top", "0",
               "--output-dir", out_dir] + _input_args(manifest)
        _, p, secs = peerutil.spawn(cmd, timeout)
        if p is None:
            return {"error": "mobinfer run timed out after %d s" % timeout}
        if p.returncode != 0:
            return {"error": "mobinfer run exit %d: %s" % (p.returncode, peerutil.tail(p.stderr))}
        rep = {"cold_start_ms": secs * 1e3, "spawn_to_result_ms": secs * 1e3}
        try:
            rep["rel_err"] = _rel_err(out_dir, manifest)
        except (OSError, ValueError) as e:
            rep["rel_err"] = None
            rep["check_error"] = str(e)
        return rep
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def bench(exe, manifest, threads, warmup, runs, timeout):
    cmd = [exe, "bench", manifest["onnx"], "--threads", str(threads), "--warmup", str(warmup),
           "--runs", str(runs), "--json"] + _input_args(manifest)
    _, p, _ = peerutil.spawn(cmd, timeout)
    if p is None:
        return {"error": "mobinfer bench timed out after %d s" % timeout}
    rep = peerutil.last_json_line(p.stdout)
    if p.returncode != 0 or rep is None:
        return {"error": "mobinfer bench exit %d: %s" % (p.returncode, peerutil.tail(p.stderr))}
    return rep


def measure(exe, manifest, threads, warmup, runs, timeout):
    """One round: cold start and output check, then the benchmark."""
    rep = {"engine": "mobinfer", "threads": threads}
    cold = cold_start(exe, manifest, threads, timeout)
    b = bench(exe, manifest, threads, warmup, runs, timeout)
    if "error" in b:
        rep["error"] = b["error"]
    elif "error" in cold:
        rep["error"] = cold["error"]
    rep.update({k: v for k, v in cold.items() if k != "error"})
    for k in ("load_ms", "model_load_ms", "session_create_ms", "min_ms", "median_ms", "p90_ms",
              "mean_ms", "max_ms", "peak_rss_mib"):
        if k in b:
            rep[k] = b[k]
    return rep
