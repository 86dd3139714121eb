"""The network being timed: LiteDetect's SSDLite320 detector, built in PyTorch.

``build_network(backbone)`` returns the PyTorch reference detector of
``Tools/reference/litedetect_ref/ssdlite.py`` (backbone + extras + SSDLite
heads) for the options of ``Configs/models/ssdlite320-<backbone>.json``,
without transform, anchors or post-processing: the same work that
``detect bench`` times as its forward pass.

Weights are random (speed does not depend on their values) but well scaled:
PyTorch's default init shrinks activations layer after layer (raw outputs
around 1e-7 on MobileNetV2), and values drifting towards the subnormal range
would time the CPU's slow path instead of the runtime. So the weights follow
the recipe of the committed fixtures (``synthetic_weights`` with seeds from
1000, then ``weight_calibration``, which scales each conv so its output has
RMS 1 on the input), and both raw outputs end up with RMS about 1.
"""

import json
import os
import sys
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

REPOSITORY_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(REPOSITORY_ROOT, "Tools", "reference"))

from litedetect_ref.backbones import BACKBONES  # noqa: E402
from litedetect_ref.prng import splitmix_tensor  # noqa: E402
from litedetect_ref.ssdlite import RawHeadOutputs, build_ssdlite  # noqa: E402
from litedetect_ref.synthetic_weights import load_synthetic_tensors, synthetic_tensors  # noqa: E402
from litedetect_ref.weight_calibration import calibrate_weight_ranges  # noqa: E402

BACKBONE_NAMES = tuple(BACKBONES)
"""The eight backbones, in the reference catalogue's order (``detect bench``'s order too)."""

INPUT_SIZE = 320
INPUT_SHAPE = (1, 3, INPUT_SIZE, INPUT_SIZE)
NUM_CLASSES = 91
OUTPUT_NAMES = ("bbox_regression", "cls_logits")
"""Raw outputs, ``[1, A, 4]`` and ``[1, A, 91]``, anchors ordered (level, row, column, anchor)."""

INPUT_SEED = 7
INPUT_RANGE = (-1.0, 1.0)
FIRST_TENSOR_SEED = 1000
"""The fixture recipe's seeds (``Tools/reference/make_backbone_fixtures.py``)."""


class RawOutputsAsTuple(nn.Module):
    """``RawHeadOutputs`` returning ``(bbox_regression, cls_logits)``: exporters
    (ONNX, pnnx) want a tuple of tensors, not a dict."""

    def __init__(self, detector: nn.Module) -> None:
        super().__init__()
        self.raw = RawHeadOutputs(detector)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        outputs = self.raw(images)
        return tuple(outputs[name] for name in OUTPUT_NAMES)


@dataclass
class Network:
    """One backbone's detector network, ready to export and time."""

    backbone: str
    options: dict[str, Any]
    """The backbone options from ``Configs/models/ssdlite320-<backbone>.json``."""
    model: RawOutputsAsTuple
    """Float32, ``eval()`` mode, calibrated synthetic weights."""
    example_input: torch.Tensor
    """``[1, 3, 320, 320]``, seed 7, uniform in [-1, 1] (already normalised)."""


def config_options(backbone: str) -> dict[str, Any]:
    """The backbone options that LiteDetect's bundled config uses (so both sides build the same network)."""
    path = os.path.join(REPOSITORY_ROOT, "Configs", "models", f"ssdlite320-{backbone}.json")
    with open(path) as file:
        config = json.load(file)
    section = dict(config["backbone"])
    if section.pop("name") != backbone:
        raise ValueError(f"{path}: backbone.name is not {backbone!r}")
    return section


def build_network(backbone: str) -> Network:
    """The detector for ``backbone`` with calibrated synthetic weights (a few seconds)."""
    options = config_options(backbone)
    image = torch.from_numpy(splitmix_tensor(INPUT_SEED, INPUT_SHAPE, *INPUT_RANGE))
    model = RawOutputsAsTuple(build_ssdlite(backbone, options, NUM_CLASSES, INPUT_SIZE)).eval()
    tensors = synthetic_tensors(model.raw, FIRST_TENSOR_SEED)
    load_synthetic_tensors(model.raw, tensors)
    # Calibrates in place: the model holds the final weights afterwards.
    calibrate_weight_ranges(model.raw, tensors, image)
    return Network(backbone, options, model, image)


def count_macs(model: nn.Module, example_input: torch.Tensor) -> int:
    """Multiply-accumulates of every conv and linear layer, counted from the
    shapes PyTorch actually computes (forward hooks): an independent check of
    the ``macs`` that ``detect bench`` reports."""
    total = 0

    def add(module: nn.Module, _inputs, output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            kernel_height, kernel_width = module.kernel_size
            total += output.numel() * (module.in_channels // module.groups) * kernel_height * kernel_width
        else:
            total += output.numel() * module.in_features

    hooks = [m.register_forward_hook(add) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.no_grad():
            model(example_input)
    finally:
        for hook in hooks:
            hook.remove()
    return total
