"""SSDLite detectors on every LiteDetect backbone, with canonical state-dict keys.

``build_ssdlite(backbone, options)`` returns a torchvision ``SSD`` whose parts
are torchvision's own SSDLite parts (``_extra_block``, ``SSDLiteHead``,
``DefaultBoxGenerator``, ``GeneralizedRCNNTransform`` with mean = std = 0.5)
around one of our reference backbones (``backbones.py``). The detector reads
six maps: the backbone's ``stride16`` and ``stride32`` taps, then four extra
blocks applied one after the other to ``stride32``.

Canonical keys (what the Swift ``DetectionNetwork`` reads):

* ``backbone.<key>``: exactly the reference backbone's own state-dict keys,
  without its classifier (``classifier.*``/``fc.*`` are not built);
* ``backbone.extra.{i}.{0,1,2}.{0,1}.*``: extra block ``i`` (1x1 conv to
  out/2, 3x3 depthwise stride 2, 1x1 conv to out; each conv-BN-ReLU6);
* ``head.{classification,regression}_head.module_list.{level}.0.{0,1}.*``
  (3x3 depthwise conv-BN-ReLU6) and ``.1.{weight,bias}`` (1x1 conv).

Extras and head use BatchNorm eps 1e-3 (torchvision SSDLite's ``norm_layer``);
the backbone keeps its family's eps.

torchvision's own ``ssdlite320_mobilenet_v3_large`` names its backbone
differently (it cuts ``features`` in two at the stride-16 tap);
``torchvision_ssdlite_to_canonical`` and ``canonical_to_torchvision_ssdlite``
rename between the two.
"""

import re
from collections import OrderedDict
from collections.abc import Mapping
from functools import partial
from typing import Any, TypeVar

import torch
from torch import nn

from .backbones import BackboneSpec, backbone_spec
from .torchvision_import import import_torchvision

import_torchvision()
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator  # noqa: E402
from torchvision.models.detection.ssd import SSD  # noqa: E402
from torchvision.models.detection.ssd import SSDHead  # noqa: E402
from torchvision.models.detection.ssdlite import SSDLiteHead, _extra_block  # noqa: E402

EXTRA_LAYER_CHANNELS = (512, 256, 256, 128)
"""Output channels of the four extra blocks (torchvision SSDLite at width 1)."""

ANCHOR_ASPECT_RATIOS = [[2, 3]] * 6
"""Per level; with ``DefaultBoxGenerator`` this gives 6 anchors per cell:
two squares (scale ``s_k`` and ``sqrt(s_k s_{k+1})``) and 1:2, 2:1, 1:3, 3:1."""

ANCHOR_MIN_RATIO = 0.2
ANCHOR_MAX_RATIO = 0.95

HEAD_BATCH_NORM_EPS = 1e-3
HEAD_NORM_LAYER = partial(nn.BatchNorm2d, eps=HEAD_BATCH_NORM_EPS, momentum=0.03)
"""torchvision SSDLite's ``norm_layer`` for extras and head (momentum is irrelevant in eval)."""

POSTPROCESS_DEFAULTS = {
    "score_thresh": 0.001,
    "nms_thresh": 0.55,
    "detections_per_img": 300,
    "topk_candidates": 300,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
}
"""``ssdlite320_mobilenet_v3_large``'s keyword defaults: the transform maps
[0, 1] pixels to [-1, 1]; detection keeps per class the top 300 scores above
0.001, runs class-wise NMS at IoU 0.55 and keeps 300 boxes."""

BOX_CODER_WEIGHTS = (10.0, 10.0, 5.0, 5.0)
"""``SSD``'s fixed ``BoxCoder`` weights (dx, dy, dw, dh divisors)."""

TRUNK_CHILDREN = {
    "squeezenet1.0": ("features", "stride32"),
    "squeezenet1.1": ("features", "stride32"),
    "mobilenetv1": ("features",),
    "mobilenetv2": ("features",),
    "mobilenetv3-small": ("features",),
    "mobilenetv3-large": ("features",),
    "shufflenetv1": ("conv1", "maxpool", "stage2", "stage3", "stage4"),
    "shufflenetv2": ("conv1", "maxpool", "stage2", "stage3", "stage4", "conv5"),
}
"""Per backbone, the reference model's children that its forward pass applies
one after the other up to the ``stride32`` tap; everything after (pooling,
``classifier``, ``fc``) is not built. ``check_trunk_matches_reference``
proves these lists against the full reference models."""

