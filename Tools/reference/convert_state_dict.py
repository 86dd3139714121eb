#!/usr/bin/env python3
"""Converts a PyTorch checkpoint of a LiteDetect backbone or detector to safetensors.

    python3 Tools/reference/convert_state_dict.py --backbone NAME [--width A]
        [--reduced-tail] [--groups G] [--scale S] [--num-classes K]
        [--overwrite] INPUT.pth OUTPUT.safetensors
    python3 Tools/reference/convert_state_dict.py --detector ssdlite320-mobilenetv3-large
        [--num-classes K] [--overwrite] INPUT.pth OUTPUT.safetensors
    python3 Tools/reference/convert_state_dict.py --ssdlite NAME [backbone options]
        [--num-classes K] [--overwrite] INPUT.pth OUTPUT.safetensors

The checkpoint (a plain state_dict, or a dict holding one under
``state_dict`` or ``model``) is first loaded with ``strict=True`` into the
reference model of that backbone and options (``litedetect_ref/backbones.py``),
so every key and shape is checked against the definition. Then
``num_batches_tracked`` buffers are dropped and every tensor is written as
float32 with metadata ``litedetect.backbone``, ``litedetect.options`` (JSON of
the complete options) and ``format: pt``.

With ``--detector``, the checkpoint is a torchvision detector's; its keys are
renamed to LiteDetect's canonical detector keys (``litedetect_ref/ssdlite.py``;
every key must map) and checked, key by key and shape by shape, against the
canonical detector built from our reference backbone. Metadata then also has
``litedetect.detector`` and ``litedetect.num_classes``.

With ``--ssdlite``, the checkpoint is one of our own SSDLite detectors on
backbone NAME (``litedetect_ref.ssdlite.build_ssdlite``, canonical keys, as
``Tools/train/train_student.py`` writes them); it is checked the same way.
"""

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from litedetect_ref.backbones import BACKBONES, backbone_spec  # noqa: E402
from litedetect_ref.synthetic_weights import SKIPPED_BUFFERS  # noqa: E402
from litedetect_ref.ssdlite import build_ssdlite, mobilenet_v3_c4_pos, torchvision_ssdlite_to_canonical  # noqa: E402

from safetensors.torch import save_file  # noqa: E402

STATE_DICT_CONTAINER_KEYS = ("state_dict", "model")
BACKBONE_NUM_CLASSES = 1000
"""ImageNet: the default classifier width of a backbone checkpoint."""
DETECTOR_NUM_CLASSES = 91
"""COCO with background: the default class count of a detector checkpoint."""


class ConversionError(Exception):
    pass


@dataclass(frozen=True)
class DetectorSpec:
    """A torchvision detector checkpoint layout and the canonical detector it becomes."""

    name: str
    backbone: str
    options: dict[str, Any]
    default_num_classes: int
    to_canonical: Callable[[Mapping[str, torch.Tensor]], Mapping[str, torch.Tensor]]


# torchvision's ssdlite320_mobilenet_v3_large sets reduced_tail whenever no
# ImageNet backbone is passed, which includes its COCO checkpoint.
_SSDLITE_MOBILENET_V3_LARGE_OPTIONS = {"width": 1.0, "reduced_tail": True}


def _ssdlite_mobilenet_v3_large_to_canonical(state_dict: Mapping[str, torch.Tensor]) -> Mapping[str, torch.Tensor]:
    c4_pos = mobilenet_v3_c4_pos("mobilenetv3-large", _SSDLITE_MOBILENET_V3_LARGE_OPTIONS)
    return torchvision_ssdlite_to_canonical(state_dict, c4_pos)


DETECTORS = {
    spec.name: spec
    for spec in (
        DetectorSpec("ssdlite320-mobilenetv3-large", "mobilenetv3-large", _SSDLITE_MOBILENET_V3_LARGE_OPTIONS, DETECTOR_NUM_CLASSES,
                     _ssdlite_mobilenet_v3_large_to_canonical),
    )
}
"""``--detector`` name -> how to read that torchvision detector's checkpoint."""


