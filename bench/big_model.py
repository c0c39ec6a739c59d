"""Builds a model larger than 1 GB (a chain of 4096x4096 MatMuls) whose
weights live in an external data file. bench/big_model.sh measures it.

Usage: .venv/bin/python bench/big_model.py OUTDIR [GIB]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(outdir, gib):
    path = os.path.join(outdir, "big.onnx")
    if os.path.exists(path):
        return path
    os.makedirs(outdir, exist_ok=True)
    n = 4096  # each weight: 4096 x 4096 float32 = 64 MiB
    layers = int(gib * 1024 / 64 + 0.999)
    rng = np.random.default_rng(0)
    inits, nodes = [], []
    prev = "x"
    for i in range(layers):
        w = (rng.standard_normal((n, n), dtype=np.float32) * (1.0 / np.sqrt(n))).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        out = "y" if i == layers - 1 else f"h{i}"
        nodes.append(helper.make_node("MatMul", [prev, f"w{i}"], [out]))
        prev = out
    graph = helper.make_graph(nodes, "big",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
              location="big.weights", size_threshold=1024)
    return path


def main():
    outdir = sys.argv[1]
    gib = float(sys.argv[2]) if len(sys.argv) > 2 else 1.1
    print(build(outdir, gib))


if __name__ == "__main__":
    main()
