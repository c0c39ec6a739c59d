#!/usr/bin/env python3
"""End-to-end tests of the mobinfer CLI: builds tiny ONNX models with
onnx.helper, runs `mobinfer run/info/bench` on them and checks exit codes,
messages, output files and numbers (against ONNX Runtime where available,
else NumPy). The image path is checked against a Pillow reference of
torchvision's Resize(256) -> CenterCrop(224) -> Normalize pipeline.

Usage: test_cli_e2e.py --mobinfer PATH_TO_CLI
Needs numpy, onnx and Pillow; onnxruntime is optional. Ends with the line
'N passed, N failed'.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

try:
    import onnxruntime as ort
except ImportError:  # the NumPy references below still check the numbers
    ort = None

IMAGENET_MEAN = np.array([123.675, 116.28, 103.53], np.float32)
IMAGENET_STD = np.array([58.395, 57.12, 57.375], np.float32)


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}")


def save_model(graph, path, opset=13):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def make_models(d):
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((8, 3, 3, 3)) * 0.1).astype(np.float32)
    b = (rng.standard_normal(8) * 0.1).astype(np.float32)
    gt = rng.standard_normal((8, 1000)).astype(np.float32)
    gb = rng.standard_normal(1000).astype(np.float32)
    # A classifier shape: [batch,3,224,224] -> [batch,1000], with names that
    # need mapping to file names.
    nodes = [
        helper.make_node("Conv", ["input:0", "W", "B"], ["c"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("ReduceMean", ["r"], ["f"], axes=[2, 3], keepdims=0),
        helper.make_node("MatMul", ["f", "GT"], ["mm"]),
        helper.make_node("Add", ["mm", "GB"], ["logits/out"]),
    ]
    graph = helper.make_graph(
        nodes, "classifier",
        [helper.make_tensor_value_info("input:0", TensorProto.FLOAT, ["batch", 3, 224, 224])],
        [helper.make_tensor_value_info("logits/out", TensorProto.FLOAT, ["batch", 1000])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B"),
         numpy_helper.from_array(gt, "GT"), numpy_helper.from_array(gb, "GB")])
    save_model(graph, os.path.join(d, "classifier.onnx"))

    # Two inputs of different dtypes and a shared symbolic dimension.
    nodes = [
        helper.make_node("Cast", ["ids"], ["idsf"], to=TensorProto.FLOAT),
        helper.make_node("Add", ["idsf", "x"], ["sum"]),
        helper.make_node("Mul", ["sum", "x"], ["prod"]),
    ]
    graph = helper.make_graph(
        nodes, "two",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["n", 4]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])],
        [helper.make_tensor_value_info("sum", TensorProto.FLOAT, ["n", 4]),
         helper.make_tensor_value_info("prod", TensorProto.FLOAT, ["n", 4])])
    save_model(graph, os.path.join(d, "two.onnx"))

    # NHWC float input (TensorFlow style): per-channel means.
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["image"], ["means"], axes=[1, 2], keepdims=0)], "nhwc",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 32, 48, 3])],
        [helper.make_tensor_value_info("means", TensorProto.FLOAT, [1, 3])])
    save_model(graph, os.path.join(d, "nhwc.onnx"))

    # uint8 NCHW input: the raw pixels come back as float.
    graph = helper.make_graph(
        [helper.make_node("Cast", ["pixels"], ["out"], to=TensorProto.FLOAT)], "u8",
        [helper.make_tensor_value_info("pixels", TensorProto.UINT8, [1, 3, 20, 30])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 3, 20, 30])])
    save_model(graph, os.path.join(d, "u8.onnx"))

    # Three Relus in a chain: 3 nodes, 3 deep, 4 values of 4 floats.
    nodes = [helper.make_node("Relu", [a], [b]) for a, b in (("x", "r0"), ("r0", "r1"), ("r1", "y"))]
    graph = helper.make_graph(
        nodes, "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    save_model(graph, os.path.join(d, "chain.onnx"))

    with open(os.path.join(d, "garbage.onnx"), "wb") as f:
        f.write(b"\xff\xff\xff\xff this is not a protobuf")


def make_data(d):
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:300, 0:400]
    img = np.stack([(x * 3 + y) % 256, (y * 2) % 256, (x + y * 5) % 256], -1).astype(np.uint8)
    img = np.clip(img.astype(np.int32) + rng.integers(-20, 20, img.shape), 0, 255).astype(np.uint8)
    Image.fromarray(img).save(os.path.join(d, "photo.png"))
    Image.fromarray(img).save(os.path.join(d, "photo.jpg"), quality=92)
    Image.fromarray(img[:, :, 0], "L").save(os.path.join(d, "gray.png"))
    np.save(os.path.join(d, "ids.npy"), np.arange(8, dtype=np.int64).reshape(2, 4))
    np.save(os.path.join(d, "x.npy"), np.linspace(0, 1, 8, dtype=np.float32).reshape(2, 4))
    np.save(os.path.join(d, "x14.npy"), np.linspace(-1, 1, 4, dtype=np.float32).reshape(1, 4))
    np.save(os.path.join(d, "ids32.npy"), np.arange(8, dtype=np.int32).reshape(2, 4))
    np.save(os.path.join(d, "x64.npy"), np.zeros((2, 4)))
    with open(os.path.join(d, "broken.npy"), "wb") as f:
        f.write(open(os.path.join(d, "x.npy"), "rb").read()[:-5])
    with open(os.path.join(d, "broken.png"), "wb") as f:
        f.write(open(os.path.join(d, "photo.png"), "rb").read()[:500])


def torchvision_like(path, resize=256, crop=224, mean=None, std=None):
    """Resize(resize) -> CenterCrop(crop) -> (x - mean) / std, NCHW, with
    Pillow, following torchvision's size and offset arithmetic."""
    im = Image.open(path).convert("RGB")
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = resize, int(resize * long / short)
    size = (new_short, new_long) if w <= h else (new_long, new_short)
    if size != im.size:
        im = im.resize(size, Image.BILINEAR)
    w, h = im.size
    top, left = int(round((h - crop) / 2.0)), int(round((w - crop) / 2.0))
    a = np.asarray(im.crop((left, top, left + crop, top + crop))).astype(np.float32)
    if mean is not None:
        a = (a - mean) / std
    return np.ascontiguousarray(a.transpose(2, 0, 1)[None])


