#!/usr/bin/env python3
"""Writes the backbone parity fixtures the Swift tests check against.

For every case in ``CASES`` this builds the reference PyTorch model (see
``litedetect_ref/backbones.py``), fills it with synthetic weights from the
counter-based generator (``litedetect_ref/prng.py``), runs one synthetic image
and writes to ``Tests/LiteDetectBackbonesTests/Fixtures/backbones/``:

* ``<case>.json``: backbone name and options, input and every weight tensor
  as ``(shape, seed, low, high)``, output shapes;
* ``<case>.safetensors``: float32 ``logits``, ``stride16``, ``stride32``
  exactly as PyTorch computed them.

It also writes ``prng_check.json`` (first generator values for seed 1) and
prints per-case output statistics plus a float64 re-run of the same model,
to show how far PyTorch's own float32 result is from exact arithmetic.

Run from the repository root: ``python3 Tools/reference/make_backbone_fixtures.py``.
Re-running produces byte-identical files on the same machine and versions.
"""

import json
import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from litedetect_ref.backbones import TAP_NAMES, backbone_spec  # noqa: E402
from litedetect_ref.prng import splitmix_tensor, splitmix_uniform  # noqa: E402
from litedetect_ref.synthetic_weights import load_synthetic_tensors, synthetic_tensors  # noqa: E402
from litedetect_ref.torchvision_import import import_torchvision  # noqa: E402
from litedetect_ref.weight_calibration import calibrate_weight_ranges  # noqa: E402

from safetensors.torch import save_file  # noqa: E402

GENERATOR = "Tools/reference/make_backbone_fixtures.py"
OUTPUT_DIR = os.path.join("Tests", "LiteDetectBackbonesTests", "Fixtures", "backbones")
NUM_CLASSES = 10
INPUT_SEED = 7
INPUT_RANGE = (-1.0, 1.0)
FIRST_TENSOR_SEED = 1000
MAX_FIXTURE_BYTES = 5 * 1024 * 1024
MAX_ZERO_FRACTION = 0.9
"""A tap with more exact zeros than this would hide errors in what feeds it."""


@dataclass(frozen=True)
class Case:
    backbone: str
    options: dict[str, Any]
    image_size: int

    @property
    def name(self) -> str:
        parts = [self.backbone]
        for key, value in backbone_spec(self.backbone).resolve_options(self.options).items():
            if key == "width":
                parts.append(f"w{value}")
            elif key == "groups":
                parts.append(f"g{value}")
            elif key == "scale":
                parts.append(f"s{value}")
            elif key == "reduced_tail" and value:
                parts.append("rt")
        parts.append(str(self.image_size))
        return "-".join(parts)


# Odd sizes (97, 101) exercise stride-2 padding and ceil-mode pooling edges.
CASES = (
    Case("squeezenet1.0", {}, 96),
    Case("squeezenet1.1", {}, 101),
    Case("mobilenetv1", {"width": 0.25}, 96),
    Case("mobilenetv1", {"width": 1.0}, 128),
    Case("mobilenetv1", {"width": 0.5}, 97),
    Case("mobilenetv2", {"width": 0.35}, 97),
    Case("mobilenetv2", {"width": 1.0}, 128),
    Case("mobilenetv3-small", {"width": 1.0, "reduced_tail": False}, 128),
    Case("mobilenetv3-small", {"width": 0.75, "reduced_tail": True}, 96),
    Case("mobilenetv3-large", {"width": 1.0, "reduced_tail": False}, 128),
    Case("mobilenetv3-large", {"width": 1.0, "reduced_tail": True}, 96),
    Case("mobilenetv3-large", {"width": 0.5, "reduced_tail": False}, 96),
    Case("shufflenetv1", {"groups": 3, "scale": 1.0}, 128),
    Case("shufflenetv1", {"groups": 8, "scale": 0.5}, 96),
    Case("shufflenetv1", {"groups": 1, "scale": 1.0}, 64),
    Case("shufflenetv1", {"groups": 2, "scale": 1.5}, 64),
    Case("shufflenetv1", {"groups": 4, "scale": 2.0}, 64),
    Case("shufflenetv2", {"scale": 0.5}, 96),
    Case("shufflenetv2", {"scale": 1.0}, 128),
    Case("shufflenetv2", {"scale": 1.5}, 64),
    Case("shufflenetv2", {"scale": 2.0}, 64),
)


def run_with_taps(spec, model: torch.nn.Module, image: torch.Tensor) -> dict[str, torch.Tensor]:
    """``{"logits", "stride16", "stride32"}`` from one forward pass."""
    outputs: dict[str, torch.Tensor] = {}
    hooks = [
        module.register_forward_hook(lambda _m, _i, out, tap=tap: outputs.__setitem__(tap, out.detach().clone()))
        for tap, module in spec.tap_modules(model).items()
    ]
    try:
        with torch.no_grad():
            outputs["logits"] = model(image).detach().clone()
    finally:
        for h in hooks:
            h.remove()
    return {name: outputs[name] for name in ("logits", *TAP_NAMES)}