def extract_state_dict(checkpoint, path: str) -> Mapping[str, torch.Tensor]:
    """The tensor mapping inside ``checkpoint``, which may wrap it once."""
    if not isinstance(checkpoint, Mapping):
        raise ConversionError(f"{path}: expected a dict, found {type(checkpoint).__name__}")
    if checkpoint and all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
        return checkpoint
    for key in STATE_DICT_CONTAINER_KEYS:
        inner = checkpoint.get(key)
        if isinstance(inner, Mapping) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
            return inner
    raise ConversionError(
        f"{path}: no state_dict found (neither a dict of tensors nor one under {list(STATE_DICT_CONTAINER_KEYS)}); "
        f"top-level keys: {sorted(map(str, checkpoint))[:10]}"
    )


def requested_options(args: argparse.Namespace) -> dict:
    """Only the options given on the command line; the spec fills in defaults."""
    options = {}
    if args.width is not None:
        options["width"] = args.width
    if args.reduced_tail:
        options["reduced_tail"] = True
    if args.groups is not None:
        options["groups"] = args.groups
    if args.scale is not None:
        options["scale"] = args.scale
    return options


def float32_tensors(state_dict: Mapping[str, torch.Tensor], path: str) -> dict[str, torch.Tensor]:
    """Every tensor but ``num_batches_tracked``, as contiguous float32."""
    tensors = {}
    for name, tensor in state_dict.items():
        if name.rpartition(".")[2] in SKIPPED_BUFFERS:
            continue
        if not tensor.is_floating_point():
            raise ConversionError(f"{path}: tensor {name!r} has non-float dtype {tensor.dtype}")
        tensors[name] = tensor.detach().to(torch.float32).contiguous()
    return tensors


def convert_backbone(args: argparse.Namespace, state_dict: Mapping[str, torch.Tensor]):
    spec = backbone_spec(args.backbone)
    options = spec.resolve_options(requested_options(args))
    num_classes = BACKBONE_NUM_CLASSES if args.num_classes is None else args.num_classes
    model = spec.build(options, num_classes)
    try:
        model.load_state_dict(state_dict, strict=True)
    except RuntimeError as error:
        raise ConversionError(
            f"{args.input} does not match backbone {args.backbone!r} with options {options} "
            f"and {num_classes} classes:\n{error}"
        ) from None
    metadata = {
        "litedetect.backbone": args.backbone,
        "litedetect.options": json.dumps(options, sort_keys=True),
        "format": "pt",
    }
    return float32_tensors(state_dict, args.input), metadata


def check_against_model(state_dict: Mapping[str, torch.Tensor], model: torch.nn.Module, what: str) -> None:
    """Same keys (ignoring ``num_batches_tracked``) and shapes as ``model``; the error lists what differs."""
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items() if k.rpartition(".")[2] not in SKIPPED_BUFFERS}
    given = {k: tuple(v.shape) for k, v in state_dict.items() if k.rpartition(".")[2] not in SKIPPED_BUFFERS}
    missing = sorted(set(expected) - set(given))
    unexpected = sorted(set(given) - set(expected))
    mismatched = [f"{k}: checkpoint {list(given[k])}, model {list(expected[k])}"
                  for k in expected if k in given and given[k] != expected[k]]
    if missing or unexpected or mismatched:
        raise ConversionError(f"{what}:\n  missing ({len(missing)}): {missing[:10]}\n"
                              f"  unexpected ({len(unexpected)}): {unexpected[:10]}\n"
                              f"  wrong shape ({len(mismatched)}): {mismatched[:10]}")