FEATURE_LEVEL_NAMES = tuple(str(i) for i in range(2 + len(EXTRA_LAYER_CHANNELS)))
"""Keys of the feature extractor's output: "0" = stride16, "1" = stride32, "2".."5" = extras."""


class SSDLiteFeatureExtractor(nn.Module):
    """A reference backbone's trunk plus SSDLite extra blocks.

    Holds the trunk children of the reference backbone under their own names
    (so their keys are the backbone's keys) and the extras under ``extra``.
    ``forward`` maps images ``[N, 3, H, W]`` to an ``OrderedDict`` of the six
    NCHW maps named ``FEATURE_LEVEL_NAMES``.
    """

    def __init__(self, backbone_name: str, reference: nn.Module, spec: BackboneSpec) -> None:
        super().__init__()
        self.trunk_names = TRUNK_CHILDREN[backbone_name]
        children = dict(reference.named_children())
        for name in self.trunk_names:
            self.add_module(name, children[name])
        taps = spec.tap_modules(reference)
        self._stride16_output: list[torch.Tensor] = []
        # The stride-16 map may be inside a child (MobileNetV2/V3 expansion
        # conv), so it is captured where it is computed, not re-derived.
        taps["stride16"].register_forward_hook(lambda _m, _i, output: self._stride16_output.append(output))
        self.tap_channels = self._trunk_channels()
        channels = (self.tap_channels[1],) + EXTRA_LAYER_CHANNELS
        self.extra = nn.ModuleList(
            _extra_block(channels[i], channels[i + 1], HEAD_NORM_LAYER) for i in range(len(EXTRA_LAYER_CHANNELS))
        )

    def _trunk_channels(self) -> tuple[int, int]:
        """Channels of the two taps, from a dry run (as torchvision's
        ``retrieve_out_channels`` does): no rule per block type to get wrong."""
        with torch.no_grad():
            stride16, stride32 = self._run_trunk(torch.zeros(1, 3, 64, 64))
        return stride16.shape[1], stride32.shape[1]

    def _run_trunk(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self._stride16_output.clear()
        x = images
        for name in self.trunk_names:
            x = getattr(self, name)(x)
        if len(self._stride16_output) != 1:
            raise RuntimeError(f"stride16 tap ran {len(self._stride16_output)} times, expected once")
        # Cloned because some backbones apply in-place activations later in the trunk.
        return self._stride16_output.pop().clone(), x

    @property
    def level_channels(self) -> list[int]:
        """Channels of the six maps, in level order."""
        return list(self.tap_channels) + list(EXTRA_LAYER_CHANNELS)

    def forward(self, images: torch.Tensor) -> "OrderedDict[str, torch.Tensor]":
        maps = list(self._run_trunk(images))
        for block in self.extra:
            maps.append(block(maps[-1]))
        return OrderedDict(zip(FEATURE_LEVEL_NAMES, maps))


def build_ssdlite(
    backbone_name: str, options: dict[str, Any], num_classes: int = 91, image_size: int = 320, head: str = "ssdlite"
) -> SSD:
    """torchvision ``SSD`` with SSDLite extras/head on ``backbone_name``, in ``eval()`` mode.

    ``options`` are the backbone's (completed with defaults); ``num_classes``
    counts background (torchvision: 91 for COCO); ``image_size`` is the square
    size the transform resizes to. Weights are PyTorch's default init; fill
    them from a recipe. State-dict keys are canonical (module docstring).
    ``head="ssd"`` swaps the SSDLite predictors for torchvision's plain ``SSDHead``
    (one 3x3 conv with bias per level and branch), keeping everything else.
    """
    spec = backbone_spec(backbone_name)
    # The classifier width is irrelevant: the classifier is dropped.
    reference = spec.build(spec.resolve_options(options), num_classes=1000)
    extractor = SSDLiteFeatureExtractor(backbone_name, reference, spec)
    anchor_generator = DefaultBoxGenerator(ANCHOR_ASPECT_RATIOS, min_ratio=ANCHOR_MIN_RATIO, max_ratio=ANCHOR_MAX_RATIO)
    anchors = anchor_generator.num_anchors_per_location()
    if head == "ssdlite":
        predictor = SSDLiteHead(extractor.level_channels, anchors, num_classes, HEAD_NORM_LAYER)
    elif head == "ssd":
        predictor = SSDHead(extractor.level_channels, anchors, num_classes)
    else:
        raise ValueError(f"unknown head {head!r}: expected 'ssdlite' or 'ssd'")
    model = SSD(extractor, anchor_generator, (image_size, image_size), num_classes, head=predictor, **POSTPROCESS_DEFAULTS)
    return model.eval()


class RawHeadOutputs(nn.Module):
    """An SSD's backbone and head without transform or post-processing.

    Shares the detector's modules and has the same module names, so synthetic
    weight recipes and calibration apply to both. ``forward`` maps
    ``[N, 3, H, W]`` (already normalised) to ``{"bbox_regression": [N, A, 4],
    "cls_logits": [N, A, num_classes]}``, anchors ordered (level, row, column,
    anchor).
    """

    def __init__(self, detector: SSD) -> None:
        super().__init__()
        self.backbone = detector.backbone
        self.head = detector.head

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.head(list(self.backbone(images).values()))


def check_trunk_matches_reference(backbone_name: str, options: dict[str, Any], images: torch.Tensor) -> None:
    """Raises unless the trunk gives exactly the full reference model's taps.

    Guards ``TRUNK_CHILDREN``: the reference model's own forward (with
    classifier) is run with hooks, the detector's extractor without it.
    """
    spec = backbone_spec(backbone_name)
    reference = spec.build(spec.resolve_options(options), num_classes=10)
    captured: dict[str, torch.Tensor] = {}
    for tap, module in spec.tap_modules(reference).items():
        module.register_forward_hook(lambda _m, _i, out, tap=tap: captured.__setitem__(tap, out.detach().clone()))
    detector = build_ssdlite(backbone_name, options)
    trunk_state = {k[len("backbone."):]: v for k, v in detector.state_dict().items()
                   if k.startswith("backbone.") and not k.startswith("backbone.extra.")}
    missing = [k for k in reference.state_dict() if k not in trunk_state and not _is_classifier_key(k)]
    if missing:
        raise RuntimeError(f"{backbone_name}: trunk lacks reference keys {missing[:5]}")
    reference.load_state_dict(trunk_state, strict=False)
    with torch.no_grad():
        reference(images)
        maps = detector.backbone(images)
    for tap, level in (("stride16", "0"), ("stride32", "1")):
        if not torch.equal(captured[tap], maps[level]):
            raise RuntimeError(f"{backbone_name}: trunk {tap} differs from the reference model's tap")


def _is_classifier_key(key: str) -> bool:
    return key.startswith(("classifier.", "fc."))


# MARK: torchvision ssdlite320_mobilenet_v3_large <-> canonical names

def mobilenet_v3_c4_pos(backbone_name: str, options: dict[str, Any]) -> int:
    """Index in ``features`` of the MobileNetV3 block whose expansion conv is the stride-16 tap.

    torchvision's SSDLite cuts ``features`` at this block (its ``c4_pos``).
    """
    spec = backbone_spec(backbone_name)
    reference = spec.build(spec.resolve_options(options), num_classes=10)
    tap = spec.tap_modules(reference)["stride16"]
    for i, block in enumerate(reference.features):
        if hasattr(block, "block") and block.block[0] is tap:
            return i
    raise ValueError(f"{backbone_name}: stride16 tap is not the expansion conv of a features block")


_TORCHVISION_PART_0 = re.compile(r"^backbone\.features\.0\.(\d+)\.(.+)$")
_TORCHVISION_PART_1_BLOCK = re.compile(r"^backbone\.features\.1\.0\.(\d+)\.(.+)$")
_TORCHVISION_PART_1 = re.compile(r"^backbone\.features\.1\.(\d+)\.(.+)$")
_CANONICAL_FEATURE = re.compile(r"^backbone\.features\.(\d+)\.(.+)$")
_UNCHANGED_PREFIXES = ("backbone.extra.", "head.")

T = TypeVar("T")


def _torchvision_key_to_canonical(key: str, c4_pos: int) -> str:
    if key.startswith(_UNCHANGED_PREFIXES):
        return key
    if match := _TORCHVISION_PART_0.match(key):
        index, rest = int(match[1]), match[2]
        if index < c4_pos:
            return f"backbone.features.{index}.{rest}"
        if index == c4_pos:
            # features.0 ends with block[0] (the expansion conv) of block c4_pos.
            return f"backbone.features.{c4_pos}.block.0.{rest}"
        raise KeyError(f"{key}: index {index} > c4_pos {c4_pos} in backbone.features.0")
    if match := _TORCHVISION_PART_1_BLOCK.match(key):
        # features.1.0 is block[1:] of block c4_pos; slicing an nn.Sequential
        # keeps the original child names, so index j is already block j.
        block_index, rest = int(match[1]), match[2]
        if block_index < 1:
            raise KeyError(f"{key}: block index {block_index} in backbone.features.1.0 (block[1:]) must be >= 1")
        return f"backbone.features.{c4_pos}.block.{block_index}.{rest}"
    if match := _TORCHVISION_PART_1.match(key):
        # features.1.{k}, k >= 1, are the blocks after c4_pos, renumbered from 1.
        return f"backbone.features.{c4_pos + int(match[1])}.{match[2]}"
    raise KeyError(f"{key}: not a key of torchvision's SSDLite MobileNet model")


def _canonical_key_to_torchvision(key: str, c4_pos: int) -> str:
    if key.startswith(_UNCHANGED_PREFIXES):
        return key
    if match := _CANONICAL_FEATURE.match(key):
        index, rest = int(match[1]), match[2]
        if index < c4_pos:
            return f"backbone.features.0.{index}.{rest}"
        if index > c4_pos:
            return f"backbone.features.1.{index - c4_pos}.{rest}"
        block = re.match(r"^block\.(\d+)\.(.+)$", rest)
        if block is None:
            raise KeyError(f"{key}: block {c4_pos} keys must be block.<j>.*")
        j, inner = int(block[1]), block[2]
        return f"backbone.features.0.{c4_pos}.{inner}" if j == 0 else f"backbone.features.1.0.{j}.{inner}"
    raise KeyError(f"{key}: not a canonical SSDLite MobileNet key")


def _rename(state_dict: Mapping[str, T], rename) -> "OrderedDict[str, T]":
    result: OrderedDict[str, T] = OrderedDict()
    for key, value in state_dict.items():
        new_key = rename(key)
        if new_key in result:
            raise KeyError(f"{key}: renamed to {new_key}, which another key already became")
        result[new_key] = value
    return result


def torchvision_ssdlite_to_canonical(state_dict: Mapping[str, T], c4_pos: int) -> "OrderedDict[str, T]":
    """Renames a torchvision ``ssdlite320_mobilenet_v3_large``-style state dict to canonical keys.

    torchvision keys -> canonical:

    * ``backbone.features.0.{i}.X`` (i < c4_pos) -> ``backbone.features.{i}.X``
    * ``backbone.features.0.{c4_pos}.X`` -> ``backbone.features.{c4_pos}.block.0.X``
    * ``backbone.features.1.0.{j}.X`` -> ``backbone.features.{c4_pos}.block.{j}.X``
      (j >= 1: the slice ``block[1:]`` keeps its original child names)
    * ``backbone.features.1.{k}.X`` (k >= 1) -> ``backbone.features.{c4_pos + k}.X``
    * ``backbone.extra.*``, ``head.*``: unchanged.

    Raises ``KeyError`` naming the first key that fits none of these.
    """
    return _rename(state_dict, lambda key: _torchvision_key_to_canonical(key, c4_pos))


def canonical_to_torchvision_ssdlite(state_dict: Mapping[str, T], c4_pos: int) -> "OrderedDict[str, T]":
    """The inverse of ``torchvision_ssdlite_to_canonical``."""
    return _rename(state_dict, lambda key: _canonical_key_to_torchvision(key, c4_pos))
