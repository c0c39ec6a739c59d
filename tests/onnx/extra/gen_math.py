"""Extra cases for the math family (elementwise, broadcasting, Cast, Clip,
Dropout, reductions, ArgMax/ArgMin) that the official node suite misses:
broadcasting corners and odd sizes, integer shape arithmetic, and the older
opset forms (attributes that later became inputs)."""
import numpy as np
from onnx import TensorProto, helper

from casegen import rng, write_case

F = np.float32


def _node(op, inputs, outputs=("y",), **attrs):
    return helper.make_node(op, list(inputs), list(outputs), **attrs)


def _binary(outdir):
    r = rng(1)
    shapes = [
        ("same_odd", (7, 13), (7, 13)),
        ("row", (2, 3, 5), (5,)),
        ("col", (2, 3, 5), (3, 1)),
        ("both", (2, 1, 5), (3, 1)),
        ("scalar_left", (), (4, 3)),
        ("scalar_right", (4, 3), ()),
        ("one_elem", (1,), (2, 3)),
        ("middle", (2, 1, 3, 1, 5), (3, 4, 1)),
        ("rank6", (2, 1, 2, 1, 2, 3), (1, 3, 1, 2, 1, 3)),
        ("empty", (0, 3), (3,)),
    ]
    for op in ("Add", "Sub", "Mul", "Div"):
        for tag, sa, sb in shapes:
            a = np.asarray(r.standard_normal(sa), dtype=F)
            b = np.asarray(r.uniform(0.5, 2.0, sb) * r.choice([-1, 1], sb), dtype=F)
            write_case(outdir, f"test_math_{op.lower()}_{tag}", [_node(op, "ab")],
                       {"a": a, "b": b}, ["y"])
    # Integer arithmetic as exporters emit it for shapes: int64 and int32,
    # Div truncating toward zero with mixed signs.
    for dt, name in ((np.int64, "int64"), (np.int32, "int32"), (np.int8, "int8"),
                     (np.uint8, "uint8")):
        signed = np.issubdtype(dt, np.signedinteger)
        lo = -20 if signed else 0
        a = r.integers(lo, 50, (3, 4)).astype(dt)
        b = r.integers(1, 7, (4,)).astype(dt)
        if signed:
            b = (b * r.choice([-1, 1], (4,))).astype(dt)
        for op in ("Add", "Sub", "Mul", "Div"):
            write_case(outdir, f"test_math_{op.lower()}_{name}_bcast", [_node(op, "ab")],
                       {"a": a, "b": b}, ["y"])
    # A typical shape computation: Shape -> Gather -> Mul/Div on int64 scalars.
    a = np.array([7, -7, 9, -9, 0], dtype=np.int64)
    write_case(outdir, "test_math_div_int64_trunc", [_node("Div", "ab")],
               {"a": a, "b": np.array(2, dtype=np.int64)}, ["y"])
    # Mod with both fmod settings and mixed signs.
    for dt, name in ((np.int64, "int64"), (np.int32, "int32"), (np.int8, "int8")):
        a = np.array([[-7, 7, -8, 8, 0, 5]], dtype=dt).repeat(2, 0)
        b = np.array([[3], [-3]], dtype=dt)
        write_case(outdir, f"test_math_mod_{name}_bcast", [_node("Mod", "ab")],
                   {"a": a, "b": b}, ["y"], opset=13)
        write_case(outdir, f"test_math_mod_{name}_fmod_bcast", [_node("Mod", "ab", fmod=1)],
                   {"a": a, "b": b}, ["y"], opset=13)
    a = r.uniform(-10, 10, (3, 5)).astype(F)
    b = np.array([2.5, -1.5, 3.0, -4.0, 0.7], dtype=F)
    write_case(outdir, "test_math_mod_float_fmod", [_node("Mod", "ab", fmod=1)],
               {"a": a, "b": b}, ["y"], opset=13)
    # Pow: float base with float/int exponents, integer base.
    a = r.uniform(0.5, 2.0, (2, 3, 4)).astype(F)
    write_case(outdir, "test_math_pow_float_bcast", [_node("Pow", "ab")],
               {"a": a, "b": r.uniform(-2, 2, (4,)).astype(F)}, ["y"], opset=15)
    write_case(outdir, "test_math_pow_float_int64", [_node("Pow", "ab")],
               {"a": a, "b": np.array([2, 3, 0, -1], dtype=np.int64)}, ["y"], opset=15)
    write_case(outdir, "test_math_pow_float_square_scalar", [_node("Pow", "ab")],
               {"a": r.standard_normal((5, 7)).astype(F)}, ["y"], opset=15,
               initializers={"b": np.array(2.0, dtype=F)})
    write_case(outdir, "test_math_pow_int64", [_node("Pow", "ab")],
               {"a": np.array([[2, -3, 5], [1, 0, -2]], dtype=np.int64),
                "b": np.array([3, 2, 1], dtype=np.int64)}, ["y"], opset=15)
    # PRelu: per-channel slope, scalar slope, opset 7 form.
    x = r.standard_normal((2, 3, 4, 5)).astype(F)
    write_case(outdir, "test_math_prelu_channel", [_node("PRelu", ["x", "s"])],
               {"x": x}, ["y"], initializers={"s": r.uniform(0, 0.5, (3, 1, 1)).astype(F)})
    write_case(outdir, "test_math_prelu_scalar", [_node("PRelu", ["x", "s"])],
               {"x": x}, ["y"], initializers={"s": np.array([0.2], dtype=F)})
    write_case(outdir, "test_math_prelu_opset7", [_node("PRelu", ["x", "s"])],
               {"x": x, "s": r.uniform(0, 0.5, (5,)).astype(F)}, ["y"], opset=7)


