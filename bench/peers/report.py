"""Markdown tables from run_all.py's results."""
import peerutil


def _f(v, digits=2):
    return "—" if v is None else "%.*f" % (digits, v)


def _err(v):
    return "—" if v is None else "%.1e" % v


def _ratio(row, base):
    if row.get("median_ms") is None or base is None or base.get("median_ms") in (None, 0):
        return None
    return row["median_ms"] / base["median_ms"]


def _failure(row):
    errs = row.get("errors") or ["no result"]
    if errs[0].startswith("conversion failed"):
        return "not converted"
    return "failed"


def _cell(row, base):
    if row is None:
        return ""
    if row.get("median_ms") is None:
        return _failure(row)
    r = _ratio(row, base)
    flag = " ⚠" if (row.get("rel_err") or 0) > peerutil.MISMATCH_TOL else ""
    return _f(row["median_ms"]) + ("" if r is None else " (%.2f×)" % r) + flag


def _summary(doc, threads):
    info, results = doc["info"], doc["results"]
    engines = info["engines"]
    out = ["## Median latency, %d thread%s (ms; in brackets peer median / mobinfer median)\n"
           % (threads, "" if threads == 1 else "s"),
           "| model | " + " | ".join(peerutil.ENGINE_NAMES[e] for e in engines) + " |",
           "|---|" + "---:|" * len(engines)]
    for m, res in results.items():
        if "rows" not in res:
            out.append("| %s | %s |" % (m, " | ".join(["—"] * len(engines))))
            continue
        base = res["rows"].get("mobinfer/%d" % threads)
        cells = [_cell(res["rows"].get("%s/%d" % (e, threads)), base)
                 if e != "mobinfer" else _cell(res["rows"].get("mobinfer/%d" % threads), None)
                 for e in engines]
        out.append("| %s | %s |" % (m, " | ".join(cells)))
    return "\n".join(out) + "\n"


def _details(doc, m, res):
    info = doc["info"]
    out = ["### %s\n" % m]
    if "rows" not in res:
        return "\n".join(out + ["Not run: %s\n" % res.get("error")])
    out += ["| engine | threads | median ms | min ms | peer/mobinfer | round spread | load ms "
            "| cold start ms | spawn→result ms | peak RSS MiB | max rel err vs ORT |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    notes = []
    for e in info["engines"]:
        for t in info["threads"]:
            row = res["rows"].get("%s/%d" % (e, t))
            if row is None:
                continue
            name = peerutil.ENGINE_NAMES[e]
            if row.get("median_ms") is None:
                out.append("| %s | %d | %s | | | | | | | | |" % (name, t, _failure(row)))
                for why in row.get("errors", []):
                    conv = why.startswith("conversion failed")
                    note = ("%s: %s" % (name, why)) if conv else ("%s %dT: %s" % (name, t, why))
                    if note not in notes:
                        notes.append(note)
                continue
            base = res["rows"].get("mobinfer/%d" % t)
            r = _ratio(row, base) if e != "mobinfer" else None
            rel = row.get("rel_err")
            mismatch = rel is not None and rel > peerutil.MISMATCH_TOL
            spread = row.get("round_spread")
            out.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s%s |" % (
                name, t, _f(row["median_ms"]), _f(row["min_ms"]),
                "—" if r is None else "%.2f" % r,
                "—" if spread is None or row["rounds_ok"] < 2 else "%.0f%%" % (100 * spread),
                _f(row.get("load_ms"), 1),
                _f(row.get("cold_start_ms"), 1), _f(row.get("spawn_to_result_ms"), 1),
                _f(row.get("peak_rss_mib"), 1), _err(rel), " ⚠ mismatch" if mismatch else ""))
            if row["rounds_ok"] < row["rounds"]:
                notes.append("%s %dT: %d of %d rounds failed: %s" % (
                    name, t, row["rounds"] - row["rounds_ok"], row["rounds"],
                    "; ".join(row.get("errors", []))))
            for c in row.get("check_errors", []):
                notes.append("%s %dT: output not compared: %s" % (name, t, c))
    nc = res["conversion"].get("ncnn", {})
    if nc.get("ok") and nc.get("simplified"):
        notes.append("ncnn: converted from the onnxsim-simplified graph (pnnx on the original: %s)"
                     % nc.get("first_attempt", "?"))
    out.append("")
    out += ["- " + n.replace("|", "\\|") for n in notes]
    return "\n".join(out) + "\n"


def _openvino_precision(doc):
    seen = set()
    for res in doc["results"].values():
        for key, row in res.get("rows", {}).items():
            if key.startswith("openvino/") and "settings" in row:
                seen.add(row["settings"].get("effective_INFERENCE_PRECISION_HINT", "?"))
    return ", ".join(sorted(seen)) or "not run"


