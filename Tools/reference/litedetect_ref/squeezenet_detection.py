"""SqueezeNet with one extra stride-32 stage for SSD heads.

torchvision's SqueezeNet ``features`` end at output stride 16, so a detector
needs a coarser map: ``stride32`` = ``MaxPool2d(3, 2, ceil_mode=True)`` (the
same pooling SqueezeNet uses between its own stages) followed by a
``Fire(512, 64, 256, 256)``, whose output again has 512 channels.

Attributes keep torchvision's key names: ``features.*`` and ``classifier.1.*``
load unchanged from a torchvision checkpoint; the extra stage adds
``stride32.{squeeze,expand1x1,expand3x3}.{weight,bias}``.
"""

import torch
from torch import nn

from .torchvision_import import import_torchvision

import_torchvision()
from torchvision.models import squeezenet1_0, squeezenet1_1  # noqa: E402
from torchvision.models.squeezenet import Fire  # noqa: E402

_BUILDERS = {"1_0": squeezenet1_0, "1_1": squeezenet1_1}


class PooledFire(Fire):
    """``MaxPool2d(3, 2, ceil_mode=True)`` then a torchvision ``Fire``.

    A ``Fire`` subclass rather than a ``Sequential`` so the parameter keys stay
    ``squeeze``/``expand1x1``/``expand3x3`` with no positional index.
    """

    def __init__(self, inplanes: int, squeeze_planes: int, expand1x1_planes: int, expand3x3_planes: int) -> None:
        super().__init__(inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes)
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(self.pool(x))


class SqueezeNetDetection(nn.Module):
    """torchvision SqueezeNet ``version`` ("1_0" or "1_1") plus ``stride32``."""

    def __init__(self, version: str, num_classes: int = 1000) -> None:
        super().__init__()
        if version not in _BUILDERS:
            raise ValueError(f"SqueezeNet version must be one of {sorted(_BUILDERS)}, got {version!r}")
        classification = _BUILDERS[version](num_classes=num_classes)
        self.features = classification.features
        self.classifier = classification.classifier
        self.stride32 = PooledFire(512, 64, 256, 256)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Returns classification logits ``[N, num_classes]``.

        The detection stage runs too, because a detector consumes it; it does
        not feed the classifier, which stays exactly torchvision's.
        """
        features = self.features(x)
        self.stride32(features)
        return torch.flatten(self.classifier(features), 1)
