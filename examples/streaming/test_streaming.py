#!/usr/bin/env python3
"""End-to-end test of streaming inference (examples/streaming, docs/STREAMING.md).

For each step model of export_streaming.py (a MoViNet-style causal video
network with stream buffers, and a 2-layer GRU):
  1. exports the step model, the frames and the references into WORKDIR;
  2. runs mobinfer-stream on it (one session, state carried between runs);
  3. checks that it reports one session and an unchanged plan;
  4. compares every output of every frame (states included) with ONNX
     Runtime stepped the same way: max |diff| <= 1e-4 * max |ref| per frame;
  5. compares the outputs with the offline PyTorch model run on the whole
     clip at once (same tolerance), the final frame reported separately.
Then prints mobinfer's and ONNX Runtime's median time per frame.

Usage: test_streaming.py --stream PATH/TO/mobinfer-stream --workdir DIR [--repeat N]
Exit status 0 when every check passed. The last line reads "N passed, N failed".
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_streaming  # noqa: E402

TOL = 1e-4


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def rel_err(a, ref):
    scale = float(np.abs(ref).max())
    diff = float(np.abs(a.astype(np.float64) - ref).max())
    return diff / scale if scale > 0 else diff


def ort_median_step_ms(path, frames, repeat):
    """ONNX Runtime stepped like mobinfer-stream (feeds, run, state kept)."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    inputs = {i.name: i.shape for i in sess.get_inputs()}
    outs = [o.name for o in sess.get_outputs()]
    times = []
    for _ in range(repeat):
        state = {k: np.zeros(s, np.float32) for k, s in inputs.items() if k != "frame"}
        for frame in frames:
            t0 = time.perf_counter()
            res = dict(zip(outs, sess.run(outs, dict(state, frame=frame))))
            state = {k: res["new_" + k] for k in state}
            times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def median_from_report(stdout, what):
    m = re.search(r"^%s\s+per frame: median\s+([\d.]+) (us|ms)" % what, stdout, re.M)
    if not m:
        return None
    return float(m.group(1)) / (1e3 if m.group(2) == "us" else 1.0)


def test_model(name, args, checks):
    d = export_streaming.export(args.workdir, name, args.frames)
    model, frames_path = os.path.join(d, "step.onnx"), os.path.join(d, "frames.npy")
    out_dir = os.path.join(d, "mobinfer")
    cmd = [args.stream, model, frames_path, "--out", out_dir, "--repeat", str(args.repeat)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if not checks.check(proc.returncode == 0, f"{name}: mobinfer-stream exits 0"):
        return
    checks.check(proc.stdout.startswith("sessions created: 1 "),
                 f"{name}: one session for {args.frames} frames x {args.repeat} passes")
    checks.check("plan unchanged" in proc.stdout and "output addresses fixed" in proc.stdout,
                 f"{name}: plan and output buffers unchanged across runs")

    for f in sorted(os.listdir(os.path.join(d, "ort"))):
        ref = np.load(os.path.join(d, "ort", f))
        got = np.load(os.path.join(out_dir, f))
        if not checks.check(got.shape == ref.shape, f"{name}: {f} shape {got.shape}"):
            continue
        worst = max(rel_err(got[t], ref[t]) for t in range(ref.shape[0]))
        checks.check(worst <= TOL, f"{name}: {f} vs ONNX Runtime stepped, worst frame "
                                   f"max|diff|/max|ref| = {worst:.2e}")
    for f in sorted(os.listdir(os.path.join(d, "offline"))):
        ref = np.load(os.path.join(d, "offline", f))
        got = np.load(os.path.join(out_dir, f))
        if not checks.check(got.shape == ref.shape, f"{name}: {f} offline shape {got.shape}"):
            continue
        last = rel_err(got[-1], ref[-1])
        worst = max(rel_err(got[t], ref[t]) for t in range(ref.shape[0]))
        checks.check(last <= TOL and worst <= TOL,
                     f"{name}: {f} vs offline PyTorch on the whole clip: final frame "
                     f"{last:.2e}, worst frame {worst:.2e}")

    ours = median_from_report(proc.stdout, "step")
    theirs = ort_median_step_ms(model, np.load(frames_path), args.repeat)
    if ours is not None:
        print(f"{name}: median time per frame (inputs + run + state copy): mobinfer "
              f"{ours:.4f} ms, ONNX Runtime (1 thread) {theirs:.4f} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stream", required=True, help="the mobinfer-stream executable")
    ap.add_argument("--workdir", required=True, help="where models and outputs are written")
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=20, help="passes over the clip for timing")
    args = ap.parse_args()
    checks = Checks()
    for name in export_streaming.MODELS:
        test_model(name, args, checks)
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
