#!/usr/bin/env python3
"""Run the zoo through mobinfer, compare with ONNX Runtime, time both, write docs/MODELS.md.

Usage (project venv, after tools/zoo/zoo.py OUTDIR):

    .venv/bin/python tools/zoo/check.py --mobinfer build/mobinfer --models OUTDIR
                     [--only NAME,...] [--runs 10] [--warmup 2] [--doc docs/MODELS.md]

For every model of tools/zoo/zoo.py, in one run of this script:

1. `mobinfer run` on the stored input; every output must have the expected
   shape and max|got - expected| <= 1e-4 * max|expected| (the rule of
   tests/models/compare_with_ort.py, whose comparison is reused).
2. `mobinfer info --json` (with `--optimized` when the CLI has it): nodes as
   stored and after planning, mobinfer's MAC count.
3. Latency, 1 thread, median of R timed runs after W warm-ups: mobinfer
   `bench --threads 1` and an ONNX Runtime session with intra- and inter-op
   threads set to 1 (default graph optimisations), on the same input.

A model that did not export, does not plan, or does not match is listed with
the reason (missing operator, error message, or the size of the error); none
is skipped. Results go to OUTDIR/zoo_results.json and the table to --doc.
Exits 1 if any model failed.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import shutil
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "models"))

import compare_with_ort as cmp  # noqa: E402  (reused: spec loading and the tolerance rule)
import zoo  # noqa: E402


def sh(cmd, timeout):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace", timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout}s"


def reason_from_stderr(text):
    """The library's message, shortened to what a reader of the table needs."""
    m = re.search(r"operator (\S+) is not supported", text)
    if m:
        return f"missing operator {m.group(1)}"
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    msg = lines[-1] if lines else "no message"
    return re.sub(r"^mobinfer: error: ", "", msg)[:200]


def detections(boxes, scores, score_min, per_class=100):
    """The application side of the detector: threshold, then NMS per class."""
    import own_models
    found = set()
    for c in range(1, scores.shape[1]):  # class 0 is the background
        idx = np.nonzero(scores[:, c] > score_min)[0]
        idx = idx[np.argsort(-scores[idx, c], kind="stable")][:per_class]
        for k in own_models.nms_numpy(boxes[idx], scores[idx, c], 0.5):
            found.add((c, int(idx[k])))
    return found


def compare_detections(boxes, scores):
    """Same detections (class, anchor) from mobinfer's and ORT's outputs?

    The threshold is set so that ORT's scores yield some boxes: with random
    weights the softmax is flat, so a fixed 0.5 would keep none.
    """
    (gb, eb), (gs, es) = boxes, scores
    score_min = float(np.quantile(es[:, 1:], 0.999))
    got, exp = detections(gb, gs, score_min), detections(eb, es, score_min)
    return {"score_min": score_min, "ort": len(exp), "mobinfer": len(got),
            "same": got == exp}


def run_mobinfer(cli, mdir, tol, timeout):
    inputs, outputs = cmp.load_spec(mdir)
    tmp = tempfile.mkdtemp(prefix="zoo-check-")
    try:
        cmd = [cli, "run", os.path.join(mdir, "model.onnx"), "--top", "0", "--output-dir", tmp]
        for iname, path in inputs:
            cmd += ["--input", f"{iname}={path}"]
        rc, out, err = sh(cmd, timeout)
        if rc != 0:
            return {"ok": False, "stage": "run", "reason": reason_from_stderr(err or out)}
        worst, problems, got_all = 0.0, [], {}
        for oname, exp_path in outputs:
            got_path = os.path.join(tmp, cmp.sanitize(oname) + ".npy")
            if not os.path.isfile(got_path):
                problems.append(f"{oname}: no output file")
                continue
            got_all[oname] = (np.load(got_path), np.load(exp_path))
            ok, _, rel, reason = cmp.compare(*got_all[oname], tol)
            if rel is not None:
                worst = max(worst, rel)
            if not ok:
                extra = f" (rel {rel:.3g})" if rel is not None else ""
                problems.append(f"{oname}: {reason}{extra}")
        res = {"ok": not problems, "rel": worst}
        if problems:
            res.update(stage="compare", reason="; ".join(problems))
        if set(got_all) == {"boxes", "scores"}:
            res["detections"] = compare_detections(got_all["boxes"], got_all["scores"])
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def info_mobinfer(cli, mdir, has_optimized, timeout):
    cmd = [cli, "info", os.path.join(mdir, "model.onnx"), "--json"]
    if has_optimized:
        cmd.append("--optimized")
    rc, out, err = sh(cmd, timeout)
    try:
        return json.loads(out)
    except ValueError:
        return {"error": reason_from_stderr(err or out)}


def bench_mobinfer(cli, mdir, runs, warmup, timeout):
    inputs, _ = cmp.load_spec(mdir)
    cmd = [cli, "bench", os.path.join(mdir, "model.onnx"), "--threads", "1", "--json",
           "--runs", str(runs), "--warmup", str(warmup)]
    for iname, path in inputs:
        cmd += ["--input", f"{iname}={path}"]
    rc, out, err = sh(cmd, timeout)
    if rc != 0:
        return None
    return json.loads(out).get("median_ms")


