"""``student.loss.MultiboxLoss`` against torchvision's ``SSD.compute_loss``, the loss it follows."""

import types
import unittest

import torch
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.ssd import SSD
from torchvision.ops import box_iou

from student.coco_sources import CLASSES as COCO_STUDENT_CLASSES
from student.loss import MultiboxLoss
from tests.fixtures import student_anchors

CLASSES = len(COCO_STUDENT_CLASSES) + 1  # the COCO students' columns: their classes and background


def random_boxes(generator: torch.Generator, count: int, size: int = 320) -> torch.Tensor:
    """``[count, 5]``: xyxy pixels of boxes 16-200 pixels wide and a class column 1 to CLASSES - 1."""
    corner = torch.rand(count, 2, generator=generator) * (size - 200)
    extent = 16 + torch.rand(count, 2, generator=generator) * 184
    labels = torch.randint(1, CLASSES, (count, 1), generator=generator).float()
    return torch.cat([corner, corner + extent, labels], dim=1)


def torchvision_loss(anchors: torch.Tensor, regression: torch.Tensor, logits: torch.Tensor,
                     boxes: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    """torchvision's SSD loss, matched as torchvision's SSD.forward matches (SSDMatcher(0.5) on IoU)."""
    ssd = types.SimpleNamespace(box_coder=det_utils.BoxCoder(weights=(10.0, 10.0, 5.0, 5.0)), neg_to_pos_ratio=3)
    matcher = det_utils.SSDMatcher(0.5)
    targets = [{"boxes": b[:, :4], "labels": b[:, 4].long()} for b in boxes]
    matched = [matcher(box_iou(t["boxes"], anchors)) for t in targets]
    return SSD.compute_loss(ssd, targets, {"bbox_regression": regression, "cls_logits": logits},
                            [anchors] * len(boxes), matched)


class MultiboxLossTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.anchors = student_anchors()

    def outputs(self, generator: torch.Generator, images: int) -> tuple[torch.Tensor, torch.Tensor]:
        count = len(self.anchors)
        return (torch.randn(images, count, 4, generator=generator),
                torch.randn(images, count, CLASSES, generator=generator) * 3)

    def test_without_ignore_regions_it_is_torchvisions_loss(self) -> None:
        generator = torch.Generator().manual_seed(1)
        boxes = [random_boxes(generator, n) for n in (1, 4, 9)]
        regression, logits = self.outputs(generator, len(boxes))
        ours = MultiboxLoss(self.anchors)(regression, logits, boxes, [torch.zeros(0, 5)] * len(boxes))
        theirs = torchvision_loss(self.anchors, regression, logits, boxes)
        torch.testing.assert_close(ours["classification"], theirs["classification"], rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(ours["box"], theirs["bbox_regression"], rtol=1e-5, atol=1e-5)

    def test_an_ignore_region_takes_its_anchors_out_of_the_negatives(self) -> None:
        # torchvision has no ignore regions. An anchor nobody may call background counts exactly as one
        # whose background loss is zero (certain background logits: it ranks last among the negatives, so
        # it is never mined while others remain), so our loss with ignore regions must equal torchvision's
        # with those anchors' logits made certain background - where they are not matched to a box.
        generator = torch.Generator().manual_seed(2)
        boxes = [random_boxes(generator, n) for n in (3, 5)]
        ignores = [random_boxes(generator, n) for n in (4, 2)]
        regression, logits = self.outputs(generator, len(boxes))
        ours = MultiboxLoss(self.anchors)(regression, logits, boxes, ignores)

        certain = logits.clone()
        matcher = det_utils.SSDMatcher(0.5)
        silenced = 0
        for i, (gt, ignore) in enumerate(zip(boxes, ignores)):
            matched = matcher(box_iou(gt[:, :4], self.anchors)) >= 0
            near_ignore = box_iou(ignore[:, :4], self.anchors).max(dim=0).values >= 0.5
            quiet = near_ignore & ~matched
            certain[i, quiet] = torch.tensor([100.0] + [-100.0] * (CLASSES - 1))
            silenced += int(quiet.sum())
        self.assertGreater(silenced, 0, "the ignore regions must cover some unmatched anchors")
        theirs = torchvision_loss(self.anchors, regression, certain, boxes)
        plain = torchvision_loss(self.anchors, regression, logits, boxes)
        torch.testing.assert_close(ours["classification"], theirs["classification"], rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(ours["box"], theirs["bbox_regression"], rtol=1e-5, atol=1e-5)
        # Control: the ignore regions do change the loss here.
        self.assertGreater(abs(ours["classification"] - plain["classification"]).item(), 1e-3)


if __name__ == "__main__":
    unittest.main()
