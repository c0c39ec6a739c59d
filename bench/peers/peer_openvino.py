"""OpenVINO CPU plugin: latency hint, float32 inference precision.

The CPU here has AMX and AVX512-BF16, on which OpenVINO would otherwise pick
bf16 by itself; INFERENCE_PRECISION_HINT f32 keeps the comparison float32."""
import openvino as ov

NAME = "OpenVINO"


def version():
    return ov.get_version()


class Peer:
    def __init__(self, manifest, threads, input_shapes):
        core = ov.Core()
        model = core.read_model(manifest["onnx"])
        # Dynamic dimensions (the OCR model's) would make the plugin compile a
        # shape-agnostic graph; every other engine plans for the real shape.
        model.reshape({name: ov.PartialShape(list(shape)) for name, shape in input_shapes.items()})
        config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads,
                  "INFERENCE_PRECISION_HINT": "f32"}
        self.compiled = core.compile_model(model, "CPU", config)
        self.request = self.compiled.create_infer_request()
        by_name = {}
        for i, port in enumerate(self.compiled.outputs):
            for n in port.get_names():
                by_name[n] = i
        self.out_index = [by_name[o["name"]] for o in manifest["outputs"]]
        self.settings = dict(config)
        for key in ("INFERENCE_PRECISION_HINT", "NUM_STREAMS", "INFERENCE_NUM_THREADS",
                    "ENABLE_CPU_PINNING"):
            try:
                value = self.compiled.get_property(key)
                # An ov.Type prints as "<Type: 'float32'>"; its short name is "f32".
                if hasattr(value, "get_type_name"):
                    value = value.get_type_name()
                self.settings["effective_" + key] = str(value)
            except Exception as e:  # a property this version does not report
                self.settings["effective_" + key] = "unknown (%s)" % type(e).__name__

    def set_inputs(self, arrays):
        for name, arr in arrays.items():
            self.request.set_tensor(name, ov.Tensor(arr))

    def run(self):
        self.request.infer(share_inputs=True, share_outputs=True)

    def outputs(self):
        return [self.request.get_output_tensor(i).data.copy() for i in self.out_index]