def check_not_degenerate(case_name: str, outputs: dict[str, torch.Tensor]) -> None:
    for name, tensor in outputs.items():
        if not torch.isfinite(tensor).all():
            raise RuntimeError(f"{case_name}: {name} has non-finite values")
        if tensor.abs().max() == 0 or (tensor == 0).float().mean() > MAX_ZERO_FRACTION:
            raise RuntimeError(f"{case_name}: {name} is (almost) all zero")


def to_json_text(document: dict[str, Any]) -> str:
    """Stable, diff-friendly JSON: one line per key, one line per tensor."""
    lines = ["{"]
    items = list(document.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if key == "tensors":
            lines.append('  "tensors": [')
            for j, entry in enumerate(value):
                lines.append("    " + json.dumps(entry) + ("," if j < len(value) - 1 else ""))
            lines.append("  ]" + comma)
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def make_case(case: Case, versions: dict[str, str]) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    spec = backbone_spec(case.backbone)
    options = spec.resolve_options(case.options)
    input_shape = (1, 3, case.image_size, case.image_size)
    image = torch.from_numpy(splitmix_tensor(INPUT_SEED, input_shape, *INPUT_RANGE))

    calibration_model = spec.build(options, NUM_CLASSES)
    tensors = synthetic_tensors(calibration_model, FIRST_TENSOR_SEED)
    load_synthetic_tensors(calibration_model, tensors)
    tensors = calibrate_weight_ranges(calibration_model, tensors, image)

    # A fresh model filled only from the recorded (seed, low, high) triples,
    # exactly what the Swift side will regenerate.
    model = spec.build(options, NUM_CLASSES)
    load_synthetic_tensors(model, tensors)
    outputs = run_with_taps(spec, model, image)
    check_not_degenerate(case.name, outputs)

    exact = run_with_taps(spec, model.double(), image.double())
    for name, value in outputs.items():
        scale = value.abs().max().item()
        diff = (value.double() - exact[name]).abs().max().item()
        zeros = (value == 0).float().mean().item()
        print(f"  {name:8s} {str(list(value.shape)):18s} max|x|={scale:8.4g} zeros={zeros:5.1%} "
              f"float32-vs-float64 max|d|/max|x|={diff / scale:.2e}")

    document = {
        "case": case.name,
        "backbone": case.backbone,
        "options": options,
        "num_classes": NUM_CLASSES,
        "input": {"shape": list(input_shape), "seed": INPUT_SEED, "low": INPUT_RANGE[0], "high": INPUT_RANGE[1]},
        "tensors": [t.as_json() for t in tensors],
        "outputs": {name: list(value.shape) for name, value in outputs.items()},
        "generator": GENERATOR,
        **versions,
    }
    return document, outputs


def write_prng_check(directory: str) -> list[float]:
    values = [float(v) for v in splitmix_uniform(1, 8, -1.0, 1.0)]
    document = {"seed": 1, "low": -1, "high": 1, "values": values}
    with open(os.path.join(directory, "prng_check.json"), "w") as f:
        f.write(json.dumps(document) + "\n")
    return values


def main() -> None:
    if not os.path.isfile("Package.swift"):
        sys.exit("run from the repository root (where Package.swift is)")
    # One thread: the float32 summation order, hence every output bit, then
    # does not depend on how many cores the machine has.
    torch.set_num_threads(1)
    torchvision = import_torchvision()
    versions = {"torch": torch.__version__.split("+")[0], "torchvision": torchvision.__version__.split("+")[0]}
    os.makedirs(OUTPUT_DIR, exist_ok=True)

    print("prng_check (seed 1, [-1, 1)):", [repr(v) for v in write_prng_check(OUTPUT_DIR)])
    for case in CASES:
        print(case.name)
        document, outputs = make_case(case, versions)
        with open(os.path.join(OUTPUT_DIR, f"{case.name}.json"), "w") as f:
            f.write(to_json_text(document))
        save_file({k: v.float().contiguous() for k, v in outputs.items()},
                  os.path.join(OUTPUT_DIR, f"{case.name}.safetensors"),
                  # One key only: safetensors writes metadata from a hash map,
                  # so several keys come out in a different order on every run.
                  metadata={"case": case.name})

    total = sum(os.path.getsize(os.path.join(OUTPUT_DIR, f)) for f in os.listdir(OUTPUT_DIR))
    print(f"fixtures: {total / 1e6:.2f} MB in {OUTPUT_DIR}")
    if total > MAX_FIXTURE_BYTES:
        sys.exit(f"fixtures exceed {MAX_FIXTURE_BYTES} bytes")


if __name__ == "__main__":
    main()
