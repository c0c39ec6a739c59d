"""Extra cases for the tensor family (shape, layout, indexing and resampling
operators) that the official node suite misses: the older opset forms
(attributes that later became inputs), integer data as used in shape
arithmetic, odd sizes, negative axes and indices, Slice clamping with the
INT64 sentinels, uneven splits, every Pad mode, and the Resize coordinate
modes on sizes the suite does not try. Shape-defining inputs are given as
initializers, as exporters do."""
import numpy as np
from onnx import TensorProto, helper

from casegen import rng, write_case

F = np.float32
I64 = np.int64
I32 = np.int32
INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


def _node(op, inputs, outputs=("y",), **attrs):
    return helper.make_node(op, list(inputs), list(outputs), **attrs)


def _randn(r, *shape):
    return np.asarray(r.standard_normal(shape), dtype=F)


def _randi(r, *shape, lo=-50, hi=50, dtype=I64):
    return np.asarray(r.integers(lo, hi, size=shape), dtype=dtype)


def _case(outdir, name, op, x, attrs=None, consts=None, opset=17, inputs=None, outputs=("y",)):
    """One node whose first input is graph input `x` (unless `inputs` lists
    the graph inputs) and whose other inputs are the initializers `consts`
    (name -> array, in order; None for an omitted optional input)."""
    attrs = attrs or {}
    consts = consts or {}
    graph_inputs = inputs if inputs is not None else {"x": x}
    names = list(graph_inputs.keys())
    inits = {}
    for k, v in consts.items():
        if v is None:
            names.append("")
        else:
            names.append(k)
            inits[k] = v
    write_case(outdir, f"test_tensor_{name}", [_node(op, names, outputs, **attrs)], graph_inputs,
               list(outputs), opset=opset, initializers=inits)


def _reshape_family(outdir):
    r = rng(201)
    x = _randn(r, 2, 3, 4)
    _case(outdir, "reshape_zero_copies_dim", "Reshape", x, consts={"s": np.array([0, -1], I64)})
    _case(outdir, "reshape_zero_middle", "Reshape", x,
          consts={"s": np.array([2, 0, 2, 2], I64)})
    _case(outdir, "reshape_to_1d_int64", "Reshape", _randi(r, 3, 5),
          consts={"s": np.array([-1], I64)})
    _case(outdir, "reshape_allowzero_empty", "Reshape", np.zeros((0, 3), F),
          attrs=dict(allowzero=1), consts={"s": np.array([3, 0], I64)}, opset=14)
    _case(outdir, "reshape_opset7", "Reshape", x, consts={"s": np.array([4, -1, 3], I64)}, opset=7)
    _case(outdir, "reshape_scalar", "Reshape", np.array([7.0], F),
          consts={"s": np.zeros((0,), I64)}, opset=13)
    _case(outdir, "flatten_axis0_opset9", "Flatten", x, attrs=dict(axis=0), opset=9)
    _case(outdir, "flatten_axis_end", "Flatten", x, attrs=dict(axis=3), opset=13)
    _case(outdir, "flatten_neg_int64", "Flatten", _randi(r, 2, 3, 2, 2), attrs=dict(axis=-2),
          opset=13)
    y = _randn(r, 1, 3, 1, 5, 1)
    _case(outdir, "squeeze_attr_opset11", "Squeeze", y, attrs=dict(axes=[0, -1]), opset=11)
    _case(outdir, "squeeze_all_opset13", "Squeeze", y, opset=13)
    _case(outdir, "squeeze_input_opset13", "Squeeze", y, consts={"a": np.array([2, -5], I64)},
          opset=13)
    _case(outdir, "squeeze_int64", "Squeeze", _randi(r, 1, 4), consts={"a": np.array([0], I64)},
          opset=13)
    _case(outdir, "unsqueeze_attr_opset11", "Unsqueeze", _randn(r, 3, 4),
          attrs=dict(axes=[-1, 0]), opset=11)
    _case(outdir, "unsqueeze_input_unsorted", "Unsqueeze", _randn(r, 3, 4),
          consts={"a": np.array([4, 0, -3], I64)}, opset=13)
    _case(outdir, "unsqueeze_scalar_int64", "Unsqueeze", np.array(5, I64),
          consts={"a": np.array([0], I64)}, opset=13)


