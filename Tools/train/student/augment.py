"""The SSDLite training augmentation, on one uint8 frame and its boxes.

torchvision's detection reference recipe for SSDLite (``--data-augmentation
ssdlite``): random IoU crop, horizontal flip, photometric distortion; then the
resize LiteDetect's preprocessing does at inference (``"resize": "stretch"``,
half-pixel bilinear without antialiasing), so train and test inputs match.
The crop runs first, on uint8, so the float work is done at 320x320.

``zoom`` replaces the IoU crop for a share of the samples by a window around one
object that it fills (``zoom_crop``): the IoU crop keeps at least 0.3 of each side, so
vtest's median pedestrian (75 of 576 rows) fills at most 0.44 of the picture's height,
nine in ten at most 0.59, and close-ups of people (the astronaut) are rare in the data (session 25 counted 88
of ~3,700 training person boxes over 15 % of their picture).
"""

import random

import torch
import torch.nn.functional as F

from .boxes import iou

IOU_CROP_MIN_OVERLAPS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, None)
"""torchvision ``RandomIoUCrop``'s choices; ``None`` keeps the whole frame."""
IOU_CROP_SCALE = (0.3, 1.0)
IOU_CROP_ASPECT = (0.5, 2.0)
IOU_CROP_TRIALS = 40
ZOOM_FILL = (0.5, 1.0)
"""The share of the zoom window's width or height (whichever it fills more) the chosen object takes."""
ZOOM_MIN_SIDE = 0.2
"""The zoom window's least share of the frame's sides: at most a 5x enlargement (10x made mush of the mosaics' smallest people)."""


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise IoU of xyxy boxes ``[N, 4]`` and ``[M, 4]`` -> ``[N, M]``."""
    area_a = (a[:, 2] - a[:, 0]).clamp(min=0) * (a[:, 3] - a[:, 1]).clamp(min=0)
    area_b = (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)
    top_left = torch.max(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.min(a[:, None, 2:], b[None, :, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(dim=2)
    return inter / (area_a[:, None] + area_b[None, :] - inter).clamp(min=1e-9)


def _boxes_in_crop(boxes: torch.Tensor, crop: tuple[int, int, int, int]) -> torch.Tensor:
    """Boxes whose centre lies in the crop, shifted into it and clipped (SSD's rule)."""
    if boxes.numel() == 0:
        return boxes
    left, top, right, bottom = crop
    centres = (boxes[:, 0:2] + boxes[:, 2:4]) / 2
    inside = (centres[:, 0] > left) & (centres[:, 0] < right) & (centres[:, 1] > top) & (centres[:, 1] < bottom)
    kept = boxes[inside].clone()
    kept[:, 0:4:2] = (kept[:, 0:4:2] - left).clamp(0, right - left)
    kept[:, 1:4:2] = (kept[:, 1:4:2] - top).clamp(0, bottom - top)
    return kept


def random_iou_crop(width: int, height: int, boxes: torch.Tensor, rng: random.Random) -> tuple[int, int, int, int]:
    """A crop window (left, top, right, bottom) as torchvision's ``RandomIoUCrop`` picks it.

    Plain Python floats: this runs up to 40 trials per sample, where tensor ops
    would cost more than the network's share of the step."""
    box_list = boxes.tolist()
    while True:
        min_overlap = rng.choice(IOU_CROP_MIN_OVERLAPS)
        if min_overlap is None:
            return 0, 0, width, height
        for _ in range(IOU_CROP_TRIALS):
            scale_w = rng.uniform(*IOU_CROP_SCALE)
            scale_h = rng.uniform(*IOU_CROP_SCALE)
            if not IOU_CROP_ASPECT[0] <= scale_w / scale_h <= IOU_CROP_ASPECT[1]:
                continue
            crop_w, crop_h = int(width * scale_w), int(height * scale_h)
            left = int((width - crop_w) * rng.random())
            top = int((height - crop_h) * rng.random())
            crop = (left, top, left + crop_w, top + crop_h)
            if not box_list:
                return crop
            centred = [b for b in box_list
                       if crop[0] < (b[0] + b[2]) / 2 < crop[2] and crop[1] < (b[1] + b[3]) / 2 < crop[3]]
            if centred and max(iou(b, crop) for b in box_list) >= min_overlap:
                return crop


def zoom_crop(width: int, height: int, boxes: torch.Tensor, rng: random.Random) -> tuple[int, int, int, int]:
    """A crop window (left, top, right, bottom) with the frame's aspect ratio that holds one
    randomly chosen box whole and is filled by it to a share drawn from ``ZOOM_FILL``, or as
    nearly as the frame's edges and ``ZOOM_MIN_SIDE`` allow. ``boxes`` must not be empty."""
    left_edge, top_edge, right_edge, bottom_edge = (float(v) for v in rng.choice(boxes.tolist())[:4])
    left_edge, right_edge = max(0.0, left_edge), min(float(width), right_edge)
    top_edge, bottom_edge = max(0.0, top_edge), min(float(height), bottom_edge)
    fill = rng.uniform(*ZOOM_FILL)
    # The window's sides as a share of the frame's: the object's larger relative side over the fill.
    share = max((right_edge - left_edge) / width, (bottom_edge - top_edge) / height) / fill
    share = min(1.0, max(ZOOM_MIN_SIDE, share))
    crop_w, crop_h = max(1, round(width * share)), max(1, round(height * share))
    # Any position that keeps the object inside the window and the window inside the frame.
    left = rng.uniform(max(0.0, right_edge - crop_w), max(0.0, min(left_edge, width - crop_w)))
    top = rng.uniform(max(0.0, bottom_edge - crop_h), max(0.0, min(top_edge, height - crop_h)))
    left, top = min(int(left), width - crop_w), min(int(top), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def photometric_distort(image: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """torchvision ``RandomPhotometricDistort``'s ranges, each applied with p = 0.5, on [0, 1] CHW."""
    from torchvision.transforms.v2 import functional as TF

    if rng.random() < 0.5:
        image = TF.adjust_brightness(image, rng.uniform(0.875, 1.125))
    contrast_first = rng.random() < 0.5
    if contrast_first and rng.random() < 0.5:
        image = TF.adjust_contrast(image, rng.uniform(0.5, 1.5))
    if rng.random() < 0.5:
        image = TF.adjust_saturation(image, rng.uniform(0.5, 1.5))
    if rng.random() < 0.5:
        image = TF.adjust_hue(image, rng.uniform(-0.05, 0.05))
    if not contrast_first and rng.random() < 0.5:
        image = TF.adjust_contrast(image, rng.uniform(0.5, 1.5))
    return image.clamp(0, 1)


def _scaled(boxes: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    scaled = boxes.clone()
    scaled[:, :4] *= scale
    return scaled


def _mirrored(boxes: torch.Tensor, size: int) -> torch.Tensor:
    mirrored = boxes.clone()
    mirrored[:, 0], mirrored[:, 2] = size - boxes[:, 2], size - boxes[:, 0]
    return mirrored


def augment(frame: torch.Tensor, boxes: torch.Tensor, ignore: torch.Tensor, size: int,
            rng: random.Random, zoom: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``frame`` uint8 HWC RGB, boxes xyxy pixels -> normalised CHW ``[3, size, size]`` in [-1, 1],
    and boxes/ignore regions in ``size`` pixels. Columns after the four coordinates (a class) are
    carried along unchanged. ``zoom``: the chance that a frame with boxes is cropped by
    ``zoom_crop`` instead of the IoU crop."""
    height, width = frame.shape[:2]
    # No draw at all when off, so runs from before ``zoom`` existed see the same samples.
    zoomed = zoom > 0 and len(boxes) > 0 and rng.random() < zoom
    crop = zoom_crop(width, height, boxes, rng) if zoomed else random_iou_crop(width, height, boxes, rng)
    left, top, right, bottom = crop
    image = frame[top:bottom, left:right].permute(2, 0, 1).float().div_(255)
    boxes, ignore = _boxes_in_crop(boxes, crop), _boxes_in_crop(ignore, crop)
    crop_w, crop_h = right - left, bottom - top
    image = F.interpolate(image[None], size=(size, size), mode="bilinear", align_corners=False,
                          antialias=False)[0]
    scale = torch.tensor([size / crop_w, size / crop_h] * 2)
    boxes, ignore = _scaled(boxes, scale), _scaled(ignore, scale)
    if rng.random() < 0.5:
        image = image.flip(-1)
        boxes, ignore = _mirrored(boxes, size), _mirrored(ignore, size)
    image = photometric_distort(image, rng)
    # Slivers cut by the crop are not people any more.
    keep = ((boxes[:, 2] - boxes[:, 0]) >= 2) & ((boxes[:, 3] - boxes[:, 1]) >= 2)
    boxes = boxes[keep]
    return (image - 0.5) / 0.5, boxes, ignore
