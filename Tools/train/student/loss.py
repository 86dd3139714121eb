"""SSD's multibox loss (torchvision ``SSD.compute_loss``) with ignore regions.

As torchvision: anchors matched to a box by ``SSDMatcher(0.5)`` (IoU >= 0.5,
plus each box's best anchor) regress it with smooth-L1 on ``BoxCoder((10, 10,
5, 5))`` targets; classification is cross-entropy on the matched anchors plus
the 3x as many hardest negatives (any number of classes); both sums are divided by the number of
matched anchors in the batch.

Added: an unmatched anchor with IoU >= 0.5 against an ignore region (a teacher
detection scoring 0.3-0.5) is not a negative, so the student is not taught
that the teacher's uncertain objects are background.
"""

import torch
import torch.nn.functional as F

from .augment import box_iou

MATCH_IOU = 0.5
NEGATIVES_PER_POSITIVE = 3
BOX_CODER_WEIGHTS = (10.0, 10.0, 5.0, 5.0)


class MultiboxLoss:
    def __init__(self, anchors: torch.Tensor) -> None:
        from torchvision.models.detection import _utils as det_utils

        self.anchors = anchors
        self.matcher = det_utils.SSDMatcher(MATCH_IOU)
        self.coder = det_utils.BoxCoder(weights=BOX_CODER_WEIGHTS)

    def __call__(self, regression: torch.Tensor, logits: torch.Tensor,
                 boxes: list[torch.Tensor], ignores: list[torch.Tensor]) -> dict[str, torch.Tensor | int]:
        """``regression [N, A, 4]``, ``logits [N, A, C]``; per image ``boxes [B, 5]`` (xyxy pixels and
        the class column, 1 to C - 1) and ignore regions (xyxy pixels first). Returns the two losses,
        their ``normaliser`` (matched anchors in the batch, at least 1) and ``matched`` (``[N, A]``, the
        anchors matched to a box), which other terms can share."""
        count = self.anchors.shape[0]
        labels = torch.zeros(len(boxes), count, dtype=torch.long)
        negative_allowed = torch.ones(len(boxes), count, dtype=torch.bool)
        box_loss = regression.new_zeros(())
        positives = 0
        for i, (gt, ignore) in enumerate(zip(boxes, ignores)):
            if gt.numel():
                matches = self.matcher(box_iou(gt[:, :4], self.anchors))
                foreground = matches >= 0
                labels[i, foreground] = gt[matches[foreground], 4].long()
                negative_allowed[i, foreground] = False
                targets = self.coder.encode_single(gt[matches[foreground], :4], self.anchors[foreground])
                box_loss = box_loss + F.smooth_l1_loss(regression[i, foreground], targets, reduction="sum")
                positives += int(foreground.sum())
            if ignore.numel():
                near_ignore = box_iou(ignore[:, :4], self.anchors).max(dim=0).values >= MATCH_IOU
                negative_allowed[i] &= ~near_ignore
        cross_entropy = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none").view_as(labels)
        # Hard negatives: per image the highest-loss allowed negatives, 3 per positive.
        mining = cross_entropy.detach().clone()
        mining[~negative_allowed] = -float("inf")
        order = mining.sort(dim=1, descending=True).indices
        rank = order.sort(dim=1).indices
        budget = NEGATIVES_PER_POSITIVE * (labels > 0).sum(dim=1, keepdim=True)
        chosen_negatives = (rank < budget) & negative_allowed
        normaliser = max(positives, 1)
        class_loss = (cross_entropy[labels > 0].sum() + cross_entropy[chosen_negatives].sum()) / normaliser
        return {"classification": class_loss, "box": box_loss / normaliser, "normaliser": normaliser,
                "matched": labels > 0}
