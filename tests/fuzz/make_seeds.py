#!/usr/bin/env python3
"""Writes the small checked-in seed files of tests/fuzz/seeds/.

The seeds are committed (each well under 4 KB), so this script is only
needed to change them: .venv/bin/python tests/fuzz/make_seeds.py
It needs numpy, Pillow and onnx (the project's .venv has all three).

seeds/onnx/    tiny ONNX models covering many operators (fuzz_load, fuzz_run)
seeds/tensor/  serialized TensorProtos of every supported dtype (fuzz_tensor)
seeds/npy/     .npy files of every supported dtype and a few shapes (fuzz_npy)
seeds/image/   tiny PNGs (gray, palette, RGBA, 16-bit, interlaced) and JPEGs
               (baseline, progressive, grayscale, CMYK) (fuzz_image)
"""
import io
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "seeds")
RNG = np.random.default_rng(1234)
F = TensorProto.FLOAT
I64 = TensorProto.INT64


def write(sub, name, data):
    d = os.path.join(SEEDS, sub)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(data)
    if len(data) >= 4096:
        sys.exit(f"{path}: {len(data)} bytes; seeds must stay below 4 KB")


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def model(name, nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="mobinfer-fuzz-seeds")
    m.ir_version = 8
    # Outputs declared without a shape get the one ONNX's inference finds.
    inferred = onnx.shape_inference.infer_shapes(m)
    known = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    for o in m.graph.output:
        if not o.type.tensor_type.HasField("shape") and o.name in known:
            o.type.CopyFrom(known[o.name].type)
    onnx.checker.check_model(m, full_check=True)
    write("onnx", name + ".onnx", m.SerializeToString())


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def w(*shape):
    return RNG.standard_normal(shape).astype(np.float32) * 0.5


