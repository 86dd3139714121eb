#!/usr/bin/env python3
"""Checks that every SSDLite fixture can be rebuilt from its JSON alone.

For each ``<case>.json`` in ``Tests/LiteDetectTests/Fixtures/ssdlite`` this
does what the Swift test does, in PyTorch:

* raw cases: build the detector from ``backbone``/``options``/``num_classes``,
  check that the JSON tensors cover its state dict exactly, regenerate every
  tensor and the input, run backbone + head, compare ``bbox_regression`` and
  ``cls_logits``;
* the torchvision case: decode ``image.path`` with Pillow and check the RGB8
  SHA-256, build torchvision's ``ssdlite320_mobilenet_v3_large``, fill it from
  the canonical recipe through the key mapping, run it end to end and compare
  every stored tensor (input, raw outputs, anchors, detections).

It also checks the converter: a torchvision SSDLite checkpoint written with
``torch.save`` goes through ``convert_state_dict.py --detector
ssdlite320-mobilenetv3-large`` and must give canonical tensors equal to the
originals, with which the canonical detector reproduces torchvision's output.

    /opt/refenv/bin/python Tools/reference/verify_ssdlite_fixtures.py [--tolerance 1e-5]

Exits non-zero on the first mismatch. On the machine and versions that wrote
the fixtures every output matches bit for bit; elsewhere use the tolerance,
relative to each output's max |value| (detections must then still have the
same count and labels).
"""

import argparse
import glob
import hashlib
import json
import os
import sys
import tempfile

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import convert_state_dict  # noqa: E402
from litedetect_ref.prng import splitmix_tensor  # noqa: E402
from litedetect_ref.ssdlite import (  # noqa: E402
    RawHeadOutputs,
    build_ssdlite,
    canonical_to_torchvision_ssdlite,
    mobilenet_v3_c4_pos,
    torchvision_ssdlite_to_canonical,
)
from litedetect_ref.synthetic_weights import SKIPPED_BUFFERS, SyntheticTensor, load_synthetic_tensors  # noqa: E402
from make_ssdlite_fixtures import (  # noqa: E402
    OUTPUT_DIR,
    TORCHVISION_BACKBONE,
    TORCHVISION_CASE,
    TORCHVISION_OPTIONS,
    build_torchvision_detector,
    decode_image,
    file_sha256,
    run_torchvision_pipeline,
)


class Mismatch(Exception):
    pass


def recipe_tensors(path: str, fixture: dict) -> list[SyntheticTensor]:
    tensors = [SyntheticTensor(t["name"], tuple(t["shape"]), t["seed"], t["low"], t["high"]) for t in fixture["tensors"]]
    seeds = {t.seed for t in tensors}
    if isinstance(fixture["input"].get("seed"), int):
        seeds.add(fixture["input"]["seed"])
        expected = len(tensors) + 1
    else:
        expected = len(tensors)
    if len(seeds) != expected:
        raise Mismatch(f"{path}: seeds are not distinct")
    return tensors


def compare(path: str, fixture: dict, stored: dict[str, torch.Tensor], actual: dict[str, torch.Tensor],
            tolerance: float) -> float:
    if sorted(stored) != sorted(fixture["outputs"]) or sorted(stored) != sorted(actual):
        raise Mismatch(f"{path}: output names: json {sorted(fixture['outputs'])}, file {sorted(stored)}, "
                       f"recomputed {sorted(actual)}")
    worst = 0.0
    for name, expected in stored.items():
        value = actual[name].float()
        if list(expected.shape) != fixture["outputs"][name] or expected.shape != value.shape:
            raise Mismatch(f"{path}: {name} shape json {fixture['outputs'][name]}, file {list(expected.shape)}, "
                           f"recomputed {list(value.shape)}")
        scale = expected.abs().max().item()
        relative = (value - expected).abs().max().item() / scale if scale > 0 else (value - expected).abs().max().item()
        worst = max(worst, relative)
        if relative > tolerance:
            raise Mismatch(f"{path}: {name} differs by {relative:.3g} of max|value| (tolerance {tolerance})")
    return worst


def verify_raw_case(path: str, fixture: dict, tolerance: float) -> str:
    detector = build_ssdlite(fixture["backbone"], fixture["options"], fixture["num_classes"], head=fixture.get("head", "ssdlite"))
    if detector.anchor_generator.num_anchors_per_location() != fixture["anchors_per_level"]:
        raise Mismatch(f"{path}: anchors_per_level {fixture['anchors_per_level']}, "
                       f"model {detector.anchor_generator.num_anchors_per_location()}")
    model = RawHeadOutputs(detector)
    load_synthetic_tensors(model, recipe_tensors(path, fixture))
    spec = fixture["input"]
    image = torch.from_numpy(splitmix_tensor(spec["seed"], spec["shape"], spec["low"], spec["high"]))
    with torch.no_grad():
        actual = model(image)
        maps = [list(m.shape[1:]) for m in model.backbone(image).values()]
    if maps != fixture["feature_maps"]:
        raise Mismatch(f"{path}: feature_maps {fixture['feature_maps']}, model {maps}")
    worst = compare(path, fixture, load_file(path[: -len(".json")] + ".safetensors"), actual, tolerance)
    return f"{fixture['case']}: {len(fixture['tensors'])} tensors, max|d|/max|ref| = {worst:.3g}"


