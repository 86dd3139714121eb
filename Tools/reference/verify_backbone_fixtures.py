#!/usr/bin/env python3
"""Checks that every backbone fixture can be rebuilt from its JSON alone.

For each ``<case>.json`` in ``Tests/LiteDetectBackbonesTests/Fixtures/backbones``
this does what the Swift test does, in PyTorch: parse the JSON, build the
backbone with its options, regenerate every tensor from ``(seed, low, high)``
(the JSON must cover the state dict exactly), regenerate the input, run, and
compare with ``<case>.safetensors``. It also checks ``prng_check.json``.

    python3 Tools/reference/verify_backbone_fixtures.py [--tolerance 1e-5]

Exits non-zero on the first mismatch. On the machine and versions that wrote
the fixtures the outputs match bit for bit; elsewhere use the tolerance,
relative to each output's max |value|.
"""

import argparse
import glob
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from litedetect_ref.backbones import backbone_spec  # noqa: E402
from litedetect_ref.prng import splitmix_tensor, splitmix_uniform  # noqa: E402
from litedetect_ref.synthetic_weights import SyntheticTensor, load_synthetic_tensors  # noqa: E402
from make_backbone_fixtures import OUTPUT_DIR, run_with_taps  # noqa: E402


def verify_prng_check(path: str) -> None:
    with open(path) as f:
        check = json.load(f)
    values = splitmix_uniform(check["seed"], len(check["values"]), check["low"], check["high"])
    if not np.array_equal(values, np.array(check["values"], dtype=np.float32)):
        raise SystemExit(f"{path}: generator gives {values.tolist()}")


def verify_case(path: str, tolerance: float) -> str:
    with open(path) as f:
        fixture = json.load(f)
    spec = backbone_spec(fixture["backbone"])
    model = spec.build(fixture["options"], fixture["num_classes"])
    tensors = [SyntheticTensor(t["name"], tuple(t["shape"]), t["seed"], t["low"], t["high"]) for t in fixture["tensors"]]
    if len({t.seed for t in tensors} | {fixture["input"]["seed"]}) != len(tensors) + 1:
        raise SystemExit(f"{path}: seeds are not distinct")
    load_synthetic_tensors(model, tensors)
    spec_input = fixture["input"]
    image = torch.from_numpy(splitmix_tensor(spec_input["seed"], spec_input["shape"], spec_input["low"], spec_input["high"]))
    outputs = run_with_taps(spec, model, image)
    stored = load_file(path[: -len(".json")] + ".safetensors")
    if sorted(stored) != sorted(fixture["outputs"]) or sorted(stored) != sorted(outputs):
        raise SystemExit(f"{path}: output names differ: json {sorted(fixture['outputs'])}, file {sorted(stored)}")
    worst = 0.0
    for name, expected in stored.items():
        actual = outputs[name]
        if list(expected.shape) != fixture["outputs"][name] or expected.shape != actual.shape:
            raise SystemExit(f"{path}: {name} shape json {fixture['outputs'][name]}, file {list(expected.shape)}, "
                             f"recomputed {list(actual.shape)}")
        relative = ((actual - expected).abs().max() / expected.abs().max()).item()
        worst = max(worst, relative)
        if relative > tolerance:
            raise SystemExit(f"{path}: {name} differs by {relative:.3g} of max|value| (tolerance {tolerance})")
    return f"{fixture['case']}: {len(tensors)} tensors, max|d|/max|ref| = {worst:.3g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    verify_prng_check(os.path.join(OUTPUT_DIR, "prng_check.json"))
    paths = sorted(p for p in glob.glob(os.path.join(OUTPUT_DIR, "*.json")) if not p.endswith("prng_check.json"))
    if not paths:
        raise SystemExit(f"no fixtures in {OUTPUT_DIR}; run from the repository root")
    for path in paths:
        print(verify_case(path, args.tolerance))
    print(f"{len(paths)} fixtures verified")


if __name__ == "__main__":
    main()
