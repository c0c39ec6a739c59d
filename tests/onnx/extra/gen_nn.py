"""Extra cases for the nn family (Conv, ConvTranspose, pools, normalizations,
MatMul, Gemm, Softmax) that the official node suite misses: groups and
depthwise convolutions, asymmetric padding, auto_pad with odd sizes,
ceil_mode corners, batch broadcasting and 1-D operands of MatMul, integer
MatMul, the opset < 13 Softmax semantics and the older opset forms."""
import numpy as np
from onnx import helper

from casegen import rng, write_case

F = np.float32


def _node(op, inputs, outputs=("y",), **attrs):
    return helper.make_node(op, list(inputs), list(outputs), **attrs)


def _randn(r, *shape):
    return np.asarray(r.standard_normal(shape), dtype=F)


def _randq(r, *shape):
    """Multiples of 1/4: their products and sums are exact in float32, so
    long dot products match the oracle whatever the summation order (the
    suite's absolute tolerance of 1e-7 is below float rounding otherwise)."""
    return np.asarray(np.round(r.standard_normal(shape) * 4) / 4, dtype=F)


def _conv(outdir):
    r = rng(101)
    cases = [
        # name, x shape, w shape, attrs, bias, opset
        ("1d_pads_strides_dil", (2, 3, 17), (4, 3, 3),
         dict(pads=[2, 1], strides=[2], dilations=[2]), True, 11),
        ("2d_group2", (1, 4, 9, 11), (6, 2, 3, 3),
         dict(group=2, pads=[1, 0, 2, 1], strides=[2, 1]), True, 11),
        ("2d_group_dil", (2, 6, 10, 9), (6, 2, 3, 2),
         dict(group=3, dilations=[2, 3], pads=[2, 1, 1, 2]), False, 11),
        ("2d_depthwise_s2", (2, 5, 11, 9), (5, 1, 3, 3),
         dict(group=5, pads=[1, 1, 1, 1], strides=[2, 2]), True, 11),
        ("2d_depthwise_mult2", (1, 3, 8, 8), (6, 1, 3, 3),
         dict(group=3, pads=[1, 1, 1, 1]), True, 11),
        ("2d_same_upper_s2_even_k", (1, 2, 7, 8), (3, 2, 4, 2),
         dict(auto_pad="SAME_UPPER", strides=[2, 3]), True, 11),
        ("2d_same_lower_s2", (1, 2, 7, 8), (3, 2, 4, 2),
         dict(auto_pad="SAME_LOWER", strides=[2, 3]), False, 11),
        ("2d_valid_s3", (1, 3, 10, 11), (2, 3, 3, 3),
         dict(auto_pad="VALID", strides=[3, 3]), True, 11),
        ("2d_pointwise_n2", (2, 8, 5, 7), (4, 8, 1, 1), dict(), True, 11),
        ("2d_1x1_stride2", (1, 4, 7, 7), (3, 4, 1, 1), dict(strides=[2, 2]), True, 11),
        ("2d_kernel_wider_than_input", (1, 1, 3, 3), (1, 1, 5, 5),
         dict(pads=[2, 2, 2, 2]), False, 11),
        ("2d_opset1", (1, 2, 6, 6), (2, 2, 3, 3), dict(pads=[1, 1, 1, 1]), True, 7),
        ("2d_resnet_stem", (1, 3, 32, 32), (8, 3, 7, 7),
         dict(pads=[3, 3, 3, 3], strides=[2, 2]), False, 17),
        ("3d", (1, 2, 5, 6, 7), (3, 2, 3, 2, 3),
         dict(pads=[1, 0, 1, 1, 1, 0], strides=[1, 2, 2]), True, 11),
        ("3d_group_same", (1, 4, 5, 5, 6), (4, 2, 2, 3, 3),
         dict(group=2, auto_pad="SAME_UPPER", strides=[2, 1, 2]), True, 11),
    ]
    for name, xs, ws, attrs, bias, opset in cases:
        inputs = {"x": _randq(r, *xs), "w": _randq(r, *ws)}
        if bias:
            inputs["b"] = _randq(r, ws[0])
        write_case(outdir, f"test_nn_conv_{name}", [_node("Conv", inputs.keys(), **attrs)],
                   inputs, ["y"], opset=opset)
    # Weights as initializers, kernel_shape given explicitly.
    x = _randq(r, 1, 3, 9, 9)
    w = _randq(r, 4, 3, 3, 3)
    b = _randq(r, 4)
    write_case(outdir, "test_nn_conv_2d_initializer_weights",
               [_node("Conv", ["x", "w", "b"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])],
               {"x": x}, ["y"], opset=13, initializers={"w": w, "b": b})


