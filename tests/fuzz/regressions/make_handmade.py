#!/usr/bin/env python3
"""Writes the hand-made reproducers of tests/fuzz/regressions/ (README.md
there says which bug each one shows). The fuzzer's own minimized crash files
sit beside them as crash-<sha1>; these are the same bugs written as the
smallest readable file. Needs onnx and numpy (.venv/bin/python).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def write(harness, name, data):
    d = os.path.join(HERE, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def model(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    return m


def empty_string_attr(name):
    return onnx.AttributeProto(name=name, type=onnx.AttributeProto.STRING)


def attr_string_without_value():
    # A STRING attribute (type 3) with no `s` field: protobuf's default is ""
    # but mobinfer keeps a NULL pointer (src/onnx/import.c read_attribute),
    # mbi_attr_string returns it, and every caller strcmp()s it. One model
    # per call site: each operator file that reads a string attribute.
    F = TensorProto.FLOAT
    vi = helper.make_tensor_value_info
    arr = numpy_helper.from_array
    cases = {
        # src/ops/resize.c resize_prepare: "mode"
        "resize_mode": ("Resize", ["x", "", "scales"], "mode", [1, 1, 2, 2], 13,
                        [arr(np.array([1, 1, 2, 2], np.float32), "scales")]),
        # src/ops/resize.c: "coordinate_transformation_mode"
        "resize_ctm": ("Resize", ["x", "", "scales"], "coordinate_transformation_mode",
                       [1, 1, 2, 2], 13, [arr(np.array([1, 1, 2, 2], np.float32), "scales")]),
        # src/ops/nn_spatial.c mbi_spatial_parse: "auto_pad" (Conv, pools)
        "maxpool_auto_pad": ("MaxPool", ["x"], "auto_pad", [1, 1, 4, 4], 13, []),
        # src/ops/pad.c pad_prepare: "mode"
        "pad_mode": ("Pad", ["x", "pads"], "mode", [1, 1, 2, 2], 13,
                     [arr(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")]),
        # src/ops/transpose.c depth_to_space_prepare: "mode"
        "depth_to_space_mode": ("DepthToSpace", ["x"], "mode", [1, 4, 2, 2], 13, []),
        # src/ops/unary.c (Gelu): "approximate"
        "gelu_approximate": ("Gelu", ["x"], "approximate", [1, 4], 20, []),
        # src/ops/gather.c (ScatterND): "reduction"
        "scatternd_reduction": ("ScatterND", ["x", "idx", "upd"], "reduction", [4], 16,
                                [arr(np.array([[1]], np.int64), "idx"),
                                 arr(np.array([5], np.float32), "upd")]),
    }
    for name, (op, inputs, attr, shape, opset, inits) in cases.items():
        n = helper.make_node(op, inputs, ["y"])
        if op == "MaxPool":
            n.attribute.append(helper.make_attribute("kernel_shape", [2, 2]))
        if op == "DepthToSpace":
            n.attribute.append(helper.make_attribute("blocksize", 2))
        n.attribute.append(empty_string_attr(attr))
        m = model([n], [vi("x", F, shape)], [vi("y", F, None)], inits, opset=opset)
        write("fuzz_run", "attr_string_without_value_%s.onnx" % name, m.SerializeToString())


def bool_raw_data_not_0_1():
    # raw_data of a bool tensor holding bytes other than 0 and 1: mobinfer
    # hands them on unchanged, though mobinfer.h promises bool elements are
    # 0 or 1 (ONNX and NumPy read any nonzero byte as True).
    t = TensorProto(name="b", data_type=TensorProto.BOOL, dims=[3], raw_data=bytes([1, 0x30, 2]))
    write("fuzz_tensor", "bool_raw_data_not_0_1.pb", t.SerializeToString())
    n = helper.make_node("Identity", ["b"], ["y"])
    m = model([n], [], [helper.make_tensor_value_info("y", TensorProto.BOOL, [3])], [t])
    write("fuzz_run", "bool_initializer_not_0_1.onnx", m.SerializeToString())


def tile_empty_input_huge_repeats():
    # x has a zero dimension, so Tile's output [2*2^40, 3*2^40, 0] is empty
    # and passes the limits, but mbi_tensor_numel multiplies the dims without
    # a check and overflows int64 (undefined behaviour) before reaching 0.
    n = helper.make_node("Tile", ["x", "r"], ["y"])
    m = model([n], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 0])],
              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
              [numpy_helper.from_array(np.array([1 << 40, 1 << 40, 1], np.int64), "r")])
    write("fuzz_run", "tile_empty_input_huge_repeats.onnx", m.SerializeToString())


def pool_huge_kernel():
    # Pool kernels may be up to INT32_MAX per axis. With auto_pad SAME (or
    # large pads and strides) the output stays tiny and passes every limit,
    # but the reference kernels (src/ops/ref/pool_ref.c) visit every tap of
    # the window and skip the ones outside the input: 16 outputs x 2^60 taps
    # here, a hang of a 100-byte model. The fuzzer found kernel [2, 117547010]
    # on a 32x53 input (>2 minutes in the Release CLI).
    F = TensorProto.FLOAT
    vi = helper.make_tensor_value_info
    big = 1 << 30
    n = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[big, big], auto_pad="SAME_UPPER")
    m = model([n], [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)])
    write("fuzz_run", "maxpool_huge_kernel_same_pad.onnx", m.SerializeToString())
    n = helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[big, big],
                         pads=[big, big, big, big], strides=[2 * big - 1, 2 * big - 1])
    m = model([n], [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)])
    write("fuzz_run", "averagepool_huge_kernel_pads.onnx", m.SerializeToString())


if __name__ == "__main__":
    pool_huge_kernel()
    attr_string_without_value()
    tile_empty_input_huge_repeats()
    bool_raw_data_not_0_1()
