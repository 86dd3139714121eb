#!/usr/bin/env python3
"""torchvision's detections with each bundled student's weights: the students' parity fixtures.

    python3 Tools/train/make_student_fixtures.py     # from the repository root, after export_student.py

For every bundled student, ``Configs/models/ssdlite320-*-coco.json``: builds
the reference detector (``litedetect_ref.ssdlite.build_ssdlite``, torchvision's
``SSD``) with the config's class columns, loads the exported ``.safetensors``
(the file LiteDetect ships, not the training checkpoint), runs torchvision's
whole eval pipeline (transform, head, box decoding, per-class NMS at 0.55) on
Pillow-decoded sample photos (``IMAGES``), and writes the detections scoring >=
``MIN_SCORE`` to ``Tests/LiteDetectTests/Fixtures/students/<model>.json``, each
label as the config's ``class_ids`` reports its column. The Swift test runs the
same files through LiteDetect and compares.
"""

import glob
import json
import os
import sys

import torch
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tools", "reference"))

from litedetect_ref.ssdlite import build_ssdlite  # noqa: E402
from make_ssdlite_fixtures import decode_image, pillow_decoder_description, versions  # noqa: E402

IMAGES = ("SampleImages/street.jpg", "SampleImages/dog.jpg", "SampleImages/chelsea.png")
"""Photos with what the students learnt: people, vehicles and animals."""
MIN_SCORE = 0.1
FALLBACK_MIN_SCORES = (0.05, 0.02)
"""For a weak student that scores nothing on a photo at ``MIN_SCORE`` (SqueezeNet 1.0 on dog.jpg): the
first of these at which every photo has a detection, so no case of the parity test is empty."""
"""Lower scores are many and close together: kept out so the comparison is about the model."""
OUTPUT = os.path.join(ROOT, "Tests", "LiteDetectTests", "Fixtures", "students")


def detections(model, path: str, class_ids: list[int], min_score: float) -> dict:
    _, image = decode_image(os.path.join(ROOT, path))
    with torch.no_grad():
        result = model([image])[0]
    keep = result["scores"] >= min_score
    return {"image": path,
            "boxes": [[round(float(v), 4) for v in box] for box in result["boxes"][keep]],
            "scores": [round(float(s), 6) for s in result["scores"][keep]],
            "labels": [class_ids[int(label)] for label in result["labels"][keep]]}


def main() -> int:
    torch.set_num_threads(1)
    os.makedirs(OUTPUT, exist_ok=True)
    configs = sorted(glob.glob(os.path.join(ROOT, "Configs", "models", "ssdlite320-*-coco.json")))
    if not configs:
        sys.exit("error: no exported students (Configs/models/ssdlite320-*-coco.json)")
    for config_path in configs:
        with open(config_path) as file:
            config = json.load(file)
        backbone = config["backbone"]
        options = {k: v for k, v in backbone.items() if k != "name"}
        model = build_ssdlite(backbone["name"], options, len(config["labels"]), config["input"]["width"])
        weights = load_file(os.path.normpath(os.path.join(os.path.dirname(config_path), config["weights"])))
        missing, unexpected = model.load_state_dict(weights, strict=False)
        if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
            sys.exit(f"error: {config['weights']} does not fit: missing {missing[:5]}, unexpected {unexpected[:5]}")
        model.eval()
        class_ids = config.get("class_ids", list(range(len(config["labels"]))))
        for min_score in (MIN_SCORE, *FALLBACK_MIN_SCORES):
            cases = [detections(model, path, class_ids, min_score) for path in IMAGES]
            if all(case["scores"] for case in cases):
                break
        else:
            sys.exit(f"error: {config['name']} detects nothing on one of {IMAGES} even at {min_score}")
        document = {"model": config["name"], "min_score": min_score, "versions": versions(),
                    "decoder": pillow_decoder_description(), "cases": cases}
        with open(os.path.join(OUTPUT, f"{config['name']}.json"), "w") as file:
            json.dump(document, file, indent=1)
            file.write("\n")
        counts = ", ".join(f"{os.path.basename(c['image'])}: {len(c['scores'])}" for c in document["cases"])
        print(f"{config['name']}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
