"""The imported TF Object Detection API SSDs, rebuilt from torchvision parts with TF's arithmetic.

``detect import`` turns an OD API frozen graph into our canonical weights and a
config (``network.padding = "tensorflow_same"``, ``anchors.type = "tensorflow"``).
``build_tensorflow_ssd(config, weights)`` puts those weights, strictly, into
torchvision modules nobody here wrote: ``mobilenet_v2`` (through
``SSDLiteFeatureExtractor``, which adds torchvision's ``_extra_block``s) and
``SSDHead`` (plain 3x3 predictors, ``network.head = "ssd"``) or ``SSDLiteHead``
(``"ssdlite"``), with 3 anchors per cell at the lowest level when the config
says ``reduce_boxes_in_lowest_layer``. Two things differ from PyTorch's defaults
and are set from the config: BatchNorm epsilon, and SAME padding (stride-2
convolutions on even sizes pad the extra row/column at the bottom/right).

The module's outputs are TF's raw tensors: ``bbox_regression`` is the box
encoding ``(ty, tx, th, tw)`` and ``cls_logits`` the class logits (column k =
label k, column 0 background), anchors in the order of ``tensorflow_anchors``.
``Tools/reference/tensorflow/check_converted_weights.py`` proves both against
the original graphs' outputs.
"""

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .backbones import backbone_spec
from .ssdlite import HEAD_NORM_LAYER, SSDLiteFeatureExtractor
from .tf_ssd_anchors import SSDAnchorParameters, anchor_grid, box_specs
from .torchvision_import import import_torchvision

import_torchvision()
from torchvision.models.detection.ssd import SSDHead  # noqa: E402
from torchvision.models.detection.ssdlite import SSDLiteHead  # noqa: E402


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


def anchor_parameters(config: dict[str, Any]) -> SSDAnchorParameters:
    """The config's ``anchors`` section (``type: tensorflow``) as the OD API's generator parameters."""
    anchors = config["anchors"]
    if anchors.get("type") != "tensorflow":
        raise ValueError(f"{config.get('name')}: anchors of type {anchors.get('type')!r}, not 'tensorflow'")
    return SSDAnchorParameters(
        num_layers=anchors["num_layers"], min_scale=anchors["min_scale"], max_scale=anchors["max_scale"],
        aspect_ratios=tuple(anchors["aspect_ratios"]),
        interpolated_scale_aspect_ratio=anchors.get("interpolated_scale_aspect_ratio", 1.0),
        reduce_boxes_in_lowest_layer=anchors.get("reduce_boxes_in_lowest_layer", True))


def anchors_per_level(config: dict[str, Any]) -> list[int]:
    return [len(specs) for specs in box_specs(anchor_parameters(config))]


class TensorFlowSSD(nn.Module):
    """Backbone + extras + predictors of an imported OD API SSD; outputs TF's raw tensors."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        network = config["network"]
        if network.get("extra_block", "ssdlite") != "ssdlite":
            raise ValueError(f"{config.get('name')}: extra blocks {network.get('extra_block')!r} are not built here")
        name = config["backbone"]["name"]
        spec = backbone_spec(name)
        options = {k: v for k, v in config["backbone"].items() if k not in ("name", "batch_norm_epsilon")}
        reference = spec.build(spec.resolve_options(options), num_classes=1000)
        self.backbone = SSDLiteFeatureExtractor(name, reference, spec)
        if list(network.get("extra_layers", [])) != self.backbone.level_channels[2:]:
            raise ValueError(f"{config.get('name')}: extra layers {network.get('extra_layers')} are not "
                             f"torchvision's {self.backbone.level_channels[2:]}")
        anchors, classes = anchors_per_level(config), len(config["labels"])
        if network["head"] == "ssd":
            self.head = SSDHead(self.backbone.level_channels, anchors, classes)
        elif network["head"] == "ssdlite":
            self.head = SSDLiteHead(self.backbone.level_channels, anchors, classes, HEAD_NORM_LAYER)
        else:
            raise ValueError(f"{config.get('name')}: unknown head {network['head']!r}")

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.head(list(self.backbone(images).values()))


def build_tensorflow_ssd(config: dict[str, Any], weights: dict[str, torch.Tensor], tf_padding: bool = True,
                         epsilon: float | None = None) -> TensorFlowSSD:
    """The model with ``weights`` loaded strictly, in ``eval()`` mode. ``tf_padding=False`` and another
    ``epsilon`` than the config's exist for the checks' controls."""
    network = config["network"]
    if tf_padding and network.get("padding") != "tensorflow_same":
        raise ValueError(f"{config.get('name')}: padding {network.get('padding')!r}, not 'tensorflow_same'")
    backbone_eps = config["backbone"]["batch_norm_epsilon"]
    if network.get("head_batch_norm_epsilon", backbone_eps) != backbone_eps:
        raise ValueError(f"{config.get('name')}: one BatchNorm epsilon for backbone, extras and head is assumed")
    model = TensorFlowSSD(config)
    model.load_state_dict({k: v.float() for k, v in weights.items()}, strict=True)
    if tf_padding:
        use_tensorflow_same_padding(model)
    set_batch_norm_epsilon(model, backbone_eps if epsilon is None else epsilon)
    return model.eval()


def tensorflow_input(pixels: np.ndarray) -> torch.Tensor:
    """RGB8 pixels ``[H, W, 3]`` as the OD API's ``Preprocessor`` scales them (float32 2/255, minus 1),
    ``[1, 3, H, W]``; make_coco_fixtures.py proved this equal to the graph's input bit for bit."""
    scaled = pixels.astype(np.float32) * np.float32(2 / 255) - np.float32(1)
    return torch.from_numpy(np.ascontiguousarray(scaled)).permute(2, 0, 1).unsqueeze(0)


def feature_map_sizes(model: TensorFlowSSD, height: int, width: int) -> list[tuple[int, int]]:
    with torch.no_grad():
        maps = model.backbone(torch.zeros(1, 3, height, width))
    return [tuple(m.shape[2:]) for m in maps.values()]


def tensorflow_anchors(model: TensorFlowSSD, config: dict[str, Any]) -> np.ndarray:
    """The model's anchors at its config's input size: ``[A, 4]`` normalised ``[ymin, xmin, ymax, xmax]``
    (float64), in the order of its outputs."""
    height, width = config["input"]["height"], config["input"]["width"]
    return anchor_grid(anchor_parameters(config), feature_map_sizes(model, height, width), height, width)
