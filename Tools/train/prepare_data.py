#!/usr/bin/env python3
"""Builds the student training data: vtest.avi frames labelled by the teacher.

    python3 Tools/train/prepare_data.py [--vtest PATH] [--work DIR] [--detect PATH]

1. Decodes every frame of OpenCV's ``vtest.avi`` (Debian ``opencv-doc``,
   ``usr/share/doc/opencv-doc/examples/data/vtest.avi``: 795 frames, 768x576, a
   pedestrian street seen from above) to lossless PNG under ``DIR/frames/``.
2. Runs the teacher, LiteDetect's default model
   (``ssdlite300-mobilenetv2-person``), through our own release CLI on those
   frames, keeping every detection scoring at least ``IGNORE_SCORE``.
3. Splits the frames (``student/splits.py``) and writes ``DIR/labels.json``
   (per frame: ``boxes`` scoring >= ``BOX_SCORE``, ``ignore`` boxes in
   [``IGNORE_SCORE``, ``BOX_SCORE``)) and ``DIR/holdout-annotations.json``: COCO
   ground truth for the held-out frames, teacher boxes >= ``BOX_SCORE`` as
   people and the uncertain band as ``iscrowd`` regions, so a student that
   finds a person the teacher was unsure of is not counted wrong.

Needs: ``opencv-python-headless`` (decoding) and a release build of the CLI
(``swift build -c release --product detect``). Without an installed
``opencv-doc``, get the file with ``apt-get download opencv-doc`` and
``dpkg-deb -x opencv-doc_*.deb /tmp/opencv-doc``, then pass ``--vtest``.
"""

import argparse
import json
import os
import subprocess
import sys

import cv2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from student.splits import BOX_SCORE, IGNORE_SCORE, split_of  # noqa: E402

DEFAULT_VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
EXPECTED_FRAMES = 795


def decode_frames(video: str, frames_dir: str) -> list[str]:
    capture = cv2.VideoCapture(video)
    if not capture.isOpened():
        sys.exit(f"error: cannot open {video}")
    os.makedirs(frames_dir, exist_ok=True)
    names = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        name = f"vtest_{len(names):03d}.png"
        cv2.imwrite(os.path.join(frames_dir, name), bgr)
        names.append(name)
    if len(names) != EXPECTED_FRAMES:
        sys.exit(f"error: {video} gave {len(names)} frames, expected {EXPECTED_FRAMES} (another vtest.avi?)")
    return names


def run_teacher(detect: str, frames_dir: str) -> dict[str, list[dict]]:
    """Frame name -> the teacher's detections scoring >= IGNORE_SCORE (CLI JSON lines)."""
    # The person teacher by name: the default model is the 80-class COCO detector.
    command = [detect, frames_dir, "--model", "ssdlite300-mobilenetv2-person", "--format", "json", "--no-draw", "--threads", "2",
               "--score-threshold", str(IGNORE_SCORE)]
    lines = subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()
    detections = {}
    for line in lines:
        record = json.loads(line)
        detections[os.path.basename(record["path"])] = record["detections"]
    return detections


def box_xyxy(detection: dict) -> list[float]:
    box = detection["box"]
    return [box["x1"], box["y1"], box["x2"], box["y2"]]


def coco_ground_truth(labels: dict, names: list[str], width: int, height: int) -> dict:
    images, annotations = [], []
    for image_id, name in enumerate(names, start=1):
        images.append({"id": image_id, "file_name": name, "width": width, "height": height})
        for crowd, key in ((0, "boxes"), (1, "ignore")):
            for x1, y1, x2, y2 in labels[name][key]:
                w, h = x2 - x1, y2 - y1
                annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": 1,
                                    "bbox": [x1, y1, w, h], "area": w * h, "iscrowd": crowd})
    return {"images": images, "annotations": annotations,
            "categories": [{"id": 1, "name": "person"}],
            "info": {"description": "vtest.avi held-out frames labelled by the teacher "
                                    "ssdlite300-mobilenetv2-person (>= 0.5 people, 0.3-0.5 crowd regions)"}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vtest", default=DEFAULT_VTEST, help="path to OpenCV's vtest.avi")
    parser.add_argument("--work", default=".train-work", help="output folder (default: .train-work)")
    parser.add_argument("--detect", default=".build/release/detect", help="the LiteDetect CLI (release build)")
    args = parser.parse_args()

    frames_dir = os.path.join(args.work, "frames")
    names = decode_frames(args.vtest, frames_dir)
    height, width = cv2.imread(os.path.join(frames_dir, names[0])).shape[:2]
    teacher = run_teacher(args.detect, frames_dir)
    missing = sorted(set(names) - set(teacher))
    if missing:
        sys.exit(f"error: the teacher gave no record for {len(missing)} frames, e.g. {missing[:3]}")

    labels = {}
    for name in names:
        people = [d for d in teacher[name] if d["label"] == "person"]
        labels[name] = {
            "split": split_of(int(name[6:9])),
            "boxes": [box_xyxy(d) for d in people if d["score"] >= BOX_SCORE],
            "ignore": [box_xyxy(d) for d in people if IGNORE_SCORE <= d["score"] < BOX_SCORE],
        }
    with open(os.path.join(args.work, "labels.json"), "w") as file:
        json.dump({"teacher": "ssdlite300-mobilenetv2-person", "box_score": BOX_SCORE,
                   "ignore_score": IGNORE_SCORE, "width": width, "height": height, "frames": labels}, file)
    holdout = [n for n in names if labels[n]["split"] == "holdout"]
    with open(os.path.join(args.work, "holdout-annotations.json"), "w") as file:
        json.dump(coco_ground_truth(labels, holdout, width, height), file)

    for split in ("train", "gap", "holdout"):
        chosen = [n for n in names if labels[n]["split"] == split]
        boxes = sum(len(labels[n]["boxes"]) for n in chosen)
        ignored = sum(len(labels[n]["ignore"]) for n in chosen)
        print(f"{split:8s} {len(chosen):4d} frames, {boxes:5d} boxes >= {BOX_SCORE}, {ignored:5d} ignore regions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
