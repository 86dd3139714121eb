#!/usr/bin/env python3
"""Proves the distillation targets the TF teacher gives a student against TensorFlow's own outputs.

    python3 Tools/train/check_distill_teacher.py [--student mobilenetv2]   # from the repository root, ~10 s

``train_student.py --distill-from Configs/weights/ssd300-mobilenetv2-coco.safetensors``
teaches a student from the imported TF SSD, the detector whose detections are
the COCO students' labels. Between TF's graph and the loss lie: the rebuild in
torchvision modules (``litedetect_ref.tensorflow_ssd``), the class predictors cut
down to the student's classes, TF's ``(ty, tx, th, tw)`` box coding read as
torchvision's, the OD API's normalised ``[ymin, xmin, ymax, xmax]`` anchors
turned into the student's pixels, and each student anchor's nearest teacher
anchor with its box re-encoded (``student/distill.py``).

This script runs that whole path (``DenseDistillation.targets``) on each
300x300 photo of ``Tests/LiteDetectTests/Fixtures/photos300`` (at 300x300 the
teacher's resize is the identity) and compares, at every student anchor, with
what the original graph computed there (``Tests/LiteDetectTests/Fixtures/
coco-ssd``, made by ``Tools/reference/tensorflow/make_coco_fixtures.py``):

* the box the target decodes to on the student's anchor against TF's
  ``decoded_boxes`` at the nearest teacher anchor (normalised, max abs error);
* the sigmoid of the target logits against the sigmoid of TF's
  ``class_predictions`` in the student's class columns.

A control decodes the teacher's regression in TF's own order (no axis swap); it must fail.
Needs torch, torchvision, safetensors, numpy, Pillow; no training data.
"""

import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import train_student  # noqa: E402  (puts Tools/reference on the path)
sys.path.insert(0, os.path.join(HERE, "..", "reference", "image"))
import photos300  # noqa: E402
from litedetect_ref.tensorflow_ssd import tensorflow_input  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402
from student.configs import config_of_weights  # noqa: E402
from student.distill import DenseDistillation  # noqa: E402

TEACHER = os.path.join("Configs", "weights", "ssd300-mobilenetv2-coco.safetensors")
CLASSES_FROM = os.path.join("Configs", "models", "ssdlite320-mobilenetv2-coco.json")
"""The COCO students' classes (the bundled student's config lists them)."""
FIXTURES = os.path.join("Tests", "LiteDetectTests", "Fixtures")
STEMS = ("astronaut", "basketball", "chelsea", "dog", "eagle", "giraffe", "horses", "person", "rocket", "street")
BOX_TOLERANCE = 1e-5
"""Normalised coordinates; decode, re-encode and decode again in float32."""
SCORE_TOLERANCE = 5e-4
"""The COCO model's class predictors are stored as float16 (check_converted_weights.py: logits within 1e-4 relative)."""


def photo_input(stem: str) -> torch.Tensor:
    """The 300x300 PNG the graph was fed, scaled as its ``Preprocessor`` does."""
    return tensorflow_input(photos300.read_png(os.path.join(FIXTURES, "photos300", f"{stem}.png")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--student", default="mobilenetv2",
                        help="the student backbone whose anchors the targets are mapped onto")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with open(CLASSES_FROM) as file:
        classes = json.load(file)
    class_ids, labels = tuple(classes["class_ids"][1:]), tuple(classes["labels"][1:])
    student_config = train_student.model_config(args.student)
    student = train_student.build_ssdlite(args.student, train_student.backbone_options(student_config),
                                          len(class_ids) + 1, train_student.IMAGE_SIZE)
    student_anchors = train_student.anchors_of(student)
    teacher = train_student.open_tensorflow_teacher(TEACHER, config_of_weights(TEACHER), student_config,
                                                    class_ids, labels)
    distill = DenseDistillation(teacher, student_anchors, precision="fp32")
    print(f"{distill.describe()}; classes {list(class_ids)}")
    ok = True
    for stem in STEMS:
        fixture = load_file(os.path.join(FIXTURES, "coco-ssd", f"{stem}.safetensors"))
        targets = distill.targets(photo_input(stem))
        logits, regression = targets.logits, targets.regression
        boxes = distill.coder.decode_single(regression[0], student_anchors) / train_student.IMAGE_SIZE
        tf_boxes = torch.from_numpy(fixture["decoded_boxes"])[distill.nearest][:, [1, 0, 3, 2]]
        tf_scores = torch.sigmoid(torch.from_numpy(fixture["class_predictions"])[distill.nearest][:, list(class_ids)])
        box_error = (boxes - tf_boxes).abs().max().item()
        score_error = (torch.sigmoid(logits[0]) - tf_scores).abs().max().item()
        passed = box_error <= BOX_TOLERANCE and score_error <= SCORE_TOLERANCE
        ok &= passed
        # Control: the teacher's regression read in TF's own (ty, tx, th, tw) order must not pass.
        with torch.no_grad():
            _, ours, _ = teacher(photo_input(stem))
        control = ours[0][:, [1, 0, 3, 2]][distill.nearest]
        control_error = (distill.coder.decode_single(control, teacher.anchors[distill.nearest])
                         / train_student.IMAGE_SIZE - tf_boxes).abs().max().item()
        caught = control_error > BOX_TOLERANCE
        ok &= caught
        print(f"{stem}: max box error {box_error:.1e}, max score error {score_error:.1e} "
              f"(highest TF score {tf_scores.max().item():.3f}); control, TF order read as ours: "
              f"box error {control_error:.2f}" + ("" if passed else "  FAIL") + ("" if caught else "  NOT CAUGHT"))
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
