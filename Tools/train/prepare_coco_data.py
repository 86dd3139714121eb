#!/usr/bin/env python3
"""Builds the COCO students' data: real pictures and cut-outs labelled by the COCO teacher.

    python3 Tools/train/prepare_coco_data.py --sources ROOT [--work DIR] [--detect PATH]

``ROOT/<package>/`` holds each package of ``student/coco_sources.py`` unpacked
(``Tools/train/README.md``). Writes under ``DIR`` (default ``.train-work/coco``):

* ``images/<source>/…``: video frames (every ``step``-th, PNG), photos (PNG) and wallpapers
  (long side 1024, JPEG 95), each run through the teacher, ``ssd300-mobilenetv2-coco``, in our
  own release CLI (``detect … --format json --score-threshold 0.3``);
* ``stamps/…png``: tuxpaint's and openclipart's cut-outs cropped to their opaque pixels, each with
  the class the teacher gives it on a plain grey background (score ≥ 0.5, IoU ≥ 0.5 with the
  cut-out) where its file name names the same class, or a distractor where neither names one;
* ``labels.json``: per picture its source, split, ``boxes`` (teacher ≥ 0.5, one of
  ``CLASSES``: x1, y1, x2, y2, COCO id) and ``ignore`` regions (0.3–0.5, or another class); per
  cut-out its class and split;
* ``holdout/`` and ``holdout-annotations.json``: every held-out picture plus composites of
  held-out cut-outs on held-out wallpapers (fixed seed), with COCO ground truth for ``detect
  eval`` — teacher boxes ≥ 0.5 and pasted boxes as objects, the uncertain band as ``iscrowd``.

Needs ``opencv-python-headless`` and ``numpy``, and a release build of the CLI
(``swift build -c release --product detect``).
"""

import argparse
import json
import os
import random
import shutil
import sys
from collections import Counter

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from student import coco_sources as S  # noqa: E402
from student import cli  # noqa: E402
from student.boxes import iou  # noqa: E402
from student.paste import paste  # noqa: E402

WALLPAPER_SIDE = 1024
STAMP_SIDE = 400
PROBE_SIZE, PROBE_STAMP = 300, 240
HOLDOUT_SEED = 2026


def fail(message: str) -> None:
    sys.exit(f"error: {message}")


def source_path(root: str, package: str, path: str) -> str:
    full = os.path.join(root, package, path)
    if not os.path.exists(full):
        fail(f"{full} is missing: unpack the package {package} under {root} (Tools/train/README.md)")
    return full


def write_png(path: str, rgb: np.ndarray) -> None:
    if not cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        fail(f"cannot write {path}")


