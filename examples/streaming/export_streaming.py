#!/usr/bin/env python3
"""Export the two streaming step models of examples/streaming with references.

Usage (project venv):  .venv/bin/python examples/streaming/export_streaming.py OUTDIR [--frames T]

Writes, for each model NAME in (causal_video, causal_video_2d, gru):

    OUTDIR/NAME/step.onnx           one time step; state tensors are graph inputs
                                    `state_*` and outputs `new_state_*`
    OUTDIR/NAME/frames.npy          T seeded input frames, [T, *frame shape]
    OUTDIR/NAME/ort/<output>.npy    ONNX Runtime, stepped frame by frame from a
                                    zero state, every output stacked to [T, ...]
    OUTDIR/NAME/offline/<out>.npy   the non-streaming PyTorch model on the whole
                                    clip at once, [T, ...]

and checks that the stepped ONNX Runtime outputs equal the offline ones (the
step model is exactly the causal model unrolled one frame at a time).

causal_video is a MoViNet-style network on 64x64 frames: 2D convolutions per
frame, two causal temporal convolutions whose stream buffers (the last k-1
frames of their input) are the states `state_1` (a full 3x3x3 Conv3d) and
`state_2` (a depthwise (5,1,1) Conv3d of a (2+1)D block), and a causal
cumulative global average (running sum `state_sum` and frame count
`state_count`) before the classifier. Offline, the same weights run as padded
causal Conv3d over [1, C, T, H, W] and a cumulative mean over time.

gru is a 2-layer GRU (16 -> 32 -> 32) with a linear head (32 -> 8). The step
cell is written with Linear, Sigmoid, Tanh, Mul and Add (mobinfer has no
ONNX GRU operator); the offline reference is torch.nn.GRU with the same
parameters, so the comparison also checks the hand-written cell.

causal_video_2d is causal_video with the same weights, its temporal
convolutions written as 2D convolutions over the stream buffer read as
channels (see CausalVideoNet.step_2d): the same function, on faster kernels.

Weights are seeded random; BatchNorm statistics are random too.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OPSET = 13
SEED = 20240711
MODELS = ("causal_video", "causal_video_2d", "gru")


def randomize_bn(module, gen):
    """Random affine parameters and running statistics for every BatchNorm."""
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm3d)):
            c = m.num_features
            m.weight.data = torch.rand(c, generator=gen) + 0.5
            m.bias.data = torch.randn(c, generator=gen) * 0.1
            m.running_mean.data = torch.randn(c, generator=gen) * 0.1
            m.running_var.data = torch.rand(c, generator=gen) + 0.5


def conv_bn(cin, cout, k, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


def to_time_major(x):
    """[T, C, H, W] per-frame features -> [1, C, T, H, W] for Conv3d."""
    return x.permute(1, 0, 2, 3).unsqueeze(0)


def from_time_major(v):
    return v[0].permute(1, 0, 2, 3)


class CausalVideoNet(nn.Module):
    K1 = 3  # temporal kernel of the 3x3x3 block: buffer of 2 frames
    K2 = 5  # temporal kernel of the (2+1)D block: buffer of 4 frames

    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 2)
        self.t1 = nn.Conv3d(16, 16, (self.K1, 3, 3), padding=(0, 1, 1), bias=False)
        self.t1_bn = nn.BatchNorm3d(16)
        self.down = conv_bn(16, 32, 3, 2)
        self.t2_dw = nn.Conv3d(32, 32, (self.K2, 1, 1), groups=32)
        self.t2_pw = conv_bn(32, 32, 1, 1)
        self.head = conv_bn(32, 64, 3, 2)
        self.fc = nn.Linear(64, num_classes)

    def state_shapes(self, h, w):
        return {
            "state_1": (1, 16, self.K1 - 1, h // 2, w // 2),
            "state_2": (1, 32, self.K2 - 1, h // 4, w // 4),
            "state_sum": (1, 64),
            "state_count": (1, 1),
        }

    def step(self, frame, state_1, state_2, state_sum, state_count):
        x = self.stem(frame)
        buf1 = torch.cat([state_1, x.unsqueeze(2)], 2)
        x = F.relu(self.t1_bn(self.t1(buf1))).squeeze(2)
        x = self.down(x)
        buf2 = torch.cat([state_2, x.unsqueeze(2)], 2)
        x = x + self.t2_pw(self.t2_dw(buf2).squeeze(2))
        pooled = self.head(x).mean((2, 3))
        new_sum = state_sum + pooled
        new_count = state_count + 1.0
        logits = self.fc(new_sum / new_count)
        return logits, buf1[:, :, 1:], buf2[:, :, 1:], new_sum, new_count

    def step_2d(self, frame, state_1, state_2, state_sum, state_count):
        """step() with each temporal convolution written as a 2D convolution
        over the buffer seen as channels: [1, C, k, H, W] -> [1, C*k, H, W] is
        a free reshape, and the Conv3d weight [O, C, k, kh, kw] read as
        [O, C*k, kh, kw] gives the same sums. Same weights, same results; the
        2D form runs on mobinfer's fast convolution kernels."""
        x = self.stem(frame)
        buf1 = torch.cat([state_1, x.unsqueeze(2)], 2)
        n, c, k, h, w = buf1.shape
        w1 = self.t1.weight.reshape(self.t1.out_channels, c * k, 3, 3)
        y = F.conv2d(buf1.reshape(n, c * k, h, w), w1, padding=1)
        bn = self.t1_bn
        x = F.relu(F.batch_norm(y, bn.running_mean, bn.running_var, bn.weight, bn.bias,
                                False, 0.0, bn.eps))
        x = self.down(x)
        buf2 = torch.cat([state_2, x.unsqueeze(2)], 2)
        n, c, k, h, w = buf2.shape
        w2 = self.t2_dw.weight.reshape(c, k, 1, 1)
        y = F.conv2d(buf2.reshape(n, c * k, h, w), w2, self.t2_dw.bias, groups=c)
        x = x + self.t2_pw(y)
        pooled = self.head(x).mean((2, 3))
        new_sum = state_sum + pooled
        new_count = state_count + 1.0
        logits = self.fc(new_sum / new_count)
        return logits, buf1[:, :, 1:], buf2[:, :, 1:], new_sum, new_count

    def offline(self, clip):
        """clip [T, 3, H, W] -> logits [T, num_classes] and the running sum
        of pooled features [T, 64] (the state_sum after each frame); zero padding in front
        of the clip is what the zero initial state stands for."""
        x = self.stem(clip)
        v = F.pad(to_time_major(x), (0, 0, 0, 0, self.K1 - 1, 0))
        x = from_time_major(F.relu(self.t1_bn(self.t1(v))))
        x = self.down(x)
        v = F.pad(to_time_major(x), (0, 0, 0, 0, self.K2 - 1, 0))
        x = x + self.t2_pw(from_time_major(self.t2_dw(v)))
        pooled = self.head(x).mean((2, 3))
        t = torch.arange(1, clip.shape[0] + 1, dtype=torch.float32).unsqueeze(1)
        running_sum = pooled.cumsum(0)
        return self.fc(running_sum / t), running_sum


