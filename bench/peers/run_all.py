#!/usr/bin/env python3
"""Side-by-side benchmark: mobinfer against ONNX Runtime, OpenVINO, MNN and ncnn.

Usage: run_all.py [OUT.md] [--json OUT.json] [--models a,b] [--threads 1,2]
                  [--runs 50] [--warmup 10] [--rounds 3] [--engines e1,e2]
                  [--mobinfer PATH] [--models-dir DIR] [--work DIR]

Every measurement is a fresh process (so load time, cold start and peak RSS
are the engine's own). For each model and thread count, the engines run in
ROUNDS rounds, the order rotated each round so that slow drifts of the
machine fall on every engine alike; the table gives the median of the
rounds' medians and the smallest minimum. Models are converted first if
WORK/<model>/manifest.json is missing (see convert.py).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert  # noqa: E402
import mobinfer_engine  # noqa: E402
import peerutil  # noqa: E402
import report  # noqa: E402
import sysinfo  # noqa: E402


def run_peer(engine, manifest_file, threads, warmup, runs, timeout):
    cmd = peerutil.runner_cmd(engine, manifest_file, threads, warmup, runs)
    t0, p, _ = peerutil.spawn(cmd, timeout)
    if p is None:
        return {"engine": engine, "threads": threads, "error": "timed out after %d s" % timeout}
    rep = peerutil.last_json_line(p.stdout)
    if rep is None:
        return {"engine": engine, "threads": threads,
                "error": "crashed (exit %d): %s" % (p.returncode, peerutil.tail(p.stderr))}
    if "t_first_result" in rep:
        rep["spawn_to_result_ms"] = (rep.pop("t_first_result") - t0) * 1e3
    return rep


def conversion_error(engine, manifest):
    """Why ENGINE has no model to run, or None."""
    if engine in ("mnn", "ncnn") and not manifest[engine]["ok"]:
        return "conversion failed: " + manifest[engine]["error"]
    return None


def aggregate(reports):
    """One row from the rounds of one engine on one model and thread count."""
    ok = [r for r in reports if "error" not in r and r.get("median_ms") is not None]
    row = {"rounds": len(reports), "rounds_ok": len(ok)}
    errors = sorted({r["error"] for r in reports if "error" in r})
    if errors:
        row["errors"] = errors
    if not ok:
        return row
    medians = [r["median_ms"] for r in ok]
    row["median_ms"] = peerutil.median(medians)
    # How far the rounds disagree: the noise the machine added.
    row["round_spread"] = (max(medians) - min(medians)) / row["median_ms"] if row["median_ms"] else None
    row["min_ms"] = min(r["min_ms"] for r in ok)
    for k in ("load_ms", "cold_start_ms", "spawn_to_result_ms", "first_run_ms", "import_ms"):
        row[k] = peerutil.median([r.get(k) for r in ok])
    row["peak_rss_mib"] = max(r["peak_rss_mib"] for r in ok)
    errs = [r.get("rel_err") for r in ok if r.get("rel_err") is not None]
    row["rel_err"] = max(errs) if errs else None
    checks = sorted({r["check_error"] for r in ok if "check_error" in r})
    if checks:
        row["check_errors"] = checks
    for r in ok:
        if "settings" in r:
            row["settings"] = r["settings"]
            break
    return row


def python_baseline(manifest_file, timeout):
    rep = run_peer("python", manifest_file, 1, 0, 0, timeout)
    return {k: rep.get(k) for k in ("version", "spawn_to_result_ms", "cold_start_ms",
                                    "peak_rss_mib", "error") if k in rep}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default=os.path.join(peerutil.HERE, "latest.md"))
    ap.add_argument("--json", help="raw results (default: OUT with .json)")
    ap.add_argument("--models", default="all")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--engines", default=",".join(peerutil.ENGINES))
    ap.add_argument("--mobinfer", default=peerutil.DEFAULT_MOBINFER)
    ap.add_argument("--models-dir", default=peerutil.DEFAULT_MODELS_DIR)
    ap.add_argument("--work", default=peerutil.DEFAULT_WORK_DIR)
    ap.add_argument("--timeout", type=int, default=900, help="seconds per process")
    args = ap.parse_args()

    models = peerutil.MODELS if args.models == "all" else args.models.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    engines = args.engines.split(",")
    for e in engines:
        if e not in peerutil.ENGINES:
            ap.error("unknown engine %r (known: %s)" % (e, ", ".join(peerutil.ENGINES)))
    if args.runs < 1 or args.rounds < 1:
        ap.error("--runs and --rounds must be at least 1")
    mobinfer = os.path.abspath(args.mobinfer)
    if "mobinfer" in engines and not os.access(mobinfer, os.X_OK):
        ap.error("%s is not an executable; build it or pass --mobinfer" % mobinfer)
    json_out = args.json or os.path.splitext(args.out)[0] + ".json"

    info = sysinfo.collect(mobinfer if "mobinfer" in engines else None)
    info.update(runs=args.runs, warmup=args.warmup, rounds=args.rounds, threads=threads,
                engines=engines, started=time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    print("CPU: %s, %s cores, load average %s" % (info["cpu"], info["cores"], info["loadavg_start"]))

    manifests, results = {}, {}
    for m in models:
        try:
            manifests[m] = convert.prepare(m, args.models_dir, args.work)
        except Exception as e:
            print("  %s: cannot prepare: %s: %s" % (m, type(e).__name__, e))
            results[m] = {"error": "%s: %s" % (type(e).__name__, e)}
    if manifests:
        first = next(iter(manifests))
        info["python_baseline"] = python_baseline(
            peerutil.manifest_path(args.work, first), args.timeout)

    raw = []
    for m, manifest in manifests.items():
        mfile = peerutil.manifest_path(args.work, m)
        results[m] = {"conversion": {e: manifest[e] for e in ("mnn", "ncnn")}, "rows": {}}
        for t in threads:
            per_engine = {e: [] for e in engines}
            for rnd in range(args.rounds):
                k = rnd % len(engines)
                for e in engines[k:] + engines[:k]:
                    if conversion_error(e, manifest):
                        continue
                    if e == "mobinfer":
                        rep = mobinfer_engine.measure(mobinfer, manifest, t, args.warmup,
                                                      args.runs, args.timeout)
                    else:
                        rep = run_peer(e, mfile, t, args.warmup, args.runs, args.timeout)
                    rep.update(model=m, round=rnd)
                    raw.append(rep)
                    per_engine[e].append(rep)
                    print("  %-18s %dT round %d %-8s %s" % (
                        m, t, rnd, e, ("median %.3f ms" % rep["median_ms"]) if "median_ms" in rep
                        else "FAILED: " + rep.get("error", "?")[:160]), flush=True)
            for e in engines:
                why = conversion_error(e, manifest)
                row = {"errors": [why], "rounds": 0, "rounds_ok": 0} if why else \
                    aggregate(per_engine[e])
                results[m]["rows"]["%s/%d" % (e, t)] = row

    info["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    info["loadavg_end"] = sysinfo.loadavg()
    doc = {"info": info, "results": results, "raw": raw}
    with open(json_out, "w") as f:
        json.dump(doc, f, indent=1)
    with open(args.out, "w") as f:
        f.write(report.markdown(doc))
    print("wrote %s and %s" % (args.out, json_out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