def _variadic(outdir):
    r = rng(2)
    a = r.standard_normal((2, 1, 4)).astype(F)
    b = r.standard_normal((3, 1)).astype(F)
    c = r.standard_normal((4,)).astype(F)
    for op in ("Sum", "Mean", "Max", "Min"):
        write_case(outdir, f"test_math_{op.lower()}_three_bcast", [_node(op, "abc")],
                   {"a": a, "b": b, "c": c}, ["y"], opset=13)
        write_case(outdir, f"test_math_{op.lower()}_one", [_node(op, "a")], {"a": a}, ["y"],
                   opset=13)
    ia = r.integers(-9, 9, (2, 3)).astype(np.int64)
    ib = r.integers(-9, 9, (3,)).astype(np.int64)
    for op in ("Max", "Min"):
        write_case(outdir, f"test_math_{op.lower()}_int64_bcast", [_node(op, "ab")],
                   {"a": ia, "b": ib}, ["y"], opset=13)
    # Same value passed twice.
    write_case(outdir, "test_math_sum_repeated_input", [_node("Sum", ["a", "b", "a"])],
               {"a": r.standard_normal((3, 4)).astype(F), "b": r.standard_normal((3, 4)).astype(F)},
               ["y"], opset=13)


def _compare_logic(outdir):
    r = rng(3)
    a = r.integers(-3, 3, (2, 3, 4)).astype(F)
    b = r.integers(-3, 3, (3, 1)).astype(F)
    for op in ("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"):
        write_case(outdir, f"test_math_{op.lower()}_float_bcast", [_node(op, "ab")],
                   {"a": a, "b": b}, ["y"], opset=16)
        write_case(outdir, f"test_math_{op.lower()}_int64_bcast", [_node(op, "ab")],
                   {"a": a.astype(np.int64), "b": b.astype(np.int64)}, ["y"], opset=16)
    write_case(outdir, "test_math_equal_int32_scalar", [_node("Equal", "ab")],
               {"a": np.array([1, 0, -1, 2], dtype=np.int32), "b": np.array(0, dtype=np.int32)},
               ["y"], opset=13)
    write_case(outdir, "test_math_equal_bool", [_node("Equal", "ab")],
               {"a": r.random((3, 4)) > 0.5, "b": r.random((4,)) > 0.5}, ["y"], opset=13)
    p = r.random((2, 3, 4)) > 0.5
    q = r.random((3, 1)) > 0.5
    for op in ("And", "Or", "Xor"):
        write_case(outdir, f"test_math_{op.lower()}_bcast_odd", [_node(op, "pq")],
                   {"p": p, "q": q}, ["y"])
    write_case(outdir, "test_math_not_odd", [_node("Not", "p")], {"p": p}, ["y"])
    # Where: three-way broadcasting, several element types.
    cond = r.random((2, 1, 4)) > 0.5
    for dt, name in ((F, "float"), (np.int64, "int64"), (np.int32, "int32"),
                     (np.uint8, "uint8")):
        x = (r.standard_normal((3, 1)) * 10).astype(dt)
        y = (r.standard_normal((4,)) * 10).astype(dt)
        write_case(outdir, f"test_math_where_{name}_bcast3",
                   [_node("Where", ["c", "x", "yy"], ["z"])],
                   {"c": cond, "x": x, "yy": y}, ["z"], opset=16)
    write_case(outdir, "test_math_where_scalar_cond", [_node("Where", ["c", "x", "yy"], ["z"])],
               {"c": np.array(True), "x": r.standard_normal((2, 3)).astype(F),
                "yy": r.standard_normal((2, 3)).astype(F)}, ["z"], opset=9)


