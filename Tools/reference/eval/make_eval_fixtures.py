#!/usr/bin/env python3
"""COCO-style evaluation fixtures, scored by pycocotools' COCOeval and podm's VOC metric.

Writes, for each set below, into Tests/LiteDetectTests/Fixtures/eval/<set>/:
  annotations.json  COCO ground truth (images, annotations, categories)
  results.json      COCO results (image_id, category_id, bbox [x, y, w, h], score)
  expected.json     what the references computed from exactly those two files

Sets:
  edge-cases     hand-written: every rule of COCOeval that a re-implementation can get wrong
                 (see EDGE_CASES_NOTES below and the comments in edge_cases()).
  random         seeded synthetic data: 40 images, 4 categories, thousands of detections with
                 coarse (tied) scores, crowd regions, sizes across the small/medium/large limits.
  sample-images  SampleImages/* with hand-drawn person boxes, scored against the default model's
                 detections. Its results.json is written by LiteDetect itself (see the README);
                 this script only reads it, so that it needs nothing but Python.

References (nobody in this project wrote them):
  pycocotools COCOeval, iouType "bbox": stats[0..11], per-class AP over eval['precision'],
      per (category, area, maxDets) means of precision and recall, the IoU and recall grids.
  podm (PyPI object-detection-metrics) get_pascal_voc_metrics, IoU 0.5, all-point interpolation
      (PASCAL VOC 2010+): per-class AP50 over the non-crowd ground truth, and their mean.

Run from the repository root:
  pip install pycocotools==2.0.11 numpy object-detection-metrics==0.4.post1 shapely
  python3 Tools/reference/eval/make_eval_fixtures.py
The output is deterministic (no clock, seeded random.Random): re-running rewrites identical bytes.
"""

import contextlib
import copy
import io
import json
import os
import random
import sys

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

# podm's metrics module; its package needs shapely at import time (not declared by the wheel).
from podm.metrics import BoundingBox, MethodAveragePrecision, get_pascal_voc_metrics

FIXTURES = os.path.join("Tests", "LiteDetectTests", "Fixtures", "eval")


# MARK: - Set 1: edge cases


