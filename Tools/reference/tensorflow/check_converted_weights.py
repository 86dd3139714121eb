#!/usr/bin/env python3
"""Proves the imported TF detectors' weights against TensorFlow's own outputs, in PyTorch.

    python3 Tools/reference/tensorflow/check_converted_weights.py [person] [coco]   # from the repository root

Needs torch, torchvision, safetensors, numpy and Pillow (not TensorFlow). For
each model (default: both) ``litedetect_ref.tensorflow_ssd`` builds the network
from definitions nobody here wrote: torchvision's ``mobilenet_v2`` (through the
SSDLite feature extractor, which adds torchvision's ``_extra_block``s) and
torchvision's ``SSDLiteHead`` (the person model) or ``SSDHead`` (the COCO
model) with 3, 6, 6, 6, 6, 6 anchors per level. The weights are loaded with
``strict=True`` (every key and shape must match those modules), BatchNorm
epsilon comes from the model config, and every stride-2 convolution pads the way
TF's SAME does (the extra row/column at the bottom/right on even sizes).

It then compares with what the original graphs computed
(``Tests/LiteDetectTests/Fixtures/tf-person`` and ``coco-ssd``):

* the anchors the config's ``anchors`` section generates against the graph's own;
* on each fixture photo, TF's ``box_encodings`` and ``class_predictions``
  against ours on the same input (stored, or for the COCO photos other than
  ``dog`` the 300x300 PNG the graph was fed).

Two controls show the comparison can fail: the same weights with PyTorch's
symmetric padding, and with torchvision's default BatchNorm epsilon 1e-5.
Exits non-zero if a relative error exceeds 1e-4 or a control passes.
"""

import argparse
import json
import os
import sys
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # Tools/reference, for litedetect_ref
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "image"))  # photos300

import photos300  # noqa: E402
from litedetect_ref.tensorflow_ssd import build_tensorflow_ssd, tensorflow_anchors, tensorflow_input  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

FIXTURES = os.path.join("Tests", "LiteDetectTests", "Fixtures")
TOLERANCE = 1e-4
"""On max|ours − TF| / max|TF|, per output."""
ANCHOR_TOLERANCE = 1e-6
"""The graph's anchors are float32; ours are computed in float64."""


@dataclass(frozen=True)
class Check:
    model: str
    fixtures: str
    anchors_file: str
    """The fixture file whose ``anchors`` tensor holds the graph's anchors."""
    stems: tuple[str, ...]
    pngs: str | None = None
    """Where the 300x300 inputs are when a fixture does not store ``input``."""


CHECKS = {
    "person": Check("ssdlite300-mobilenetv2-person", os.path.join(FIXTURES, "tf-person"), "street.safetensors",
                    ("street", "astronaut", "chelsea")),
    "coco": Check("ssd300-mobilenetv2-coco", os.path.join(FIXTURES, "coco-ssd"), "anchors.safetensors",
                  ("astronaut", "basketball", "chelsea", "dog", "street"), os.path.join(FIXTURES, "photos300")),
}


def relative_error(ours: torch.Tensor, reference: np.ndarray) -> float:
    reference64 = reference.astype(np.float64)
    return float(np.max(np.abs(ours.detach().double().numpy() - reference64)) / np.max(np.abs(reference64)))


def run(model: nn.Module, image: torch.Tensor, fixture: dict[str, np.ndarray]) -> dict[str, float]:
    with torch.no_grad():
        out = model(image.to(next(model.parameters()).dtype))
    return {"box_encodings": relative_error(out["bbox_regression"][0], fixture["box_encodings"]),
            "class_predictions": relative_error(out["cls_logits"][0], fixture["class_predictions"])}


def fixture_input(check: Check, stem: str, fixture: dict[str, np.ndarray]) -> torch.Tensor:
    """The network input TF saw, ``[1, 3, 300, 300]``: stored, or rebuilt from the 300x300 PNG the
    graph was fed."""
    if "input" in fixture:
        return torch.from_numpy(fixture["input"]).permute(2, 0, 1).unsqueeze(0)  # HWC -> NCHW
    return tensorflow_input(photos300.read_png(os.path.join(check.pngs, f"{stem}.png")))


def check_model(check: Check) -> bool:
    """Prints the comparison for one model; True when everything is within tolerance and every control fails."""
    with open(os.path.join("Configs", "models", f"{check.model}.json")) as file:
        config = json.load(file)
    weights = {k: torch.from_numpy(v) for k, v in
               load_file(os.path.join("Configs", "weights", f"{check.model}.safetensors")).items()}
    model = build_tensorflow_ssd(config, weights)
    stride2 = sum(1 for m in model.modules() if isinstance(m, nn.Conv2d) and m.stride[0] == 2)
    norms = sum(1 for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    print(f"{check.model}: {len(weights)} tensors loaded strictly; {stride2} stride-2 convs padded as TF SAME; "
          f"{norms} BatchNorms with eps {config['backbone']['batch_norm_epsilon']}; "
          f"{config['network']['head']} head")
    anchors = tensorflow_anchors(model, config)
    graph_anchors = load_file(os.path.join(check.fixtures, check.anchors_file))["anchors"].astype(np.float64)
    ok = anchors.shape == graph_anchors.shape and float(np.max(np.abs(anchors - graph_anchors))) <= ANCHOR_TOLERANCE
    print(f"  anchors from the config: {anchors.shape[0]} (graph: {graph_anchors.shape[0]}), max |ours − graph's| "
          f"{float(np.max(np.abs(anchors - graph_anchors))) if anchors.shape == graph_anchors.shape else float('nan'):.1e}"
          + ("" if ok else "  FAIL"))
    controls = {
        "PyTorch symmetric padding": build_tensorflow_ssd(config, weights, tf_padding=False),
        "BatchNorm eps 1e-5": build_tensorflow_ssd(config, weights, epsilon=1e-5),
    }
    model64 = build_tensorflow_ssd(config, weights).double()
    for stem in check.stems:
        fixture = load_file(os.path.join(check.fixtures, f"{stem}.safetensors"))
        image = fixture_input(check, stem, fixture)
        errors = run(model, image, fixture)
        errors64 = run(model64, image, fixture)
        passed = all(e <= TOLERANCE for e in errors.values())
        ok &= passed
        print(f"  {stem}: max|torch − TF| / max|TF|: " + ", ".join(f"{k} {v:.2e}" for k, v in errors.items())
              + " (float64 torch: " + ", ".join(f"{v:.2e}" for v in errors64.values()) + ")"
              + ("" if passed else "  FAIL"))
        for name, control in controls.items():
            control_errors = run(control, image, fixture)
            caught = any(e > TOLERANCE for e in control_errors.values())
            ok &= caught
            print(f"      control, {name}: " + ", ".join(f"{k} {v:.2e}" for k, v in control_errors.items())
                  + ("" if caught else "  NOT CAUGHT"))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", help=f"any of {', '.join(sorted(CHECKS))} (default: all)")
    args = parser.parse_args()
    if unknown := sorted(set(args.models) - set(CHECKS)):
        parser.error(f"unknown model {', '.join(unknown)}: choose from {', '.join(sorted(CHECKS))}")
    torch.set_num_threads(1)
    results = [check_model(CHECKS[name]) for name in (args.models or sorted(CHECKS))]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
