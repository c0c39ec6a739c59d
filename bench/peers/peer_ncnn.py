"""ncnn from a pnnx conversion, float32 only.

fp16 and bf16 storage and arithmetic are off (ncnn turns fp16 storage on by
default where the CPU has F16C); packed layouts stay on, being float32 too.
A run is what ncnn's API requires for one result: a new extractor, the
input, and extracting every output."""
import numpy as np
import ncnn

NAME = "ncnn"


def version():
    return ncnn.__version__


class Peer:
    def __init__(self, manifest, threads, input_shapes):
        nc = manifest["ncnn"]
        self.net = ncnn.Net()
        opt = self.net.opt
        opt.num_threads = threads
        opt.use_vulkan_compute = False
        opt.use_fp16_packed = False
        opt.use_fp16_storage = False
        opt.use_fp16_arithmetic = False
        opt.use_bf16_storage = False
        opt.use_bf16_packed = False
        if self.net.load_param(nc["param"]) != 0 or self.net.load_model(nc["bin"]) != 0:
            raise RuntimeError("ncnn could not load %s" % nc["param"])
        self.in_names = nc["inputs"]
        self.out_names = nc["outputs"]
        self.settings = {"num_threads": threads, "fp16": False, "bf16": False,
                         "packing_layout": bool(opt.use_packing_layout),
                         "lightmode": bool(opt.lightmode)}
        self.mats = []
        self.result = []

    def set_inputs(self, arrays):
        # pnnx numbers the inputs in0, in1... in graph order and drops the
        # batch dimension (ncnn blobs have none).
        self.mats = []
        for name, arr in zip(self.in_names, arrays.values()):
            a = arr[0] if arr.ndim >= 2 and arr.shape[0] == 1 else arr
            self.mats.append((name, ncnn.Mat(np.ascontiguousarray(a)).clone()))

    def run(self):
        ex = self.net.create_extractor()
        for name, mat in self.mats:
            ex.input(name, mat)
        result = []
        for name in self.out_names:
            rc, mat = ex.extract(name)
            if rc != 0:
                raise RuntimeError("ncnn extract %s failed (%d)" % (name, rc))
            result.append(mat)
        self.result = result

    def outputs(self):
        return [np.array(m, copy=True) for m in self.result]