def bench_ort(mdir, runs, warmup):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(os.path.join(mdir, "model.onnx"), so,
                                providers=["CPUExecutionProvider"])
    inputs, _ = cmp.load_spec(mdir)
    feeds = {n: np.load(p) for n, p in inputs}
    for _ in range(warmup):
        sess.run(None, feeds)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def check_one(cli, outdir, name, args, has_optimized):
    mdir = os.path.join(outdir, name)
    res = {"name": name, "family": zoo.BY_NAME[name][1]}
    err_file = os.path.join(mdir, "export_error.txt")
    meta_file = os.path.join(mdir, "meta.json")
    if not os.path.isfile(meta_file):
        reason = "not exported (run tools/zoo/zoo.py)"
        if os.path.isfile(err_file):
            with open(err_file) as f:
                reason = "export failed: " + f.readline().strip()[:200]
        res.update(ok=False, stage="export", reason=reason)
        return res
    with open(meta_file) as f:
        meta = json.load(f)
    res.update(params=meta["params"], macs=meta["macs"], source=meta["source"],
               weights=meta.get("weights", ""), stored_nodes=meta["nodes"],
               input_shape=meta["inputs"][0]["shape"])
    info = info_mobinfer(cli, mdir, has_optimized, args.timeout)
    session = info.get("session") or {}
    res["mobinfer_macs"] = session.get("macs")
    res["planned_nodes"] = session.get("nodes")
    res["optimized"] = info.get("optimized")
    res.update(run_mobinfer(cli, mdir, args.tol, args.timeout))
    res["ort_ms"] = bench_ort(mdir, args.runs, args.warmup)
    if res.get("stage") != "run":
        res["mobinfer_ms"] = bench_mobinfer(cli, mdir, args.runs, args.warmup, args.timeout)
    return res


def fmt_count(n, unit):
    if n is None:
        return "–"
    return f"{n / unit:.2f}"


def fmt_ms(v):
    return "–" if v is None else (f"{v:.1f}" if v >= 10 else f"{v:.2f}")


def status_cell(r):
    if r.get("ok"):
        return f"yes ({r['rel']:.1e})"
    if r.get("stage") == "compare":
        return f"**no**: {r['reason']}"
    return f"**{'export fails' if r['stage'] == 'export' else 'does not run'}**: {r['reason']}"


def nodes_cell(r):
    opt = r.get("optimized")
    if isinstance(opt, dict) and "nodes_before" in opt and "nodes_after" in opt:
        return f"{opt['nodes_before']} → {opt['nodes_after']}"
    if r.get("stored_nodes") is None:
        return "–"
    after = r.get("planned_nodes")
    return f"{r['stored_nodes']} → {after if after is not None else '–'}"


