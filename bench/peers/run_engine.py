#!/usr/bin/env python3
"""Benchmarks one peer engine on one model in this (fresh) process.

Usage: run_engine.py --engine {ort,openvino,mnn,ncnn,python} --manifest FILE
                     [--threads N] [--warmup W] [--runs R]

Cold start is measured from the first statement of this script (after the
interpreter started, before numpy or the engine is imported) to the first
result in hand; `t_first_result` is the same instant on CLOCK_MONOTONIC, which
is shared between processes, so the driver can also measure it from the
spawn. Then W warm-up runs and R timed runs, each timed alone. Prints one
JSON line. The engine `python` loads nothing: it gives the cost of the
interpreter and numpy alone, which every Python-driven peer pays.
"""
import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerutil  # noqa: E402

MODULES = {"ort": "peer_ort", "openvino": "peer_openvino", "mnn": "peer_mnn",
           "ncnn": "peer_ncnn"}


def vm_hwm_mib():
    """This process's own RSS high-water mark (not inherited from a parent)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def rel_error(outputs, refs):
    """Largest max|y - ref| / max|ref| over the outputs; sizes must agree
    (ncnn drops the batch dimension, so shapes are compared flattened)."""
    import numpy as np
    if len(outputs) != len(refs):
        raise ValueError("%d outputs, ONNX Runtime has %d" % (len(outputs), len(refs)))
    worst = 0.0
    for y, r in zip(outputs, refs):
        y = np.asarray(y, dtype=np.float64).ravel()
        r = np.asarray(r, dtype=np.float64).ravel()
        if y.size != r.size:
            raise ValueError("output has %d elements, ONNX Runtime's %d" % (y.size, r.size))
        scale = float(np.abs(r).max()) if r.size else 0.0
        diff = float(np.abs(y - r).max()) if r.size else 0.0
        if not np.isfinite(diff):
            return float("inf")
        worst = max(worst, diff / scale if scale > 0 else diff)
    return worst


def bench(args, report):
    with open(args.manifest) as f:
        manifest = json.load(f)
    report["model"] = manifest["name"]
    import numpy as np
    arrays = {i["name"]: np.load(i["file"]) for i in manifest["inputs"]}
    shapes = {k: v.shape for k, v in arrays.items()}
    if args.engine == "python":
        report["version"] = sys.version.split()[0]
        report["cold_start_ms"] = (time.perf_counter() - T0) * 1e3
        report["t_first_result"] = time.perf_counter()
        return
    mod = importlib.import_module(MODULES[args.engine])
    report["version"] = mod.version()
    report["import_ms"] = (time.perf_counter() - T0) * 1e3

    t = time.perf_counter()
    peer = mod.Peer(manifest, args.threads, shapes)
    report["load_ms"] = (time.perf_counter() - t) * 1e3
    report["settings"] = peer.settings
    peer.set_inputs(arrays)
    t = time.perf_counter()
    peer.run()
    first = peer.outputs()
    now = time.perf_counter()
    report["first_run_ms"] = (now - t) * 1e3
    report["cold_start_ms"] = (now - T0) * 1e3
    report["t_first_result"] = now

    refs = [np.load(o["ref"]) for o in manifest["outputs"]]
    try:
        report["rel_err"] = rel_error(first, refs)
    except ValueError as e:
        report["rel_err"] = None
        report["check_error"] = str(e)

    for _ in range(args.warmup):
        peer.run()
    samples = []
    for _ in range(args.runs):
        t = time.perf_counter()
        peer.run()
        samples.append((time.perf_counter() - t) * 1e3)
    st = peerutil.latency_stats(samples)
    report.update({k + "_ms": v for k, v in st.items()})
    report["samples_ms"] = samples


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", required=True, choices=sorted(MODULES) + ["python"])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    report = {"engine": args.engine, "threads": args.threads, "warmup": args.warmup,
              "runs": args.runs}
    ok = True
    try:
        bench(args, report)
    except Exception as e:  # the driver reports any failure in its table
        ok = False
        report["error"] = "%s: %s" % (type(e).__name__, e)
        report["traceback"] = traceback.format_exc(limit=4)
    report["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    report["vm_hwm_mib"] = vm_hwm_mib()
    sys.stdout.flush()
    print(json.dumps(report))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