def _transpose_family(outdir):
    r = rng(202)
    _case(outdir, "transpose_default_5d", "Transpose", _randn(r, 2, 3, 1, 4, 5))
    _case(outdir, "transpose_perm_int64", "Transpose", _randi(r, 2, 3, 4), attrs=dict(perm=[1, 2, 0]))
    _case(outdir, "transpose_uint8", "Transpose", _randi(r, 3, 5, 2, lo=0, hi=255, dtype=np.uint8),
          attrs=dict(perm=[2, 0, 1]))
    _case(outdir, "transpose_bool", "Transpose", r.integers(0, 2, (4, 3)).astype(bool))
    _case(outdir, "transpose_nchw_nhwc_odd", "Transpose", _randn(r, 1, 7, 5, 3),
          attrs=dict(perm=[0, 2, 3, 1]))
    _case(outdir, "depthtospace_dcr_odd", "DepthToSpace", _randn(r, 2, 12, 3, 5),
          attrs=dict(blocksize=2))
    _case(outdir, "depthtospace_crd_b3", "DepthToSpace", _randn(r, 1, 18, 2, 3),
          attrs=dict(blocksize=3, mode="CRD"))
    _case(outdir, "depthtospace_opset11", "DepthToSpace", _randn(r, 1, 8, 2, 2),
          attrs=dict(blocksize=2), opset=11)
    _case(outdir, "spacetodepth_b3", "SpaceToDepth", _randn(r, 2, 2, 6, 9), attrs=dict(blocksize=3))


def _concat_split(outdir):
    r = rng(203)
    ins = {"a": np.array([1], I64), "b": np.array([-1, 7], I64), "c": np.array([3], I64)}
    write_case(outdir, "test_tensor_concat_int64_shape", [_node("Concat", ins.keys(), axis=0)],
               ins, ["y"], opset=11)
    ins = {"a": _randn(r, 2, 3, 4), "b": _randn(r, 2, 1, 4), "c": _randn(r, 2, 0, 4),
           "d": _randn(r, 2, 5, 4)}
    write_case(outdir, "test_tensor_concat_axis1_empty", [_node("Concat", ins.keys(), axis=-2)],
               ins, ["y"], opset=13)
    ins = {"a": _randn(r, 1, 2, 3, 3), "b": _randn(r, 1, 2, 3, 2)}
    write_case(outdir, "test_tensor_concat_last_axis_opset7", [_node("Concat", ins.keys(), axis=3)],
               ins, ["y"], opset=7)
    x = _randn(r, 3, 10, 2)
    outs = ("y0", "y1", "y2")
    _case(outdir, "split_attr_opset11", "Split", x, attrs=dict(axis=1, split=[2, 5, 3]),
          opset=11, outputs=outs)
    _case(outdir, "split_input_opset13", "Split", x, attrs=dict(axis=-2),
          consts={"s": np.array([1, 0, 9], I64)}, opset=13, outputs=outs)
    _case(outdir, "split_num_outputs_uneven", "Split", x, attrs=dict(axis=1, num_outputs=3),
          opset=18, outputs=outs)
    _case(outdir, "split_num_outputs_4of10", "Split", x, attrs=dict(axis=1, num_outputs=4),
          opset=18, outputs=("y0", "y1", "y2", "y3"))
    _case(outdir, "split_equal_default_axis_int64", "Split", _randi(r, 4, 3), opset=13,
          outputs=("y0", "y1"))
    _case(outdir, "split_equal_opset7", "Split", x, attrs=dict(axis=1), opset=7,
          outputs=("y0", "y1"))


