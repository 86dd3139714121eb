"""Dense distillation: a stronger SSDLite detector teaches the student at every anchor.

The teacher labels (``labels.json``) give the student a few dozen matched anchors
per picture and a hard yes/no; everything else is background or mined negatives.
A stronger detector with the same head layout (the bundled MobileNetV2 COCO
student) says, at all ~3200 anchors of the *augmented* picture the student sees,
how likely each class is and where the box is: a dense, soft signal, as in
Hinton et al. (2015) for classifiers and Chen et al. (NeurIPS 2017, "Learning
Efficient Object Detection Models with Knowledge Distillation") for detectors.

Two terms, both divided by the multibox loss's normaliser (matched anchors in
the batch) so they sit on the same scale:

* classification: temperature-scaled KL(teacher || student) summed over every
  anchor (Hinton et al. 2015's T^2 factor keeps its gradient size independent
  of T);
* box: smooth-L1 from the student's regression to the teacher's, weighted by
  the teacher's foreground probability, so it only pulls where the teacher sees
  something. (Chen et al. instead only penalise a student box worse than the
  teacher's; a direct target is simpler and the teacher here is far better.)

Where the two detectors' anchors differ (SqueezeNet's 19x19 and 9x9 maps
against the teacher's 20x20 and 10x10), each student anchor learns from the
teacher anchor it overlaps most; the teacher's box is decoded there and
re-encoded against the student's anchor, so the box target is still exact.
"""

import torch
import torch.nn.functional as F

from .augment import box_iou
from .loss import BOX_CODER_WEIGHTS


class DenseDistillation:
    def __init__(self, teacher: torch.nn.Module, teacher_anchors: torch.Tensor, student_anchors: torch.Tensor,
                 temperature: float = 1.0, precision: str = "bf16") -> None:
        from torchvision.models.detection import _utils as det_utils

        self.teacher = teacher.eval().to(memory_format=torch.channels_last)
        for parameter in self.teacher.parameters():
            parameter.requires_grad_(False)
        self.coder = det_utils.BoxCoder(weights=BOX_CODER_WEIGHTS)
        self.temperature = temperature
        self.precision = precision
        self.student_anchors = student_anchors
        self.teacher_anchors = teacher_anchors
        same = teacher_anchors.shape == student_anchors.shape and torch.equal(teacher_anchors, student_anchors)
        # None: the anchors are the same, so the teacher's outputs are used as they are.
        self.nearest = None if same else box_iou(student_anchors, teacher_anchors).argmax(dim=1)

    def describe(self) -> str:
        if self.nearest is None:
            return f"dense distillation at T={self.temperature} on the same {len(self.student_anchors)} anchors"
        overlap = box_iou(self.student_anchors, self.teacher_anchors).max(dim=1).values
        return (f"dense distillation at T={self.temperature}: {len(self.student_anchors)} student anchors from "
                f"{len(self.teacher_anchors)} teacher anchors (nearest IoU median {overlap.median():.2f}, "
                f"min {overlap.min():.2f})")

    @torch.no_grad()
    def targets(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The teacher's class logits ``[N, A, C]`` and box regression ``[N, A, 4]`` on the student's anchors."""
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            outputs = self.teacher.head(list(self.teacher.backbone(images).values()))
        logits, regression = outputs["cls_logits"].float(), outputs["bbox_regression"].float()
        if self.nearest is None:
            return logits, regression
        logits, regression = logits[:, self.nearest], regression[:, self.nearest]
        count, anchors = regression.shape[:2]
        boxes = self.coder.decode_single(regression.reshape(-1, 4),
                                         self.teacher_anchors[self.nearest].repeat(count, 1))
        regression = self.coder.encode_single(boxes, self.student_anchors.repeat(count, 1)).view(count, anchors, 4)
        return logits, regression

    def __call__(self, images: torch.Tensor, regression: torch.Tensor, logits: torch.Tensor,
                 normaliser: float) -> dict[str, torch.Tensor]:
        """The two distillation losses for the student's ``regression [N, A, 4]`` and ``logits [N, A, C]``."""
        teacher_logits, teacher_regression = self.targets(images)
        t = self.temperature
        teacher_soft = F.softmax(teacher_logits / t, dim=-1)
        kl = F.kl_div(F.log_softmax(logits / t, dim=-1), teacher_soft, reduction="none").sum(dim=-1)
        class_loss = kl.sum() * t * t / normaliser
        foreground = 1 - F.softmax(teacher_logits, dim=-1)[..., 0]
        box = F.smooth_l1_loss(regression, teacher_regression, reduction="none").sum(dim=-1)
        box_loss = (foreground * box).sum() / normaliser
        return {"distill_classification": class_loss, "distill_box": box_loss}