def edge_cases():
    """Small hand-written ground truth + results; each block names the rule it exercises."""
    # Category ids unsorted and non-contiguous (COCOeval sorts them); "dog" has ground truth but
    # no detections (AP 0), "kite" detections but no ground truth (-1, left out of the means),
    # "boat" neither (-1).
    categories = [
        {"id": 3, "name": "person", "supercategory": "person"},
        {"id": 1, "name": "car", "supercategory": "vehicle"},
        {"id": 18, "name": "dog", "supercategory": "animal"},
        {"id": 7, "name": "kite", "supercategory": "sports"},
        {"id": 40, "name": "boat", "supercategory": "vehicle"},
    ]
    # Image ids unsorted: COCOeval orders images by id, which decides exact score ties between
    # images. Image 3 has detections but no ground truth, image 5 ground truth but no detections,
    # image 20 nothing at all.
    image_ids = [7, 2, 11, 5, 3, 9, 20]
    images = [{"id": i, "file_name": f"image{i:03d}.jpg", "width": 640, "height": 480} for i in image_ids]
    annotations = []
    results = []

    def gt(ann_id, image, category, bbox, area=None, crowd=0, **extra):
        annotations.append(dict({
            "id": ann_id, "image_id": image, "category_id": category, "bbox": bbox,
            "area": bbox[2] * bbox[3] if area is None else area, "iscrowd": crowd,
        }, **extra))

    def dt(image, category, bbox, score):
        results.append({"image_id": image, "category_id": category, "bbox": bbox, "score": score})

    person, car, dog, kite = 3, 1, 18, 7

    # Image 2: the area limits (32² = 1024 belongs to both small and medium, 96² = 9216 to both
    # medium and large) judged on the annotation's `area`, not its box; IoU exactly at
    # thresholds 0.5, 0.75, 0.8999999999999999 (linspace's 0.9) and 0.95.
    gt(201, 2, person, [10, 10, 32, 32], area=1024)                 # small and medium
    gt(202, 2, person, [100, 10, 32, 32], area=1023.5)              # small only (box is 1024)
    gt(203, 2, person, [200, 10, 40, 40], area=1024.5)              # medium
    gt(204, 2, person, [10, 100, 96, 96], area=9216)                # medium and large
    gt(205, 2, person, [200, 100, 100, 100], area=9216.25)          # large
    gt(206, 2, person, [400, 10, 20, 20], area=400, ignore=1)       # `ignore` is overwritten by iscrowd
    gt(207, 2, person, [500, 10, 20, 20], area=400)                 # never detected
    dt(2, person, [10, 10, 32, 32], 0.9)            # exact match of 201
    dt(2, person, [10, 10, 32, 32], 0.9)            # duplicate: 201 is taken, a false positive
    dt(2, person, [100, 10, 32, 24], 0.8)           # IoU 0.75 with 202
    dt(2, person, [200, 10, 40, 38], 0.8)           # IoU 0.95 with 203 (tie in score with the above)
    dt(2, person, [400, 10, 20, 18], 0.75)          # IoU 0.9 with 206: matched at linspace's 0.9
    dt(2, person, [10, 100, 96, 48], 0.7)           # IoU 0.5 with 204: matched at 0.5 only
    dt(2, person, [200, 100, 100, 49.75], 0.6)      # IoU 0.4975 with 205: a false positive of area 4975
    dt(2, person, [600, 400, 30, 34.25], 0.3)       # nothing there; area 1027.5, medium
    dt(2, person, [600, 300, 31.75, 32], 0.3)       # nothing there; area 1016, small
    dt(2, kite, [5, 5, 20, 20], 0.99)               # a category without ground truth

    # Image 7: a crowd region (matched by a detection inside it, however many: IoU against a crowd
    # is intersection / detection area, and such matches are ignored, never true positives);
    # a detection with exactly equal IoU to two ground truths (COCOeval keeps the later one in
    # its order); a negative annotation id (only id 0 would mean "unmatched").
    gt(701, 7, person, [0, 0, 200, 100], area=15000, crowd=1)
    gt(-702, 7, person, [10, 10, 40, 80])
    gt(703, 7, person, [60, 10, 40, 80])
    gt(704, 7, person, [35, 10, 40, 80])
    gt(705, 7, dog, [300, 50, 60, 60], area=3000)
    dt(7, person, [22.5, 10, 40, 80], 0.97)         # IoU 27.5/42 with both -702 and 704
    dt(7, person, [35, 10, 40, 80], 0.95)           # exact on 704, which may be taken already
    dt(7, person, [150, 20, 30, 30], 0.5)           # inside the crowd only
    dt(7, person, [150, 20, 30, 30], 0.5)           # again: a crowd can be matched many times
    dt(7, person, [190, 90, 30, 30], 0.4)           # 100/900 of it in the crowd: a false positive
    dt(7, person, [65, 12, 36, 76], 0.45)           # on 703

    # Image 5: ground truth, no detections.
    gt(501, 5, person, [50, 50, 100, 200], area=20000)
    gt(502, 5, car, [300, 300, 64, 64])

    # Image 3: detections, no ground truth (ties at 0.9 with image 2, which sorts first by id);
    # a category id the annotations do not have (pycocotools drops it silently).
    dt(3, person, [10, 10, 50, 50], 0.9)
    dt(3, car, [0, 0, 30, 30], 0.55)
    dt(3, kite, [5, 5, 20, 20], 0.8)
    dt(3, 99, [5, 5, 20, 20], 0.8)

    # Image 9: more than 100 detections. Three true positives score 0.99, then 97 false
    # positives and one true positive (listed after them) all score 0.5: with the stable sort
    # the true positive is the 101st and is cut by maxDets=100. A small car listed before the
    # false positives keeps its place among the ties.
    for i in range(5):
        gt(901 + i, 9, car, [i * 100, 0, 64, 64])
    gt(906, 9, car, [500, 200, 16, 16])
    for i in range(3):
        dt(9, car, [i * 100, 0, 64, 64], 0.99)
    dt(9, car, [500, 200, 16, 16], 0.5)             # 4th: kept
    for i in range(96):
        dt(9, car, [300 + (i % 12) * 25, 250 + (i // 12) * 25, 20, 20], 0.5)
    dt(9, car, [300, 0, 64, 64], 0.5)               # 101st after the stable sort: dropped
    dt(9, car, [400, 0, 64, 64], 0.3)               # dropped
    for i in range(10):
        dt(9, car, [10 + i * 30, 400, 25, 25], 0.2)

    # Image 11: zero-area boxes. A zero-width ground truth can never be matched; zero-width and
    # zero-height detections have IoU 0 with everything and area 0 (small; ignored when unmatched
    # in the medium and large ranges).
    gt(1101, 11, person, [10, 10, 0, 20], area=0)
    gt(1102, 11, person, [100, 100, 20, 20])
    dt(11, person, [100, 100, 0, 20], 0.35)
    dt(11, person, [100, 100, 20, 0], 0.35)
    dt(11, person, [100, 100, 20, 20], 0.1)
    dt(11, kite, [300, 300, 0, 0], 0.2)

    ground_truth = {"info": {"description": "LiteDetect evaluation edge cases"}, "images": images,
                    "annotations": annotations, "categories": categories}
    return ground_truth, results


# MARK: - Set 2: seeded random data


def random_set(seed=20240611):
    """40 images of 4 categories (one never annotated) with jittered, duplicated and spurious
    detections; scores rounded to 0.05 so that ties are everywhere."""
    rng = random.Random(seed)

    def r(lo, hi):
        return lo + (hi - lo) * rng.random()

    def quarter(x):
        return round(x * 4) / 4

    categories = [{"id": 1, "name": "person"}, {"id": 2, "name": "bicycle"},
                  {"id": 5, "name": "airplane"}, {"id": 9, "name": "boat"}]
    annotated = [1, 2, 5]
    images, annotations, results = [], [], []
    ann_id = 1
    for image_id in range(1, 41):
        width, height = 640, 480
        images.append({"id": image_id, "file_name": f"random{image_id:03d}.jpg", "width": width, "height": height})
        count = int(r(0, 9)) if image_id % 7 else 0          # every 7th image has no ground truth
        for _ in range(count):
            category = annotated[int(r(0, 3))]
            side = 2 ** r(2, 8.3)                             # 4 … 315 px: all three area ranges
            w, h = quarter(side * r(0.6, 1.4)), quarter(side * r(0.6, 1.4))
            x, y = quarter(r(0, width - w)) if w < width else 0, quarter(r(0, height - h)) if h < height else 0
            crowd = 1 if r(0, 1) < 0.06 else 0
            area = round(w * h * r(0.55, 1.0), 2)             # like a mask area: below the box's
            annotations.append({"id": ann_id, "image_id": image_id, "category_id": category,
                                "bbox": [x, y, w, h], "area": area, "iscrowd": crowd})
            ann_id += 1
            if image_id % 11 == 0:
                continue                                      # every 11th image: no detections
            for _ in range(int(r(0, 1) < 0.85) + int(r(0, 1) < 0.25)):   # missed, found, found twice
                jitter = r(0.0, 0.3)
                dx, dy = r(-jitter, jitter) * w, r(-jitter, jitter) * h
                dw, dh = w * r(1 - jitter, 1 + jitter), h * r(1 - jitter, 1 + jitter)
                label = category if r(0, 1) < 0.9 else annotated[int(r(0, 3))]
                results.append({"image_id": image_id, "category_id": label,
                                "bbox": [round(x + dx, 2), round(y + dy, 2), round(dw, 2), round(dh, 2)],
                                "score": round(round(r(0.3, 1.0) * 20) / 20, 2)})
        spurious = 130 if image_id in (3, 17) else int(r(0, 12))      # two images over 100
        for _ in range(spurious):
            w, h = round(2 ** r(2, 7.5), 2), round(2 ** r(2, 7.5), 2)
            results.append({"image_id": image_id, "category_id": [1, 2, 5, 9][int(r(0, 4))],
                            "bbox": [round(r(0, width - w), 2), round(r(0, height - h), 2), w, h],
                            "score": round(round(r(0.0, 0.7) * 20) / 20, 2)})
    ground_truth = {"images": images, "annotations": annotations, "categories": categories}
    return ground_truth, results


# MARK: - Set 3: the sample photos


# Person boxes drawn by hand on SampleImages/* (x, y, width, height in pixels), by looking at
# enlarged crops with a pixel grid; accurate to about 2 px. chelsea.png (a cat) and rocket.jpg
# have no people: images without ground truth.
SAMPLE_PEOPLE = {
    "astronaut.jpg": [[22, 14, 340, 498]],
    "basketball.png": [[37, 92, 120, 386], [437, 22, 203, 458]],
    "chelsea.png": [],
    "rocket.jpg": [],
    "street.jpg": [
        [285, 432, 45, 144],    # woman at the bottom, cut by the frame
        [456, 303, 49, 115],    # red jacket
        [643, 305, 27, 107],    # black coat, right
        [570, 200, 26, 87],     # far, centre right
        [670, 209, 31, 87],     # far, right
        [190, 144, 24, 70],     # farthest, left, by the cones
    ],
}
SAMPLE_SIZES = {"astronaut.jpg": (512, 512), "basketball.png": (640, 480), "chelsea.png": (451, 300),
                "rocket.jpg": (640, 427), "street.jpg": (768, 576)}


def sample_images_ground_truth():
    images, annotations = [], []
    for image_id, name in enumerate(sorted(SAMPLE_PEOPLE), start=1):
        width, height = SAMPLE_SIZES[name]
        images.append({"id": image_id, "file_name": name, "width": width, "height": height})
        for bbox in SAMPLE_PEOPLE[name]:
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": 1,
                                "bbox": bbox, "area": bbox[2] * bbox[3], "iscrowd": 0})
    return {"images": images, "annotations": annotations,
            "categories": [{"id": 1, "name": "person", "supercategory": "person"}]}


# MARK: - References


def pycocotools_reference(ground_truth, results):
    """Runs COCOeval exactly as its documentation shows and extracts what the Swift tests check."""
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = copy.deepcopy(ground_truth)
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(copy.deepcopy(results))   # loadRes adds ids and areas in place
        evaluator = COCOeval(coco_gt, coco_dt, "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        evaluator.summarize()
    params = evaluator.params
    precision = evaluator.eval["precision"]   # [T, R, K, A, M]
    recall = evaluator.eval["recall"]         # [T, K, A, M]

    def mean_valid(values):
        valid = values[values > -1]
        return float(np.mean(valid)) if valid.size else -1.0

    per_class = []
    for k, category_id in enumerate(params.catIds):
        per_class.append({
            "id": int(category_id),
            "AP": mean_valid(precision[:, :, k, 0, 2]),
            "AP50": mean_valid(precision[0, :, k, 0, 2]),
            "AP75": mean_valid(precision[5, :, k, 0, 2]),
        })
    K, A, M = precision.shape[2:]
    return {
        "iou_thresholds": [float(t) for t in params.iouThrs],
        "recall_thresholds": [float(r) for r in params.recThrs],
        "area_ranges": [[float(lo), float(hi)] for lo, hi in params.areaRng],
        "max_detections": [int(m) for m in params.maxDets],
        "category_ids": [int(c) for c in params.catIds],
        "image_ids": [int(i) for i in params.imgIds],
        "stats": [float(s) for s in evaluator.stats],
        "summary_lines": printed.getvalue().splitlines(),
        "per_class": per_class,
        # Mean over IoU thresholds and recall points of eval['precision'][:, :, k, a, m] (entries
        # > -1), and over IoU thresholds of eval['recall'][:, k, a, m]: -1 where COCOeval left -1.
        "precision_mean": [[[mean_valid(precision[:, :, k, a, m]) for m in range(M)] for a in range(A)] for k in range(K)],
        "recall_mean": [[[mean_valid(recall[:, k, a, m]) for m in range(M)] for a in range(A)] for k in range(K)],
    }


def podm_voc_reference(ground_truth, results):
    """VOC 2010+ AP at IoU 0.5 over the non-crowd ground truth, by podm."""
    image_ids = {image["id"] for image in ground_truth["images"]}
    category_ids = sorted(category["id"] for category in ground_truth["categories"])

    def box(entry, score=None):
        x, y, w, h = entry["bbox"]
        return BoundingBox.of_bbox(entry["image_id"], entry["category_id"], x, y, x + w, y + h, score)

    gold = [box(a) for a in ground_truth["annotations"] if not a["iscrowd"] and a["image_id"] in image_ids]
    predictions = [box(d, d["score"]) for d in results if d["category_id"] in category_ids]
    with np.errstate(all="ignore"):
        metrics = get_pascal_voc_metrics(gold, predictions, 0.5, MethodAveragePrecision.AllPointsInterpolation)
    per_class = []
    for category_id in category_ids:
        metric = metrics.get(category_id)
        has_positives = metric is not None and metric.num_groundtruth > 0
        per_class.append({"id": category_id, "AP50": float(metric.ap) if has_positives else None})
    valid = [entry["AP50"] for entry in per_class if entry["AP50"] is not None]
    return {"ap50": float(np.mean(valid)) if valid else -1.0, "per_class": per_class}


# MARK: - Writing


def json_text(value, depth=0):
    """Compact JSON, one line per list entry and per key of the outer objects (readable diffs)."""
    if depth < 2 and isinstance(value, dict):
        inner = ",\n".join(f"{json.dumps(k)}: {json_text(v, depth + 1)}" for k, v in value.items())
        return "{\n" + inner + "\n}"
    if depth < 2 and isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        return "[\n" + ",\n".join(json.dumps(v) for v in value) + "\n]"
    return json.dumps(value)


def write_json(path, value):
    with open(path, "w") as f:
        f.write(json_text(value) + "\n")


def write_set(name, ground_truth, results, write_results=True):
    folder = os.path.join(FIXTURES, name)
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "annotations.json"), ground_truth)
    if write_results:
        write_json(os.path.join(folder, "results.json"), results)
    expected = {
        "reference": f"pycocotools {version('pycocotools')} "
                     f"COCOeval(iouType='bbox'); podm {version('object-detection-metrics')} "
                     "get_pascal_voc_metrics(0.5, AllPointsInterpolation) on non-crowd ground truth",
        "images": len(ground_truth["images"]),
        "annotations": len(ground_truth["annotations"]),
        "detections": len(results),
    }
    expected.update(pycocotools_reference(ground_truth, results))
    expected["voc"] = podm_voc_reference(ground_truth, results)
    write_json(os.path.join(folder, "expected.json"), expected)
    stats = ", ".join(f"{s:.4f}" for s in expected["stats"])
    print(f"{name}: {expected['images']} images, {expected['annotations']} annotations, "
          f"{expected['detections']} detections\n  stats [{stats}]\n  VOC AP50 {expected['voc']['ap50']:.4f}")


def version(distribution):
    from importlib.metadata import version as installed_version
    return installed_version(distribution)


def main():
    if not os.path.isdir(os.path.join("Tests", "LiteDetectTests")):
        sys.exit("run from the repository root")
    write_set("edge-cases", *edge_cases())
    write_set("random", *random_set())
    sample_results = os.path.join(FIXTURES, "sample-images", "results.json")
    ground_truth = sample_images_ground_truth()
    if os.path.exists(sample_results):
        with open(sample_results) as f:
            write_set("sample-images", ground_truth, json.load(f), write_results=False)
    else:
        os.makedirs(os.path.dirname(sample_results), exist_ok=True)
        write_json(os.path.join(FIXTURES, "sample-images", "annotations.json"), ground_truth)
        print(f"sample-images: wrote annotations.json only; make {sample_results} with LiteDetect "
              "(Tools/reference/eval/README.md) and run again")


if __name__ == "__main__":
    main()