def _slice(outdir):
    r = rng(204)
    x = _randn(r, 5, 6, 7)

    def sl(name, starts, ends, axes=None, steps=None, data=x, dtype=I64, opset=13):
        consts = {"starts": np.array(starts, dtype), "ends": np.array(ends, dtype)}
        if axes is not None or steps is not None:
            consts["axes"] = None if axes is None else np.array(axes, dtype)
        if steps is not None:
            consts["steps"] = np.array(steps, dtype)
        _case(outdir, f"slice_{name}", "Slice", data, consts=consts, opset=opset)

    sl("int64_max_end", [1, 2], [INT64_MAX, INT64_MAX], [0, 2])
    sl("reverse_all", [-1], [INT64_MIN], [1], [-1])
    sl("reverse_step2_clamped", [100, 5], [-100, 0], [0, 2], [-2, -3])
    sl("step_beyond_dim", [0, 1], [7, 6], [2, 1], [10, 100])
    sl("negative_axes_int32", [-3, 1], [-1, 4], [-1, -3], [1, 2], dtype=I32)
    sl("empty_result", [3], [2], [1])
    sl("empty_reverse", [1], [3], [0], [-1])
    sl("int64_data", [1], [-1], [0], data=_randi(r, 6))
    sl("shape_like_tail", [-2], [INT64_MAX], [0], data=np.array([1, 3, 224, 224], I64))
    _case(outdir, "slice_attrs_opset9", "Slice", x,
          attrs=dict(starts=[1, -4], ends=[1000, -1], axes=[2, 0]), opset=9)
    _case(outdir, "slice_attrs_default_axes_opset7", "Slice", x,
          attrs=dict(starts=[0, 2], ends=[3, INT64_MAX]), opset=7)


def _gather(outdir):
    r = rng(205)
    x = _randn(r, 4, 5, 6)
    _case(outdir, "gather_axis1_2d_indices", "Gather", x, attrs=dict(axis=1),
          consts={"i": np.array([[0, 4], [-1, 2], [3, 3]], I64)})
    _case(outdir, "gather_axis_neg_int32", "Gather", x, attrs=dict(axis=-1),
          consts={"i": np.array([5, -6, 0], I32)})
    _case(outdir, "gather_scalar_index", "Gather", x, attrs=dict(axis=2),
          consts={"i": np.array(-2, I64)})
    _case(outdir, "gather_shape_dim_int64", "Gather", np.array([1, 3, 224, 224], I64),
          consts={"i": np.array(1, I64)}, opset=11)
    ins = {"x": x, "i": np.array([[1, 0], [3, -4]], I64)}
    write_case(outdir, "test_tensor_gather_runtime_indices",
               [_node("Gather", ["x", "i"], axis=0)], ins, ["y"], opset=13)
    _case(outdir, "gather_elements_axis1", "GatherElements", x, attrs=dict(axis=1),
          consts={"i": _randi(r, 4, 3, 6, lo=-5, hi=5)})
    _case(outdir, "gather_elements_smaller_int32", "GatherElements", _randi(r, 3, 4),
          attrs=dict(axis=0), consts={"i": _randi(r, 2, 2, lo=-3, hi=3, dtype=I32)})
    _case(outdir, "gathernd_batch1", "GatherND", _randn(r, 2, 3, 4), attrs=dict(batch_dims=1),
          consts={"i": np.array([[[1, 2], [0, -1]], [[2, 3], [-3, 0]]], I64)})
    _case(outdir, "gathernd_slices", "GatherND", _randi(r, 3, 4, 2),
          consts={"i": np.array([[2], [0], [-1]], I64)}, opset=11)
    data = _randn(r, 4, 3, 2)
    idx = np.array([[1], [3], [1]], I64)
    upd = _randn(r, 3, 3, 2)
    for red, opset in (("none", 13), ("add", 16), ("mul", 16), ("max", 18), ("min", 18)):
        attrs = {} if red == "none" else dict(reduction=red)
        ins = {"x": data, "u": upd}
        write_case(outdir, f"test_tensor_scatternd_{red}",
                   [_node("ScatterND", ["x", "i", "u"], **attrs)], ins, ["y"], opset=opset,
                   initializers={"i": idx})
    ins = {"x": _randi(r, 5), "u": np.array([10, 20], I64)}
    write_case(outdir, "test_tensor_scatternd_int64_elements",
               [_node("ScatterND", ["x", "i", "u"])], ins, ["y"], opset=13,
               initializers={"i": np.array([[4], [-5]], I64)})