def write_doc(path, results, args, cli_version):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    import onnxruntime as ort
    passed = sum(1 for r in results if r.get("ok"))
    lines = [
        "# Model zoo",
        "",
        "<!-- Generated by tools/zoo/check.py; do not edit by hand. -->",
        "",
        "Mobile and edge vision models exported by `tools/zoo/zoo.py` (ONNX opset 13,",
        "batch 1, static shapes, seeded random weights with randomized BatchNorm",
        "statistics unless real weights are named) and run through mobinfer by",
        "`tools/zoo/check.py`, which compares every output with ONNX Runtime's on",
        "the same fixed input: a model **matches** when",
        "max|mobinfer − ORT| ≤ 1e-4 · max|ORT| for every output (the relative error",
        "is shown). Re-parameterizable networks are exported in their train-time",
        "multi-branch form.",
        "",
        f"Result: **{passed} of {len(results)} models match**. Generated {now} on "
        f"{platform.machine()} ({os.cpu_count()} cores, shared), {cli_version}, "
        f"onnxruntime {ort.__version__}.",
        "",
        "- **Params**: trainable parameters of the torch model, millions.",
        "- **MACs**: multiply-accumulates of Conv, ConvTranspose, MatMul and Gemm",
        "  counted by `tools/zoo/zoo.py` from the ONNX graph's static shapes",
        "  (millions); *mobinfer MACs* is `mobinfer info --json`'s count of the",
        "  planned graph. For the re-parameterizable models both are those of the",
        "  train-time graph, which folding the branches shrinks.",
        "- **Nodes**: ONNX nodes as stored → after mobinfer plans the session",
        "  (constants folded, graph passes applied: `mobinfer info --optimized`).",
        f"- **Latency**: 1 thread, median of {args.runs} runs after {args.warmup} warm-ups,",
        "  in ms, both engines measured in the same run of the script on the same",
        "  input (mobinfer `bench --threads 1`; ONNX Runtime with 1 intra-op and 1",
        "  inter-op thread, default graph optimisations) on a 2-core machine",
        "  shared with other jobs: compare the two columns of one row, not rows",
        "  of different runs. bench/RESULTS.md has the careful side-by-side run.",
        "",
    ]
    header = ("| model | input | params (M) | MACs (M) | mobinfer MACs (M) | nodes | matches ORT "
              "| mobinfer ms | ORT ms |")
    sep = "|---|---|--:|--:|--:|--:|---|--:|--:|"
    for fam, title in zoo.FAMILIES.items():
        rows = [r for r in results if r["family"] == fam]
        if not rows:
            continue
        lines += [f"## {title}", "", header, sep]
        for r in rows:
            shape = "x".join(str(d) for d in r.get("input_shape", [])[1:]) or "–"
            lines.append(
                f"| {r['name']} | {shape} | {fmt_count(r.get('params'), 1e6)} "
                f"| {fmt_count(r.get('macs'), 1e6)} | {fmt_count(r.get('mobinfer_macs'), 1e6)} "
                f"| {nodes_cell(r)} | {status_cell(r)} | {fmt_ms(r.get('mobinfer_ms'))} "
                f"| {fmt_ms(r.get('ort_ms'))} |")
        lines.append("")
    for r in results:
        d = r.get("detections")
        if d:
            lines += [f"`{r['name']}` after the application's NonMaxSuppression (IoU 0.5, per "
                      f"class, scores above {d['score_min']:.4g}): ORT keeps {d['ort']} "
                      f"detections, mobinfer {d['mobinfer']}; "
                      f"{'the same' if d['same'] else '**different**'} (class, anchor) pairs.", ""]
    lines += ["## Sources", "", "| model | built from | weights |", "|---|---|---|"]
    for r in results:
        lines.append(f"| {r['name']} | {r.get('source', '–')} | {r.get('weights', '–')} |")
    lines += [
        "",
        "## Notes",
        "",
        "- `ssdlite320_mobilenet_v3`: backbone, head and anchor box decoding are in",
        "  the graph (outputs: one box and one softmax score row per anchor);",
        "  score thresholding and NonMaxSuppression are left to the application",
        "  (`tools/zoo/own_models.py: nms_numpy`), because the number of kept",
        "  boxes is only known after the data is seen.",
        "- `mobilevig_ti` and `quicksrnet_medium_x2` are this project's own",
        "  definitions from the papers (`tools/zoo/own_models.py`).",
        "- `efficientnet_lite0` has real ImageNet weights and is fed scikit-image's",
        "  cat photo, preprocessed as in `tools/export_efficientnet_lite0.py`.",
        "- `mobilenetv4_hybrid_medium` holds the Mobile MQA attention blocks.",
        "- `levit_128s`: the norms that end its residual branches (initialised to",
        "  zero by the architecture) get 0.3 × the randomized weight; at full",
        "  strength the random network is chaotic (a 1e-6 input change moves the",
        "  logits by 9 %) and no two engines could agree to 1e-4.",
        "",
        "Reproduce:",
        "",
        "```sh",
        "nice -n 10 .venv/bin/python tools/zoo/zoo.py /tmp/zoo",
        ".venv/bin/python tools/zoo/check.py --mobinfer build/mobinfer --models /tmp/zoo",
        "```",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mobinfer", required=True)
    ap.add_argument("--models", required=True, help="directory written by tools/zoo/zoo.py")
    ap.add_argument("--only", help="comma-separated model names (default: the whole zoo)")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per mobinfer command")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "MODELS.md"),
                    help="table to write (default docs/MODELS.md; '' for none)")
    args = ap.parse_args(argv)

    cli = os.path.abspath(args.mobinfer)
    names = [m[0] for m in zoo.MODELS]
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        bad = [n for n in names if n not in zoo.BY_NAME]
        if bad:
            ap.error(f"unknown model(s): {', '.join(bad)}")
    _, help_text, _ = sh([cli, "info", "--help"], 60)
    has_optimized = "--optimized" in help_text
    _, version, _ = sh([cli, "--version"], 60)

    results_path = os.path.join(args.models, "zoo_results.json")
    previous = {}
    if args.only and os.path.isfile(results_path):  # --only refreshes rows, keeps the rest
        with open(results_path) as f:
            previous = {r["name"]: r for r in json.load(f)}
    for name in names:
        r = check_one(cli, args.models, name, args, has_optimized)
        previous[name] = r
        if r.get("ok"):
            word = "PASS"
        else:
            word = "FAIL"
        detail = f"rel={r['rel']:.2g}" if r.get("ok") else r.get("reason", "")
        print(f"{word} {name} {detail} mobinfer={fmt_ms(r.get('mobinfer_ms'))}ms "
              f"ort={fmt_ms(r.get('ort_ms'))}ms", flush=True)
    results = [previous[m[0]] for m in zoo.MODELS if m[0] in previous]
    with open(results_path, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    if args.doc:
        write_doc(args.doc, results, args, version.strip() or "mobinfer")
    passed = sum(1 for r in results if r.get("ok"))
    print(f"{passed} passed, {len(results) - passed} failed", flush=True)
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
