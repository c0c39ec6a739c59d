#!/usr/bin/env python3
"""Export the model-level test set: ONNX models + fixed inputs + ONNX Runtime outputs.

Usage (with the project venv, see tools/setup_python_env.sh):

    .venv/bin/python tools/export_models.py OUTDIR [--only NAME,...] [--force] [--list]

For every model NAME this writes

    OUTDIR/NAME/model.onnx
    OUTDIR/NAME/inputs/<input_name>.npy     fixed, seeded input (float32, NCHW, batch 1)
    OUTDIR/NAME/expected/<output_name>.npy  ONNX Runtime (CPU EP, default options) on that input
    OUTDIR/NAME/meta.json                   source, params, opset, input/output names/files/shapes

File names are the tensor names with every character outside [A-Za-z0-9._-]
replaced by '_' (meta.json keeps the real names). A model whose files already
exist is skipped unless --force is given.

Models:
  * torchvision (0.14) mobilenet_v2, mobilenet_v3_small, mobilenet_v3_large,
    mnasnet1_0, efficientnet_b0, shufflenet_v2_x1_0, squeezenet1_1, resnet18 and
    timm deit_tiny_patch16_224 ("deit_tiny"): seeded random weights plus
    randomized BatchNorm / LayerNorm parameters and statistics, exported with
    torch.onnx.export at opset 13, static 1x3x224x224.
    BatchNorm statistics: the running stats are first calibrated on a seeded
    random batch (train-mode forward), then perturbed (mean += N(0, 0.1^2)*std,
    var *= U(0.5, 1.5)); affine weight ~ U(0.5, 1.5), bias ~ N(0, 0.1^2).
    Without the calibration step the activations of a randomly initialised deep
    net collapse and the logits barely depend on the input (relative input
    sensitivity ~1e-7), which would make the comparison meaningless.
    Note: torch.onnx.export in eval mode folds BatchNorm into the preceding
    Conv itself, so those graphs hold Conv(+bias) rather than BatchNormalization
    nodes; pass --keep-bn to export with TrainingMode.PRESERVE instead, which
    keeps the BatchNormalization nodes (in inference form).
  * ocr_det, ocr_cls, ocr_rec: the real PaddleOCR mobile models shipped in the
    rapidocr_onnxruntime package, unchanged, fed with a rendered text image
    normalised like PaddleOCR does ((p/255 - 0.5) / 0.5), plus seeded noise
    (strong for ocr_cls, whose softmax otherwise saturates).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import zlib

import numpy as np

OPSET = 13
SEED = 20240601

TORCHVISION_MODELS = [
    "mobilenet_v2",
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "mnasnet1_0",
    "efficientnet_b0",
    "shufflenet_v2_x1_0",
    "squeezenet1_1",
    "resnet18",
]
TIMM_MODELS = {"deit_tiny": "deit_tiny_patch16_224"}
# name -> (file in rapidocr_onnxruntime/models, input shape NCHW)
OCR_MODELS = {
    "ocr_det": ("ch_PP-OCRv4_det_infer.onnx", (1, 3, 320, 320)),
    "ocr_cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", (1, 3, 48, 192)),
    "ocr_rec": ("ch_PP-OCRv4_rec_infer.onnx", (1, 3, 48, 320)),
}
ALL_MODELS = TORCHVISION_MODELS + list(TIMM_MODELS) + list(OCR_MODELS)


def sanitize(name):
    """Tensor name -> file stem (same mapping as the mobinfer CLI's --output-dir)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def model_seed(name):
    return (SEED + zlib.crc32(name.encode())) % (2**31)


# ---------------------------------------------------------------------------
# torch models
# ---------------------------------------------------------------------------

def randomize_norms(model, gen, calib_shape):
    """Random affine params for BatchNorm/LayerNorm, calibrated+perturbed BN stats."""
    import torch
    from torch.nn.modules.batchnorm import _BatchNorm

    bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    lns = [m for m in model.modules() if isinstance(m, (torch.nn.LayerNorm, torch.nn.GroupNorm))]
    with torch.no_grad():
        for m in bns + lns:
            if getattr(m, "weight", None) is not None:
                n = m.weight.numel()
                m.weight.copy_((torch.rand(n, generator=gen) + 0.5).view_as(m.weight))
                m.bias.copy_((torch.randn(n, generator=gen) * 0.1).view_as(m.bias))
        if bns:
            saved = [m.momentum for m in bns]
            for m in bns:
                m.reset_running_stats()
                m.momentum = None  # cumulative average over the calibration pass
            model.train()
            model(torch.randn(*calib_shape, generator=gen))
            for m, mo in zip(bns, saved):
                m.momentum = mo
            for m in bns:
                n = m.num_features
                std = m.running_var.sqrt()
                m.running_mean.add_(torch.randn(n, generator=gen) * 0.1 * std)
                m.running_var.mul_(torch.rand(n, generator=gen) + 0.5)
    model.eval()
    return len(bns), len(lns)


def build_torch_model(name, seed):
    import torch
    torch.manual_seed(seed)
    if name in TORCHVISION_MODELS:
        import torchvision
        model = getattr(torchvision.models, name)(weights=None)
        src = f"torchvision {torchvision.__version__} models.{name}(weights=None)"
    else:
        import timm
        arch = TIMM_MODELS[name]
        model = timm.create_model(arch, pretrained=False)
        src = f"timm {timm.__version__} create_model('{arch}', pretrained=False)"
    return model, src


def export_torch(name, workdir, keep_bn):
    import torch
    import onnx

    seed = model_seed(name)
    model, src = build_torch_model(name, seed)
    gen = torch.Generator().manual_seed(seed)
    n_bn, n_ln = randomize_norms(model, gen, (8, 3, 224, 224))
    model.eval()
    nparams = sum(p.numel() for p in model.parameters())

    x = np.random.default_rng(seed).standard_normal((1, 3, 224, 224)).astype(np.float32)
    path = os.path.join(workdir, "model.onnx")
    kwargs = {}
    if keep_bn:
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    with torch.no_grad():
        torch.onnx.export(model, torch.from_numpy(x), path, opset_version=OPSET,
                          input_names=["input"], output_names=["logits"], **kwargs)
        ref = model(torch.from_numpy(x)).numpy()
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    extra = {
        "seed": seed,
        "weights": "random (torch.manual_seed), BatchNorm/LayerNorm randomized",
        "batchnorm_modules": n_bn,
        "layernorm_modules": n_ln,
        "batchnorm_nodes_kept": bool(keep_bn),
        "torch_version": torch.__version__,
    }
    return src, nparams, {"input": x}, ref, extra


# ---------------------------------------------------------------------------
# OCR models (real weights, shipped by rapidocr_onnxruntime)
# ---------------------------------------------------------------------------

def rapidocr_models_dir():
    import rapidocr_onnxruntime
    return os.path.join(os.path.dirname(rapidocr_onnxruntime.__file__), "models")


# Std of the seeded noise added to the normalised OCR inputs. ocr_cls gets a lot:
# on a clean line its softmax saturates at [1.0, 0.0], which would hide any error
# upstream; with 0.6 it answers about [0.78, 0.22].
OCR_NOISE = {"ocr_det": 0.05, "ocr_cls": 0.6, "ocr_rec": 0.05}
OCR_LINES = ["mobinfer 0.1", "Hello, OCR 2024!", "C11 inference", "ONNX Runtime ok"]


def render_text_image(h, w, rng, lines):
    """Dark text on a light background (uint8 HxWx3 RGB), fully deterministic."""
    from PIL import Image, ImageDraw, ImageFont
    bg = tuple(int(v) for v in rng.integers(200, 256, size=3))
    img = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(img)
    if h <= 64:  # single text line, as a cropped line for cls/rec
        size = int(h * 0.6)
        font = ImageFont.load_default(size=size)
        fg = tuple(int(v) for v in rng.integers(0, 60, size=3))
        draw.text((int(0.04 * w), (h - size) // 2 - 2), lines[0], fill=fg, font=font)
    else:  # page with a few lines, for det
        size = max(12, h // 12)
        font = ImageFont.load_default(size=size)
        y = size
        for line in lines:
            fg = tuple(int(v) for v in rng.integers(0, 60, size=3))
            draw.text((size // 2 + int(rng.integers(0, size)), y), line, fill=fg, font=font)
            y += int(size * 2.2)
            if y > h - size:
                break
    return np.asarray(img)


def ocr_input(name, shape, seed):
    rng = np.random.default_rng(seed)
    _, c, h, w = shape
    lines = OCR_LINES if name == "ocr_det" else [OCR_LINES[1]]
    img = render_text_image(h, w, rng, lines).astype(np.float32)
    x = (img / 255.0 - 0.5) / 0.5  # PaddleOCR normalisation, mean=std=0.5
    x = x + rng.standard_normal(x.shape).astype(np.float32) * OCR_NOISE[name]
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]).astype(np.float32)


def onnx_param_count(m):
    from onnx import numpy_helper
    n = 0
    for t in m.graph.initializer:
        n += int(np.prod(t.dims)) if len(t.dims) else 1
    for node in m.graph.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value" and a.t.data_type == 1:  # float tensors only
                    n += int(np.prod(a.t.dims)) if len(a.t.dims) else 1
    return n


def export_ocr(name, workdir):
    import onnx
    fname, shape = OCR_MODELS[name]
    src_path = os.path.join(rapidocr_models_dir(), fname)
    dst = os.path.join(workdir, "model.onnx")
    shutil.copyfile(src_path, dst)
    m = onnx.load(dst)
    onnx.checker.check_model(m)
    inp = m.graph.input[0]
    declared = [d.dim_param or (d.dim_value if d.HasField("dim_value") else "?")
                for d in inp.type.tensor_type.shape.dim]
    for d, s in zip(declared, shape):
        if isinstance(d, int) and d > 0 and d != s:
            raise RuntimeError(f"{name}: declared dim {declared} does not match {shape}")
    seed = model_seed(name)
    x = ocr_input(name, shape, seed)
    with open(src_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    try:
        from importlib.metadata import version
        ver = version("rapidocr-onnxruntime")
    except Exception:
        ver = "?"
    src = f"rapidocr_onnxruntime {ver} models/{fname}"
    extra = {
        "seed": seed,
        "weights": "real PaddleOCR weights (model file copied unchanged)",
        "original_file": fname,
        "original_sha256": sha,
        "declared_input_shape": declared,
        "input_kind": f"rendered text image, (p/255-0.5)/0.5, + N(0, {OCR_NOISE[name]}^2) noise",
    }
    return src, onnx_param_count(m), {inp.name: x}, None, extra


def ocr_sanity(name, outputs, model_path):
    """Human-readable check that the real OCR models see the rendered text."""
    try:
        if name == "ocr_rec":
            import onnx
            m = onnx.load(model_path, load_external_data=False)
            chars = dict((p.key, p.value) for p in m.metadata_props).get("character")
            if chars is None:
                return ""
            table = ["<blank>"] + chars.splitlines() + [" "]
            ids = outputs[0].argmax(-1)[0]
            text, prev = [], -1
            for i in ids:
                if i != prev and i != 0 and i < len(table):
                    text.append(table[i])
                prev = i
            return f"recognised {''.join(text)!r}"
        if name == "ocr_cls":
            return f"cls probs [0deg, 180deg] = {np.round(outputs[0][0], 4).tolist()}"
        if name == "ocr_det":
            return f"text-probability map: {(outputs[0] > 0.3).mean() * 100:.1f}% of pixels > 0.3"
    except Exception as e:  # sanity output only, never fatal
        return f"(sanity check failed: {e})"
    return ""


# ---------------------------------------------------------------------------

def is_cached(mdir, keep_bn=False):
    meta_path = os.path.join(mdir, "meta.json")
    if not (os.path.isfile(meta_path) and os.path.isfile(os.path.join(mdir, "model.onnx"))):
        return False
    try:
        with open(meta_path) as f:
            meta = json.load(f)
        files = [i["file"] for i in meta["inputs"]] + [o["file"] for o in meta["outputs"]]
    except (ValueError, KeyError, TypeError):
        return False
    if meta.get("batchnorm_nodes_kept", keep_bn) != keep_bn:
        return False  # exported in the other --keep-bn mode
    return all(os.path.isfile(os.path.join(mdir, p)) for p in files)


def export_one(name, outdir, keep_bn=False):
    import onnx
    import onnxruntime as ort

    t0 = time.time()
    mdir = os.path.join(outdir, name)
    work = tempfile.mkdtemp(prefix=f".{name}.", dir=outdir)
    try:
        if name in OCR_MODELS:
            src, nparams, feeds, torch_ref, extra = export_ocr(name, work)
        else:
            src, nparams, feeds, torch_ref, extra = export_torch(name, work, keep_bn)
        model_path = os.path.join(work, "model.onnx")
        m = onnx.load(model_path)
        opset = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), None)

        sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
        sess_inputs = [i.name for i in sess.get_inputs()]
        if sorted(sess_inputs) != sorted(feeds):
            raise RuntimeError(f"{name}: model inputs {sess_inputs} != generated {list(feeds)}")
        out_names = [o.name for o in sess.get_outputs()]
        outs = sess.run(out_names, feeds)

        if torch_ref is not None:  # exporter sanity: ORT must agree with torch
            err = float(np.max(np.abs(outs[0] - torch_ref)))
            scale = float(np.max(np.abs(torch_ref))) or 1.0
            extra["torch_vs_ort_rel_err"] = err / scale
            if err > 1e-3 * scale:
                raise RuntimeError(f"{name}: ORT disagrees with torch (rel err {err / scale:.3g})")

        os.makedirs(os.path.join(work, "inputs"))
        os.makedirs(os.path.join(work, "expected"))
        inputs_meta, outputs_meta = [], []
        for iname in sess_inputs:
            arr = feeds[iname]
            rel = f"inputs/{sanitize(iname)}.npy"
            np.save(os.path.join(work, rel), arr)
            inputs_meta.append({"name": iname, "file": rel, "shape": list(arr.shape), "dtype": str(arr.dtype)})
        for oname, arr in zip(out_names, outs):
            rel = f"expected/{sanitize(oname)}.npy"
            np.save(os.path.join(work, rel), arr)
            outputs_meta.append({"name": oname, "file": rel, "shape": list(arr.shape), "dtype": str(arr.dtype),
                                 "max_abs": float(np.max(np.abs(arr)))})
        meta = {
            "name": name,
            "source": src,
            "params": int(nparams),
            "opset": opset,
            "ir_version": m.ir_version,
            "nodes": len(m.graph.node),
            "op_types": sorted(set(n.op_type for n in m.graph.node)),
            "inputs": inputs_meta,
            "outputs": outputs_meta,
            "expected_by": f"onnxruntime {ort.__version__} CPUExecutionProvider, default session options",
            "onnx_version": onnx.__version__,
            "numpy_version": np.__version__,
        }
        meta.update(extra)
        with open(os.path.join(work, "meta.json"), "w") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
        if os.path.exists(mdir):
            shutil.rmtree(mdir)
        os.rename(work, mdir)
        work = None
        note = ocr_sanity(name, outs, os.path.join(mdir, "model.onnx")) if name in OCR_MODELS else \
            f"torch-vs-ort rel err {extra['torch_vs_ort_rel_err']:.2g}"
        shapes = ", ".join(f"{o['name']}{tuple(o['shape'])}" for o in outputs_meta)
        print(f"exported {name}: opset {opset}, {nparams:,} params, {len(m.graph.node)} nodes, "
              f"out {shapes}, {time.time() - t0:.1f}s; {note}", flush=True)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--only", help="comma-separated model names (default: all)")
    ap.add_argument("--force", action="store_true", help="re-export even if cached")
    ap.add_argument("--keep-bn", action="store_true",
                    help="keep BatchNormalization nodes in torch exports (TrainingMode.PRESERVE)")
    ap.add_argument("--list", action="store_true", help="list model names and exit")
    args = ap.parse_args(argv)

    if args.list:
        print("\n".join(ALL_MODELS))
        return 0
    names = ALL_MODELS
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in ALL_MODELS]
        if unknown:
            ap.error(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(ALL_MODELS)}")
    os.makedirs(args.outdir, exist_ok=True)

    import warnings
    warnings.filterwarnings("ignore")  # tracer warnings from torch.onnx.export
    failed = []
    for name in names:
        mdir = os.path.join(args.outdir, name)
        if not args.force and is_cached(mdir, args.keep_bn):
            print(f"cached   {name}", flush=True)
            continue
        try:
            export_one(name, args.outdir, keep_bn=args.keep_bn)
        except Exception as e:  # keep going, report at the end
            import traceback
            traceback.print_exc()
            print(f"FAILED   {name}: {e}", flush=True)
            failed.append(name)
    if failed:
        print(f"export failed for: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