def convert_detector(args: argparse.Namespace, state_dict: Mapping[str, torch.Tensor]):
    spec = DETECTORS[args.detector]
    given_options = requested_options(args)
    if given_options:
        raise ConversionError(f"--detector {spec.name} fixes its backbone ({spec.backbone}, {spec.options}); "
                              f"do not pass {sorted(given_options)}")
    num_classes = spec.default_num_classes if args.num_classes is None else args.num_classes
    try:
        canonical = spec.to_canonical(state_dict)
    except KeyError as error:
        raise ConversionError(f"{args.input}: {error.args[0]}") from None
    model = build_ssdlite(spec.backbone, spec.options, num_classes)
    check_against_model(canonical, model,
                        f"{args.input} does not match {spec.name} with {num_classes} classes (canonical names)")
    model.load_state_dict(canonical, strict=True)
    metadata = {
        "litedetect.detector": spec.name,
        "litedetect.backbone": spec.backbone,
        "litedetect.options": json.dumps(backbone_spec(spec.backbone).resolve_options(spec.options), sort_keys=True),
        "litedetect.num_classes": str(num_classes),
        "format": "pt",
    }
    return float32_tensors(canonical, args.input), metadata


def convert_ssdlite(args: argparse.Namespace, state_dict: Mapping[str, torch.Tensor]):
    spec = backbone_spec(args.ssdlite)
    options = spec.resolve_options(requested_options(args))
    num_classes = DETECTOR_NUM_CLASSES if args.num_classes is None else args.num_classes
    model = build_ssdlite(args.ssdlite, options, num_classes)
    check_against_model(state_dict, model,
                        f"{args.input} does not match SSDLite on {args.ssdlite} {options} with {num_classes} classes")
    model.load_state_dict(state_dict, strict=False)  # num_batches_tracked may be absent; keys checked above
    metadata = {
        "litedetect.detector": f"ssdlite320-{args.ssdlite}",
        "litedetect.backbone": args.ssdlite,
        "litedetect.options": json.dumps(options, sort_keys=True),
        "litedetect.num_classes": str(num_classes),
        "format": "pt",
    }
    return float32_tensors(state_dict, args.input), metadata


def convert(args: argparse.Namespace) -> dict[str, torch.Tensor]:
    if os.path.exists(args.output) and not args.overwrite:
        raise ConversionError(f"{args.output} exists; pass --overwrite to replace it")
    checkpoint = torch.load(args.input, map_location="cpu", weights_only=True)
    state_dict = extract_state_dict(checkpoint, args.input)
    if args.detector is not None:
        tensors, metadata = convert_detector(args, state_dict)
    elif args.ssdlite is not None:
        tensors, metadata = convert_ssdlite(args, state_dict)
    else:
        tensors, metadata = convert_backbone(args, state_dict)
    save_file(tensors, args.output, metadata=metadata)
    return tensors


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    kind = parser.add_mutually_exclusive_group(required=True)
    kind.add_argument("--backbone", choices=list(BACKBONES), help="a backbone (classifier) checkpoint")
    kind.add_argument("--detector", choices=list(DETECTORS), help="a torchvision detector checkpoint")
    kind.add_argument("--ssdlite", choices=list(BACKBONES), help="our SSDLite detector on this backbone "
                      "(canonical keys, e.g. from Tools/train)")
    parser.add_argument("--width", type=float, help="width multiplier (mobilenetv1/v2/v3)")
    parser.add_argument("--reduced-tail", action="store_true", help="halve the last stage (mobilenetv3)")
    parser.add_argument("--groups", type=int, help="group count 1, 2, 3, 4 or 8 (shufflenetv1)")
    parser.add_argument("--scale", type=float, help="width scale (shufflenetv1; shufflenetv2: 0.5/1.0/1.5/2.0)")
    parser.add_argument("--num-classes", type=int,
                        help=f"class outputs (default: {BACKBONE_NUM_CLASSES} for a backbone, ImageNet; "
                             "91 for a detector, COCO with background)")
    parser.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    parser.add_argument("input", metavar="INPUT.pth")
    parser.add_argument("output", metavar="OUTPUT.safetensors")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    try:
        tensors = convert(args)
    except (ConversionError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    count = sum(t.numel() for t in tensors.values())
    print(f"wrote {args.output}: {len(tensors)} tensors, {count} float32 values")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