def classifier_reference(model, x):
    if ort is not None:
        sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
        return sess.run(None, {"input:0": x})[0]
    m = onnx.load(model)
    p = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    c = np.zeros((1, 8, 112, 112), np.float64)
    for i in range(3):
        for j in range(3):
            patch = xp[:, :, i:i + 224:2, j:j + 224:2]
            c += np.einsum("nchw,oc->nohw", patch, p["W"][:, :, i, j])
    c += p["B"][None, :, None, None]
    f = np.maximum(c, 0).mean(axis=(2, 3))
    return (f @ p["GT"] + p["GB"]).astype(np.float32)


def run(cli, *args):
    proc = subprocess.run([cli, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_top_level(t, cli):
    rc, out, _ = run(cli, "--version")
    t.check(rc == 0 and out.startswith("mobinfer "), "--version")
    for flag in ("--help", "-h", "help"):
        rc, out, _ = run(cli, flag)
        t.check(rc == 0 and "Usage: mobinfer <command>" in out and "Exit codes" in out, flag)
    rc, _, err = run(cli)
    t.check(rc == 2 and "Usage" in err, "no arguments")
    rc, _, err = run(cli, "frobnicate")
    t.check(rc == 2 and "unknown command 'frobnicate'" in err, "unknown command")
    for cmd in ("run", "info", "bench"):
        rc, out, _ = run(cli, cmd, "--help")
        t.check(rc == 0 and f"Usage: mobinfer {cmd}" in out, f"{cmd} --help")
        rc, out, _ = run(cli, "help", cmd)
        t.check(rc == 0 and f"Usage: mobinfer {cmd}" in out, f"help {cmd}")
        rc, _, err = run(cli, cmd)
        t.check(rc == 2 and "no model given" in err, f"{cmd} without a model")
        rc, _, err = run(cli, cmd, "m.onnx", "--no-such-flag")
        t.check(rc == 2 and "unknown option '--no-such-flag'" in err, f"{cmd} bad option")


def test_info(t, cli, d):
    model = os.path.join(d, "classifier.onnx")
    rc, out, err = run(cli, "info", model)
    t.check(rc == 0, f"info: rc {rc} {err}")
    t.check("opset: 13" in out and "[batch,3,224,224]" in out and "Conv" in out, "info text")
    t.check("[1,3,224,224]" in out and "GMACs" in out and "MiB" in out, "info session text")
    rc, out, err = run(cli, "info", model, "--json", "--nodes", "--dim", "batch=2")
    t.check(rc == 0, f"info --json: rc {rc} {err}")
    try:
        j = json.loads(out)
    except ValueError:
        j = None
    t.check(j is not None, "info --json parses")
    if j is None:
        return
    t.check(j["opset"] == 13 and j["inputs"][0]["shape"] == ["batch", 3, 224, 224], "json inputs")
    t.check(j["operators"].get("Conv") == 1 and j["stored_nodes"] == 5, "json operators")
    t.check(j["parameters"]["count"] == 8 * 27 + 8 + 8000 + 1000, "json parameter count")
    s = j["session"]
    t.check(s["inputs"][0]["shape"] == [2, 3, 224, 224], "json bound shape")
    # Conv MACs: 2 * 8 * 112 * 112 * 27, MatMul: 2 * 8 * 1000.
    t.check(s["macs"] >= 2 * 8 * 112 * 112 * 27 + 16000, f"json macs {s['macs']}")
    t.check(len(s["node_list"]) == s["nodes"] and s["arena_bytes"] > 0, "json node list")
    rc, out, _ = run(cli, "info", model, "--json", "--shape", "input:0=3,3,224,224")
    t.check(rc == 0 and json.loads(out)["session"]["outputs"][0]["shape"] == [3, 1000],
            "info --shape")
    rc, out, err = run(cli, "info", model, "--shape", "input:0=1,4,224,224")
    t.check(rc == 1 and "opset: 13" in out and "mobinfer: error: MOBINFER_ERR" in err,
            "info prints the model part when planning fails")
    rc, _, err = run(cli, "info", os.path.join(d, "missing.onnx"))
    t.check(rc == 1 and err.startswith("mobinfer: error: MOBINFER_ERR_IO"), "info missing model")
    rc, _, err = run(cli, "info", os.path.join(d, "garbage.onnx"))
    t.check(rc == 1 and err.startswith("mobinfer: error: MOBINFER_ERR_"), "info garbage model")


def test_run_images(t, cli, d):
    model = os.path.join(d, "classifier.onnx")
    for name in ("photo.png", "photo.jpg"):
        out_dir = os.path.join(d, "out_" + name.replace(".", "_"), "nested")
        rc, out, err = run(cli, "run", model, "--input", os.path.join(d, name),
                           "--preset", "imagenet", "--output-dir", out_dir)
        t.check(rc == 0, f"run {name}: rc {rc} {err}")
        path = os.path.join(out_dir, "logits_out.npy")
        t.check(os.path.exists(path), f"run {name}: output file name mapping")
        t.check("top-5 of 'logits/out'" in out, f"run {name}: top-5 printed")
        if not os.path.exists(path):
            continue
        got = np.load(path)
        ref = classifier_reference(model, torchvision_like(os.path.join(d, name),
                                                           mean=IMAGENET_MEAN, std=IMAGENET_STD))
        t.check(got.shape == (1, 1000) and got.dtype == np.float32, f"{name}: output shape")
        t.check(np.abs(got - ref).max() < 1e-3, f"{name}: max error {np.abs(got - ref).max()}")
        best = int(np.argmax(ref))
        t.check(f"  {best:4d}  " in out, f"{name}: top-1 class {best} listed")

    # Explicit name, BGR order and --top.
    rc, out, err = run(cli, "run", model, "--input", "input:0=" + os.path.join(d, "photo.png"),
                       "--preset", "imagenet", "--bgr", "--top", "3", "--output-dir",
                       os.path.join(d, "out_bgr"))
    t.check(rc == 0 and "top-3" in out, f"run --bgr: {err}")
    x = torchvision_like(os.path.join(d, "photo.png"), mean=IMAGENET_MEAN, std=IMAGENET_STD)
    ref = classifier_reference(model, np.ascontiguousarray(x[:, ::-1]))
    got = np.load(os.path.join(d, "out_bgr", "logits_out.npy"))
    t.check(np.abs(got - ref).max() < 1e-3, "run --bgr numbers")

    # Grayscale image, --top 0 prints no classes.
    rc, out, _ = run(cli, "run", model, "--input", os.path.join(d, "gray.png"), "--resize", "256",
                     "--top", "0")
    t.check(rc == 0 and "top-" not in out and "logits/out: float32 [1,1000]" in out, "gray, --top 0")

    # NHWC model: layout detected from the input shape, crop from the model.
    rc, out, err = run(cli, "run", os.path.join(d, "nhwc.onnx"), "--input",
                       os.path.join(d, "photo.png"), "--resize", "40", "--mean", "1,2,3",
                       "--std", "2,2,2", "--output-dir", os.path.join(d, "out_nhwc"))
    t.check(rc == 0, f"nhwc run: {err}")
    if rc == 0:
        got = np.load(os.path.join(d, "out_nhwc", "means.npy"))
        im = Image.open(os.path.join(d, "photo.png")).convert("RGB").resize((53, 40), Image.BILINEAR)
        a = np.asarray(im).astype(np.float32)[4:36, 2:50]  # 32x48 center crop
        ref = ((a - [1, 2, 3]) / 2).mean(axis=(0, 1))
        t.check(np.abs(got[0] - ref).max() < 1e-3, f"nhwc numbers {got} {ref}")

    # uint8 model input: raw pixels of the crop, no normalisation.
    rc, out, err = run(cli, "run", os.path.join(d, "u8.onnx"), "--input",
                       os.path.join(d, "photo.png"), "--resize", "20", "--output-dir",
                       os.path.join(d, "out_u8"))
    t.check(rc == 0, f"uint8 run: {err}")
    if rc == 0:
        got = np.load(os.path.join(d, "out_u8", "out.npy"))
        ref = torchvision_like(os.path.join(d, "photo.png"), resize=20, crop=20)
        # CenterCrop(20) of 26x20 takes width 3..23; crop is HxW = 20x30 here.
        im = Image.open(os.path.join(d, "photo.png")).convert("RGB").resize((26, 20), Image.BILINEAR)
        ref = np.zeros((20, 30, 3), np.float32)
        ref[:, 2:28] = np.asarray(im)  # wider crop than the image: zero padding
        t.check(np.array_equal(got[0].transpose(1, 2, 0), ref), "uint8 pixels and padding")

    # No resize: a note on stderr, still runs.
    rc, _, err = run(cli, "run", model, "--input", os.path.join(d, "photo.png"))
    t.check(rc == 0 and "without resizing" in err, "note about cropping without resize")


def test_run_npy(t, cli, d):
    model = os.path.join(d, "two.onnx")
    ids, x = os.path.join(d, "ids.npy"), os.path.join(d, "x.npy")
    out_dir = os.path.join(d, "out_two")
    rc, out, err = run(cli, "run", model, "--input", "ids=" + ids, "--input", "x=" + x,
                       "--output-dir", out_dir)
    t.check(rc == 0, f"run npy: {err}")
    if rc == 0:
        a, b = np.load(ids).astype(np.float32), np.load(x)
        t.check(np.array_equal(np.load(os.path.join(out_dir, "sum.npy")), a + b), "sum.npy")
        t.check(np.allclose(np.load(os.path.join(out_dir, "prod.npy")), (a + b) * b), "prod.npy")
        t.check("sum: float32 [2,4] min=0 max=8 mean=4" in out, f"summary line: {out}")

    cases = [
        (["--input", "ids=" + ids], 2, "missing input 'x'"),
        (["--input", "idz=" + ids, "--input", "x=" + x], 2, "unknown input 'idz'"),
        (["--input", ids], 2, "the model has 2 inputs"),
        (["--input", "ids=" + ids, "--input", "ids=" + ids], 2, "more than once"),
        (["--input", "ids=" + os.path.join(d, "ids32.npy"), "--input", "x=" + x], 2,
         "is int64 but"),
        (["--input", "ids=" + ids, "--input", "x=" + os.path.join(d, "x64.npy")], 3, "float64"),
        (["--input", "ids=" + ids, "--input", "x=" + os.path.join(d, "broken.npy")], 3, "npy"),
        (["--input", "ids=" + ids, "--input", "x=" + os.path.join(d, "nope.npy")], 3,
         "cannot read"),
        (["--input", "ids=" + ids, "--input", "x=" + os.path.join(d, "x.txt")], 2, "extension"),
        (["--input", "ids=" + ids, "--input", "x=" + x, "--threads", "0"], 2, "--threads"),
        (["--input", "ids=" + ids, "--input", "x=" + x, "--output-dir",
          os.path.join(ids, "sub")], 3, "cannot create directory"),
    ]
    for args, want_rc, want_msg in cases:
        rc, _, err = run(cli, "run", model, *args)
        t.check(rc == want_rc and want_msg in err, f"run {args}: rc {rc}, stderr {err!r}")
    rc, _, err = run(cli, "run", os.path.join(d, "classifier.onnx"), "--input",
                     os.path.join(d, "broken.png"))
    t.check(rc == 3 and "png" in err, f"broken png: {err!r}")
    rc, _, err = run(cli, "run", os.path.join(d, "garbage.onnx"))
    t.check(rc == 1 and err.startswith("mobinfer: error: MOBINFER_ERR_"), "garbage model")


def test_bench(t, cli, d):
    rc, out, err = run(cli, "bench", os.path.join(d, "classifier.onnx"), "--runs", "3",
                       "--warmup", "1", "--json")
    t.check(rc == 0, f"bench: {err}")
    try:
        j = json.loads(out)
    except ValueError:
        j = {}
    keys = ("load_ms", "min_ms", "median_ms", "p90_ms", "mean_ms", "peak_rss_mib")
    t.check(all(k in j for k in keys) and j.get("runs") == 3, f"bench json {out!r}")
    if all(k in j for k in keys):
        t.check(j["min_ms"] <= j["median_ms"] <= j["p90_ms"] and j["peak_rss_mib"] > 0,
                "bench numbers ordered")
    rc, out, err = run(cli, "bench", os.path.join(d, "two.onnx"), "--runs", "2", "--warmup", "0",
                       "--dim", "n=3", "--input", "ids=" + os.path.join(d, "ids.npy"))
    t.check(rc == 1 and "MOBINFER_ERR" in err, "bench: --dim conflicting with an input file")
    rc, out, err = run(cli, "bench", os.path.join(d, "two.onnx"), "--runs", "2", "--warmup", "0",
                       "--shape", "x=5,4")
    t.check(rc == 0 and "latency (ms)" in out, f"bench text with --shape: {err}")
    rc, _, err = run(cli, "bench", os.path.join(d, "two.onnx"), "--runs", "0")
    t.check(rc == 2 and "--runs" in err, "bench --runs 0")


def test_limits(t, cli, d):
    chain = os.path.join(d, "chain.onnx")
    for cmd in ("run", "info", "bench"):
        rc, out, _ = run(cli, cmd, "--help")
        t.check(rc == 0 and "--limit NAME=VALUE" in out and "graph_depth" in out,
                f"{cmd} --help lists --limit")
        rc, _, err = run(cli, cmd, chain, "--limit", "frobs=1")
        t.check(rc == 2 and "unknown limit 'frobs'" in err, f"{cmd} --limit unknown name: {err!r}")
        rc, _, err = run(cli, cmd, chain, "--limit", "nodes=0")
        t.check(rc == 2 and "--limit nodes" in err, f"{cmd} --limit zero: {err!r}")

    # Load-time limits: at the boundary the model loads, one below it fails
    # with a message naming the limit.
    extra = {"run": ["--input", "x=" + os.path.join(d, "x14.npy")],
             "info": [], "bench": ["--runs", "1", "--warmup", "0"]}
    for cmd, name, at, field in (("info", "graph_depth", 3, "max_graph_depth"),
                                 ("run", "nodes", 3, "max_nodes"),
                                 ("bench", "values", 4, "max_values"),
                                 ("info", "model_bytes", os.path.getsize(chain), "max_model_bytes")):
        rc, _, err = run(cli, cmd, chain, *extra[cmd], "--limit", f"{name}={at}")
        t.check(rc == 0, f"{cmd} --limit {name}={at}: rc {rc} {err!r}")
        rc, _, err = run(cli, cmd, chain, *extra[cmd], "--limit", f"{name}={at - 1}")
        t.check(rc == 1 and "MOBINFER_ERR_LIMIT" in err and field in err,
                f"{cmd} --limit {name}={at - 1}: rc {rc} {err!r}")

    # Session limits reach the planner too: x is 4 floats (16 bytes).
    for cmd in ("run", "bench"):
        rc, _, err = run(cli, cmd, chain, *extra[cmd], "--limit", "tensor_bytes=16",
                         "--limit=tensor_elements=4")
        t.check(rc == 0, f"{cmd} at the tensor limits: {err!r}")
        rc, _, err = run(cli, cmd, chain, *extra[cmd], "--limit", "tensor_bytes=15")
        t.check(rc == 1 and "MOBINFER_ERR_LIMIT" in err and "limit of 15" in err,
                f"{cmd} past the tensor byte limit: {err!r}")
    rc, out, err = run(cli, "info", chain, "--json", "--limit", "arena_bytes=1K")
    arena = json.loads(out)["session"]["arena_bytes"] if rc == 0 else 0
    t.check(rc == 0 and 0 < arena <= 1024, f"info with a 1K arena: {err!r}")
    if arena > 0:
        rc, _, err = run(cli, "info", chain, "--limit", f"arena_bytes={arena}")
        t.check(rc == 0, f"info at the arena limit {arena}: {err!r}")
        rc, out, err = run(cli, "info", chain, "--limit", f"arena_bytes={arena - 1}")
        t.check(rc == 1 and "opset: 13" in out and "MOBINFER_ERR_LIMIT" in err and
                f"limit of {arena - 1}" in err, f"info past the arena limit: {err!r}")


def test_optimize_and_profile(t, cli, d):
    model = os.path.join(d, "classifier.onnx")
    rc, out, err = run(cli, "info", model, "--optimized", "--json")
    t.check(rc == 0, f"info --optimized: {err}")
    try:
        s = json.loads(out)["session"]
    except (ValueError, KeyError, TypeError):
        s = {}
    ops = [n["op_type"] for n in s.get("node_list", [])]
    t.check(s.get("nodes_before") == 5 and s.get("nodes_after") == len(ops) <= 5,
            f"info --optimized node counts {s.get('nodes_before')} -> {s.get('nodes_after')}")
    # The classifier's only convolution reads the RGB image: the stem kernel.
    t.check("ConvStemNhwc" in ops and "Dense" in ops and
            not any(op in ops for op in ("Relu", "MatMul", "Add", "Conv")),
            f"info --optimized: fused operators {ops}")
    rc, out, err = run(cli, "info", model, "--optimized")
    t.check(rc == 0 and "planned as written" in out and "ConvStemNhwc" in out,
            "info --optimized text")
    # The reference path and the optimized one agree.
    outs = {}
    for flag in ((), ("--no-optimize",)):
        out_dir = os.path.join(d, "out_opt" + "".join(flag))
        rc, _, err = run(cli, "run", model, "--input", os.path.join(d, "photo.png"), "--preset",
                         "imagenet", "--output-dir", out_dir, *flag)
        t.check(rc == 0, f"run {flag}: {err}")
        path = os.path.join(out_dir, "logits_out.npy")
        if os.path.exists(path):
            outs[flag] = np.load(path)
    if len(outs) == 2:
        a, b = outs.values()
        t.check(np.abs(a - b).max() <= 1e-4 * np.abs(b).max(), "optimized vs --no-optimize")
    rc, out, err = run(cli, "info", model, "--no-optimize", "--nodes")
    t.check(rc == 0 and "ConvNhwc" not in out and "nodes after planning: 5" in out,
            "info --no-optimize plans the graph as written")
    # Per-node profile: text and JSON.
    pj = os.path.join(d, "profile.json")
    rc, out, err = run(cli, "bench", model, "--runs", "3", "--warmup", "1", "--profile",
                       "--profile-json", pj)
    t.check(rc == 0 and "per-node profile" in out and "by operator" in out and
            "ConvStemNhwc" in out,
            f"bench --profile text: {err}")
    try:
        with open(pj) as f:
            prof = json.load(f)
    except (OSError, ValueError):
        prof = {}
    nodes = prof.get("nodes", [])
    t.check(len(nodes) == s.get("nodes_after") and all(n["ms"] >= 0 for n in nodes),
            "bench --profile-json lists every node")
    if nodes:
        t.check(abs(sum(n["ms"] for n in nodes) - prof["total_ms"]) < 1e-3 and
                abs(sum(n["share"] for n in nodes) - 1.0) < 1e-3, "profile shares add up")
        conv = [n for n in nodes if n["op"] == "ConvStemNhwc"]
        t.check(conv and conv[0]["macs"] == 8 * 112 * 112 * 27, "profile MACs of the convolution")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mobinfer", required=True)
    args = ap.parse_args()
    cli = os.path.abspath(args.mobinfer)
    t = Checker()
    with tempfile.TemporaryDirectory(prefix="mobinfer-cli-") as d:
        make_models(d)
        make_data(d)
        test_top_level(t, cli)
        test_info(t, cli, d)
        test_run_images(t, cli, d)
        test_run_npy(t, cli, d)
        test_bench(t, cli, d)
        test_limits(t, cli, d)
        test_optimize_and_profile(t, cli, d)
    print(f"{t.passed} passed, {t.failed} failed")
    return 0 if t.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