def models():
    N = helper.make_node
    # A small CNN: conv (grouped, padded, strided), BN, clip, pooling, gemm.
    model("cnn", [
        N("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          strides=[2, 2]),
        N("BatchNormalization", ["c1", "s", "bb", "m", "v"], ["bn"]),
        N("Clip", ["bn", "lo", "hi"], ["r1"]),
        N("Conv", ["r1", "w2"], ["c2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=4),
        N("HardSwish", ["c2"], ["h"]),
        N("MaxPool", ["h"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        N("GlobalAveragePool", ["p"], ["g"]),
        N("Flatten", ["g"], ["f"]),
        N("Gemm", ["f", "wf", "bf"], ["z"], transB=1),
        N("Softmax", ["z"], ["y"], axis=-1),
    ], [vi("x", F, ["N", 3, 8, 8])], [vi("y", F, ["N", 5])], [
        init("w1", w(4, 3, 3, 3)), init("b1", w(4)), init("s", w(4)), init("bb", w(4)),
        init("m", w(4)), init("v", np.abs(w(4)) + 0.1), init("lo", np.float32(0)),
        init("hi", np.float32(6)), init("w2", w(4, 1, 3, 3)), init("wf", w(5, 4)),
        init("bf", w(5))])
    # The Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain exporters emit.
    model("shape_chain", [
        N("Shape", ["x"], ["s"]),
        N("Gather", ["s", "i0"], ["d0"], axis=0),
        N("Unsqueeze", ["d0", "ax"], ["u"]),
        N("Concat", ["u", "minus1"], ["shp"], axis=0),
        N("Reshape", ["x", "shp"], ["r"]),
        N("Transpose", ["r"], ["t"], perm=[1, 0]),
        N("ReduceMean", ["t"], ["y"], axes=[0], keepdims=0),
    ], [vi("x", F, ["batch", 2, 3])], [vi("y", F, ["batch"])], [
        init("i0", np.array(0, np.int64)), init("ax", np.array([0], np.int64)),
        init("minus1", np.array([-1], np.int64))], opset=13)
    # A transformer block: attention with MatMul/Softmax, LayerNorm, GELU.
    model("attention", [
        N("MatMul", ["x", "wq"], ["q"]),
        N("MatMul", ["x", "wk"], ["k"]),
        N("MatMul", ["x", "wv"], ["v"]),
        N("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
        N("MatMul", ["q", "kt"], ["a"]),
        N("Div", ["a", "scale"], ["as"]),
        N("Softmax", ["as"], ["p"], axis=-1),
        N("MatMul", ["p", "v"], ["o"]),
        N("Add", ["o", "x"], ["res"]),
        N("LayerNormalization", ["res", "g", "b"], ["ln"], axis=-1, epsilon=1e-5),
        N("Mul", ["ln", "half"], ["h1"]),
        N("Div", ["ln", "sqrt2"], ["h2"]),
        N("Erf", ["h2"], ["h3"]),
        N("Add", ["h3", "one"], ["h4"]),
        N("Mul", ["h1", "h4"], ["y"]),
    ], [vi("x", F, [1, 4, 8])], [vi("y", F, [1, 4, 8])], [
        init("wq", w(8, 8)), init("wk", w(8, 8)), init("wv", w(8, 8)),
        init("scale", np.float32(2.83)), init("g", w(8)), init("b", w(8)),
        init("half", np.float32(0.5)), init("sqrt2", np.float32(1.4142135)),
        init("one", np.float32(1))])
    # Spatial rearrangement: Resize, Pad, Slice, Concat, Split, DepthToSpace.
    model("spatial", [
        N("Resize", ["x", "", "scales"], ["r"], mode="linear"),
        N("Pad", ["r", "pads"], ["p"], mode="reflect"),
        N("Slice", ["p", "st", "en", "axs", "stp"], ["s"]),
        N("Split", ["s", "split"], ["s0", "s1"], axis=1),
        N("Concat", ["s1", "s0"], ["c"], axis=1),
        N("SpaceToDepth", ["c"], ["sd"], blocksize=2),
        N("DepthToSpace", ["sd"], ["ds"], blocksize=2, mode="CRD"),
        N("AveragePool", ["ds"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          count_include_pad=0),
    ], [vi("x", F, [1, 4, 3, 3])], [vi("y", F, None)], [
        init("scales", np.array([1, 1, 2, 2], np.float32)),
        init("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)),
        init("st", np.array([0, 1], np.int64)), init("en", np.array([4, 7], np.int64)),
        init("axs", np.array([1, 2], np.int64)), init("stp", np.array([1, 1], np.int64)),
        init("split", np.array([1, 3], np.int64))])
    # Integer and boolean ops: comparisons, Where, Gather, TopK, CumSum, Range.
    model("integer", [
        N("Cast", ["x"], ["xi"], to=I64),
        N("Equal", ["xi", "zero"], ["eq"]),
        N("Not", ["eq"], ["ne"]),
        N("Where", ["ne", "xi", "idx"], ["wh"]),
        N("Mod", ["wh", "three"], ["md"]),
        N("Gather", ["table", "md"], ["gt"], axis=0),
        N("ReduceSum", ["gt", "ax1"], ["rs"], keepdims=1),
        N("CumSum", ["xi", "ax1"], ["cs"]),
        N("TopK", ["cs", "k"], ["tv", "ti"], axis=1),
        N("ArgMax", ["gt"], ["am"], axis=1, keepdims=0),
        N("Range", ["zero_s", "five", "one_s"], ["rg"]),
        N("OneHot", ["am", "depth", "onval"], ["oh"]),
        N("Trilu", ["oh"], ["tri"], upper=1),
        N("Expand", ["rs", "eshape"], ["ex"]),
        N("Tile", ["ti", "reps"], ["tl"]),
        N("NonZero", ["idx"], ["nz"]),
    ], [vi("x", F, [2, 3])], [
        vi("ex", F, None), vi("tv", I64, None), vi("tl", I64, None), vi("rg", I64, None),
        vi("tri", F, None), vi("nz", I64, None)], [
        init("zero", np.array(0, np.int64)), init("idx", np.array([[1, 2, 3]], np.int64)),
        init("three", np.array(3, np.int64)), init("table", w(3, 2)),
        init("ax1", np.array(1, np.int64)), init("k", np.array([2], np.int64)),
        init("zero_s", np.array(0, np.int64)), init("five", np.array(5, np.int64)),
        init("one_s", np.array(1, np.int64)), init("depth", np.array(4, np.int64)),
        init("onval", np.array([0, 1], np.float32)),
        init("eshape", np.array([2, 2, 1], np.int64)), init("reps", np.array([1, 2], np.int64))])
    # Unary and binary elementwise with broadcasting.
    model("elementwise", [
        N("Sigmoid", ["x"], ["a"]), N("Tanh", ["a"], ["b"]), N("Exp", ["b"], ["c"]),
        N("Log", ["c"], ["d"]), N("Sqrt", ["c"], ["e"]), N("Pow", ["e", "two"], ["f"]),
        N("Sub", ["f", "row"], ["g"]), N("Max", ["g", "d", "row"], ["h"]),
        N("LeakyRelu", ["h"], ["i"], alpha=0.1), N("PRelu", ["i", "slope"], ["j"]),
        N("Reciprocal", ["c"], ["k"]), N("Min", ["j", "k"], ["l"]),
        N("Floor", ["l"], ["m"]), N("Abs", ["m"], ["n"]), N("Neg", ["n"], ["o"]),
        N("Greater", ["o", "row"], ["gr"]), N("Cast", ["gr"], ["gf"], to=F),
        N("Sum", ["gf", "o", "l"], ["y"]),
    ], [vi("x", F, [2, 1, 4])], [vi("y", F, None)], [
        init("two", np.float32(2)), init("row", w(3, 4)), init("slope", w(4))])
    # ConstantOfShape, Constant, Squeeze, Unsqueeze, ConvTranspose, InstanceNorm.
    model("misc", [
        N("Constant", [], ["cs"], value=init("cv", np.array([1, 2, 3, 3], np.int64))),
        N("ConstantOfShape", ["cs"], ["z"], value=init("zv", np.array([0.5], np.float32))),
        N("Add", ["x", "z"], ["xz"]),
        N("ConvTranspose", ["xz", "wt"], ["ct"], strides=[2, 2], kernel_shape=[2, 2]),
        N("InstanceNormalization", ["ct", "sc", "bi"], ["inn"]),
        N("ReduceMax", ["inn"], ["rm"], axes=[2, 3], keepdims=1),
        N("Squeeze", ["rm", "sq"], ["s"]),
        N("Unsqueeze", ["s", "sq"], ["y"]),
    ], [vi("x", F, [1, 2, 3, 3])], [vi("y", F, None)], [
        init("wt", w(2, 3, 2, 2)), init("sc", w(3)), init("bi", w(3)),
        init("sq", np.array([0], np.int64))])


def tensors():
    for dt, arr in [("float", w(2, 3)), ("int64", np.arange(-3, 3, dtype=np.int64)),
                    ("int32", np.arange(4, dtype=np.int32).reshape(2, 2)),
                    ("uint8", np.arange(5, dtype=np.uint8)),
                    ("int8", np.array([-128, 0, 127], np.int8)),
                    ("bool", np.array([[True, False]]))]:
        t = numpy_helper.from_array(arr, "t_" + dt)
        write("tensor", dt + "_raw.pb", t.SerializeToString())
    # Typed fields instead of raw_data, and a scalar.
    t = helper.make_tensor("typed", F, [3], [1.0, -2.0, 3.5])
    write("tensor", "float_typed.pb", t.SerializeToString())
    t = helper.make_tensor("typed64", I64, [2], [7, -9])
    write("tensor", "int64_typed.pb", t.SerializeToString())
    t = helper.make_tensor("scalar", F, [], [42.0])
    write("tensor", "scalar.pb", t.SerializeToString())


def npys():
    for name, arr in [("f4", w(2, 3)), ("i8", np.arange(6, dtype=np.int64)),
                      ("i4", np.arange(8, dtype=np.int32).reshape(2, 2, 2)),
                      ("u1", np.arange(12, dtype=np.uint8).reshape(1, 3, 2, 2)),
                      ("i1", np.array([-1, 0, 1], np.int8)),
                      ("b1", np.array([True, False, True])), ("scalar", np.float32(3.0)),
                      ("empty", np.zeros((0, 4), np.float32))]:
        b = io.BytesIO()
        np.save(b, arr)
        write("npy", name + ".npy", b.getvalue())
    # Format version 2.0 (4-byte header length).
    b = io.BytesIO()
    np.lib.format.write_array(b, np.arange(3, dtype=np.float32), version=(2, 0))
    write("npy", "v2.npy", b.getvalue())


def images():
    rgb = (RNG.random((6, 5, 3)) * 255).astype(np.uint8)
    im = Image.fromarray(rgb, "RGB")

    def save(name, img, fmt, **kw):
        b = io.BytesIO()
        img.save(b, fmt, **kw)
        write("image", name, b.getvalue())

    save("rgb.png", im, "PNG")
    save("rgba.png", im.convert("RGBA"), "PNG")
    save("gray.png", im.convert("L"), "PNG")
    save("gray1.png", im.convert("1"), "PNG")
    save("la.png", im.convert("LA"), "PNG")
    pal = im.convert("P", palette=Image.ADAPTIVE, colors=4)
    pal.info["transparency"] = 0
    save("palette_trns.png", pal, "PNG", transparency=0)
    save("baseline.jpg", im, "JPEG", quality=80)
    save("progressive.jpg", im, "JPEG", quality=80, progressive=True)
    save("gray.jpg", im.convert("L"), "JPEG")
    save("cmyk.jpg", im.convert("CMYK"), "JPEG")
    save("wide.jpg", Image.fromarray((RNG.random((1, 40, 3)) * 255).astype(np.uint8)), "JPEG")
    save("subsampled.jpg", Image.fromarray((RNG.random((17, 9, 3)) * 255).astype(np.uint8)),
         "JPEG", subsampling=2)


def png_chunk(t, d):
    import struct
    import zlib
    c = struct.pack(">I", len(d)) + t + d
    return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)


def png_file(width, height, depth, color, interlace, raw):
    import struct
    import zlib
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
            png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def handmade_pngs():
    # What Pillow cannot write: Adam7 interlacing, 16-bit RGBA, 2-bit gray.
    width = height = 8
    img = (RNG.random((height, width, 3)) * 255).astype(np.uint8)
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
              (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        for y in range(y0, height, dy):
            raw += b"\0" + img[y, x0::dx].tobytes()
    write("image", "interlaced.png", png_file(width, height, 8, 2, 1, raw))

    rgba16 = (RNG.random((3, 4, 4)) * 65535).astype(">u2")
    raw = b"".join(b"\0" + rgba16[y].tobytes() for y in range(3))
    write("image", "rgba16.png", png_file(4, 3, 16, 6, 0, raw))

    gray16 = (RNG.random((4, 5)) * 65535).astype(">u2")
    raw = b"".join(b"\0" + gray16[y].tobytes() for y in range(4))
    write("image", "gray16.png", png_file(5, 4, 16, 0, 0, raw))

    # 2-bit gray, 7 pixels a row: 2 bytes per row, the last one padded.
    raw = b"".join(b"\0" + bytes([0x1B, 0xE4 & 0xFC]) for _ in range(3))
    write("image", "gray2.png", png_file(7, 3, 2, 0, 0, raw))


if __name__ == "__main__":
    models()
    tensors()
    npys()
    images()
    handmade_pngs()
    print("seeds written to", SEEDS)