def read_rgb(path: str) -> np.ndarray:
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        fail(f"cannot decode {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def decode_video(root: str, video: S.Video, out: str) -> dict[str, dict]:
    capture = cv2.VideoCapture(source_path(root, video.package, video.path))
    if not capture.isOpened():
        fail(f"cannot open {video.path}")
    entries, index = {}, 0
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        split = video.split_of(index)
        if index % video.step == 0 and split != "gap":
            name = f"{video.key}_{index:04d}.png"
            cv2.imwrite(os.path.join(out, name), bgr)
            entries[name] = ({"source": video.draws_with, "set": video.key, "split": split} if video.draws_with
                             else {"source": video.key, "split": split})
        index += 1
    if not entries:
        fail(f"{video.path} has no frames")
    if index < video.holdout.stop:
        fail(f"{video.path} has {index} frames; its held-out block ends at {video.holdout.stop}")
    return entries


def copy_photos(root: str, photos: S.PhotoSet, out: str) -> dict[str, dict]:
    held_out = S.holdout_by_order([photo.name for photo in photos.photos])
    entries = {}
    for photo in photos.photos + photos.trained_whole:
        if os.path.basename(photo.path) in S.EXCLUDED_PHOTOS:
            fail(f"{photo.path} is a sample photo and must never be used")
        target = f"{photos.key}_{photo.name}.png"
        write_png(os.path.join(out, target), read_rgb(source_path(root, photo.package, photo.path)))
        entries[target] = {"source": photos.key, "split": "holdout" if photo.name in held_out else "train"}
        if photo in photos.trained_whole:
            entries[target]["set"] = photos.whole_key
    return entries


def extract_resource_photos(root: str, photos: S.ResourcePhotos, out: str) -> dict[str, dict]:
    """Pictures packed in Qt resource bundles, PNG; those under ``min_side`` skipped."""
    from student.qt_resources import read_resources

    folder = source_path(root, photos.package, photos.folder)
    kept: dict[str, np.ndarray] = {}
    for bundle in sorted(os.listdir(folder)):
        if not bundle.endswith(".rcc"):
            continue
        for inside, payload in sorted(read_resources(os.path.join(folder, bundle)).items()):
            if not inside.lower().endswith((".jpg", ".jpeg", ".png", ".webp")):
                continue
            bgr = cv2.imdecode(np.frombuffer(payload, np.uint8), cv2.IMREAD_COLOR)
            if bgr is None or min(bgr.shape[:2]) < photos.min_side:
                continue
            stem = inside.strip("/").replace("gcompris/src/activities/", "").replace("/resource", "")
            kept[f"{photos.key}_" + os.path.splitext(stem)[0].replace("/", "_") + ".png"] = bgr
    held_out = S.holdout_by_order(list(kept))
    for name, bgr in kept.items():
        cv2.imwrite(os.path.join(out, name), bgr)
    return {name: {"source": photos.key, "split": "holdout" if name in held_out else "train"} for name in kept}


def wallpaper_files(root: str, wallpapers: S.WallpaperSet) -> list[str]:
    """Raster wallpapers of a set; of a Plasma wallpaper's several sizes, only the largest."""
    folder = source_path(root, wallpapers.package, wallpapers.folder)
    best: dict[str, tuple[int, str]] = {}
    for directory, _, files in os.walk(folder):
        for file in files:
            if not file.lower().endswith((".jpg", ".jpeg", ".png", ".webp")) or file == "screenshot.png":
                continue
            path = os.path.join(directory, file)
            # Plasma: <name>/contents/images/<W>x<H>.png; one entry per <name>.
            key = directory.split("/contents/")[0] if "/contents/" in directory else path
            size = os.path.getsize(path)
            if key not in best or size > best[key][0]:
                best[key] = (size, path)
    return sorted(path for _, path in best.values())


def copy_wallpapers(root: str, wallpapers: S.WallpaperSet, out: str) -> dict[str, dict]:
    files = wallpaper_files(root, wallpapers)
    names = {}
    for path in files:
        relative = os.path.relpath(path, os.path.join(root, wallpapers.package, wallpapers.folder))
        names[path] = f"{wallpapers.key}_" + os.path.splitext(relative)[0].replace("/contents/images", "").replace("/", "_")
    held_out = S.holdout_by_order(list(names.values()))
    entries = {}
    for path, stem in names.items():
        rgb = read_rgb(path)
        scale = WALLPAPER_SIDE / max(rgb.shape[:2])
        if scale < 1:
            rgb = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        target = stem + ".jpg"
        cv2.imwrite(os.path.join(out, target), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
        entries[target] = {"source": "wallpaper", "set": wallpapers.key,
                           "split": "holdout" if stem in held_out else "train"}
    return entries


def cut_stamps(root: str, out: str, probes: str) -> dict[str, dict]:
    """Cut-outs cropped to their opaque pixels, and one grey probe picture each for the teacher."""
    entries = {}
    for cutouts in S.CUTOUTS:
        folder = source_path(root, cutouts.package, cutouts.folder)
        tops = cutouts.subfolders or sorted(os.listdir(folder))
        for top in tops:
            for directory, _, files in sorted(os.walk(os.path.join(folder, top))):
                if cutouts.skip_cartoons and "cartoon" in directory.split(os.sep):
                    continue
                for file in sorted(files):
                    if file.endswith(".png"):
                        name = f"{cutouts.key}__" + os.path.relpath(os.path.join(directory, file), folder).replace("/", "__")
                        entry = cut_stamp(os.path.join(directory, file), os.path.join(out, name), os.path.join(probes, name))
                        if entry is not None:
                            entries[name] = entry | {"set": cutouts.key}
    return entries


def cut_stamp(path: str, target: str, probe: str) -> dict | None:
    """One cut-out cropped and capped at STAMP_SIDE, and its probe; None if it has no usable alpha."""
    rgba = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if rgba is None or rgba.ndim != 3 or rgba.shape[2] != 4:
        return None
    if rgba.dtype == np.uint16:
        rgba = (rgba >> 8).astype(np.uint8)
    ys, xs = np.nonzero(rgba[:, :, 3] >= 128)
    if len(xs) < 400:
        return None
    rgba = rgba[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    scale = min(1.0, STAMP_SIDE / max(rgba.shape[:2]))
    if scale < 1:
        rgba = cv2.resize(rgba, (max(1, round(rgba.shape[1] * scale)), max(1, round(rgba.shape[0] * scale))),
                          interpolation=cv2.INTER_AREA)
    # The probe: the cut-out on grey, centred, long side PROBE_STAMP.
    probe_scale = PROBE_STAMP / max(rgba.shape[:2])
    w, h = max(1, round(rgba.shape[1] * probe_scale)), max(1, round(rgba.shape[0] * probe_scale))
    small = cv2.resize(rgba, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    canvas = np.full((PROBE_SIZE, PROBE_SIZE, 3), 128, dtype=np.float32)
    x, y = (PROBE_SIZE - w) // 2, (PROBE_SIZE - h) // 2
    alpha = small[:, :, 3:] / 255
    canvas[y:y + h, x:x + w] = alpha * small[:, :, :3] + (1 - alpha) * canvas[y:y + h, x:x + w]
    tight_y, tight_x = np.nonzero(small[:, :, 3] >= 128)
    if len(tight_x) == 0:  # a hairline that vanishes at probe size
        return None
    cv2.imwrite(target, rgba)
    cv2.imwrite(probe, canvas.round().astype(np.uint8))
    return {"probe_box": [x + int(tight_x.min()), y + int(tight_y.min()), x + int(tight_x.max()) + 1,
                          y + int(tight_y.max()) + 1]}


def run_teacher(detect: str, folder: str) -> dict[str, list[dict]]:
    """File name -> the teacher's detections scoring >= IGNORE_SCORE."""
    command = [detect, folder, "--model", S.TEACHER, "--format", "json", "--no-draw", "--threads", "2",
               "--score-threshold", str(S.IGNORE_SCORE)]
    detections = {os.path.basename(r["path"]): r["detections"] for r in cli.run_json_lines(command, os.getcwd())}
    missing = sorted(set(os.listdir(folder)) - set(detections))
    if missing:
        fail(f"the teacher gave no record for {len(missing)} files in {folder}, e.g. {missing[:3]}")
    return detections


def coco_id(detection: dict) -> int:
    return int(detection["class_id"])


def teacher_labels(detections: list[dict]) -> tuple[list[list[float]], list[list[float]]]:
    """Objects (teacher >= BOX_SCORE, one of CLASSES) and ignore regions (the uncertain band, or another class)."""
    boxes, ignore = [], []
    for d in detections:
        row = [d["box"]["x1"], d["box"]["y1"], d["box"]["x2"], d["box"]["y2"], coco_id(d)]
        if d["score"] >= S.BOX_SCORE and coco_id(d) in S.CLASSES:
            boxes.append(row)
        else:
            ignore.append(row)
    return boxes, ignore


def classify_stamps(stamps: dict[str, dict], detections: dict[str, list[dict]]) -> None:
    """A cut-out's class: the teacher's best confident detection covering it, when the cut-out's
    name names the same class (``coco_sources.name_classes``). ``class_id`` None with ``use``
    "distractor" is background; ``use`` "unused" is a disagreement, never pasted."""
    for name, entry in stamps.items():
        covering = [d for d in detections[name] if d["score"] >= S.BOX_SCORE
                    and iou([d["box"][k] for k in ("x1", "y1", "x2", "y2")], entry["probe_box"]) >= 0.5]
        best = max(covering, key=lambda d: d["score"], default=None)
        named = S.name_classes(name)
        entry["teacher"] = None if best is None else {"class_id": coco_id(best), "score": round(best["score"], 4)}
        entry["named"] = sorted(named)
        if best is not None and coco_id(best) in S.CLASSES and coco_id(best) in named:
            entry["class_id"], entry["use"] = coco_id(best), "object"
        elif best is None and not named:
            entry["class_id"], entry["use"] = None, "distractor"
        else:
            entry["class_id"], entry["use"] = None, "unused"
    by_class: dict[object, list[str]] = {}
    for name, entry in stamps.items():
        by_class.setdefault(entry["class_id"], []).append(name)
    for names in by_class.values():
        held_out = S.holdout_by_order(names)
        for name in names:
            stamps[name]["split"] = "holdout" if name in held_out else "train"


def composites(work: str, pictures: dict[str, dict], stamps: dict[str, dict], out: str) -> dict[str, dict]:
    """Held-out cut-outs on held-out wallpapers: fixed seed, ground truth exact."""
    rng = random.Random(HOLDOUT_SEED)
    objects = sorted(n for n, e in stamps.items() if e["split"] == "holdout" and e["class_id"] is not None)
    distractors = sorted(n for n, e in stamps.items() if e["split"] == "holdout" and e["class_id"] is None)
    walls = sorted(n for n, e in pictures.items() if e["source"] == "wallpaper" and e["split"] == "holdout")
    entries = {}
    for wall in walls:
        background = read_rgb(os.path.join(work, "images", wall))
        for k in range(S.COMPOSITES_PER_WALLPAPER):
            chosen = [(n, stamps[n]["class_id"]) for n in rng.sample(objects, rng.randint(1, 4))]
            chosen += [(n, None) for n in rng.sample(distractors, rng.randint(0, 2))]
            rgba = [(cv2.cvtColor(cv2.imread(os.path.join(work, "stamps", n), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGRA2RGBA), c)
                    for n, c in chosen]
            boxes = np.array(pictures[wall]["boxes"], dtype=np.float32).reshape(-1, 5)
            ignore = np.array(pictures[wall]["ignore"], dtype=np.float32).reshape(-1, 5)
            image, boxes, ignore = paste(background, boxes, ignore, rgba, rng)
            name = f"composite_{os.path.splitext(os.path.basename(wall))[0]}_{k}.png"
            write_png(os.path.join(out, name), image)
            entries[name] = {"source": "composite", "split": "holdout", "boxes": boxes.round(2).tolist(),
                             "ignore": ignore.round(2).tolist(), "stamps": [n for n, _ in chosen]}
    return entries


def coco_ground_truth(pictures: dict[str, dict], sizes: dict[str, tuple[int, int]]) -> dict:
    images, annotations = [], []
    for image_id, name in enumerate(sorted(pictures), start=1):
        width, height = sizes[name]
        images.append({"id": image_id, "file_name": name, "width": width, "height": height})
        for crowd, key in ((0, "boxes"), (1, "ignore")):
            for x1, y1, x2, y2, category in pictures[name][key]:
                if int(category) not in S.CLASSES:
                    continue
                w, h = x2 - x1, y2 - y1
                annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": int(category),
                                    "bbox": [x1, y1, w, h], "area": w * h, "iscrowd": crowd})
    return {"images": images, "annotations": annotations,
            "categories": [{"id": i, "name": n} for i, n in S.CLASSES.items()],
            "info": {"description": f"LiteDetect COCO students' held-out pictures labelled by {S.TEACHER} "
                                    f"(>= {S.BOX_SCORE} objects, {S.IGNORE_SCORE}-{S.BOX_SCORE} crowd regions) "
                                    "and exact boxes of pasted cut-outs"}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", required=True, help="folder with the unpacked packages, one subfolder each")
    parser.add_argument("--work", default=".train-work/coco", help="output folder (default: .train-work/coco)")
    parser.add_argument("--detect", default=".build/release/detect", help="the LiteDetect CLI (release build)")
    args = parser.parse_args()

    for sub in ("images", "stamps", "probes", "holdout"):
        shutil.rmtree(os.path.join(args.work, sub), ignore_errors=True)
    pictures: dict[str, dict] = {}
    groups = [(v.key, lambda out, v=v: decode_video(args.sources, v, out)) for v in S.VIDEOS]
    groups += [(p.key, lambda out, p=p: copy_photos(args.sources, p, out)) for p in S.PHOTOS]
    groups += [(p.key, lambda out, p=p: extract_resource_photos(args.sources, p, out)) for p in S.RESOURCE_PHOTOS]
    groups += [("wallpapers", lambda out: {n: e for w in S.WALLPAPERS for n, e in copy_wallpapers(args.sources, w, out).items()})]
    for key, build in groups:
        out = os.path.join(args.work, "images", key)
        os.makedirs(out)
        entries = build(out)
        detections = run_teacher(args.detect, out)
        for name, entry in entries.items():
            entry["boxes"], entry["ignore"] = teacher_labels(detections[name])
            pictures[os.path.join(key, name)] = entry
        print(f"{key}: {len(entries)} pictures", flush=True)

    stamps_dir, probes_dir = os.path.join(args.work, "stamps"), os.path.join(args.work, "probes")
    os.makedirs(stamps_dir)
    os.makedirs(probes_dir)
    stamps = cut_stamps(args.sources, stamps_dir, probes_dir)
    classify_stamps(stamps, run_teacher(args.detect, probes_dir))
    distractor_sets = {c.key for c in S.CUTOUTS if c.distractors}
    for name, entry in list(stamps.items()):
        if entry["use"] == "distractor" and entry["set"] not in distractor_sets:
            entry["use"] = "unused"
        if entry["use"] == "unused":
            os.remove(os.path.join(stamps_dir, name))
            del stamps[name]
    print(f"stamps: {len(stamps)} cut-outs, {sum(e['class_id'] is not None for e in stamps.values())} with a class",
          flush=True)

    holdout_dir = os.path.join(args.work, "holdout")
    os.makedirs(holdout_dir)
    held = {}
    for name, entry in pictures.items():
        if entry["split"] == "holdout":
            flat = name.replace("/", "__")
            shutil.copyfile(os.path.join(args.work, "images", name), os.path.join(holdout_dir, flat))
            held[flat] = entry
    held.update(composites(args.work, pictures, stamps, holdout_dir))
    sizes = {}
    for name in held:
        image = cv2.imread(os.path.join(holdout_dir, name))
        sizes[name] = (image.shape[1], image.shape[0])
    with open(os.path.join(args.work, "holdout-annotations.json"), "w") as file:
        json.dump(coco_ground_truth(held, sizes), file)
    with open(os.path.join(args.work, "labels.json"), "w") as file:
        json.dump({"teacher": S.TEACHER, "box_score": S.BOX_SCORE, "ignore_score": S.IGNORE_SCORE,
                   "classes": {str(k): v for k, v in S.CLASSES.items()}, "pictures": pictures, "stamps": stamps,
                   "holdout": held}, file)

    report(pictures, stamps, held)
    return 0


def report(pictures: dict[str, dict], stamps: dict[str, dict], held: dict[str, dict]) -> None:
    """Objects per class and split: what the class choice rests on."""
    counts: Counter = Counter()
    for entry in pictures.values():
        for row in entry["boxes"]:
            counts[(entry["split"], int(row[4]))] += 1
    for entry in stamps.values():
        if entry["class_id"] is not None:
            counts[(f"stamps-{entry['split']}", entry["class_id"])] += 1
    for entry in held.values():
        for row in entry["boxes"]:
            counts[("eval", int(row[4]))] += 1
    splits = ("train", "holdout", "stamps-train", "stamps-holdout", "eval")
    print("class        " + " ".join(f"{s:>14s}" for s in splits))
    for class_id, name in S.CLASSES.items():
        print(f"{class_id:3d} {name:9s}" + " ".join(f"{counts[(s, class_id)]:14d}" for s in splits))
    print(f"cut-outs: {sum(e['use'] == 'object' for e in stamps.values())} objects, "
          f"{sum(e['use'] == 'distractor' for e in stamps.values())} distractors")
    for split in ("train", "holdout"):
        chosen = [e for e in pictures.values() if e["split"] == split]
        print(f"{split}: {len(chosen)} pictures by source {dict(Counter(e['source'] for e in chosen))}")


if __name__ == "__main__":
    sys.exit(main())