def _unary(outdir):
    r = rng(4)
    x = np.concatenate([r.standard_normal(37) * 3,
                        [0.0, -0.0, 100.0, -100.0, 20.0, -20.0, 0.5, -0.5, 1.5, 2.5, -2.5]])
    x = x.astype(F).reshape(6, 8)
    for op in ("Relu", "Sigmoid", "Tanh", "Softplus", "Softsign", "HardSwish", "Erf", "Sign",
               "Floor", "Ceil", "Round", "Neg", "Abs", "Sin", "Cos", "Exp"):
        write_case(outdir, f"test_math_unary_{op.lower()}_odd", [_node(op, "x")], {"x": x},
                   ["y"], opset=14)
    pos = np.abs(x) + F(0.01)
    for op in ("Log", "Sqrt", "Reciprocal"):
        write_case(outdir, f"test_math_unary_{op.lower()}_odd", [_node(op, "x")], {"x": pos},
                   ["y"])
    for op, attrs in (("Elu", {"alpha": 0.7}), ("LeakyRelu", {"alpha": 0.2}),
                      ("Selu", {"alpha": 1.5, "gamma": 2.0}),
                      ("HardSigmoid", {"alpha": 0.3, "beta": 0.4})):
        write_case(outdir, f"test_math_unary_{op.lower()}_attrs", [_node(op, "x", **attrs)],
                   {"x": x}, ["y"])
    # ONNX Runtime's tanh approximation loses all precision below about -4
    # (it cancels 1 + tanh(u)), so stay where it is accurate.
    for approx in ("none", "tanh"):
        write_case(outdir, f"test_math_gelu_{approx}_odd", [_node("Gelu", "x", approximate=approx)],
                   {"x": np.clip(x, F(-3.5), F(3.5))}, ["y"], opset=20)
    xi = np.array([[-5, 0, 3], [7, -1, -128 // 2]], dtype=np.int64)
    for dt, name in ((np.int64, "int64"), (np.int32, "int32"), (np.int8, "int8")):
        for op in ("Neg", "Abs", "Relu", "Sign"):
            if op == "Relu" and name == "int64":
                continue  # ONNX Runtime has no int64 Relu to compare with
            write_case(outdir, f"test_math_unary_{op.lower()}_{name}", [_node(op, "x")],
                       {"x": xi.astype(dt)}, ["y"], opset=14)
    write_case(outdir, "test_math_identity_int64", [_node("Identity", "x")],
               {"x": xi}, ["y"], opset=13)


def _clip(outdir):
    r = rng(5)
    x = (r.standard_normal((3, 7)) * 3).astype(F)
    write_case(outdir, "test_math_clip_opset6_attrs", [_node("Clip", "x", min=-1.0, max=2.0)],
               {"x": x}, ["y"], opset=6)
    write_case(outdir, "test_math_clip_opset6_default", [_node("Clip", "x")], {"x": x}, ["y"],
               opset=6)
    write_case(outdir, "test_math_clip_opset11_min_only", [_node("Clip", ["x", "lo"])],
               {"x": x}, ["y"], opset=11, initializers={"lo": np.array(-0.5, dtype=F)})
    write_case(outdir, "test_math_clip_opset12_max_only", [_node("Clip", ["x", "", "hi"])],
               {"x": x}, ["y"], opset=12, initializers={"hi": np.array(0.5, dtype=F)})
    write_case(outdir, "test_math_clip_opset13_runtime_bounds", [_node("Clip", ["x", "lo", "hi"])],
               {"x": x, "lo": np.array(-1.0, dtype=F), "hi": np.array(1.0, dtype=F)}, ["y"],
               opset=13)
    write_case(outdir, "test_math_clip_min_greater_than_max", [_node("Clip", ["x", "lo", "hi"])],
               {"x": x}, ["y"], opset=13,
               initializers={"lo": np.array(1.0, dtype=F), "hi": np.array(-1.0, dtype=F)})
    xi = np.arange(-6, 6, dtype=np.int64).reshape(3, 4)
    write_case(outdir, "test_math_clip_int64", [_node("Clip", ["x", "lo", "hi"])], {"x": xi},
               ["y"], opset=13, initializers={"lo": np.array(-2, dtype=np.int64),
                                              "hi": np.array(3, dtype=np.int64)})
    write_case(outdir, "test_math_clip_int32_min_only", [_node("Clip", ["x", "lo"])],
               {"x": xi.astype(np.int32)}, ["y"], opset=13,
               initializers={"lo": np.array(0, dtype=np.int32)})


def _cast(outdir):
    f = np.array([[-2.7, -1.5, -0.5, 0.0, 0.4, 1.5, 2.9, 100.3]], dtype=F)
    for to, name in ((TensorProto.INT64, "int64"), (TensorProto.INT32, "int32"),
                     (TensorProto.INT8, "int8"), (TensorProto.BOOL, "bool"),
                     (TensorProto.FLOAT, "float")):
        write_case(outdir, f"test_math_cast_float_to_{name}", [_node("Cast", "x", to=to)],
                   {"x": f}, ["y"], opset=13)
    write_case(outdir, "test_math_cast_float_to_uint8", [_node("Cast", "x", to=TensorProto.UINT8)],
               {"x": np.abs(f)}, ["y"], opset=13)
    i = np.array([-300, -1, 0, 1, 127, 255, 70000], dtype=np.int64)
    for to, name in ((TensorProto.FLOAT, "float"), (TensorProto.INT32, "int32"),
                     (TensorProto.UINT8, "uint8"), (TensorProto.INT8, "int8"),
                     (TensorProto.BOOL, "bool")):
        write_case(outdir, f"test_math_cast_int64_to_{name}", [_node("Cast", "x", to=to)],
                   {"x": i}, ["y"], opset=9)
    b = np.array([True, False, True])
    for to, name in ((TensorProto.FLOAT, "float"), (TensorProto.INT64, "int64")):
        write_case(outdir, f"test_math_cast_bool_to_{name}", [_node("Cast", "x", to=to)],
                   {"x": b}, ["y"], opset=19)
    write_case(outdir, "test_math_cast_int32_to_int64",
               [_node("Cast", "x", to=TensorProto.INT64)],
               {"x": np.array([-5, 0, 2147483647], dtype=np.int32)}, ["y"], opset=6)
    write_case(outdir, "test_math_castlike_int64_to_float", [_node("CastLike", ["x", "t"])],
               {"x": i}, ["y"], opset=15, initializers={"t": np.zeros((1,), dtype=F)})


def _dropout(outdir):
    r = rng(6)
    x = r.standard_normal((3, 5)).astype(F)
    # Before opset 12 ONNX Runtime returns an all-false mask at inference
    # where the ONNX reference gives all true, so only the data is compared.
    write_case(outdir, "test_math_dropout_opset7_with_mask",
               [_node("Dropout", "x", ["y", "m"], ratio=0.3)], {"x": x}, ["y"], opset=7)
    write_case(outdir, "test_math_dropout_opset10_with_mask",
               [_node("Dropout", "x", ["y", "m"], ratio=0.3)], {"x": x}, ["y"], opset=10)
    write_case(outdir, "test_math_dropout_opset13_not_training",
               [_node("Dropout", ["x", "r", "t"], ["y", "m"])], {"x": x}, ["y", "m"], opset=13,
               initializers={"r": np.array(0.4, dtype=F), "t": np.array(False)})


def _reduce(outdir):
    r = rng(7)
    x = r.standard_normal((3, 4, 5, 2)).astype(F)
    ops = ("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
           "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp")
    for op in ops:
        tag = op[6:].lower()
        # Attribute form (opset 11), non-contiguous axes, both keepdims.
        write_case(outdir, f"test_math_reduce_{tag}_attr_axes02_keep",
                   [_node(op, "x", axes=[0, 2], keepdims=1)], {"x": x}, ["y"], opset=11)
        write_case(outdir, f"test_math_reduce_{tag}_attr_neg_axis_nokeep",
                   [_node(op, "x", axes=[-1, 1], keepdims=0)], {"x": x}, ["y"], opset=11)
        write_case(outdir, f"test_math_reduce_{tag}_attr_all", [_node(op, "x", keepdims=0)],
                   {"x": x}, ["y"], opset=11)
        # Input form (opset 18).
        write_case(outdir, f"test_math_reduce_{tag}_input_axes_inner",
                   [_node(op, ["x", "axes"], keepdims=1)], {"x": x}, ["y"], opset=18,
                   initializers={"axes": np.array([2, 3], dtype=np.int64)})
        write_case(outdir, f"test_math_reduce_{tag}_input_no_axes",
                   [_node(op, ["x"], keepdims=1)], {"x": x}, ["y"], opset=18)
    # ReduceMean over spatial axes, as in global pooling / squeeze-excite.
    write_case(outdir, "test_math_reduce_mean_spatial_opset13",
               [_node("ReduceMean", "x", axes=[2, 3], keepdims=1)],
               {"x": r.standard_normal((1, 16, 7, 7)).astype(F)}, ["y"], opset=13)
    # ReduceSum: the axes input appears at opset 13.
    write_case(outdir, "test_math_reduce_sum_opset13_axes_input",
               [_node("ReduceSum", ["x", "axes"], keepdims=0)], {"x": x}, ["y"], opset=13,
               initializers={"axes": np.array([0, -1], dtype=np.int64)})
    write_case(outdir, "test_math_reduce_sum_opset13_noop",
               [_node("ReduceSum", ["x"], keepdims=0, noop_with_empty_axes=1)], {"x": x}, ["y"],
               opset=13)
    xi = r.integers(-5, 6, (3, 4, 2)).astype(np.int64)
    for op in ("ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd"):
        write_case(outdir, f"test_math_reduce_{op[6:].lower()}_int64",
                   [_node(op, "x", axes=[1], keepdims=0)], {"x": xi}, ["y"], opset=11)
    write_case(outdir, "test_math_reduce_sum_int32",
               [_node("ReduceSum", "x", axes=[0, 2], keepdims=1)], {"x": xi.astype(np.int32)},
               ["y"], opset=11)
    # ArgMax/ArgMin: ties, select_last_index, integer inputs.
    t = r.integers(0, 3, (3, 4, 5)).astype(F)
    for op in ("ArgMax", "ArgMin"):
        for last in (0, 1):
            write_case(outdir, f"test_math_{op.lower()}_ties_last{last}",
                       [_node(op, "x", axis=1, keepdims=0, select_last_index=last)],
                       {"x": t}, ["y"], opset=13)
        write_case(outdir, f"test_math_{op.lower()}_int64_neg_axis",
                   [_node(op, "x", axis=-1)], {"x": t.astype(np.int64)}, ["y"], opset=11)
        write_case(outdir, f"test_math_{op.lower()}_int32_axis0",
                   [_node(op, "x", axis=0, keepdims=0)], {"x": t.astype(np.int32)}, ["y"],
                   opset=13)


def generate(outdir):
    _binary(outdir)
    _variadic(outdir)
    _compare_logic(outdir)
    _unary(outdir)
    _clip(outdir)
    _cast(outdir)
    _dropout(outdir)
    _reduce(outdir)


if __name__ == "__main__":
    import sys
    generate(sys.argv[1])
