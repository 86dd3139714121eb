"""Reference fixtures from torchvision for LiteDetectPostprocess.

Run from the repository root with torch 2.13.0 + torchvision 0.28.0 (see README.md):

    python Tools/reference/postprocess/make_torchvision_fixtures.py

Writes, under Tests/LiteDetectPostprocessTests/Fixtures/:
  torchvision_nms.safetensors          torchvision.ops.nms / batched_nms kept indices
  torchvision_anchors.safetensors      DefaultBoxGenerator boxes (pixel xyxy, as torchvision returns them)
  torchvision_box_coder.safetensors    det_utils.BoxCoder((10, 10, 5, 5)) decode_single / encode_single
  torchvision_postprocess.safetensors  SSD.postprocess_detections + transform.postprocess on random head outputs
Everything is seeded; re-running reproduces the same bytes.
"""

import sys

import numpy as np
import torch
import torchvision
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.ssdlite import ssdlite320_mobilenet_v3_large

sys.path.insert(0, "Tools/reference/postprocess")
from fixture_io import save_fixture  # noqa: E402

torch.set_num_threads(1)  # deterministic reductions

IOU_THRESHOLDS = [0.0, 0.3, 0.5, 0.7, 1.0]


# MARK: - NMS

def nasty_box_set(rng, count, extent, score_levels):
    """Random xyxy boxes clustered so that many overlap, with the edge cases NMS must survive.

    score_levels: None for continuous scores, or a count of distinct levels (exact ties).
    """
    centers = rng.uniform(0, extent, size=(max(count // 12, 1), 2))
    owner = rng.integers(0, len(centers), size=count)
    size = rng.uniform(0.05, 0.35, size=(count, 2)) * extent
    jitter = rng.normal(0, 0.04 * extent, size=(count, 2))
    center = centers[owner] + jitter
    boxes = np.concatenate([center - size / 2, center + size / 2], axis=1)
    if score_levels is None:
        scores = rng.uniform(0, 1, size=count)
    else:
        scores = rng.integers(1, score_levels + 1, size=count) / score_levels
    boxes = boxes.astype(np.float32)
    scores = scores.astype(np.float32)
    rows = rng.permutation(count)
    duplicate_from, duplicate_to = rows[0:20], rows[20:40]
    boxes[duplicate_to] = boxes[duplicate_from]            # identical boxes ...
    scores[duplicate_to] = scores[duplicate_from]          # ... with identical scores
    boxes[rows[40:50], 2] = boxes[rows[40:50], 0]          # zero width
    boxes[rows[50:60], 3] = boxes[rows[50:60], 1]          # zero height
    boxes[rows[60:70]] = boxes[rows[60:70]][:, [2, 1, 0, 3]]  # inverted in x
    boxes[rows[70:75]] = boxes[rows[70:75]][:, [2, 3, 0, 1]]  # inverted in x and y (positive "area")
    classes = rng.integers(0, 5, size=count).astype(np.int64)
    return boxes, scores, classes


def batched_nms_per_class(boxes, scores, classes, threshold):
    """torchvision's `_batched_nms_vanilla` (exact per-class NMS), used to cross-check the coordinate trick."""
    return torchvision.ops.boxes._batched_nms_vanilla(boxes, scores, classes, threshold)


def make_nms_fixture():
    rng = np.random.default_rng(20240601)
    cases = [
        ("continuous", 400, 100.0, None),
        ("dense", 250, 40.0, None),
        ("tied", 300, 100.0, 4),
        ("fine_ties", 500, 200.0, 64),
    ]
    tensors, settings = {}, {"iouThresholds": IOU_THRESHOLDS, "cases": []}
    for name, count, extent, levels in cases:
        boxes, scores, classes = nasty_box_set(rng, count, extent, levels)
        tb, ts, tc = torch.from_numpy(boxes), torch.from_numpy(scores), torch.from_numpy(classes)
        tensors[f"{name}.boxes"] = boxes
        tensors[f"{name}.scores"] = scores
        tensors[f"{name}.classes"] = classes
        for t_index, threshold in enumerate(IOU_THRESHOLDS):
            kept = torchvision.ops.nms(tb, ts, threshold)
            batched = torchvision.ops.batched_nms(tb, ts, tc, threshold)
            exact = batched_nms_per_class(tb, ts, tc, threshold)
            # batched_nms takes the coordinate-offset path for < 1000 boxes; its float rounding
            # could in principle flip a decision: refuse a fixture where it differs from exact per-class NMS.
            if not torch.equal(torch.sort(batched)[0], torch.sort(exact)[0]):
                raise SystemExit(f"{name} t={threshold}: coordinate-trick batched_nms differs from per-class NMS")
            tensors[f"{name}.nms.{t_index}"] = kept.numpy()
            tensors[f"{name}.batched.{t_index}"] = batched.numpy()
        settings["cases"].append(name)
    save_fixture("torchvision_nms", tensors, settings)


# MARK: - Anchors

ANCHOR_CONFIGS = [
    {
        # torchvision.models.detection.ssdlite320_mobilenet_v3_large
        "name": "ssdlite320",
        "aspectRatios": [[2, 3] for _ in range(6)],
        "minRatio": 0.2, "maxRatio": 0.95, "scales": None, "steps": None, "clip": True,
        "imageSize": [320, 320],
        "featureMaps": [[20, 20], [10, 10], [5, 5], [3, 3], [2, 2], [1, 1]],
    },
    {
        # torchvision.models.detection.ssd300_vgg16
        "name": "ssd300_vgg16",
        "aspectRatios": [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
        "minRatio": 0.15, "maxRatio": 0.9,
        "scales": [0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05],
        "steps": [8, 16, 32, 64, 100, 300], "clip": True,
        "imageSize": [300, 300],
        "featureMaps": [[38, 38], [19, 19], [10, 10], [5, 5], [3, 3], [1, 1]],
    },
    {
        # Non-square input and grids, steps and no clipping: catches any x/y mix-up.
        "name": "nonsquare_steps_noclip",
        "aspectRatios": [[2], [2, 3], [3]],
        "minRatio": 0.15, "maxRatio": 0.9,
        "scales": [0.3, 0.6, 0.95, 1.2],
        "steps": [16, 32, 64], "clip": False,
        "imageSize": [192, 256],
        "featureMaps": [[12, 16], [6, 8], [3, 4]],
    },
    {
        # Non-square input, grids from the feature maps, default min/max ratios, one level.
        "name": "nonsquare_single_level",
        "aspectRatios": [[2, 3]],
        "minRatio": 0.15, "maxRatio": 0.9, "scales": None, "steps": None, "clip": True,
        "imageSize": [240, 320],
        "featureMaps": [[3, 5]],
    },
]


def torchvision_anchors(config):
    kwargs = {"min_ratio": config["minRatio"], "max_ratio": config["maxRatio"], "clip": config["clip"]}
    if config["scales"] is not None:
        kwargs["scales"] = config["scales"]
    if config["steps"] is not None:
        kwargs["steps"] = config["steps"]
    generator = DefaultBoxGenerator(config["aspectRatios"], **kwargs)
    height, width = config["imageSize"]
    images = ImageList(torch.zeros(1, 3, height, width), [(height, width)])
    features = [torch.zeros(1, 1, h, w) for h, w in config["featureMaps"]]
    return generator(images, features)[0]  # [numAnchors, 4] pixel xyxy of the resized input


def make_anchor_fixture():
    tensors = {}
    for config in ANCHOR_CONFIGS:
        tensors[config["name"]] = torchvision_anchors(config).numpy()
    save_fixture("torchvision_anchors", tensors, {"configs": ANCHOR_CONFIGS})


# MARK: - Box coder

def make_box_coder_fixture():
    rng = np.random.default_rng(7)
    count = 512
    coder = det_utils.BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
    xy = rng.uniform(-20, 300, size=(count, 2))
    wh = rng.uniform(2, 200, size=(count, 2))
    anchors = np.concatenate([xy, xy + wh], axis=1).astype(np.float32)
    codes = rng.normal(0, 2, size=(count, 4))
    codes[:, 2:] = rng.normal(0, 6, size=(count, 2))
    # A quarter of the rows exceed the dw/dh clamp at log(1000/16) * 5 = 20.67 on purpose.
    big = rng.permutation(count)[: count // 4]
    codes[big, 2:] = rng.uniform(-35, 35, size=(len(big), 2))
    codes = codes.astype(np.float32)
    decoded = coder.decode_single(torch.from_numpy(codes), torch.from_numpy(anchors))
    # encode_single(reference_boxes=targets, proposals=anchors): codes that map anchors onto targets.
    targets_xy = rng.uniform(-20, 300, size=(count, 2))
    targets = np.concatenate([targets_xy, targets_xy + rng.uniform(1, 250, size=(count, 2))], axis=1).astype(np.float32)
    encoded = coder.encode_single(torch.from_numpy(targets), torch.from_numpy(anchors))
    save_fixture(
        "torchvision_box_coder",
        {"anchors": anchors, "codes": codes, "decoded": decoded.numpy(), "targets": targets, "encoded": encoded.numpy()},
        {"weights": [10.0, 10.0, 5.0, 5.0], "bboxXformClip": float(np.log(1000.0 / 16))},
    )


# MARK: - Full SSD postprocess

def make_postprocess_fixture():
    torch.manual_seed(0)
    num_classes = 91
    model = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=num_classes).eval()
    config = ANCHOR_CONFIGS[0]
    anchors = torchvision_anchors(config)
    num_anchors = anchors.shape[0]
    generator = torch.Generator().manual_seed(1234)
    # Logits scaled so that softmax scores spread over many decades; regressions move boxes by
    # a few tenths of their anchor size, so neighbouring anchors overlap and NMS has work to do.
    logits = torch.randn(1, num_anchors, num_classes, generator=generator) * 3.0
    regressions = torch.randn(1, num_anchors, 4, generator=generator) * torch.tensor([2.0, 2.0, 1.5, 1.5])
    # Planted outliers: confident boxes pushed 6 anchor widths sideways, entirely outside the
    # input. torchvision clips them to zero-width boxes on the border and still reports them.
    planted = torch.randperm(num_anchors, generator=generator)[:24]
    sides = torch.arange(24)
    regressions[0, planted, 0] = torch.where(sides % 2 == 0, 60.0, -60.0)
    logits[0, planted, 1 + (sides * 7) % (num_classes - 1)] = 15.0
    resized = (320, 320)
    original = (480, 640)  # (height, width): non-square so x/y scaling mistakes show
    with torch.no_grad():
        detections = model.postprocess_detections(
            {"bbox_regression": regressions, "cls_logits": logits}, [anchors], [resized])
        detections = model.transform.postprocess(detections, [resized], [original])[0]
    scores = detections["scores"].numpy()
    settings = {
        "scoreThreshold": model.score_thresh, "iouThreshold": model.nms_thresh,
        "topkCandidates": model.topk_candidates, "detectionsPerImage": model.detections_per_img,
        "numClasses": num_classes, "resizedSize": list(resized), "originalSize": list(original),
        "anchorConfig": config["name"],
        "distinctScores": int(len(np.unique(scores))), "detections": int(len(scores)),
    }
    save_fixture(
        "torchvision_postprocess",
        {
            "regressions": regressions[0].numpy(), "logits": logits[0].numpy(),
            "boxes": detections["boxes"].numpy(), "scores": scores, "labels": detections["labels"].numpy(),
        },
        settings,
    )


if __name__ == "__main__":
    print("torch", torch.__version__, "torchvision", torchvision.__version__)
    make_nms_fixture()
    make_anchor_fixture()
    make_box_coder_fixture()
    make_postprocess_fixture()
