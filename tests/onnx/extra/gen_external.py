"""Models whose weights live in an external data file beside model.onnx
(ONNX's format for models over 2 GB), read by mobinfer through a mapping."""
import numpy as np
from onnx import helper

from casegen import rng, write_case


def generate(outdir):
    r = rng(900)
    x = r.standard_normal((1, 3, 9, 7)).astype(np.float32)
    w = (np.round(r.standard_normal((5, 3, 3, 3)) * 4) / 4).astype(np.float32)
    b = (np.round(r.standard_normal((5,)) * 4) / 4).astype(np.float32)
    shape = np.array([1, -1], dtype=np.int64)
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Reshape", ["r", "shape"], ["y"]),
    ]
    xq = (np.round(x * 4) / 4).astype(np.float32)
    write_case(outdir, "test_external_data_conv", nodes, {"x": xq}, ["y"], opset=13,
               initializers={"w": w, "b": b, "shape": shape}, external_data=True)