def _expand_tile(outdir):
    r = rng(206)
    _case(outdir, "expand_rank_up", "Expand", _randn(r, 3, 1), consts={"s": np.array([2, 1, 4], I64)})
    _case(outdir, "expand_shape_shorter", "Expand", _randn(r, 2, 1, 5),
          consts={"s": np.array([3, 1], I64)})
    _case(outdir, "expand_int64_scalar", "Expand", np.array(4, I64),
          consts={"s": np.array([2, 3], I64)})
    _case(outdir, "expand_bool", "Expand", np.array([[True], [False]]),
          consts={"s": np.array([2, 3], I64)})
    _case(outdir, "tile_3d", "Tile", _randn(r, 2, 1, 3), consts={"r": np.array([1, 4, 2], I64)})
    _case(outdir, "tile_zero_repeat", "Tile", _randn(r, 2, 3), consts={"r": np.array([0, 2], I64)})
    _case(outdir, "tile_int64", "Tile", _randi(r, 3), consts={"r": np.array([3], I64)})


def _pad(outdir):
    r = rng(207)
    x = _randn(r, 1, 2, 4, 5)
    p4 = np.array([0, 0, 1, 2, 0, 1, 3, 1], I64)
    for mode in ("constant", "reflect", "edge"):
        _case(outdir, f"pad_{mode}_4d", "Pad", x, attrs=dict(mode=mode), consts={"p": p4}, opset=13)
    _case(outdir, "pad_constant_value", "Pad", x,
          consts={"p": p4, "v": np.array(-2.5, F)}, opset=13)
    _case(outdir, "pad_negative_crop", "Pad", x,
          consts={"p": np.array([0, 0, -1, 2, 0, -1, 1, -2], I64)}, opset=13)
    _case(outdir, "pad_reflect_negative", "Pad", x, attrs=dict(mode="reflect"),
          consts={"p": np.array([0, 0, 2, -1, 0, 0, -1, 3], I64)}, opset=13)
    _case(outdir, "pad_attr_opset10", "Pad", x,
          attrs=dict(pads=[0, 1, 1, 0, 0, 0, 2, 3], value=1.5), opset=10)
    _case(outdir, "pad_attr_edge_opset7", "Pad", _randn(r, 3, 4),
          attrs=dict(mode="edge", pads=[2, 0, 1, 3]), opset=7)
    _case(outdir, "pad_int64_constant", "Pad", _randi(r, 3, 2),
          consts={"p": np.array([1, 2, 0, 1], I64), "v": np.array(9, I64)}, opset=13)
    _case(outdir, "pad_axes_opset18", "Pad", x,
          consts={"p": np.array([2, 1, 0, 3], I64), "v": None, "a": np.array([-1, 1], I64)},
          opset=18)
    _case(outdir, "pad_wrap_opset19", "Pad", _randn(r, 2, 3, 4), attrs=dict(mode="wrap"),
          consts={"p": np.array([0, 1, 2, 0, 2, 1], I64)}, opset=19)
    _case(outdir, "pad_1d_reflect", "Pad", _randn(r, 6), attrs=dict(mode="reflect"),
          consts={"p": np.array([4, 5], I64)}, opset=13)


