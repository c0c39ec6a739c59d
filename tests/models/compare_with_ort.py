#!/usr/bin/env python3
"""Run the mobinfer CLI on the exported model test set and compare with ONNX Runtime.

Usage:
    python3 tests/models/compare_with_ort.py --mobinfer PATH_TO_CLI --models OUTDIR [--only NAME,...]

OUTDIR is what tools/export_models.py wrote: OUTDIR/NAME/{model.onnx, meta.json,
inputs/*.npy, expected/*.npy}. For each model this runs

    PATH_TO_CLI run OUTDIR/NAME/model.onnx --input <name>=<file> ... --output-dir TMP

and expects every model output as TMP/<output_name>.npy, where characters of the
output name outside [A-Za-z0-9._-] are replaced by '_'. An output passes when its
shape equals the expected one and max|got - expected| <= TOL * max|expected|
(TOL = 1e-4 by default, --tol to change).

Prints one line per model, `PASS name maxerr=... rel=...` or `FAIL name <reason>`,
then `N passed, N failed`; exits 1 if anything failed (2 on usage errors).
Only needs numpy (no onnxruntime: the expected outputs are precomputed).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def load_spec(mdir):
    """-> (inputs [(name, path)], outputs [(name, expected_path)]) for a model dir."""
    meta_path = os.path.join(mdir, "meta.json")
    if os.path.isfile(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        inputs = [(i["name"], os.path.join(mdir, i["file"])) for i in meta["inputs"]]
        outputs = [(o["name"], os.path.join(mdir, o["file"])) for o in meta["outputs"]]
        return inputs, outputs

    # No meta.json: tensor names are the file stems.
    def stems(sub):
        d = os.path.join(mdir, sub)
        if not os.path.isdir(d):
            return []
        return [(f[:-4], os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".npy")]
    return stems("inputs"), stems("expected")


def compare(got, exp, tol):
    """-> (ok, maxerr, rel, reason)."""
    if tuple(got.shape) != tuple(exp.shape):
        return False, None, None, f"shape {tuple(got.shape)} != expected {tuple(exp.shape)}"
    g = got.astype(np.float64)
    e = exp.astype(np.float64)
    if not np.all(np.isfinite(g)):
        bad = int(np.size(g) - np.count_nonzero(np.isfinite(g)))
        return False, None, None, f"{bad} non-finite values"
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    maxerr = float(np.max(np.abs(g - e))) if e.size else 0.0
    rel = maxerr / scale if scale > 0 else (0.0 if maxerr == 0 else float("inf"))
    if maxerr > tol * scale:
        return False, maxerr, rel, "tolerance exceeded"
    return True, maxerr, rel, ""


def tail(text, n=6):
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return " | ".join(lines[-n:])


def run_model(cli, mdir, name, tol, timeout, keep_dir=None):
    """-> (ok, line)."""
    model = os.path.join(mdir, "model.onnx")
    if not os.path.isfile(model):
        return False, f"FAIL {name} missing {model}"
    try:
        inputs, outputs = load_spec(mdir)
    except (OSError, ValueError, KeyError, TypeError) as e:
        return False, f"FAIL {name} bad meta.json: {e}"
    if not outputs:
        return False, f"FAIL {name} no expected outputs in {mdir}"

    tmp = tempfile.mkdtemp(prefix=f"mobinfer-{name}-")
    try:
        cmd = [cli, "run", os.path.abspath(model)]
        for iname, path in inputs:
            cmd += ["--input", f"{iname}={os.path.abspath(path)}"]
        cmd += ["--output-dir", tmp]
        t0 = time.time()
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired:
            return False, f"FAIL {name} timed out after {timeout}s"
        except OSError as e:
            return False, f"FAIL {name} cannot run {cli}: {e}"
        dt = time.time() - t0
        if proc.returncode != 0:
            return False, (f"FAIL {name} exit code {proc.returncode}: "
                           f"{tail(proc.stderr) or tail(proc.stdout)}")

        worst_err, worst_rel, problems = 0.0, 0.0, []
        for oname, exp_path in outputs:
            got_path = os.path.join(tmp, sanitize(oname) + ".npy")
            if not os.path.isfile(got_path):
                problems.append(f"{oname}: missing output file {os.path.basename(got_path)}")
                continue
            try:
                got = np.load(got_path, allow_pickle=False)
            except Exception as e:
                problems.append(f"{oname}: unreadable output ({e})")
                continue
            exp = np.load(exp_path, allow_pickle=False)
            ok, maxerr, rel, reason = compare(got, exp, tol)
            if maxerr is not None:
                worst_err = max(worst_err, maxerr)
                worst_rel = max(worst_rel, rel)
            if not ok:
                detail = f" maxerr={maxerr:.3g} rel={rel:.3g}" if maxerr is not None else ""
                problems.append(f"{oname}: {reason}{detail}")
        if keep_dir:
            dst = os.path.join(keep_dir, name)
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(tmp, dst)
        stats = f"maxerr={worst_err:.3g} rel={worst_rel:.3g} time={dt:.2f}s"
        if problems:
            return False, f"FAIL {name} {'; '.join(problems)} ({stats})"
        return True, f"PASS {name} {stats}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mobinfer", required=True, help="path to the mobinfer CLI executable")
    ap.add_argument("--models", required=True, help="directory written by tools/export_models.py")
    ap.add_argument("--only", help="comma-separated model names (default: every model dir)")
    ap.add_argument("--tol", type=float, default=1e-4,
                    help="relative tolerance: max|a-b| <= TOL * max|expected| (default 1e-4)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per model (default 600)")
    ap.add_argument("--keep-outputs", metavar="DIR", help="copy the CLI outputs to DIR/NAME/")
    args = ap.parse_args(argv)

    cli = args.mobinfer
    if os.sep in cli or os.path.exists(cli):
        cli = os.path.abspath(cli)
    if not (os.path.isfile(cli) or shutil.which(cli)):
        print(f"compare_with_ort: CLI not found: {args.mobinfer}", file=sys.stderr)
        return 2
    if not os.path.isdir(args.models):
        print(f"compare_with_ort: models dir not found: {args.models}", file=sys.stderr)
        return 2

    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
    else:
        names = sorted(d for d in os.listdir(args.models)
                       if not d.startswith(".")
                       and os.path.isfile(os.path.join(args.models, d, "model.onnx")))
    if not names:
        print(f"compare_with_ort: no models in {args.models}", file=sys.stderr)
        return 2

    passed = failed = 0
    for name in names:
        mdir = os.path.join(args.models, name)
        if not os.path.isdir(mdir):
            ok, line = False, f"FAIL {name} no such model dir {mdir}"
        else:
            ok, line = run_model(cli, mdir, name, args.tol, args.timeout, args.keep_outputs)
        print(line, flush=True)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
