"""Catalogue of the eight backbones: how to build each and where its taps are.

Every backbone is a classifier whose ``forward`` returns logits, plus two
feature taps that SSD heads read (both NCHW):

* ``stride16``: the last map at output stride 16 (for MobileNetV2/V3 the
  expansion conv of the first stride-32 block, as torchvision's SSDLite does);
* ``stride32``: the last map at output stride 32.

``BACKBONES[name].build(options, num_classes)`` returns the model in
``eval()`` mode; ``tap_modules(model)`` returns the modules whose forward
outputs are the taps (capture them with forward hooks).
"""

from dataclasses import dataclass
from typing import Any, Callable

from torch import nn

from .mobilenet_v1 import MobileNetV1
from .shufflenet_v1 import ShuffleNetV1
from .squeezenet_detection import SqueezeNetDetection
from .torchvision_import import import_torchvision

import_torchvision()
from torchvision import models as tv  # noqa: E402

TAP_NAMES = ("stride16", "stride32")


@dataclass(frozen=True)
class BackboneSpec:
    """How to build one backbone and where its taps are.

    ``option_defaults`` lists every accepted option with its default value;
    its value types are the types the options must have.
    """

    name: str
    option_defaults: dict[str, Any]
    _build: Callable[[dict[str, Any], int], nn.Module]
    _taps: Callable[[nn.Module], tuple[nn.Module, nn.Module]]

    def resolve_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Returns ``options`` completed with defaults; rejects unknown keys and wrong types."""
        unknown = sorted(set(options) - set(self.option_defaults))
        if unknown:
            accepted = sorted(self.option_defaults) or "none"
            raise ValueError(f"backbone {self.name!r} does not take option(s) {unknown}; accepted: {accepted}")
        resolved = dict(self.option_defaults)
        for key, value in options.items():
            expected = type(self.option_defaults[key])
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if type(value) is not expected:
                raise ValueError(f"option {key!r} of {self.name!r} must be {expected.__name__}, got {value!r}")
            resolved[key] = value
        return resolved

    def build(self, options: dict[str, Any], num_classes: int) -> nn.Module:
        """The model for ``options`` (completed with defaults), in ``eval()`` mode."""
        return self._build(self.resolve_options(options), num_classes).eval()

    def tap_modules(self, model: nn.Module) -> dict[str, nn.Module]:
        """``{"stride16": module, "stride32": module}`` whose outputs are the taps."""
        return dict(zip(TAP_NAMES, self._taps(model)))


def _mobilenet_v3_taps(model: nn.Module) -> tuple[nn.Module, nn.Module]:
    # Same rule as torchvision's ssdlite._mobilenet_extractor: the last block
    # flagged "_is_cn" (first block of the stride-32 stage) splits the network,
    # and its expansion conv (block[0]) is the stride-16 tap.
    features = model.features
    stage_indices = [0] + [i for i, b in enumerate(features) if getattr(b, "_is_cn", False)] + [len(features) - 1]
    c4_pos = stage_indices[-2]
    return features[c4_pos].block[0], features


_SHUFFLENET_V2_BUILDERS = {
    0.5: tv.shufflenet_v2_x0_5,
    1.0: tv.shufflenet_v2_x1_0,
    1.5: tv.shufflenet_v2_x1_5,
    2.0: tv.shufflenet_v2_x2_0,
}


def _build_shufflenet_v2(options: dict[str, Any], num_classes: int) -> nn.Module:
    scale = options["scale"]
    if scale not in _SHUFFLENET_V2_BUILDERS:
        raise ValueError(f"shufflenetv2 scale must be one of {sorted(_SHUFFLENET_V2_BUILDERS)}, got {scale}")
    return _SHUFFLENET_V2_BUILDERS[scale](num_classes=num_classes)


_SPECS = (
    BackboneSpec(
        "squeezenet1.0",
        {},
        lambda o, k: SqueezeNetDetection("1_0", num_classes=k),
        lambda m: (m.features, m.stride32),
    ),
    BackboneSpec(
        "squeezenet1.1",
        {},
        lambda o, k: SqueezeNetDetection("1_1", num_classes=k),
        lambda m: (m.features, m.stride32),
    ),
    BackboneSpec(
        "mobilenetv1",
        {"width": 1.0},
        lambda o, k: MobileNetV1(width=o["width"], num_classes=k),
        lambda m: (m.features[11], m.features[13]),
    ),
    BackboneSpec(
        "mobilenetv2",
        {"width": 1.0},
        lambda o, k: tv.mobilenet_v2(width_mult=o["width"], num_classes=k),
        # features[14] is the first stride-2 block of the stride-32 stage.
        lambda m: (m.features[14].conv[0], m.features),
    ),
    BackboneSpec(
        "mobilenetv3-small",
        {"width": 1.0, "reduced_tail": False},
        lambda o, k: tv.mobilenet_v3_small(width_mult=o["width"], reduced_tail=o["reduced_tail"], num_classes=k),
        _mobilenet_v3_taps,
    ),
    BackboneSpec(
        "mobilenetv3-large",
        {"width": 1.0, "reduced_tail": False},
        lambda o, k: tv.mobilenet_v3_large(width_mult=o["width"], reduced_tail=o["reduced_tail"], num_classes=k),
        _mobilenet_v3_taps,
    ),
    BackboneSpec(
        "shufflenetv1",
        {"groups": 3, "scale": 1.0},
        lambda o, k: ShuffleNetV1(groups=o["groups"], scale=o["scale"], num_classes=k),
        lambda m: (m.stage3, m.stage4),
    ),
    BackboneSpec(
        "shufflenetv2",
        {"scale": 1.0},
        _build_shufflenet_v2,
        lambda m: (m.stage3, m.conv5),
    ),
)

BACKBONES: dict[str, BackboneSpec] = {spec.name: spec for spec in _SPECS}
"""Canonical backbone name -> spec, in a fixed order."""


def backbone_spec(name: str) -> BackboneSpec:
    """The spec for ``name``; the error lists every valid name."""
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; valid: {', '.join(BACKBONES)}")
    return BACKBONES[name]