def _resize(outdir):
    r = rng(208)
    x = _randn(r, 1, 2, 5, 7)
    empty = np.zeros((0,), F)

    def rs(name, attrs, scales=None, sizes=None, data=x, opset=13, roi=None):
        consts = {"roi": roi if roi is not None else empty,
                  "scales": scales if scales is not None else empty}
        if sizes is not None:
            consts["sizes"] = sizes
        _case(outdir, f"resize_{name}", "Resize", data, attrs=attrs, consts=consts, opset=opset)

    sc2 = np.array([1, 1, 2, 2], F)
    rs("nearest_asym_floor", dict(mode="nearest", coordinate_transformation_mode="asymmetric",
                                  nearest_mode="floor"), scales=sc2)
    rs("nearest_half_pixel_ceil_down", dict(mode="nearest", nearest_mode="ceil"),
       sizes=np.array([1, 2, 3, 4], I64))
    rs("nearest_round_prefer_ceil_up", dict(mode="nearest", nearest_mode="round_prefer_ceil"),
       sizes=np.array([1, 2, 8, 11], I64))
    rs("nearest_tf_half_pixel", dict(mode="nearest",
                                      coordinate_transformation_mode="tf_half_pixel_for_nn"),
       sizes=np.array([1, 2, 9, 4], I64), opset=11)
    rs("linear_half_pixel_odd", dict(mode="linear"), sizes=np.array([1, 2, 9, 3], I64))
    rs("linear_half_pixel_scales", dict(mode="linear"), scales=np.array([1, 1, 1.5, 0.5], F))
    rs("linear_pytorch_down", dict(mode="linear", coordinate_transformation_mode="pytorch_half_pixel"),
       sizes=np.array([1, 2, 2, 1], I64))
    rs("linear_align_corners_sizes", dict(mode="linear", coordinate_transformation_mode="align_corners"),
       sizes=np.array([1, 2, 8, 4], I64))
    rs("linear_asymmetric", dict(mode="linear", coordinate_transformation_mode="asymmetric"),
       scales=np.array([1, 1, 2, 3], F), opset=11)
    rs("cubic_half_pixel", dict(mode="cubic"), sizes=np.array([1, 2, 8, 9], I64))
    rs("cubic_exclude_outside", dict(mode="cubic", exclude_outside=1, cubic_coeff_a=-0.5),
       sizes=np.array([1, 2, 3, 12], I64))
    rs("linear_3d_last_axis", dict(mode="linear"), sizes=np.array([2, 3, 10], I64),
       data=_randn(r, 2, 3, 4))
    rs("linear_5d_trilinear", dict(mode="linear"), sizes=np.array([1, 1, 4, 6, 3], I64),
       data=_randn(r, 1, 1, 2, 3, 5))
    rs("nearest_uint8", dict(mode="nearest"), sizes=np.array([1, 1, 7, 5], I64),
       data=_randi(r, 1, 1, 3, 4, lo=0, hi=255, dtype=np.uint8))
    rs("nearest_int32", dict(mode="nearest"), scales=np.array([1, 2], F),
       data=_randi(r, 3, 2, dtype=I32))
    rs("tf_crop_and_resize_linear", dict(mode="linear",
                                         coordinate_transformation_mode="tf_crop_and_resize",
                                         extrapolation_value=-1.0),
       sizes=np.array([1, 2, 4, 5], I64),
       roi=np.array([0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3], F))
    rs("keep_aspect_not_larger_axes", dict(mode="linear", axes=[2, 3],
                                           keep_aspect_ratio_policy="not_larger"),
       sizes=np.array([9, 9], I64), opset=18)
    rs("keep_aspect_not_smaller", dict(mode="nearest", keep_aspect_ratio_policy="not_smaller"),
       sizes=np.array([1, 2, 3, 3], I64), opset=18)
    rs("antialias_linear_down", dict(mode="linear", antialias=1),
       sizes=np.array([1, 2, 2, 3], I64), opset=18)
    rs("scales_axes_opset18", dict(mode="nearest", axes=[-1]), scales=np.array([2.5], F),
       opset=18)
    # Opset 10: scales as input 1, asymmetric coordinates.
    _case(outdir, "resize_opset10_nearest_up", "Resize", x, attrs=dict(mode="nearest"),
          consts={"scales": np.array([1, 1, 2, 1.5], F)}, opset=10)
    _case(outdir, "resize_opset10_linear", "Resize", x, attrs=dict(mode="linear"),
          consts={"scales": np.array([1, 1, 2, 2], F)}, opset=10)
    _case(outdir, "upsample_opset7_nearest", "Upsample", x,
          attrs=dict(mode="nearest", scales=[1.0, 1.0, 2.0, 3.0]), opset=7)
    _case(outdir, "upsample_opset7_linear", "Upsample", x,
          attrs=dict(mode="linear", scales=[1.0, 1.0, 2.0, 2.0]), opset=7)
    _case(outdir, "upsample_opset9_input", "Upsample", x, attrs=dict(mode="nearest"),
          consts={"scales": np.array([1, 1, 3, 2], F)}, opset=9)