def _conv_transpose(outdir):
    r = rng(102)
    cases = [
        ("2d_group2_s2", (1, 4, 3, 4), (4, 3, 3, 3),
         dict(group=2, strides=[2, 2], pads=[1, 0, 0, 1]), True),
        ("2d_dil_outpad", (2, 2, 4, 3), (2, 3, 2, 3),
         dict(strides=[3, 2], dilations=[2, 1], output_padding=[1, 1]), True),
        ("2d_depthwise", (1, 3, 4, 4), (3, 1, 4, 4),
         dict(group=3, strides=[2, 2], pads=[1, 1, 1, 1]), True),
        ("2d_same_upper", (1, 2, 3, 4), (2, 2, 3, 3),
         dict(auto_pad="SAME_UPPER", strides=[2, 2]), False),
        ("2d_same_lower", (1, 2, 3, 4), (2, 2, 3, 3),
         dict(auto_pad="SAME_LOWER", strides=[2, 2]), False),
        ("2d_output_shape_odd", (1, 1, 3, 3), (1, 2, 3, 3),
         dict(strides=[2, 2], output_shape=[5, 6]), True),
        ("2d_output_shape_plus_one", (1, 1, 3, 3), (1, 2, 3, 3),
         dict(strides=[2, 2], output_shape=[8, 7]), False),
        ("2d_output_shape_same_upper", (1, 1, 3, 3), (1, 2, 3, 3),
         dict(strides=[2, 2], output_shape=[4, 6], auto_pad="SAME_UPPER"), False),
        ("2d_output_shape_outpad", (1, 1, 3, 3), (1, 2, 3, 3),
         dict(strides=[2, 2], output_shape=[6, 5], output_padding=[1, 1]), False),
        ("2d_valid", (1, 2, 3, 3), (2, 1, 2, 2), dict(auto_pad="VALID", strides=[2, 2]), True),
        ("1d_s2", (2, 3, 5), (3, 2, 4), dict(strides=[2], pads=[1, 2]), True),
        ("3d_group", (1, 2, 2, 3, 3), (2, 2, 2, 2, 3),
         dict(group=2, strides=[2, 1, 2], pads=[0, 1, 1, 1, 0, 0]), True),
    ]
    for name, xs, ws, attrs, bias, in cases:
        inputs = {"x": _randq(r, *xs), "w": _randq(r, *ws)}
        if bias:
            inputs["b"] = _randq(r, ws[1] * attrs.get("group", 1))
        write_case(outdir, f"test_nn_convtranspose_{name}",
                   [_node("ConvTranspose", inputs.keys(), **attrs)], inputs, ["y"], opset=11)


