"""Where every layer of the TF SSDLite-MobileNetV2 graph lives, and the LiteDetect key it becomes.

One ``ConvLayer`` per convolution of the network, in execution order: its TF
variable scope, what the graph must show there (kind, stride, channels,
activation), and the canonical LiteDetect state-dict keys (PyTorch
conventions, torchvision ``mobilenet_v2`` layout under ``backbone.``; see
``Tools/reference/litedetect_ref/ssdlite.py`` for the extras and heads).
"""

from dataclasses import dataclass
from enum import Enum

BACKBONE_SCOPE = "FeatureExtractor/MobilenetV2/"


class Kind(Enum):
    CONV = "conv"
    """``Conv2D`` with ``weights`` ``[kh, kw, in, out]``."""
    DEPTHWISE = "depthwise"
    """``DepthwiseConv2dNative`` with ``depthwise_weights`` ``[kh, kw, in, 1]``."""


@dataclass(frozen=True)
class ConvLayer:
    scope: str
    """TF variable scope, e.g. ``FeatureExtractor/MobilenetV2/expanded_conv_3/depthwise``."""
    kind: Kind
    kernel: int
    stride: int
    in_channels: int
    out_channels: int
    weight_key: str
    """Canonical key of the convolution weight ``[out, in/groups, kh, kw]``."""
    batch_norm_key: str | None
    """Canonical prefix of the BatchNorm after it (``.weight``/``.bias``/``.running_mean``/``.running_var``),
    or ``None`` for a convolution with its own bias."""
    bias_key: str | None
    relu6: bool


# torchvision mobilenet_v2's inverted_residual_setting: (expansion t, out channels c, repeats n, first stride s).
MOBILENET_V2_BLOCKS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                       (6, 320, 1, 1)]
STEM_CHANNELS = 32
LAST_CHANNELS = 1280
STRIDE16_BLOCK = 13
"""``expanded_conv_13`` (torchvision ``features.14``): its expansion output (576 channels, stride 16) is level 0."""

EXTRA_LAYER_CHANNELS = [512, 256, 256, 128]
ANCHORS_PER_LEVEL = [3, 6, 6, 6, 6, 6]
CLASS_COLUMNS = 2
"""Background and person."""
BOX_CODE_SIZE = 4


def _conv_bn(scope, kind, kernel, stride, cin, cout, weight_key, bn_key, relu6=True) -> ConvLayer:
    return ConvLayer(scope, kind, kernel, stride, cin, cout, weight_key, bn_key, None, relu6)


def backbone_layers() -> list[ConvLayer]:
    """Stem, the 17 inverted residual blocks and the final 1x1 conv (torchvision ``features.0`` … ``features.18``)."""
    scope, feature = BACKBONE_SCOPE, "backbone.features"
    layers = [_conv_bn(scope + "Conv", Kind.CONV, 3, 2, 3, STEM_CHANNELS, f"{feature}.0.0.weight", f"{feature}.0.1")]
    channels, block = STEM_CHANNELS, 0
    for expansion, out, repeats, first_stride in MOBILENET_V2_BLOCKS:
        for repeat in range(repeats):
            stride = first_stride if repeat == 0 else 1
            name = scope + ("expanded_conv" if block == 0 else f"expanded_conv_{block}")
            prefix = f"{feature}.{block + 1}.conv"
            hidden = channels * expansion
            if expansion == 1:
                # torchvision drops the expansion conv, so the depthwise conv is conv.0.
                layers += [
                    _conv_bn(f"{name}/depthwise", Kind.DEPTHWISE, 3, stride, channels, channels,
                             f"{prefix}.0.0.weight", f"{prefix}.0.1"),
                    _conv_bn(f"{name}/project", Kind.CONV, 1, 1, channels, out, f"{prefix}.1.weight", f"{prefix}.2",
                             relu6=False),
                ]
            else:
                layers += [
                    _conv_bn(f"{name}/expand", Kind.CONV, 1, 1, channels, hidden, f"{prefix}.0.0.weight", f"{prefix}.0.1"),
                    _conv_bn(f"{name}/depthwise", Kind.DEPTHWISE, 3, stride, hidden, hidden,
                             f"{prefix}.1.0.weight", f"{prefix}.1.1"),
                    _conv_bn(f"{name}/project", Kind.CONV, 1, 1, hidden, out, f"{prefix}.2.weight", f"{prefix}.3",
                             relu6=False),
                ]
            channels, block = out, block + 1
    layers.append(_conv_bn(scope + "Conv_1", Kind.CONV, 1, 1, channels, LAST_CHANNELS,
                           f"{feature}.18.0.weight", f"{feature}.18.1"))
    return layers


