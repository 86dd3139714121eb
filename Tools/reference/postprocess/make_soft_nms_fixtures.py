"""Soft-NMS reference fixtures from the `ensemble-boxes` package (ZFTurbo), for LiteDetectPostprocess.

Run from the repository root with ensemble-boxes 1.0.9 installed (see README.md):

    python Tools/reference/postprocess/make_soft_nms_fixtures.py

torchvision has no soft-NMS op. `ensemble_boxes.ensemble_boxes_nms.cpu_soft_nms_float` is a
third-party implementation of Bodla et al. 2017 ("Improving Object Detection With One Line of
Code"): Gaussian weight exp(-iou^2 / sigma) on every remaining box, linear weight (1 - iou) when
iou > Nt, boxes kept while their decayed score stays > thresh. Its public wrapper returns the
*original* scores, so we call the inner function directly: it decays the `sc` array in place
(in selection order), which gives the rescored scores next to the kept indices.

Writes Tests/LiteDetectPostprocessTests/Fixtures/soft_nms_ensemble_boxes.safetensors.
"""

import sys

import numpy as np
from ensemble_boxes.ensemble_boxes_nms import cpu_soft_nms_float

sys.path.insert(0, "Tools/reference/postprocess")
from fixture_io import save_fixture  # noqa: E402

# (name, method, sigma, iou threshold Nt, score threshold); method 1 = linear, 2 = gaussian.
SETTINGS = [
    ("gaussian_sigma0.5", 2, 0.5, 0.0, 0.001),
    ("gaussian_sigma0.1", 2, 0.1, 0.0, 0.02),
    ("linear_nt0.3", 1, 0.0, 0.3, 0.001),
    ("linear_nt0.5", 1, 0.0, 0.5, 0.05),
]


def clustered_unit_boxes(rng, count):
    """xyxy boxes in [0, 1], clustered so that most have heavy overlaps; continuous scores (no ties)."""
    centers = rng.uniform(0.1, 0.9, size=(count // 15, 2))
    owner = rng.integers(0, len(centers), size=count)
    center = centers[owner] + rng.normal(0, 0.03, size=(count, 2))
    size = rng.uniform(0.04, 0.3, size=(count, 2))
    boxes = np.clip(np.concatenate([center - size / 2, center + size / 2], axis=1), 0, 1)
    scores = rng.uniform(0.05, 1.0, size=count)
    return boxes.astype(np.float32), scores.astype(np.float32)


def main():
    rng = np.random.default_rng(4242)
    boxes, scores = clustered_unit_boxes(rng, 300)
    tensors = {"boxes": boxes, "scores": scores}
    cases = []
    for name, method, sigma, nt, thresh in SETTINGS:
        decayed = scores.astype(np.float64).copy()
        kept = cpu_soft_nms_float(boxes.astype(np.float64).copy(), decayed, Nt=nt, sigma=sigma, thresh=thresh, method=method)
        rescored = decayed[decayed > thresh]  # selection order, aligned with `kept`
        assert len(rescored) == len(kept)
        tensors[f"{name}.kept"] = kept
        tensors[f"{name}.scores"] = rescored
        cases.append({"name": name, "method": "linear" if method == 1 else "gaussian",
                      "sigma": sigma, "iouThreshold": nt, "scoreThreshold": thresh})
    save_fixture("soft_nms_ensemble_boxes", tensors, {"cases": cases})


if __name__ == "__main__":
    main()