def _pools(outdir):
    r = rng(103)
    cases = [
        # name, op, x shape, attrs, opset
        ("maxpool_ceil_pads", "MaxPool", (1, 2, 9, 10),
         dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1), 12),
        ("maxpool_ceil_dil", "MaxPool", (1, 1, 10, 10),
         dict(kernel_shape=[2, 3], strides=[3, 2], dilations=[2, 2], ceil_mode=1), 12),
        ("maxpool_same_lower_s2", "MaxPool", (1, 2, 7, 6),
         dict(kernel_shape=[3, 2], strides=[2, 2], auto_pad="SAME_LOWER"), 12),
        ("maxpool_valid", "MaxPool", (1, 2, 7, 6),
         dict(kernel_shape=[3, 2], strides=[2, 2], auto_pad="VALID"), 12),
        ("maxpool_1d", "MaxPool", (2, 3, 11), dict(kernel_shape=[3], strides=[2], pads=[1, 1]), 12),
        ("maxpool_opset7", "MaxPool", (1, 3, 8, 8),
         dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]), 7),
        ("maxpool_resnet", "MaxPool", (1, 4, 16, 16),
         dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]), 13),
        ("avgpool_ceil_pads_incl", "AveragePool", (1, 2, 9, 10),
         dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1,
              count_include_pad=1), 11),
        ("avgpool_ceil_pads_excl", "AveragePool", (1, 2, 9, 10),
         dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1), 11),
        ("avgpool_asym_pads_incl", "AveragePool", (1, 1, 6, 7),
         dict(kernel_shape=[3, 2], pads=[0, 1, 2, 0], count_include_pad=1), 11),
        ("avgpool_same_upper_incl", "AveragePool", (1, 1, 7, 7),
         dict(kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER",
              count_include_pad=1), 11),
        ("avgpool_dil_pads", "AveragePool", (1, 2, 9, 9),
         dict(kernel_shape=[2, 2], dilations=[2, 2], pads=[1, 1, 1, 1]), 19),
        ("avgpool_opset7", "AveragePool", (1, 2, 8, 8),
         dict(kernel_shape=[2, 2], strides=[2, 2]), 7),
        ("avgpool_1d", "AveragePool", (2, 2, 10), dict(kernel_shape=[3], strides=[2], pads=[1, 1]),
         11),
        ("avgpool_3d", "AveragePool", (1, 2, 5, 6, 7),
         dict(kernel_shape=[2, 3, 2], strides=[2, 2, 2], pads=[1, 1, 0, 0, 1, 1]), 11),
        ("lppool_p3_pads", "LpPool", (1, 2, 7, 7),
         dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], p=3), 11),
        ("lppool_opset2", "LpPool", (1, 2, 6, 6), dict(kernel_shape=[2, 2], p=2), 7),
    ]
    for name, op, xs, attrs, opset in cases:
        x = _randn(r, *xs)
        write_case(outdir, f"test_nn_{name}", [_node(op, "x", **attrs)], {"x": x}, ["y"],
                   opset=opset)
    # MaxPool on small integer types and with the Indices output.
    x8 = r.integers(-128, 128, (1, 2, 7, 7)).astype(np.int8)
    write_case(outdir, "test_nn_maxpool_int8",
               [_node("MaxPool", "x", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])],
               {"x": x8}, ["y"], opset=12)
    xu8 = r.integers(0, 256, (1, 2, 6, 5)).astype(np.uint8)
    write_case(outdir, "test_nn_maxpool_uint8_ceil",
               [_node("MaxPool", "x", kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)],
               {"x": xu8}, ["y"], opset=12)
    for order in (0, 1):
        x = _randn(r, 2, 2, 5, 6)
        write_case(outdir, f"test_nn_maxpool_indices_order{order}",
                   [_node("MaxPool", "x", ["y", "i"], kernel_shape=[3, 2], strides=[2, 2],
                          pads=[1, 0, 1, 1], storage_order=order)],
                   {"x": x}, ["y", "i"], opset=12)
    x = _randn(r, 1, 2, 4, 5, 6)
    write_case(outdir, "test_nn_maxpool_indices_3d",
               [_node("MaxPool", "x", ["y", "i"], kernel_shape=[2, 2, 3], strides=[2, 2, 2])],
               {"x": x}, ["y", "i"], opset=12)
    # Global pools on 1-D and 3-D spatial inputs.
    for op in ("GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"):
        for xs in ((2, 3, 7), (1, 2, 3, 4, 5)):
            x = _randn(r, *xs)
            write_case(outdir, f"test_nn_{op.lower()}_rank{len(xs)}", [_node(op, "x")],
                       {"x": x}, ["y"], opset=13)