def extra_layer_scopes(index: int, out: int) -> list[str]:
    """TF scopes of extra block ``index`` (1x1 to out/2, 3x3 depthwise stride 2, 1x1 to out)."""
    n = index + 2  # The OD API numbers SSD extras after the two backbone feature maps.
    return [f"{BACKBONE_SCOPE}layer_19_1_Conv2d_{n}_1x1_{out // 2}",
            f"{BACKBONE_SCOPE}layer_19_2_Conv2d_{n}_3x3_s2_{out}_depthwise",
            f"{BACKBONE_SCOPE}layer_19_2_Conv2d_{n}_3x3_s2_{out}"]


def extra_layers() -> list[ConvLayer]:
    layers, channels = [], LAST_CHANNELS
    for index, out in enumerate(EXTRA_LAYER_CHANNELS):
        pointwise, depthwise, expand = extra_layer_scopes(index, out)
        prefix = f"backbone.extra.{index}"
        layers += [
            _conv_bn(pointwise, Kind.CONV, 1, 1, channels, out // 2, f"{prefix}.0.0.weight", f"{prefix}.0.1"),
            _conv_bn(depthwise, Kind.DEPTHWISE, 3, 2, out // 2, out // 2, f"{prefix}.1.0.weight", f"{prefix}.1.1"),
            _conv_bn(expand, Kind.CONV, 1, 1, out // 2, out, f"{prefix}.2.0.weight", f"{prefix}.2.1"),
        ]
        channels = out
    return layers


def level_channels() -> list[int]:
    """Channels of the six maps the heads read."""
    tap = f"{BACKBONE_SCOPE}expanded_conv_{STRIDE16_BLOCK}/expand"
    stride16 = next(layer.out_channels for layer in backbone_layers() if layer.scope == tap)
    return [stride16, LAST_CHANNELS] + EXTRA_LAYER_CHANNELS


HEADS = [("BoxEncodingPredictor", "regression_head", BOX_CODE_SIZE),
         ("ClassPredictor", "classification_head", CLASS_COLUMNS)]
"""(TF predictor name, torchvision head name, outputs per anchor)."""


def head_layers() -> list[ConvLayer]:
    """Per level and head: 3x3 depthwise conv-BN-ReLU6, then a 1x1 conv with bias (SSDLite's separable predictor)."""
    layers = []
    for level, (channels, anchors) in enumerate(zip(level_channels(), ANCHORS_PER_LEVEL, strict=True)):
        for tf_name, head, per_anchor in HEADS:
            scope = f"BoxPredictor_{level}/{tf_name}"
            prefix = f"head.{head}.module_list.{level}"
            layers += [
                _conv_bn(f"{scope}_depthwise", Kind.DEPTHWISE, 3, 1, channels, channels,
                         f"{prefix}.0.0.weight", f"{prefix}.0.1"),
                ConvLayer(scope, Kind.CONV, 1, 1, channels, anchors * per_anchor, f"{prefix}.1.weight", None,
                          f"{prefix}.1.bias", relu6=False),
            ]
    return layers


def all_layers() -> list[ConvLayer]:
    return backbone_layers() + extra_layers() + head_layers()


def level_sources() -> list[str]:
    """The graph node each level's predictors read (activations after ReLU6)."""
    return ([f"{BACKBONE_SCOPE}expanded_conv_{STRIDE16_BLOCK}/expand/Relu6", f"{BACKBONE_SCOPE}Conv_1/Relu6"]
            + [extra_layer_scopes(i, out)[2] + "/Relu6" for i, out in enumerate(EXTRA_LAYER_CHANNELS)])