class GRUNet(nn.Module):
    def __init__(self, n_in=16, hidden=32, n_out=8, layers=2):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, n_out)
        self.layers = layers
        self.hidden = hidden

    def state_shapes(self):
        return {f"state_h{i + 1}": (1, self.hidden) for i in range(self.layers)}

    def cell(self, x, h, layer):
        """PyTorch's GRU equations, gates in its (r, z, n) order."""
        g = self.gru
        gi = F.linear(x, getattr(g, f"weight_ih_l{layer}"), getattr(g, f"bias_ih_l{layer}"))
        gh = F.linear(h, getattr(g, f"weight_hh_l{layer}"), getattr(g, f"bias_hh_l{layer}"))
        i_r, i_z, i_n = gi.chunk(3, 1)
        h_r, h_z, h_n = gh.chunk(3, 1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        return (1.0 - z) * n + z * h

    def step(self, frame, *states):
        x = frame
        new_states = []
        for layer, h in enumerate(states):
            x = self.cell(x, h, layer)
            new_states.append(x)
        return (self.head(x), *new_states)

    def offline(self, seq):
        """seq [T, 1, n_in] -> y [T, 1, n_out]."""
        out, _ = self.gru(seq.transpose(0, 1))
        return self.head(out).transpose(0, 1)


class StepWrapper(nn.Module):
    """Exports one step method of net, with net's parameters as initializers."""

    def __init__(self, net, method):
        super().__init__()
        self.net = net
        self.method = method

    def forward(self, *args):
        return getattr(self.net, self.method)(*args)


def export_step(net, method, frame_shape, state_shapes, out_names, path):
    names = ["frame"] + list(state_shapes)
    args = tuple([torch.zeros(frame_shape)] + [torch.zeros(s) for s in state_shapes.values()])
    torch.onnx.export(StepWrapper(net, method), args, path, opset_version=OPSET,
                      input_names=names, output_names=out_names, do_constant_folding=True)


def ort_stream(path, frames, state_shapes):
    """Steps ONNX Runtime over frames from a zero state; returns {output: [T, ...]}."""
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    out_names = [o.name for o in sess.get_outputs()]
    state = {k: np.zeros(s, np.float32) for k, s in state_shapes.items()}
    stacked = {n: [] for n in out_names}
    for frame in frames:
        feeds = dict(state, frame=frame)
        outs = dict(zip(out_names, sess.run(out_names, feeds)))
        for k in state:
            state[k] = outs["new_" + k]
        for n in out_names:
            stacked[n].append(outs[n])
    return {n: np.stack(v) for n, v in stacked.items()}


def save_dir(d, arrays):
    os.makedirs(d, exist_ok=True)
    for n, a in arrays.items():
        np.save(os.path.join(d, n + ".npy"), np.ascontiguousarray(a, dtype=np.float32))


def rel_err(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def video_frames(num_frames, gen):
    """[T, 1, 3, 64, 64]: noise, a per-frame colour shift and a square moving
    across the frame, so that features (and the states) change from frame to
    frame; pure noise averages out to nearly the same pooled vector."""
    t = num_frames
    frames = torch.randn((t, 1, 3, 64, 64), generator=gen) * 0.5
    frames += torch.randn((t, 1, 3, 1, 1), generator=gen)
    for i in range(t):
        x0 = (4 * i) % 48
        frames[i, 0, :, 16:32, x0:x0 + 16] += 2.0
    return frames


def build(name, num_frames):
    """Returns (net, name of its step method, frames [T, *frame], frame shape, state shapes,
    output names, offline outputs)."""
    gen = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    if name.startswith("causal_video"):
        net = CausalVideoNet()
        randomize_bn(net, gen)
        frame_shape = (1, 3, 64, 64)
        states = net.state_shapes(64, 64)
        out_names = ["logits"] + ["new_" + k for k in states]
        frames = video_frames(num_frames, gen)
        net.eval()
        with torch.no_grad():
            logits, running_sum = net.offline(frames[:, 0])
            offline = {"logits": logits.unsqueeze(1), "new_state_sum": running_sum.unsqueeze(1)}
        method = "step_2d" if name == "causal_video_2d" else "step"
    else:
        net = GRUNet()
        for p in net.parameters():
            p.data = (torch.rand(p.shape, generator=gen) - 0.5)
        frame_shape = (1, 16)
        states = net.state_shapes()
        out_names = ["y"] + ["new_" + k for k in states]
        frames = torch.randn((num_frames,) + frame_shape, generator=gen)
        net.eval()
        with torch.no_grad():
            offline = {"y": net.offline(frames)}
        method = "step"
    return net, method, frames, frame_shape, states, out_names, offline


def export(outdir, name, num_frames=16):
    net, method, frames, frame_shape, states, out_names, offline = build(name, num_frames)
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "step.onnx")
    with torch.no_grad():
        export_step(net, method, frame_shape, states, out_names, path)
    frames_np = frames.numpy().astype(np.float32)
    np.save(os.path.join(d, "frames.npy"), frames_np)
    stepped = ort_stream(path, frames_np, states)
    save_dir(os.path.join(d, "ort"), stepped)
    save_dir(os.path.join(d, "offline"), {k: v.numpy() for k, v in offline.items()})
    for k, ref in offline.items():
        err = rel_err(stepped[k], ref.numpy())
        print(f"{name}: ONNX Runtime stepped vs offline PyTorch '{k}': "
              f"max |diff| / max |ref| = {err:.2e}")
        if err > 1e-4:
            raise SystemExit(f"{name}: the step model does not reproduce the offline model")
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--only", choices=MODELS)
    args = ap.parse_args()
    for name in MODELS:
        if args.only is None or args.only == name:
            export(args.outdir, name, args.frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