def _busy_warning(info):
    try:
        load = float(info["loadavg_start"].split()[0])
    except (ValueError, IndexError):
        return []
    if load < 0.5:
        return []
    return ["**The machine was not quiet** (1-minute load average %.2f at the start): other "
            "work shared the cores, so these numbers are noisy, multi-threaded ones most.\n"
            % load]


def markdown(doc):
    info = doc["info"]
    v = info["versions"]
    base = info.get("python_baseline", {})
    lines = [
        "# mobinfer side by side with ONNX Runtime, OpenVINO, MNN and ncnn\n",
        "Made by `bench/peers/run.sh` (bench/peers/run_all.py), %s to %s.\n" % (
            info["started"], info["finished"]),
    ] + _busy_warning(info) + [
        "- CPU: %s, %s logical cores (%s); Linux %s" % (
            info["cpu"], info["cores"], ", ".join(info["flags"]) or "no flags read",
            info["kernel"]),
        "- load average (1, 5, 15 min) at start: %s; at end: %s" % (
            info["loadavg_start"], info["loadavg_end"]),
        "- mobinfer: %s" % v.get("mobinfer", "not run"),
        "- ONNX Runtime %s, OpenVINO %s, MNN %s, ncnn %s (models from pnnx %s, onnxsim %s), "
        "Python %s, numpy %s" % (v["onnxruntime"], v["openvino"], v["mnn"], v["ncnn"], v["pnnx"],
                                 v["onnxsim"], info["python"], v["numpy"]),
        "- batch 1, float32, the models' fixed inputs; %d warm-up and %d timed runs per process, "
        "%d round%s (engine order rotated each round); median = median of the rounds' medians, "
        "min = smallest minimum, round spread = (largest − smallest round median) / median"
        % (info["warmup"], info["runs"], info["rounds"], "" if info["rounds"] == 1 else "s"),
        "",
        "Settings: ONNX Runtime CPU EP, ORT_ENABLE_ALL, intra-op threads N, inter-op 1. "
        "OpenVINO CPU plugin, PERFORMANCE_HINT LATENCY, INFERENCE_NUM_THREADS N, "
        "INFERENCE_PRECISION_HINT f32 (without it OpenVINO picks bf16 on a CPU with AMX; "
        "the compiled models reported %s). " % _openvino_precision(doc) +
        "MNN Session API, CPU backend, numThread N, precision normal (float32 on x86), model from "
        "the MNNConvert of the mnn wheel. ncnn num_threads N, fp16 and bf16 storage, packing and "
        "arithmetic off, model from pnnx. mobinfer: `mobinfer bench --threads N`.",
        "",
        "What the columns mean: a timed run is one call that leaves the outputs readable "
        "(ORT `run`, OpenVINO `infer`, MNN `runSession` plus copying outputs out of its packed "
        "layout, ncnn extractor + input + extract, mobinfer `mobinfer_session_run`); peers are "
        "timed from Python, which adds a few microseconds per call. *Load* is from file to a "
        "session ready to run (OpenVINO's includes creating its `Core`). *Cold start* of a peer "
        "is from the first line of its Python runner (interpreter already up) through importing "
        "numpy and the engine, loading, and the first result; of mobinfer, the wall time of a "
        "whole `mobinfer run` process. *Spawn→result* is from the driver starting the process "
        "to the first result, so it includes the Python interpreter's start for the peers "
        "(alone, with numpy: %s ms, peak RSS %s MiB). *Peak RSS* is the process's "
        "`ru_maxrss`, Python and numpy included for the peers. *Rel err* is the largest "
        "max|y − ref| / max|ref| over the outputs against ONNX Runtime with no graph "
        "optimization; above %.0e it is flagged ⚠." % (
            _f(base.get("spawn_to_result_ms"), 1), _f(base.get("peak_rss_mib"), 1),
            peerutil.MISMATCH_TOL),
        "",
    ]
    for t in info["threads"]:
        lines.append(_summary(doc, t))
    lines.append("## Conversions\n")
    lines.append("| model | MNN | ncnn (pnnx) |")
    lines.append("|---|---|---|")
    for m, res in doc["results"].items():
        conv = res.get("conversion", {})
        cells = []
        for e in ("mnn", "ncnn"):
            c = conv.get(e)
            if c is None:
                cells.append("—")
            elif c.get("ok"):
                cells.append("ok" + (" (after onnxsim)" if c.get("simplified") else ""))
            else:
                cells.append("failed: " + c.get("error", "?")[:300].replace("|", "\\|"))
        lines.append("| %s | %s |" % (m, " | ".join(cells)))
    lines.append("\n## Per model\n")
    for m, res in doc["results"].items():
        lines.append(_details(doc, m, res))
    return "\n".join(lines)
