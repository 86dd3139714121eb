"""Re-estimates a trained student's BatchNorm statistics ("precise BN").

Training keeps running means and variances as exponential averages with
momentum 0.01-0.03 (torchvision's MobileNetV3 and SSDLite layers), i.e. over
the last ~30-100 steps, while the weights were still moving; in a run of a few
hundred steps they can lag far behind the final weights. The MobileNetV3-Large
student, run in eval mode, gave every anchor the same score (0.093) while
batch statistics gave 0.4-0.7 on people. So after training, every BatchNorm's
statistics are recomputed as a plain average over batches of augmented
training pictures, as Detectron2's PreciseBN does.
"""

import random

import torch
from torch import nn

from .augment import augment
from .datasets import open_dataset

IMAGE_SIZE = 320
BATCH = 32


def recalibrate_batch_norm(model: nn.Module, work: str, batches: int, seed: int = 0) -> None:
    """Replaces every BatchNorm's running statistics by their average over ``batches`` batches
    drawn from the data folder the student trained on (``student/datasets.py``)."""
    dataset = open_dataset(work)
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    momenta = [m.momentum for m in norms]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average
    rng = random.Random(seed)
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            images = torch.stack([augment(*dataset.draw(rng), IMAGE_SIZE, rng)[0] for _ in range(BATCH)])
            model.head(list(model.backbone(images).values()))
    for norm, momentum in zip(norms, momenta):
        norm.momentum = momentum
    model.eval()
