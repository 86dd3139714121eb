#!/usr/bin/env python3
"""Proves the converted person-detector weights against TensorFlow's own outputs, in PyTorch.

    python3 Tools/reference/tensorflow/check_converted_weights.py      # from the repository root

Needs torch, torchvision, safetensors and numpy (not TensorFlow). Builds the
network from definitions nobody here wrote: torchvision's ``mobilenet_v2``
(through ``litedetect_ref``'s SSDLite feature extractor, which adds
torchvision's ``_extra_block``s) and torchvision's ``SSDLiteHead`` with 3, 6, 6,
6, 6, 6 anchors per level and 2 class columns. The converted safetensors are
loaded with ``strict=True`` (every key and shape must match those modules),
BatchNorm epsilon is set from the model config, and every stride-2 convolution
pads the way TF's SAME does (the extra row/column at the bottom/right on even
sizes). It then runs on the ``input`` tensor stored in each
``Tests/LiteDetectTests/Fixtures/tf-person/<stem>.safetensors`` and compares
with TF's ``box_encodings`` and ``class_predictions`` from the same file.

Two controls show the comparison can fail: the same weights with PyTorch's
symmetric padding, and with torchvision's default BatchNorm epsilon 1e-5.
Exits non-zero if a relative error exceeds 1e-4 or a control passes.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # Tools/reference, for litedetect_ref

from litedetect_ref.backbones import backbone_spec  # noqa: E402
from litedetect_ref.ssdlite import HEAD_NORM_LAYER, SSDLiteFeatureExtractor  # noqa: E402
from litedetect_ref.torchvision_import import import_torchvision  # noqa: E402

import_torchvision()
from safetensors.numpy import load_file  # noqa: E402
from torchvision.models.detection.ssdlite import SSDLiteHead  # noqa: E402

MODEL = "ssdlite300-mobilenetv2-person"
CONFIG = os.path.join("Configs", "models", f"{MODEL}.json")
WEIGHTS = os.path.join("Configs", "weights", f"{MODEL}.safetensors")
FIXTURES = os.path.join("Tests", "LiteDetectTests", "Fixtures", "tf-person")
STEMS = ["street", "astronaut", "chelsea"]
ANCHORS_PER_LEVEL = [3, 6, 6, 6, 6, 6]
TOLERANCE = 1e-4
"""On max|ours − TF| / max|TF|, per output."""


class RawDetector(nn.Module):
    """Backbone + extras + SSDLite head; outputs TF's raw tensors: box encodings and class logits."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        spec = backbone_spec("mobilenetv2")
        reference = spec.build(spec.resolve_options({"width": 1.0}), num_classes=1000)
        self.backbone = SSDLiteFeatureExtractor("mobilenetv2", reference, spec)
        self.head = SSDLiteHead(self.backbone.level_channels, ANCHORS_PER_LEVEL, num_classes, HEAD_NORM_LAYER)

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.head(list(self.backbone(images).values()))


def tf_same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(before, after) padding of TF's SAME: output ceil(size / stride), the odd pixel after."""
    output = -(-size // stride)
    total = max((output - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def use_tensorflow_same_padding(model: nn.Module) -> int:
    """Makes every stride-2 convolution pad like TF SAME; returns how many were changed."""
    changed = 0
    for module in model.modules():
        if not isinstance(module, nn.Conv2d):
            continue
        kernel, stride = module.kernel_size[0], module.stride[0]
        if stride == 1:
            # Stride 1, odd kernel: SAME is symmetric, (k - 1) / 2 each side, as PyTorch already pads.
            assert module.padding == ((kernel - 1) // 2,) * 2, module
            continue
        module.padding = (0, 0)

        def pad(conv, inputs, kernel=kernel, stride=stride):
            (x,) = inputs
            top, bottom = tf_same_padding(x.shape[2], kernel, stride)
            left, right = tf_same_padding(x.shape[3], kernel, stride)
            return (F.pad(x, (left, right, top, bottom)),)

        module.register_forward_pre_hook(pad)
        changed += 1
    return changed


def set_batch_norm_epsilon(model: nn.Module, epsilon: float) -> int:
    layers = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for layer in layers:
        layer.eps = epsilon
    return len(layers)


def relative_error(ours: torch.Tensor, reference: np.ndarray) -> float:
    reference64 = reference.astype(np.float64)
    return float(np.max(np.abs(ours.detach().double().numpy() - reference64)) / np.max(np.abs(reference64)))


def run(model: nn.Module, fixture: dict[str, np.ndarray]) -> dict[str, float]:
    image = torch.from_numpy(fixture["input"]).permute(2, 0, 1).unsqueeze(0)  # HWC -> NCHW
    with torch.no_grad():
        out = model(image.to(next(model.parameters()).dtype))
    return {"box_encodings": relative_error(out["bbox_regression"][0], fixture["box_encodings"]),
            "class_predictions": relative_error(out["cls_logits"][0], fixture["class_predictions"])}


def build(weights: dict[str, np.ndarray], config: dict, tf_padding: bool, epsilon: float | None) -> nn.Module:
    model = RawDetector(num_classes=len(config["labels"]))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()}, strict=True)
    if tf_padding:
        use_tensorflow_same_padding(model)
    if epsilon is not None:
        set_batch_norm_epsilon(model, epsilon)
    return model.eval()


def main() -> int:
    torch.set_num_threads(1)
    with open(CONFIG) as file:
        config = json.load(file)
    epsilon = config["backbone"]["batch_norm_epsilon"]
    if config["network"]["head_batch_norm_epsilon"] != epsilon:
        raise SystemExit("this check assumes one BatchNorm epsilon for backbone, extras and head")
    weights = load_file(WEIGHTS)
    model = build(weights, config, tf_padding=True, epsilon=epsilon)
    stride2 = sum(1 for m in model.modules() if isinstance(m, nn.Conv2d) and m.stride[0] == 2)
    norms = sum(1 for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    print(f"{WEIGHTS}: {len(weights)} tensors loaded strictly; {stride2} stride-2 convs padded as TF SAME; "
          f"{norms} BatchNorms with eps {epsilon}")
    controls = {
        "PyTorch symmetric padding": build(weights, config, tf_padding=False, epsilon=epsilon),
        "BatchNorm eps 1e-5": build(weights, config, tf_padding=True, epsilon=1e-5),
    }
    failed = False
    for stem in STEMS:
        fixture = load_file(os.path.join(FIXTURES, f"{stem}.safetensors"))
        errors = run(model, fixture)
        errors64 = run(build(weights, config, tf_padding=True, epsilon=epsilon).double(), fixture)
        ok = all(e <= TOLERANCE for e in errors.values())
        failed |= not ok
        print(f"{stem}: max|torch − TF| / max|TF|: " + ", ".join(f"{k} {v:.2e}" for k, v in errors.items())
              + " (float64 torch: " + ", ".join(f"{v:.2e}" for v in errors64.values()) + ")"
              + ("" if ok else "  FAIL"))
        for name, control in controls.items():
            control_errors = run(control, fixture)
            caught = any(e > TOLERANCE for e in control_errors.values())
            failed |= not caught
            print(f"    control, {name}: " + ", ".join(f"{k} {v:.2e}" for k, v in control_errors.items())
                  + ("" if caught else "  NOT CAUGHT"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