def _norms(outdir):
    r = rng(104)

    def stats(c):
        return {"s": _randn(r, c), "b": _randn(r, c), "m": _randn(r, c),
                "v": np.asarray(r.uniform(0.5, 2.0, c), dtype=F)}

    for name, xs, opset, attrs in [
        ("rank2", (4, 5), 15, {}),
        ("rank3", (2, 3, 7), 9, {}),
        ("rank5", (1, 2, 3, 4, 5), 14, dict(epsilon=1e-3)),
        ("opset7", (2, 3, 4, 4), 7, {}),
    ]:
        inputs = {"x": _randn(r, *xs), **stats(xs[1])}
        write_case(outdir, f"test_nn_batchnorm_{name}",
                   [_node("BatchNormalization", inputs.keys(), **attrs)], inputs, ["y"],
                   opset=opset)
    # opset 7's spatial=0: one statistic per element of [C, H, W].
    x = _randn(r, 2, 3, 2, 2)
    inputs = {"x": x, "s": _randn(r, 3, 2, 2), "b": _randn(r, 3, 2, 2),
              "m": _randn(r, 3, 2, 2), "v": np.asarray(r.uniform(0.5, 2, (3, 2, 2)), dtype=F)}
    write_case(outdir, "test_nn_batchnorm_opset7_spatial0",
               [_node("BatchNormalization", inputs.keys(), spatial=0)], inputs, ["y"], opset=7)

    for name, xs in [("rank3", (2, 3, 9)), ("rank5", (1, 2, 3, 4, 5))]:
        inputs = {"x": _randn(r, *xs) * 3 + 1, "s": _randn(r, xs[1]), "b": _randn(r, xs[1])}
        write_case(outdir, f"test_nn_instancenorm_{name}",
                   [_node("InstanceNormalization", inputs.keys(), epsilon=1e-4)], inputs, ["y"],
                   opset=6)

    # LayerNormalization: broadcast Scale/B, no bias, statistics outputs.
    x = _randn(r, 2, 3, 4, 5) * 2 + 0.5
    write_case(outdir, "test_nn_layernorm_broadcast_scale",
               [_node("LayerNormalization", ["x", "s", "b"], ["y", "mean", "istd"], axis=2)],
               {"x": x, "s": _randn(r, 1, 5), "b": _randn(r, 4, 1)}, ["y", "mean", "istd"],
               opset=17)
    write_case(outdir, "test_nn_layernorm_no_bias",
               [_node("LayerNormalization", ["x", "s"], axis=-1, epsilon=1e-3)],
               {"x": x, "s": _randn(r, 5)}, ["y"], opset=17)
    write_case(outdir, "test_nn_layernorm_scale_extra_ones",
               [_node("LayerNormalization", ["x", "s", "b"], axis=-1)],
               {"x": x, "s": _randn(r, 1, 1, 5), "b": _randn(r, 5)}, ["y"], opset=17)
    x = _randn(r, 3, 7, 33)
    write_case(outdir, "test_nn_layernorm_transformer",
               [_node("LayerNormalization", ["x", "s", "b"])],
               {"x": x}, ["y"], opset=17, initializers={"s": _randn(r, 33), "b": _randn(r, 33)})

    x = _randn(r, 2, 3, 4)
    x[0, :, 1] = 0.0  # a zero norm along axis 1
    for p in (1, 2):
        for axis in (1, -1):
            write_case(outdir, f"test_nn_lpnorm_p{p}_axis{axis}".replace("-", "m"),
                       [_node("LpNormalization", "x", axis=axis, p=p)], {"x": x}, ["y"],
                       opset=13)
    for size in (3, 5):  # ONNX Runtime accepts odd sizes only
        x = _randn(r, 2, 7, 3, 4)
        write_case(outdir, f"test_nn_lrn_size{size}",
                   [_node("LRN", "x", size=size, alpha=1e-2, beta=0.6, bias=1.5)], {"x": x},
                   ["y"], opset=13)


