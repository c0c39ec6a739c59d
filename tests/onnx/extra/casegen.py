"""Writes extra operator test cases in the ONNX backend node-test layout
(DIR/<case>/model.onnx, DIR/<case>/test_data_set_0/{input,output}_N.pb), with
ONNX Runtime as the oracle, so `mobinfer conformance DIR` runs them too.

The official node suite covers each operator's documented examples; these
cases add what it misses: odd sizes, broadcasting corners, older opsets,
integer shape arithmetic. Each family module (gen_<family>.py) calls
`write_case` for its cases; gen_all.py runs every module.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

_NP_TO_ONNX = {
    np.dtype("float32"): TensorProto.FLOAT,
    np.dtype("int64"): TensorProto.INT64,
    np.dtype("int32"): TensorProto.INT32,
    np.dtype("uint8"): TensorProto.UINT8,
    np.dtype("int8"): TensorProto.INT8,
    np.dtype("bool"): TensorProto.BOOL,
}


def rng(seed):
    return np.random.default_rng(seed)


def write_case(outdir, name, nodes, inputs, output_names, opset=17, initializers=None,
               external_data=False):
    """nodes: list of onnx NodeProto; inputs: ordered dict name -> np.ndarray
    (graph inputs); initializers: dict name -> np.ndarray (constants).
    Output types/shapes come from running ONNX Runtime. external_data=True
    stores every initializer in the file 'weights.bin' beside model.onnx."""
    import onnxruntime as ort

    initializers = initializers or {}
    graph_inputs = [
        helper.make_tensor_value_info(n, _NP_TO_ONNX[a.dtype], list(a.shape))
        for n, a in inputs.items()
    ]
    # Outputs are declared without shape; ORT tells us the result.
    graph_outputs = [helper.make_empty_tensor_value_info(n) for n in output_names]
    graph = helper.make_graph(
        nodes,
        name,
        graph_inputs,
        graph_outputs,
        initializer=[numpy_helper.from_array(v, k) for k, v in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 8)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    results = sess.run(output_names, dict(inputs))
    # Re-declare outputs with their real types so the model is self-describing.
    graph.ClearField("output")
    for n, r in zip(output_names, results):
        graph.output.append(helper.make_tensor_value_info(n, _NP_TO_ONNX[r.dtype], list(r.shape)))
    case_dir = os.path.join(outdir, name)
    data_dir = os.path.join(case_dir, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    if external_data:
        onnx.save(model, os.path.join(case_dir, "model.onnx"), save_as_external_data=True,
                  all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    else:
        onnx.save(model, os.path.join(case_dir, "model.onnx"))
    for i, (n, a) in enumerate(inputs.items()):
        with open(os.path.join(data_dir, f"input_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(a, n).SerializeToString())
    for i, (n, r) in enumerate(zip(output_names, results)):
        with open(os.path.join(data_dir, f"output_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(r, n).SerializeToString())
