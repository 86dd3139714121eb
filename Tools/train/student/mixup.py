"""MixUp for detection: two augmented training samples blended into one, with both samples' boxes.

Zhang et al. ("mixup", ICLR 2018) blend two inputs and their labels; for detection there is no
label to blend, so the blend keeps every box of both pictures (Zhang et al., "Bag of Freebies for
Training Object Detection Neural Networks", 2019; YOLOv5's MixUp keeps both label sets as well).
With dense distillation the teacher sees the blended picture too, so the student is taught the
teacher's answer on pictures it never meets otherwise: Beyer et al. ("Knowledge distillation: A
good teacher is patient and consistent", CVPR 2022) distil on aggressively mixed pictures, over
long schedules, for a student to match its teacher. Why here (session 23): the students fit their
own training pictures far better than held-out ones (ShuffleNetV1: AP50 0.77 against 0.34;
``fit_gap.py``).
"""

import random

import torch

BLEND_BETA = 32.0
"""The blend weight is drawn from Beta(32, 32), as YOLOv5 does: nearly always 0.4-0.6, so both
pictures stay visible and both sets of boxes are fair to ask for."""


def mixup(first: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
          second: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
          rng: random.Random) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Two ``augment`` outputs (image ``[3, S, S]``, boxes, ignore regions; same S) -> their blend,
    with the boxes and ignore regions of both."""
    image, boxes, ignore = first
    other_image, other_boxes, other_ignore = second
    if image.shape != other_image.shape:
        raise ValueError(f"mixup blends samples of one size, not {tuple(image.shape)} and {tuple(other_image.shape)}")
    weight = rng.betavariate(BLEND_BETA, BLEND_BETA)
    return (image * weight + other_image * (1 - weight), torch.cat([boxes, other_boxes]),
            torch.cat([ignore, other_ignore]))
