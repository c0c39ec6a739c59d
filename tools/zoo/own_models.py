"""Model definitions the zoo needs that neither torchvision nor timm provides.

Written from the papers (no code copied):

* MobileViG (Munir, Avery, Marculescu, "MobileViG: Graph-Based Sparse
  Attention for Mobile Vision Applications", CVPRW 2023): a convolutional
  stem, inverted-residual stages, and a last stage of Sparse Vision Graph
  Attention (SVGA) blocks. SVGA connects each pixel to every K-th pixel of its
  row and column (no k-NN search, so the graph is static) and aggregates with
  max-relative graph convolution: max over neighbours of (x_j - x_i),
  concatenated with x_i and mixed by a 1x1 convolution. The neighbours are
  reached by rolling the feature map, so the ONNX graph is only
  Slice/Concat/Sub/Max/Conv. Sizes follow MobileViG-Ti (channels 42, 84, 176,
  256; blocks 2, 2, 6, 2; K = 2).
* QuickSRNet (Berger et al., "QuickSRNet: Plain Single-Image Super-Resolution
  Architecture for Faster Inference on Mobile Platforms", CVPRW 2023): a plain
  stack of 3x3 convolutions with ReLU, a last convolution to 3*s*s channels,
  an anchor skip (the input repeated s*s times along channels, added before
  the shuffle) and a depth-to-space. Sizes follow QuickSRNet-Medium (32
  features, 5 hidden 3x3 layers), scale 2.
* SSDLite wrapper: torchvision's SSDLite320-MobileNetV3 backbone and head with
  the anchor box decoding inside the graph; NonMaxSuppression stays in the
  application (its output length depends on the data, which a statically
  planned engine cannot size at session creation).
"""

import torch
from torch import nn
import torch.nn.functional as F


# ---------------------------------------------------------------------------
# MobileViG
# ---------------------------------------------------------------------------

def conv_bn(cin, cout, k=1, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout))


class InvertedResidual(nn.Module):
    """MobileViG's local processing block: 1x1 expand, 3x3 depthwise, 1x1 project."""

    def __init__(self, dim, expand=4):
        super().__init__()
        hidden = dim * expand
        self.expand = conv_bn(dim, hidden)
        self.dw = conv_bn(hidden, hidden, 3, groups=hidden)
        self.project = conv_bn(hidden, dim)

    def forward(self, x):
        y = F.gelu(self.expand(x))
        y = F.gelu(self.dw(y))
        return x + self.project(y)


class SparseGraphMaxRelative(nn.Module):
    """SVGA aggregation: neighbours are every K-th pixel along the row and column."""

    def __init__(self, dim, k):
        super().__init__()
        self.k = k
        self.mix = nn.Sequential(nn.Conv2d(2 * dim, dim, 1), nn.BatchNorm2d(dim), nn.GELU())

    def forward(self, x):
        _, _, h, w = x.shape
        rel = x - x  # max-relative starts at zero: a pixel is its own neighbour
        for s in range(self.k, h, self.k):
            rel = torch.maximum(rel, torch.roll(x, s, dims=2) - x)
        for s in range(self.k, w, self.k):
            rel = torch.maximum(rel, torch.roll(x, s, dims=3) - x)
        return self.mix(torch.cat([x, rel], dim=1))


class Grapher(nn.Module):
    def __init__(self, dim, k):
        super().__init__()
        self.fc1 = conv_bn(dim, dim)
        self.graph = SparseGraphMaxRelative(dim, k)
        self.fc2 = conv_bn(dim, dim)

    def forward(self, x):
        return x + self.fc2(self.graph(self.fc1(x)))


class FFN(nn.Module):
    def __init__(self, dim, expand=4):
        super().__init__()
        self.fc1 = conv_bn(dim, dim * expand)
        self.fc2 = conv_bn(dim * expand, dim)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(x)))


class SVGABlock(nn.Module):
    def __init__(self, dim, k):
        super().__init__()
        self.grapher = Grapher(dim, k)
        self.ffn = FFN(dim)

    def forward(self, x):
        return self.ffn(self.grapher(x))


