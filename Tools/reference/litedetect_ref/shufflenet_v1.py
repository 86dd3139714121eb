"""ShuffleNetV1 (Zhang et al. 2017, "ShuffleNet", Fig. 2 and Table 1) in PyTorch.

torchvision has no ShuffleNetV1, so this is the reference the Swift engine is
checked against. Choices taken from the paper:

* stage output channels per group count ``g`` are Table 1's (scale 1);
  at scale ``s`` they become ``_make_divisible(c * s, 4 * g)`` so that the
  bottleneck (``out // 4``) and both grouped 1x1 convs divide by ``g``;
* the very first unit of stage 2 uses an ungrouped first 1x1 conv ("the
  number of input channels is relatively small"), and therefore no channel
  shuffle after it: shuffling after a single group is the identity;
* no ReLU after the depthwise conv or the expanding 1x1 conv; ReLU after the
  residual add (stride 1) or the concat (stride 2);
* the stride-2 shortcut is a 3x3 stride-2 average pool with padding 1 that
  counts padded zeros (PyTorch's default ``count_include_pad=True``);
* BatchNorm eps 1e-5 after every conv, so convs have no bias.

State-dict keys: ``conv1.{0,1}.*``; ``stageK.N.{compress,depthwise,expand}.{0,1}.*``
for K = 2, 3, 4; ``fc.{weight,bias}``.
"""

import torch
from torch import nn

from .torchvision_import import import_torchvision

import_torchvision()
from torchvision.models._utils import _make_divisible  # noqa: E402

STAGE_CHANNELS_AT_SCALE_1 = {
    1: (144, 288, 576),
    2: (200, 400, 800),
    3: (240, 480, 960),
    4: (272, 544, 1088),
    8: (384, 768, 1536),
}
"""Table 1: output channels of stages 2, 3, 4 for each group count."""

STAGE_REPEATS = (4, 8, 4)
"""Units per stage (stages 2, 3, 4); the first unit of each has stride 2."""

STEM_CHANNELS = 24


def stage_channels(groups: int, scale: float) -> tuple[int, int, int]:
    """Output channels of stages 2, 3, 4 for ``groups`` at width ``scale``."""
    if groups not in STAGE_CHANNELS_AT_SCALE_1:
        raise ValueError(f"ShuffleNetV1 groups must be one of {sorted(STAGE_CHANNELS_AT_SCALE_1)}, got {groups}")
    if scale <= 0:
        raise ValueError(f"ShuffleNetV1 scale must be positive, got {scale}")
    return tuple(_make_divisible(c * scale, 4 * groups) for c in STAGE_CHANNELS_AT_SCALE_1[groups])


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Interleaves channels: (g, c/g) -> (c/g, g), the paper's shuffle."""
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class ShuffleUnitV1(nn.Module):
    """Fig. 2 (b) for ``stride == 1`` (residual add), (c) for 2 (avg-pool concat)."""

    def __init__(
        self, in_channels: int, out_channels: int, groups: int, stride: int, first_pointwise_grouped: bool
    ) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"ShuffleUnitV1 stride must be 1 or 2, got {stride}")
        if stride == 1 and in_channels != out_channels:
            raise ValueError(f"stride-1 ShuffleUnitV1 needs in == out channels, got {in_channels} -> {out_channels}")
        self.stride = stride
        self.compress_groups = groups if first_pointwise_grouped else 1
        bottleneck = out_channels // 4
        # A stride-2 unit concatenates its input, so its branch only adds the rest.
        branch_out = out_channels - in_channels if stride == 2 else out_channels
        self.compress = nn.Sequential(
            nn.Conv2d(in_channels, bottleneck, 1, groups=self.compress_groups, bias=False),
            nn.BatchNorm2d(bottleneck),
            nn.ReLU(inplace=True),
        )
        self.depthwise = nn.Sequential(
            nn.Conv2d(bottleneck, bottleneck, 3, stride, 1, groups=bottleneck, bias=False),
            nn.BatchNorm2d(bottleneck),
        )
        self.expand = nn.Sequential(
            nn.Conv2d(bottleneck, branch_out, 1, groups=groups, bias=False),
            nn.BatchNorm2d(branch_out),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branch = self.compress(x)
        if self.compress_groups > 1:
            branch = channel_shuffle(branch, self.compress_groups)
        branch = self.expand(self.depthwise(branch))
        if self.stride == 1:
            return torch.relu(x + branch)
        shortcut = nn.functional.avg_pool2d(x, 3, 2, 1)
        return torch.relu(torch.cat([shortcut, branch], dim=1))


class ShuffleNetV1(nn.Module):
    """ShuffleNetV1 classifier; ``stage3`` is stride 16, ``stage4`` stride 32."""

    def __init__(self, groups: int = 3, scale: float = 1.0, num_classes: int = 1000) -> None:
        super().__init__()
        channels = stage_channels(groups, scale)
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, STEM_CHANNELS, 3, 2, 1, bias=False),
            nn.BatchNorm2d(STEM_CHANNELS),
            nn.ReLU(inplace=True),
        )
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        in_channels = STEM_CHANNELS
        stages = []
        for stage_index, (out_channels, repeats) in enumerate(zip(channels, STAGE_REPEATS)):
            units = []
            for unit_index in range(repeats):
                is_very_first_unit = stage_index == 0 and unit_index == 0
                units.append(
                    ShuffleUnitV1(
                        in_channels,
                        out_channels,
                        groups,
                        stride=2 if unit_index == 0 else 1,
                        first_pointwise_grouped=not is_very_first_unit,
                    )
                )
                in_channels = out_channels
            stages.append(nn.Sequential(*units))
        self.stage2, self.stage3, self.stage4 = stages
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.conv1(x))
        x = self.stage4(self.stage3(self.stage2(x)))
        return self.fc(x.mean(dim=(2, 3)))
