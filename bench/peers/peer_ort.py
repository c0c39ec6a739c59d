"""ONNX Runtime, CPU execution provider, every graph optimization on."""
import onnxruntime as ort

NAME = "ONNX Runtime"


def version():
    return ort.__version__


class Peer:
    def __init__(self, manifest, threads, input_shapes):
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.sess = ort.InferenceSession(manifest["onnx"], so,
                                         providers=["CPUExecutionProvider"])
        self.names = [o["name"] for o in manifest["outputs"]]
        self.settings = {"graph_optimization_level": "ORT_ENABLE_ALL",
                         "intra_op_num_threads": threads, "inter_op_num_threads": 1}
        self.feeds = None
        self.result = None

    def set_inputs(self, arrays):
        self.feeds = dict(arrays)

    def run(self):
        self.result = self.sess.run(self.names, self.feeds)

    def outputs(self):
        return list(self.result)