def verify_torchvision_case(path: str, fixture: dict, tolerance: float) -> str:
    if file_sha256(fixture["image"]["path"]) != fixture["image"]["file_sha256"]:
        raise Mismatch(f"{path}: {fixture['image']['path']} is not the file the fixture was made from")
    pixels, image = decode_image(fixture["image"]["path"])
    digest = hashlib.sha256(pixels.tobytes()).hexdigest()
    if digest != fixture["image"]["rgb8_sha256"] or list(pixels.shape) != [fixture["image"]["height"],
                                                                           fixture["image"]["width"], 3]:
        raise Mismatch(f"{path}: decoded image differs (sha256 {digest}, shape {list(pixels.shape)})")
    canonical = build_ssdlite(fixture["backbone"], fixture["options"], fixture["num_classes"], fixture["input_size"])
    load_synthetic_tensors(canonical, recipe_tensors(path, fixture))
    tv_model = build_torchvision_detector()
    tv_model.load_state_dict(canonical_to_torchvision_ssdlite(canonical.state_dict(), fixture["c4_pos"]), strict=True)
    actual = run_torchvision_pipeline(tv_model, image)
    stored = load_file(path[: -len(".json")] + ".safetensors")
    if len(actual["scores"]) != fixture["detection_count"] or not torch.equal(actual["labels"], stored["labels"]):
        raise Mismatch(f"{path}: {len(actual['scores'])} detections (json {fixture['detection_count']}) "
                       f"or labels differ")
    worst = compare(path, fixture, stored, actual, tolerance)
    return (f"{fixture['case']}: {len(fixture['tensors'])} tensors, {fixture['detection_count']} detections, "
            f"scores {stored['scores'].min():.4g}..{stored['scores'].max():.4g}, max|d|/max|ref| = {worst:.3g}")


def verify_converter() -> str:
    """torchvision checkpoint -> convert_state_dict.py -> canonical tensors, and back."""
    c4_pos = mobilenet_v3_c4_pos(TORCHVISION_BACKBONE, TORCHVISION_OPTIONS)
    torch.manual_seed(0)
    tv_model = build_torchvision_detector()
    # Random BN statistics, so a BN tensor landing on the wrong key would show.
    with torch.no_grad():
        for name, buffer in tv_model.named_buffers():
            if name.endswith(("running_mean", "running_var")):
                buffer.uniform_(0.5, 1.5)
    with tempfile.TemporaryDirectory() as directory:
        checkpoint = os.path.join(directory, "ssdlite.pth")
        converted_path = os.path.join(directory, "ssdlite.safetensors")
        torch.save({"model": tv_model.state_dict()}, checkpoint)
        if convert_state_dict.main(["--detector", "ssdlite320-mobilenetv3-large", checkpoint, converted_path]) != 0:
            raise Mismatch("convert_state_dict.py --detector failed on torchvision's own SSDLite")
        converted = load_file(converted_path)
        # A truncated checkpoint must be refused.
        partial = dict(tv_model.state_dict())
        partial.pop("head.classification_head.module_list.5.1.bias")
        torch.save(partial, checkpoint)
        if convert_state_dict.main(["--detector", "ssdlite320-mobilenetv3-large", "--overwrite", checkpoint,
                                    converted_path]) == 0:
            raise Mismatch("convert_state_dict.py accepted a checkpoint with a missing tensor")
    expected = {k: v for k, v in torchvision_ssdlite_to_canonical(tv_model.state_dict(), c4_pos).items()
                if k.rpartition(".")[2] not in SKIPPED_BUFFERS}
    if set(converted) != set(expected):
        raise Mismatch(f"converter keys differ: {sorted(set(converted) ^ set(expected))[:5]}")
    for key, value in expected.items():
        if not torch.equal(converted[key], value):
            raise Mismatch(f"converter changed {key}")
    canonical = build_ssdlite(TORCHVISION_BACKBONE, TORCHVISION_OPTIONS)
    canonical.load_state_dict(converted, strict=False)
    missing = [k for k in canonical.state_dict() if k not in converted and k.rpartition(".")[2] not in SKIPPED_BUFFERS]
    if missing:
        raise Mismatch(f"converter output lacks {missing[:5]}")
    image = torch.rand(3, 240, 360, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        reference = tv_model([image])[0]
        result = canonical([image])[0]
    for name in ("boxes", "scores", "labels"):
        if not torch.equal(reference[name], result[name]):
            raise Mismatch(f"converted canonical detector differs from torchvision's in {name}")
    return f"converter: {len(converted)} tensors renamed, detector output identical ({len(reference['scores'])} boxes)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    paths = sorted(glob.glob(os.path.join(OUTPUT_DIR, "*.json")))
    if not paths:
        raise SystemExit(f"no fixtures in {OUTPUT_DIR}; run from the repository root")
    try:
        for path in paths:
            with open(path) as f:
                fixture = json.load(f)
            if fixture["case"] == TORCHVISION_CASE:
                print(verify_torchvision_case(path, fixture, args.tolerance))
            else:
                print(verify_raw_case(path, fixture, args.tolerance))
        print(verify_converter())
    except Mismatch as error:
        raise SystemExit(f"MISMATCH: {error}")
    print(f"{len(paths)} fixtures and the converter verified")


if __name__ == "__main__":
    main()
