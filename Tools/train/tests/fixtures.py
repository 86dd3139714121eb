"""Shared inputs of the training tools' tests."""

import functools

import torch

import train_student
from student.coco_sources import CLASSES


@functools.cache
def student_anchors() -> torch.Tensor:
    """The COCO students' 3234 anchors (an SSDLite320 on MobileNetV3-Small, random weights), xyxy pixels."""
    config = train_student.model_config("mobilenetv3-small")
    model = train_student.build_ssdlite("mobilenetv3-small", train_student.backbone_options(config),
                                        len(CLASSES) + 1, train_student.IMAGE_SIZE)
    return train_student.anchors_of(model)
