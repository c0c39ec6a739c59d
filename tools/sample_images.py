#!/usr/bin/env python3
"""Save a few scikit-image sample photos as PNG and print EfficientNet-Lite0's top-1 for each.

Usage (with the project venv, see tools/setup_python_env.sh):

    .venv/bin/python tools/sample_images.py OUTDIR [--model efficientnet_lite0.onnx] [--tensors] [--no-predict]

Writes OUTDIR/<name>.png (the full original photo, 8-bit RGB) for each sample.
Predictions come from onnxruntime running EfficientNet-Lite0 (real ImageNet
weights): --model points at an export made by tools/export_efficientnet_lite0.py
(its OUT.onnx.json preprocessing is used); without --model the model is exported
to OUTDIR/efficientnet_lite0.onnx first, unless it is already there.
--tensors also writes OUTDIR/<name>.input.npy, the preprocessed 1x3x224x224
float32 tensor, for tests that want to skip image decoding and resizing.
--no-predict only saves the PNGs (no model, no onnxruntime; fast).
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_efficientnet_lite0 as effl  # noqa: E402

# name -> (skimage.data function, what the photo shows)
SAMPLES = {
    "chelsea": ("chelsea", "Chelsea the cat"),
    "coffee": ("coffee", "a cup of coffee"),
    "astronaut": ("astronaut", "astronaut Eileen Collins (portrait)"),
    "rocket": ("rocket", "a rocket on the launch pad"),
    "motorcycle": ("stereo_motorcycle", "a motorcycle (left stereo view)"),
    "camera": ("camera", "cameraman with a camera on a tripod (grayscale)"),
}


def load_sample(func):
    import skimage.data
    img = getattr(skimage.data, func)()
    if isinstance(img, tuple):  # stereo_motorcycle -> (left, right, disparity)
        img = img[0]
    img = np.asarray(img)
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return np.ascontiguousarray(img[..., :3]).astype(np.uint8)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--model", help="EfficientNet-Lite0 .onnx (default: OUTDIR/efficientnet_lite0.onnx, exported if missing)")
    ap.add_argument("--tensors", action="store_true", help="also write the preprocessed input tensors (.input.npy)")
    ap.add_argument("--no-predict", action="store_true", help="only save the PNGs")
    args = ap.parse_args(argv)

    from PIL import Image

    os.makedirs(args.outdir, exist_ok=True)
    if args.no_predict:
        for name, (func, desc) in SAMPLES.items():
            try:
                img = load_sample(func)
            except Exception as e:
                print(f"{name:11s} skipped ({type(e).__name__}: {e})")
                continue
            path = os.path.join(args.outdir, name + ".png")
            Image.fromarray(img).save(path)
            print(f"{name:11s} {img.shape[1]}x{img.shape[0]}  {path}  -- {desc}")
        return 0

    import onnxruntime as ort
    model = args.model or os.path.join(args.outdir, "efficientnet_lite0.onnx")
    if not (os.path.isfile(model) and os.path.isfile(model + ".json")):
        if args.model:
            sys.exit(f"sample_images: {model} or {model}.json not found")
        effl.export(model, quiet=True)
    with open(model + ".json") as f:
        pp = json.load(f)
    labels_path = os.path.join(os.path.dirname(model), pp.get("labels_file", ""))
    if pp.get("labels_file") and os.path.isfile(labels_path):
        with open(labels_path) as f:
            labels = [ln.rstrip("\n") for ln in f]
    else:
        labels = effl.imagenet_labels()
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])

    print(f"EfficientNet-Lite0 ({model}), preprocessing: resize {pp['resize']}, crop {pp['crop']}, "
          f"mean {pp['mean']}, std {pp['std']}, {pp['channel_order']}")
    for name, (func, desc) in SAMPLES.items():
        try:
            img = load_sample(func)
        except Exception as e:  # e.g. a sample that would need a download
            print(f"{name:11s} skipped ({type(e).__name__}: {e})")
            continue
        path = os.path.join(args.outdir, name + ".png")
        Image.fromarray(img).save(path)
        if args.tensors:
            np.save(os.path.join(args.outdir, name + ".input.npy"), effl.preprocess(img, pp))
        top = effl.classify(sess, img, labels, pp, k=3)
        rest = ", ".join(f"{n} {p:.3f}" for n, p, _ in top[1:])
        print(f"{name:11s} {img.shape[1]}x{img.shape[0]}  top-1: {top[0][0]} ({top[0][1]:.3f})  "
              f"[then {rest}]  -- {desc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
