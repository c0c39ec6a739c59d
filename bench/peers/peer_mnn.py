"""MNN, Session API on the CPU backend, float32 ("normal" precision).

A run is runSession plus copying every output to a host tensor in NCHW: MNN
keeps outputs in its packed NC4HW4 layout, and unpacking them is work a user
must do to read a result (the other engines hand back plain arrays)."""
import numpy as np
import MNN

NAME = "MNN"


def version():
    return MNN.version()


class Peer:
    def __init__(self, manifest, threads, input_shapes):
        mnn = manifest["mnn"]
        self.it = MNN.Interpreter(mnn["file"])
        config = {"backend": "CPU", "numThread": threads, "precision": "normal"}
        self.session = self.it.createSession(config)
        self.inputs = self.it.getSessionInputAll(self.session)
        resized = False
        for name, shape in input_shapes.items():
            if tuple(self.inputs[name].getShape()) != tuple(shape):
                self.it.resizeTensor(self.inputs[name], tuple(shape))
                resized = True
        if resized:
            self.it.resizeSession(self.session)
        outs = self.it.getSessionOutputAll(self.session)
        self.outs = [outs[o["name"]] for o in manifest["outputs"]]
        self.hosts = []
        for t in self.outs:
            shape = tuple(t.getShape())
            self.hosts.append(MNN.Tensor(shape, MNN.Halide_Type_Float,
                                         np.zeros(shape, np.float32),
                                         MNN.Tensor_DimensionType_Caffe))
        self.settings = dict(config)

    def set_inputs(self, arrays):
        for name, arr in arrays.items():
            tmp = MNN.Tensor(arr.shape, MNN.Halide_Type_Float, arr,
                             MNN.Tensor_DimensionType_Caffe)
            self.inputs[name].copyFrom(tmp)

    def run(self):
        self.it.runSession(self.session)
        for t, h in zip(self.outs, self.hosts):
            t.copyToHostTensor(h)

    def outputs(self):
        return [np.array(h.getNumpyData(), copy=True) for h in self.hosts]
