#!/usr/bin/env python3
"""Prepares the models of the side-by-side benchmark for every engine.

Usage: convert.py [--models a,b|all] [--models-dir DIR] [--work DIR] [--force]

For each model this writes WORK/<model>/:
  ref/out<K>.npy   ONNX Runtime's outputs on the model's fixed inputs (no graph
                   optimization, one thread): what every engine is checked against
  model.mnn        from the converter shipped in the mnn wheel
  ncnn/            pnnx's model.ncnn.param/.bin; when pnnx fails on the original
                   graph or its output disagrees, again from an onnxsim-simplified one
  manifest.json    paths, input and output names, and every conversion's outcome
                   (a failure keeps its reason: the results table shows it)
Inputs come from MODELS_DIR/<model>/meta.json (tools/export_models.py writes it).
"""
import argparse
import importlib.util
import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerutil  # noqa: E402

CONVERT_TIMEOUT = 900

# The converter is called through its extension module, not the `mnnconvert`
# entry point: that wrapper imports MNN.tools.utils.log, which runs
# `pip install -U aliyun-log-python-sdk` through os.system (into whichever pip
# is first on PATH) and then sends usage telemetry.
# mnnconvert() returns True on success.
_MNN_SNIPPET = "import sys, _tools; sys.exit(0 if _tools.mnnconvert(['mnnconvert'] + sys.argv[1:]) else 1)"
_ONNXSIM_SNIPPET = ("import sys; from onnxsim import main; "
                    "sys.argv = ['onnxsim'] + sys.argv[1:]; sys.exit(main())")


