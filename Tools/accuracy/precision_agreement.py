#!/usr/bin/env python3
"""How closely a model's bfloat16 detections follow its float32 ones, as COCO AP50.

    python3 Tools/accuracy/precision_agreement.py [--model NAME ...] [--images DIR ...]
        [--video PATH --every N] [--detect PATH] [--json-output FILE]

For each model (default: the three bundled real ones, ``ssd300-mobilenetv2-coco``,
``ssd300-mobilenetv1-voc`` and ``ssdlite300-mobilenetv2-person``):

1. runs ``detect`` in float32 on every image and turns its detections into COCO
   ground truth: boxes scoring at least ``--box-score`` (0.5, the CLI's operating
   point) become objects of their class; boxes in [``--ignore-score``,
   ``--box-score``) become ``iscrowd`` regions of their class, so a detection the
   float32 run was unsure of is neither required nor counted wrong;
2. scores ``detect eval --precision bf16`` on the same images against that ground
   truth (pycocotools' rules, as ``detect eval`` implements them), and, as a
   control that the pipeline itself is exact, ``detect eval --precision f32``,
   which must give AP50 = 1.

Issue #15 asks for AP50 >= 0.98; the numbers go to docs/MODELS.md.

Images: ``SampleImages/`` and, when given, more folders (e.g. OpenCV's sample
data, Debian ``opencv-doc``: ``apt-get download opencv-doc && dpkg-deb -x
opencv-doc_*.deb /tmp/opencv-doc``, then ``--images
/tmp/opencv-doc/usr/share/doc/opencv-doc/examples/data``) and every N-th frame
of a video (``--video .../vtest.avi --every 10``, decoded with
``opencv-python-headless``, the only package this script needs, and only for
``--video``). Needs a release build of the CLI (``swift build -c release
--product detect``). Needs a CPU with AVX512_BF16.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_MODELS = ["ssd300-mobilenetv2-coco", "ssd300-mobilenetv1-voc", "ssdlite300-mobilenetv2-person"]
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


def stage_images(folders: list[str], video: str | None, every: int, directory: str) -> list[str]:
    """Links (or, for video frames, writes) every image into `directory`; returns the file names."""
    names = []
    for folder in folders:
        prefix = os.path.basename(os.path.normpath(folder))
        for name in sorted(os.listdir(folder)):
            if not name.lower().endswith(IMAGE_EXTENSIONS):
                continue
            staged = f"{prefix}_{name}"
            os.symlink(os.path.abspath(os.path.join(folder, name)), os.path.join(directory, staged))
            names.append(staged)
    if video:
        import cv2  # only needed for --video

        capture = cv2.VideoCapture(video)
        if not capture.isOpened():
            sys.exit(f"error: cannot open {video}")
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            if index % every == 0:
                staged = f"{os.path.splitext(os.path.basename(video))[0]}_{index:04d}.png"
                cv2.imwrite(os.path.join(directory, staged), frame)
                names.append(staged)
            index += 1
    return names


def float32_detections(detect: str, model: str, directory: str, ignore_score: float) -> list[dict]:
    """The CLI's JSON lines for every staged image, float32."""
    command = [detect, directory, "--model", model, "--precision", "f32", "--format", "json", "--no-draw",
               "--score-threshold", str(ignore_score), "--max-detections", "100"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def ground_truth(results: list[dict], box_score: float) -> tuple[dict, int, int]:
    """COCO ground truth from float32 detections; also the object and ignore-region counts."""
    images, annotations, categories = [], [], {}
    objects = regions = 0
    for image_id, result in enumerate(results, start=1):
        images.append({"id": image_id, "file_name": os.path.basename(result["path"]),
                       "width": result["width"], "height": result["height"]})
        for detection in result["detections"]:
            box = detection["box"]
            width, height = box["x2"] - box["x1"], box["y2"] - box["y1"]
            if width <= 0 or height <= 0:
                continue
            categories[detection["class_id"]] = detection["label"]
            crowd = detection["score"] < box_score
            objects += not crowd
            regions += crowd
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": detection["class_id"],
                                "bbox": [box["x1"], box["y1"], width, height], "area": width * height,
                                "iscrowd": int(crowd)})
    document = {"images": images, "annotations": annotations,
                "categories": [{"id": i, "name": n} for i, n in sorted(categories.items())]}
    return document, objects, regions


def cpu_model() -> str:
    """The CPU's name as Linux reports it (bfloat16 results may differ by kernel implementation)."""
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def evaluate(detect: str, model: str, annotations: str, directory: str, precision: str) -> dict:
    command = [detect, "eval", "--annotations", annotations, "--images", directory, "--model", model,
               "--precision", precision, "--format", "json"]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", action="append", help="bundled model or config (repeatable)")
    parser.add_argument("--images", action="append", default=[], help="more image folders (repeatable)")
    parser.add_argument("--video", help="also every --every-th frame of this video")
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--box-score", type=float, default=0.5)
    parser.add_argument("--ignore-score", type=float, default=0.3)
    parser.add_argument("--detect", default=os.path.join(REPOSITORY, ".build/release/detect"))
    parser.add_argument("--json-output", help="also write the results here")
    args = parser.parse_args()

    folders = [os.path.join(REPOSITORY, "SampleImages")] + args.images
    report = {"models": [], "cpu": cpu_model(), "command": " ".join(sys.argv)}
    with tempfile.TemporaryDirectory() as work:
        directory = os.path.join(work, "images")
        os.makedirs(directory)
        names = stage_images(folders, args.video, args.every, directory)
        report["images"] = len(names)
        print(f"{len(names)} images from {', '.join(folders + ([args.video] if args.video else []))}", file=sys.stderr)
        for model in args.model or DEFAULT_MODELS:
            truth, objects, regions = ground_truth(float32_detections(args.detect, model, directory, args.ignore_score),
                                                   args.box_score)
            annotations = os.path.join(work, f"{model}.json")
            with open(annotations, "w") as file:
                json.dump(truth, file)
            scores = {precision: evaluate(args.detect, model, annotations, directory, precision)
                      for precision in ("bf16", "f32")}
            row = {"model": model, "objects": objects, "ignore_regions": regions,
                   "ap50_bf16": scores["bf16"]["AP50"], "ap_bf16": scores["bf16"]["AP"],
                   "ap50_f32_control": scores["f32"]["AP50"]}
            report["models"].append(row)
            print(json.dumps(row), file=sys.stderr)
    print("| model | images | float32 objects (≥ %.2f) | ignore regions | AP50 bf16 | AP bf16 | AP50 f32 (control) |"
          % args.box_score)
    print("|---|---|---|---|---|---|---|")
    for row in report["models"]:
        print(f"| `{row['model']}` | {report['images']} | {row['objects']} | {row['ignore_regions']} | "
              f"{row['ap50_bf16']:.4f} | {row['ap_bf16']:.4f} | {row['ap50_f32_control']:.4f} |")
    if args.json_output:
        with open(args.json_output, "w") as file:
            json.dump(report, file, indent=2)


if __name__ == "__main__":
    main()
