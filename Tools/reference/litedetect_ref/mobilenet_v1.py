"""MobileNetV1 (Howard et al. 2017, "MobileNets", Table 1) as a PyTorch module.

torchvision has no MobileNetV1, so this is the reference the Swift engine is
checked against. Choices taken from the paper, not from TensorFlow's slim code:

* activation is ReLU (the paper's); TF slim's checkpoints use ReLU6 instead;
* every conv is followed by BatchNorm (eps 1e-5, PyTorch default), so convs
  have no bias;
* channel counts are ``_make_divisible(c * width, 8)`` like torchvision's
  MobileNetV2/V3, so widths such as 0.35 give hardware-friendly multiples of 8.

State-dict keys: ``features.0.{0,1}.*`` (stem conv, BN),
``features.N.depthwise.{0,1}.*`` and ``features.N.pointwise.{0,1}.*`` for
N = 1..13, and ``classifier.{weight,bias}``.
"""

from dataclasses import dataclass

import torch
from torch import nn

from .torchvision_import import import_torchvision

import_torchvision()
from torchvision.models._utils import _make_divisible  # noqa: E402


@dataclass(frozen=True)
class DepthwiseSeparableSpec:
    """One row pair of the paper's Table 1: a 3x3 depthwise conv of ``stride``
    followed by a 1x1 conv to ``out_channels`` (before width scaling)."""

    out_channels: int
    stride: int


STEM_CHANNELS = 32
"""Output channels of the first full 3x3 stride-2 conv, before width scaling."""

BLOCKS = (
    DepthwiseSeparableSpec(64, 1),
    DepthwiseSeparableSpec(128, 2),
    DepthwiseSeparableSpec(128, 1),
    DepthwiseSeparableSpec(256, 2),
    DepthwiseSeparableSpec(256, 1),
    DepthwiseSeparableSpec(512, 2),
    *(DepthwiseSeparableSpec(512, 1) for _ in range(5)),
    DepthwiseSeparableSpec(1024, 2),
    DepthwiseSeparableSpec(1024, 1),
)
"""``features.1`` ... ``features.13`` in order; output stride 32 overall."""


def _conv_bn_relu(in_channels: int, out_channels: int, kernel_size: int, stride: int, groups: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding=kernel_size // 2, groups=groups, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class DepthwiseSeparable(nn.Module):
    """3x3 depthwise conv-BN-ReLU, then 1x1 pointwise conv-BN-ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.depthwise = _conv_bn_relu(in_channels, in_channels, 3, stride, groups=in_channels)
        self.pointwise = _conv_bn_relu(in_channels, out_channels, 1, 1, groups=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


class MobileNetV1(nn.Module):
    """MobileNetV1 classifier; ``features`` maps NCHW images to stride-32 maps."""

    def __init__(self, width: float = 1.0, num_classes: int = 1000) -> None:
        super().__init__()
        if width <= 0:
            raise ValueError(f"MobileNetV1 width must be positive, got {width}")
        channels = _make_divisible(STEM_CHANNELS * width, 8)
        layers: list[nn.Module] = [_conv_bn_relu(3, channels, 3, 2, groups=1)]
        for block in BLOCKS:
            out_channels = _make_divisible(block.out_channels * width, 8)
            layers.append(DepthwiseSeparable(channels, out_channels, block.stride))
            channels = out_channels
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.classifier(x)