def model_inputs(model_dir, onnx_path):
    """[(name, npy path)] in graph input order."""
    meta_path = os.path.join(model_dir, "meta.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        return [(i["name"], os.path.join(model_dir, i["file"])) for i in meta["inputs"]]
    import onnx
    g = onnx.load(onnx_path, load_external_data=False).graph
    inits = {i.name for i in g.initializer}
    return [(i.name, os.path.join(model_dir, "inputs",
                                  re.sub(r"[^A-Za-z0-9._-]", "_", i.name) + ".npy"))
            for i in g.input if i.name not in inits]


def write_reference(manifest, ref_dir):
    import numpy as np
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(manifest["onnx"], so, providers=["CPUExecutionProvider"])
    feeds = {i["name"]: np.load(i["file"]) for i in manifest["inputs"]}
    names = [o.name for o in sess.get_outputs()]
    os.makedirs(ref_dir, exist_ok=True)
    outputs = []
    for k, (name, value) in enumerate(zip(names, sess.run(names, feeds))):
        path = os.path.join(ref_dir, "out%d.npy" % k)
        np.save(path, value)
        outputs.append({"name": name, "ref": path, "shape": list(value.shape)})
    return outputs


def run_tool(cmd, cwd):
    t0, p, secs = peerutil.spawn(cmd, CONVERT_TIMEOUT, cwd=cwd)
    if p is None:
        return False, "timed out after %d s" % CONVERT_TIMEOUT, secs
    out = (p.stdout or "") + "\n" + (p.stderr or "")
    return p.returncode == 0, out, secs


def validate(engine, manifest_file):
    """One run of the converted model in a fresh process: (rel_err, error)."""
    cmd = peerutil.runner_cmd(engine, manifest_file, 1, 0, 1)
    _, p, _ = peerutil.spawn(cmd, CONVERT_TIMEOUT)
    if p is None:
        return None, "timed out"
    rep = peerutil.last_json_line(p.stdout)
    if rep is None:
        return None, "runner crashed (exit %d): %s" % (p.returncode, peerutil.tail(p.stderr))
    if "error" in rep:
        return None, rep["error"]
    if rep.get("rel_err") is None:
        return None, rep.get("check_error", "no output check")
    return rep["rel_err"], None


def convert_mnn(manifest, work):
    out = os.path.join(work, "model.mnn")
    if os.path.exists(out):
        os.remove(out)
    ok, log, secs = run_tool([sys.executable, "-c", _MNN_SNIPPET, "-f", "ONNX",
                              "--modelFile", manifest["onnx"], "--MNNModel", out,
                              "--bizCode", "mobinfer"], work)
    with open(os.path.join(work, "mnnconvert.log"), "w") as f:
        f.write(log)
    if not ok or not os.path.exists(out) or "Converted Success" not in log:
        return {"ok": False, "error": "MNNConvert failed: " + peerutil.tail(log)}
    return {"ok": True, "file": out, "convert_s": round(secs, 3)}


def shape_arg(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def pnnx_exe():
    spec = importlib.util.find_spec("pnnx")
    if spec is None or not spec.submodule_search_locations:
        return None
    exe = os.path.join(list(spec.submodule_search_locations)[0], "pnnx")
    return exe if os.path.exists(exe) else None


def run_pnnx(onnx_path, out_dir, shapes, n_in, n_out):
    exe = pnnx_exe()
    if exe is None:
        return {"ok": False, "error": "pnnx is not installed"}
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    local = os.path.join(out_dir, "model.onnx")
    shutil.copyfile(onnx_path, local)
    files = {k: os.path.join(out_dir, v) for k, v in (
        ("pnnxparam", "model.pnnx.param"), ("pnnxbin", "model.pnnx.bin"),
        ("pnnxpy", "model_pnnx.py"), ("pnnxonnx", "model.pnnx.onnx"),
        ("ncnnparam", "model.ncnn.param"), ("ncnnbin", "model.ncnn.bin"),
        ("ncnnpy", "model_ncnn.py"))}
    cmd = [exe, local, "inputshape=" + ",".join(shape_arg(s) + "f32" for s in shapes),
           "fp16=0"] + ["%s=%s" % kv for kv in files.items()]
    ok, log, secs = run_tool(cmd, out_dir)
    with open(os.path.join(out_dir, "pnnx.log"), "w") as f:
        f.write(log)
    param = files["ncnnparam"]
    if not ok or not os.path.exists(param) or not os.path.exists(files["ncnnbin"]):
        return {"ok": False, "error": "pnnx failed: " + peerutil.tail(log)}
    # pnnx names blobs in0.., out0.. in graph order; check they are there.
    with open(param) as f:
        blobs = set(f.read().split())
    ins = ["in%d" % k for k in range(n_in)]
    outs = ["out%d" % k for k in range(n_out)]
    missing = [b for b in ins + outs if b not in blobs]
    if missing:
        return {"ok": False, "error": "pnnx output lacks blobs %s" % ",".join(missing)}
    return {"ok": True, "param": param, "bin": files["ncnnbin"], "inputs": ins,
            "outputs": outs, "convert_s": round(secs, 3)}


def simplify(manifest, out_path):
    cmd = [sys.executable, "-c", _ONNXSIM_SNIPPET, manifest["onnx"], out_path,
           "--overwrite-input-shape"] + [
        "%s:%s" % (i["name"], ",".join(str(d) for d in i["shape"])) for i in manifest["inputs"]]
    ok, log, _ = run_tool(cmd, os.path.dirname(out_path))
    if not ok or not os.path.exists(out_path):
        return "onnxsim failed: " + peerutil.tail(log)
    return None


def save(manifest, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, path)


def convert_ncnn(manifest, work, manifest_file):
    shapes = [i["shape"] for i in manifest["inputs"]]
    n_in, n_out = len(manifest["inputs"]), len(manifest["outputs"])
    attempts = []
    res = run_pnnx(manifest["onnx"], os.path.join(work, "ncnn"), shapes, n_in, n_out)
    if res["ok"]:
        manifest["ncnn"] = res
        save(manifest, manifest_file)
        err, why = validate("ncnn", manifest_file)
        if why is None and err <= peerutil.MISMATCH_TOL:
            res.update(simplified=False, check_rel_err=err)
            return res
        attempts.append("original graph: " + (why or "rel err %.2g" % err))
    else:
        attempts.append("original graph: " + res["error"])
    sim = os.path.join(work, "model.sim.onnx")
    why = simplify(manifest, sim)
    if why is not None:
        attempts.append(why)
        return {"ok": False, "error": "; ".join(attempts)}
    res = run_pnnx(sim, os.path.join(work, "ncnn"), shapes, n_in, n_out)
    if not res["ok"]:
        attempts.append("simplified graph: " + res["error"])
        return {"ok": False, "error": "; ".join(attempts)}
    manifest["ncnn"] = res
    save(manifest, manifest_file)
    err, why = validate("ncnn", manifest_file)
    res.update(simplified=True, check_rel_err=err, first_attempt="; ".join(attempts))
    if why is not None:
        return {"ok": False, "error": "; ".join(attempts + ["simplified graph: " + why])}
    return res


def prepare(name, models_dir, work_dir, force=False, log=print):
    """Makes WORK/<name>/manifest.json unless it is there for the same model file."""
    model_dir = os.path.join(models_dir, name)
    onnx_path = os.path.abspath(os.path.join(model_dir, "model.onnx"))
    if not os.path.exists(onnx_path):
        raise FileNotFoundError("%s not found (make it with tools/export_models.py)" % onnx_path)
    work = os.path.abspath(os.path.join(work_dir, name))
    manifest_file = os.path.join(work, "manifest.json")
    st = os.stat(onnx_path)
    stamp = [st.st_size, int(st.st_mtime)]
    if not force and os.path.exists(manifest_file):
        with open(manifest_file) as f:
            old = json.load(f)
        if old.get("onnx") == onnx_path and old.get("onnx_stamp") == stamp and "done" in old:
            return old
    os.makedirs(work, exist_ok=True)
    import numpy as np
    inputs = []
    for iname, path in model_inputs(model_dir, onnx_path):
        arr = np.load(path, mmap_mode="r")
        if arr.dtype != np.float32:
            raise ValueError("%s: input %s is %s; the harness feeds float32 only"
                             % (name, iname, arr.dtype))
        inputs.append({"name": iname, "file": os.path.abspath(path), "shape": list(arr.shape)})
    manifest = {"name": name, "onnx": onnx_path, "onnx_stamp": stamp, "inputs": inputs}
    manifest["outputs"] = write_reference(manifest, os.path.join(work, "ref"))
    manifest["reference"] = "onnxruntime, ORT_DISABLE_ALL, 1 thread"

    t = time.time()
    manifest["mnn"] = convert_mnn(manifest, work)
    save(manifest, manifest_file)
    if manifest["mnn"]["ok"]:
        err, why = validate("mnn", manifest_file)
        manifest["mnn"]["check_rel_err"] = err
        if why is not None:
            manifest["mnn"] = {"ok": False, "error": "converted, but does not run: " + why}
    log("  %s: MNN %s (%.1f s)" % (name, "ok" if manifest["mnn"]["ok"] else
                                   "FAILED: " + manifest["mnn"]["error"][:200], time.time() - t))
    t = time.time()
    manifest["ncnn"] = convert_ncnn(manifest, work, manifest_file)
    nc = manifest["ncnn"]
    log("  %s: ncnn %s (%.1f s)" % (name, ("ok" + (" after onnxsim" if nc.get("simplified") else ""))
                                    if nc["ok"] else "FAILED: " + nc["error"][:200], time.time() - t))
    manifest["done"] = time.strftime("%Y-%m-%d %H:%M:%S")
    save(manifest, manifest_file)
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="all", help="comma-separated names (default: all)")
    ap.add_argument("--models-dir", default=peerutil.DEFAULT_MODELS_DIR)
    ap.add_argument("--work", default=peerutil.DEFAULT_WORK_DIR)
    ap.add_argument("--force", action="store_true", help="convert again even if done")
    args = ap.parse_args()
    names = peerutil.MODELS if args.models == "all" else args.models.split(",")
    failed = 0
    for name in names:
        try:
            prepare(name, args.models_dir, args.work, args.force)
        except Exception as e:  # one bad model must not stop the others
            failed += 1
            print("  %s: cannot prepare: %s: %s" % (name, type(e).__name__, e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
