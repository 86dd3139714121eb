#!/usr/bin/env python3
"""How well the COCO students fit pictures they trained on, against the held-out ones.

    python3 Tools/train/fit_gap.py [--work DIR] [--detect PATH] [--pictures N] MODEL ...

A student far better on its training pictures than on held-out ones has learned those pictures
more than the classes: more steps on the same data will not close the gap, more varied data or
stronger augmentation may. A student poor on both is still underfitting.

Takes a fixed sample of the training split (every training picture the teacher labels with a
class other than person, car and truck, then others by seed 0 up to ``--pictures``; no wallpapers,
which hold no labelled objects; composites are made on the fly in training and have no fixed
copy), writes its COCO annotations and a folder of links to the pictures under
``DIR/fit-gap/``, and scores each model there and on the held-out pictures with ``detect eval``
(teacher >= 0.5 objects, 0.3-0.5 crowd regions, as ``prepare_coco_data.py`` writes the held-out
set). The held-out set is also scored without its composites, whose cut-outs and wallpapers are
held out too, so that both sides are real pictures.
"""

import argparse
import json
import os
import random
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from evaluate_coco_students import ROOT, evaluate, pictures_subset, source_of  # noqa: E402
from prepare_coco_data import coco_ground_truth  # noqa: E402

COMMON_CLASSES = {1, 3, 8}
"""Person, car and truck: in most training pictures, so a sample would hold few of the others."""


def training_sample(work: str, count: int) -> tuple[dict[str, dict], dict[str, str]]:
    """Training pictures by flat name -> label entry, and flat name -> picture path."""
    with open(os.path.join(work, "labels.json")) as file:
        pictures = json.load(file)["pictures"]
    train = sorted(n for n, e in pictures.items() if e["split"] == "train" and e["source"] != "wallpaper")
    rare = [n for n in train if any(int(box[4]) not in COMMON_CLASSES for box in pictures[n]["boxes"])]
    others = [n for n in train if n not in set(rare)]
    chosen = rare + random.Random(0).sample(others, max(0, min(len(others), count - len(rare))))
    flat = {name.replace("/", "__"): name for name in chosen}
    return ({f: pictures[n] for f, n in flat.items()},
            {f: os.path.join(work, "images", n) for f, n in flat.items()})


def without_composites(path: str, folder: str) -> str:
    with open(path) as file:
        truth = json.load(file)
    out = os.path.join(folder, "holdout-real.json")
    with open(out, "w") as file:
        json.dump(pictures_subset(truth, [i for i in truth["images"] if source_of(i["file_name"]) != "composite"]), file)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default=".train-work/coco", help="prepare_coco_data.py's folder")
    parser.add_argument("--detect", default=os.path.join(ROOT, ".build", "release", "detect"))
    parser.add_argument("--pictures", type=int, default=600, help="training pictures to score (default: 600)")
    parser.add_argument("models", nargs="+", help="model configs (JSON) or bundled model names")
    args = parser.parse_args()
    if args.pictures < 1:
        raise SystemExit(f"error: --pictures {args.pictures}: at least 1")
    work = os.path.abspath(args.work)

    from PIL import Image

    labels, paths = training_sample(work, args.pictures)
    folder = os.path.join(work, "fit-gap")
    images = os.path.join(folder, "images")
    os.makedirs(images, exist_ok=True)
    for stale in set(os.listdir(images)) - set(paths):
        os.unlink(os.path.join(images, stale))
    sizes = {}
    for flat, path in paths.items():
        link = os.path.join(images, flat)
        if not os.path.lexists(link):
            os.symlink(path, link)
        with Image.open(path) as picture:
            sizes[flat] = picture.size
    annotations = os.path.join(folder, "annotations.json")
    with open(annotations, "w") as file:
        json.dump(coco_ground_truth(labels, sizes), file)
    print(f"{len(paths)} training pictures in {folder}")

    holdout = os.path.join(work, "holdout-annotations.json")
    held_images = os.path.join(work, "holdout")
    with tempfile.TemporaryDirectory() as scratch:
        real = without_composites(holdout, scratch)
        print("model | training AP50 | held-out AP50 | held-out AP50 without composites | training AP | held-out AP")
        for model in args.models:
            model = os.path.abspath(model) if os.path.exists(model) else model  # detect runs in the repository root
            fit = evaluate(args.detect, model, annotations, images)
            held = evaluate(args.detect, model, holdout, held_images)
            held_real = evaluate(args.detect, model, real, held_images)
            print(f"{model} | {fit['AP50']:.3f} | {held['AP50']:.3f} | {held_real['AP50']:.3f} | {fit['AP']:.3f} | "
                  f"{held['AP']:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