def _generators(outdir):
    r = rng(209)
    for name, v in (("float", np.array([1.5], F)), ("int64", np.array([-3], I64)),
                    ("int32", np.array([7], I32))):
        t = helper.make_tensor("v", {F: TensorProto.FLOAT, I64: TensorProto.INT64,
                                     I32: TensorProto.INT32}[v.dtype.type], [1], v.tolist())
        write_case(outdir, f"test_tensor_constantofshape_{name}",
                   [_node("ConstantOfShape", ["s"], value=t)], {}, ["y"], opset=13,
                   initializers={"s": np.array([2, 3], I64)})
    write_case(outdir, "test_tensor_constantofshape_scalar",
               [_node("ConstantOfShape", ["s"])], {}, ["y"], opset=13,
               initializers={"s": np.zeros((0,), I64)})
    write_case(outdir, "test_tensor_constant_value_ints",
               [_node("Constant", [], value_ints=[3, -1, 4])], {}, ["y"], opset=13)
    write_case(outdir, "test_tensor_constant_value_float",
               [_node("Constant", [], value_float=2.5)], {}, ["y"], opset=13)
    write_case(outdir, "test_tensor_constant_int64_tensor",
               [_node("Constant", [], value=helper.make_tensor("c", TensorProto.INT64, [2, 2],
                                                               [1, 2, 3, 4]))],
               {}, ["y"], opset=11)
    for name, (s, l, d), dt in (("int64_neg", (10, -3, -4), I64), ("float_frac", (0.5, 3.2, 0.7), F),
                                ("int32_empty", (5, 5, 1), I32), ("int64_big_step", (0, 5, 100), I64)):
        write_case(outdir, f"test_tensor_range_{name}",
                   [_node("Range", ["s", "l", "d"])], {}, ["y"], opset=11,
                   initializers={"s": np.array(s, dt), "l": np.array(l, dt), "d": np.array(d, dt)})
    x = _randn(r, 2, 4, 5)
    _case(outdir, "trilu_upper_k_neg", "Trilu", x, consts={"k": np.array(-1, I64)}, opset=14)
    _case(outdir, "trilu_lower_k2", "Trilu", x, attrs=dict(upper=0),
          consts={"k": np.array(2, I64)}, opset=14)
    _case(outdir, "trilu_lower_int64", "Trilu", _randi(r, 3, 3), attrs=dict(upper=0), opset=14)
    _case(outdir, "nonzero_const", "NonZero", None, inputs={}, opset=13,
          consts={"c": np.array([[0, 1.5, 0], [2, 0, -1]], F)})
    write_case(outdir, "test_tensor_shape_start_end",
               [_node("Shape", ["x"], start=1, end=-1)], {"x": _randn(r, 2, 3, 4, 5)}, ["y"],
               opset=15)
    write_case(outdir, "test_tensor_size", [_node("Size", ["x"])], {"x": _randn(r, 2, 3, 4)},
               ["y"], opset=13)
    # Shape arithmetic as exporters emit it: Shape -> Gather -> Unsqueeze ->
    # Concat -> Reshape.
    nodes = [
        _node("Shape", ["x"], ["s"]),
        _node("Gather", ["s", "i0"], ["b"], axis=0),
        _node("Unsqueeze", ["b", "ax"], ["bu"]),
        _node("Concat", ["bu", "m1"], ["ns"], axis=0),
        _node("Reshape", ["x", "ns"], ["y"]),
    ]
    write_case(outdir, "test_tensor_shape_arith_reshape", nodes, {"x": _randn(r, 3, 4, 5)}, ["y"],
               opset=13, initializers={"i0": np.array(0, I64), "ax": np.array([0], I64),
                                       "m1": np.array([-1], I64)})