def _matmul(outdir):
    r = rng(105)
    shapes = [
        ("1d_2d", (5,), (5, 3)),
        ("2d_1d", (4, 5), (5,)),
        ("1d_1d", (6,), (6,)),
        ("1d_3d", (5,), (2, 5, 3)),
        ("3d_1d", (2, 4, 5), (5,)),
        ("bcast_batch", (2, 1, 3, 4), (5, 4, 6)),
        ("bcast_2d_rhs", (3, 7, 5), (5, 9)),
        ("bcast_2d_lhs", (7, 5), (3, 5, 4)),
        ("bcast_one", (1, 3, 4), (2, 4, 2)),
        ("odd", (13, 17), (17, 11)),
        ("empty_k", (3, 0), (0, 4)),
    ]
    for name, sa, sb in shapes:
        write_case(outdir, f"test_nn_matmul_{name}", [_node("MatMul", "ab")],
                   {"a": _randq(r, *sa), "b": _randq(r, *sb)}, ["y"], opset=13)
    for dt, tag in ((np.int32, "int32"), (np.int64, "int64")):
        a = r.integers(-20, 20, (2, 3, 4)).astype(dt)
        b = r.integers(-20, 20, (4, 5)).astype(dt)
        write_case(outdir, f"test_nn_matmul_{tag}", [_node("MatMul", "ab")], {"a": a, "b": b},
                   ["y"], opset=13)
        b = r.integers(-20, 20, (4,)).astype(dt)
        write_case(outdir, f"test_nn_matmul_{tag}_1d", [_node("MatMul", "ab")], {"a": a, "b": b},
                   ["y"], opset=13)


def _gemm(outdir):
    r = rng(106)
    m, k, n = 5, 7, 3
    cases = [
        ("c_column", (m, k), (k, n), (m, 1), {}, 13),
        ("c_vector", (m, k), (k, n), (n,), dict(alpha=0.5, beta=2.0), 13),
        ("c_scalar", (m, k), (k, n), (), {}, 13),
        ("c_full_trans_both", (k, m), (n, k), (m, n), dict(transA=1, transB=1), 13),
        ("trans_b_linear", (4, 9), (6, 9), (6,), dict(transB=1), 13),
        ("beta_zero", (m, k), (k, n), (m, n), dict(beta=0.0), 13),
        ("opset7", (m, k), (k, n), (1, n), dict(alpha=1.5), 7),
        ("opset9_trans_a", (k, m), (k, n), (m, n), dict(transA=1), 9),
    ]
    for name, sa, sb, sc, attrs, opset in cases:
        inputs = {"a": _randq(r, *sa), "b": _randq(r, *sb), "c": _randq(r, *sc)}
        write_case(outdir, f"test_nn_gemm_{name}", [_node("Gemm", "abc", **attrs)], inputs, ["y"],
                   opset=opset)
    write_case(outdir, "test_nn_gemm_no_c_trans_b", [_node("Gemm", "ab", transB=1, alpha=2.0)],
               {"a": _randq(r, 3, 4), "b": _randq(r, 6, 4)}, ["y"], opset=11)


def _softmax(outdir):
    r = rng(107)
    x4 = _randn(r, 2, 3, 4, 5) * 4
    for op in ("Softmax", "LogSoftmax"):
        low = op.lower()
        # Opset < 13: flattened to 2-D at axis (default 1).
        write_case(outdir, f"test_nn_{low}_opset11_axis1_4d", [_node(op, "x", axis=1)],
                   {"x": x4}, ["y"], opset=11)
        write_case(outdir, f"test_nn_{low}_opset11_default_4d", [_node(op, "x")], {"x": x4},
                   ["y"], opset=11)
        write_case(outdir, f"test_nn_{low}_opset11_axis_m2", [_node(op, "x", axis=-2)],
                   {"x": x4}, ["y"], opset=11)
        write_case(outdir, f"test_nn_{low}_opset7_axis0", [_node(op, "x", axis=0)], {"x": x4},
                   ["y"], opset=7)
        # Opset 13: a single axis.
        write_case(outdir, f"test_nn_{low}_opset13_axis1_4d", [_node(op, "x", axis=1)],
                   {"x": x4}, ["y"], opset=13)
        big = np.array([[1000.0, 1001.0, 999.0, -1000.0], [-3e4, -3e4 + 1, 0.0, 88.0]], dtype=F)
        write_case(outdir, f"test_nn_{low}_large_values", [_node(op, "x")], {"x": big}, ["y"],
                   opset=13)
        write_case(outdir, f"test_nn_{low}_1d", [_node(op, "x")], {"x": _randn(r, 9)}, ["y"],
                   opset=13)


def generate(outdir):
    _conv(outdir)
    _conv_transpose(outdir)
    _pools(outdir)
    _norms(outdir)
    _matmul(outdir)
    _gemm(outdir)
    _softmax(outdir)


if __name__ == "__main__":
    import sys

    generate(sys.argv[1])