class MobileViG(nn.Module):
    def __init__(self, dims=(42, 84, 176, 256), blocks=(2, 2, 6, 2), k=2,
                 head_dim=512, num_classes=1000):
        super().__init__()
        self.stem = nn.Sequential(
            conv_bn(3, dims[0] // 2, 3, 2), nn.GELU(),
            conv_bn(dims[0] // 2, dims[0], 3, 2), nn.GELU())
        stages = []
        for i, (d, n) in enumerate(zip(dims, blocks)):
            layers = []
            if i > 0:
                layers.append(conv_bn(dims[i - 1], d, 3, 2))
            last = i == len(dims) - 1
            for _ in range(n):
                layers.append(SVGABlock(d, k) if last else InvertedResidual(d))
            stages.append(nn.Sequential(*layers))
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Conv2d(dims[-1], head_dim, 1),
            nn.BatchNorm2d(head_dim), nn.GELU())
        self.classifier = nn.Conv2d(head_dim, num_classes, 1)
        self.dist_classifier = nn.Conv2d(head_dim, num_classes, 1)

    def forward(self, x):
        y = self.head(self.stages(self.stem(x)))
        # The distillation head is averaged with the class head at inference.
        y = (self.classifier(y) + self.dist_classifier(y)) / 2
        return torch.flatten(y, 1)


def mobilevig_ti():
    return MobileViG()


# ---------------------------------------------------------------------------
# QuickSRNet
# ---------------------------------------------------------------------------

class QuickSRNet(nn.Module):
    def __init__(self, scale=2, features=32, hidden_layers=5, channels=3):
        super().__init__()
        self.scale = scale
        layers = [nn.Conv2d(channels, features, 3, padding=1), nn.ReLU()]
        for _ in range(hidden_layers):
            layers += [nn.Conv2d(features, features, 3, padding=1), nn.ReLU()]
        layers.append(nn.Conv2d(features, channels * scale * scale, 3, padding=1))
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        # The anchor skip makes the body learn only the residual over
        # nearest-neighbour upsampling, which is what keeps the net so shallow.
        anchor = torch.repeat_interleave(x, self.scale * self.scale, dim=1)
        y = self.body(x) + anchor
        return torch.clamp(F.pixel_shuffle(y, self.scale), 0.0, 1.0)


def quicksrnet_medium_x2():
    return QuickSRNet(scale=2, features=32, hidden_layers=5)


# ---------------------------------------------------------------------------
# SSDLite320-MobileNetV3 with box decoding in the graph
# ---------------------------------------------------------------------------

class SSDLiteDecoded(nn.Module):
    """Input: a 1x3x320x320 image already normalised as the detector expects.

    Outputs: boxes [N, 4] (x1, y1, x2, y2 in pixels, clipped to the image) and
    scores [N, num_classes] (softmax, class 0 is background), one row per
    anchor. Score thresholding, top-k and NonMaxSuppression are left to the
    application.
    """

    def __init__(self, det, size=320):
        super().__init__()
        from torchvision.models.detection.image_list import ImageList
        self.backbone = det.backbone
        self.head = det.head
        self.size = size
        wx, wy, ww, wh = det.box_coder.weights
        self.weights = (float(wx), float(wy), float(ww), float(wh))
        self.clip = float(det.box_coder.bbox_xform_clip)
        with torch.no_grad():
            img = torch.zeros(1, 3, size, size)
            feats = list(self.backbone(img).values())
            anchors = det.anchor_generator(ImageList(img, [(size, size)]), feats)[0]
        w = anchors[:, 2] - anchors[:, 0]
        h = anchors[:, 3] - anchors[:, 1]
        # Anchors depend only on the fixed input size: stored as constants.
        self.register_buffer("anchor_ctr", torch.stack([anchors[:, 0] + 0.5 * w,
                                                        anchors[:, 1] + 0.5 * h], 1))
        self.register_buffer("anchor_wh", torch.stack([w, h], 1))

    def forward(self, x):
        feats = list(self.backbone(x).values())
        out = self.head(feats)
        reg, logits = out["bbox_regression"][0], out["cls_logits"][0]
        wx, wy, ww, wh = self.weights
        dxy = reg[:, 0:2] / torch.tensor([wx, wy])
        dwh = torch.clamp(reg[:, 2:4] / torch.tensor([ww, wh]), max=self.clip)
        ctr = dxy * self.anchor_wh + self.anchor_ctr
        half = 0.5 * torch.exp(dwh) * self.anchor_wh
        boxes = torch.cat([ctr - half, ctr + half], 1).clamp(0.0, float(self.size))
        return boxes, F.softmax(logits, -1)


def ssdlite320_decoded():
    import torchvision
    det = torchvision.models.detection.ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None)
    det.eval()
    return SSDLiteDecoded(det)


def nms_numpy(boxes, scores, iou_threshold=0.5):
    """Greedy NMS for the application side (reference for what the graph leaves out)."""
    import numpy as np
    order = np.argsort(-scores, kind="stable")
    keep = []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order.size:
        i = order[0]
        keep.append(int(i))
        xx1 = np.maximum(boxes[i, 0], boxes[order[1:], 0])
        yy1 = np.maximum(boxes[i, 1], boxes[order[1:], 1])
        xx2 = np.minimum(boxes[i, 2], boxes[order[1:], 2])
        yy2 = np.minimum(boxes[i, 3], boxes[order[1:], 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        iou = inter / np.maximum(area[i] + area[order[1:]] - inter, 1e-12)
        order = order[1:][iou <= iou_threshold]
    return keep