def _topk_cumsum_onehot(outdir):
    r = rng(210)
    ties = np.array([[3, 1, 3, 2, 1, 3], [0, 0, 5, 5, 1, 0]], F)
    write_case(outdir, "test_tensor_topk_ties_largest", [_node("TopK", ["x", "k"], ["v", "i"])],
               {"x": ties}, ["v", "i"], opset=11, initializers={"k": np.array([4], I64)})
    write_case(outdir, "test_tensor_topk_ties_smallest",
               [_node("TopK", ["x", "k"], ["v", "i"], largest=0, axis=1)],
               {"x": ties}, ["v", "i"], opset=11, initializers={"k": np.array([3], I64)})
    write_case(outdir, "test_tensor_topk_axis0_int64",
               [_node("TopK", ["x", "k"], ["v", "i"], axis=0)],
               {"x": _randi(r, 5, 3, lo=-3, hi=3)}, ["v", "i"], opset=11,
               initializers={"k": np.array([2], I64)})
    write_case(outdir, "test_tensor_topk_attr_opset9",
               [_node("TopK", ["x"], ["v", "i"], k=3, axis=-1)], {"x": _randn(r, 3, 7)},
               ["v", "i"], opset=9)
    write_case(outdir, "test_tensor_topk_opset10_middle_axis",
               [_node("TopK", ["x", "k"], ["v", "i"], axis=1)], {"x": _randn(r, 2, 6, 3)},
               ["v", "i"], opset=10, initializers={"k": np.array([6], I64)})
    x = _randn(r, 2, 3, 4)
    for name, attrs in (("plain", {}), ("exclusive_reverse", dict(exclusive=1, reverse=1))):
        write_case(outdir, f"test_tensor_cumsum_{name}", [_node("CumSum", ["x", "a"], **attrs)],
                   {"x": x}, ["y"], opset=14, initializers={"a": np.array(1, I32)})
    write_case(outdir, "test_tensor_cumsum_int64_neg_axis", [_node("CumSum", ["x", "a"])],
               {"x": _randi(r, 3, 4)}, ["y"], opset=14, initializers={"a": np.array(-1, I64)})
    write_case(outdir, "test_tensor_cumsum_int32_reverse",
               [_node("CumSum", ["x", "a"], reverse=1)],
               {"x": _randi(r, 5, dtype=I32)}, ["y"], opset=14,
               initializers={"a": np.array(0, I64)})
    write_case(outdir, "test_tensor_onehot_axis0", [_node("OneHot", ["i", "d", "v"], axis=0)],
               {"i": np.array([[1, -1], [5, 0]], I64)}, ["y"], opset=11,
               initializers={"d": np.array(4, I64), "v": np.array([0.5, 2.0], F)})
    write_case(outdir, "test_tensor_onehot_int64_values", [_node("OneHot", ["i", "d", "v"])],
               {"i": np.array([0, 2, -3, 3], I64)}, ["y"], opset=11,
               initializers={"d": np.array([3], I64), "v": np.array([-1, 7], I64)})


def generate(outdir):
    _reshape_family(outdir)
    _transpose_family(outdir)
    _concat_split(outdir)
    _slice(outdir)
    _gather(outdir)
    _expand_tile(outdir)
    _pad(outdir)
    _resize(outdir)
    _generators(outdir)
    _topk_cumsum_onehot(outdir)


if __name__ == "__main__":
    import sys

    generate(sys.argv[1])
