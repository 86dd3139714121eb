"""Copy-paste: cut-outs with an alpha channel pasted onto real pictures, their boxes exact.

Used for training (random pastes on every draw) and for the held-out composites
(``prepare_coco_data.py``, fixed seed). A box of the background that a paste covers for the most
part is dropped, as torchvision's copy-paste reference does with occluded objects.
"""

import random

import numpy as np

MIN_VISIBLE = 0.4
"""A background box keeps its label while at least this fraction of its area stays visible."""

HEIGHT_RANGE = (0.06, 0.75)
"""A pasted object's height as a fraction of the picture's, drawn log-uniformly."""


def _alpha_edges(alpha: np.ndarray) -> np.ndarray:
    """Alpha in [0, 1], its outermost pixel ring softened so no hard cut-out edge gives the object away."""
    soft = alpha.astype(np.float32) / 255.0
    padded = np.pad(soft, 1, mode="edge")
    neighbours = (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]) / 4
    return np.minimum(soft, (soft + neighbours) / 2)


def _resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    import cv2

    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if width < image.shape[1] else cv2.INTER_LINEAR)


def _visible_fraction(box: np.ndarray, covered: np.ndarray) -> float:
    x1, y1, x2, y2 = (int(round(v)) for v in box[:4])
    x1, y1 = max(x1, 0), max(y1, 0)
    x2, y2 = min(x2, covered.shape[1]), min(y2, covered.shape[0])
    if x2 <= x1 or y2 <= y1:
        return 0.0
    return 1.0 - float(covered[y1:y2, x1:x2].mean())


def paste(background: np.ndarray, boxes: np.ndarray, ignore: np.ndarray, stamps: list[tuple[np.ndarray, int | None]],
          rng: random.Random) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pastes ``stamps`` (RGBA uint8 cut-out, COCO class id or None for a distractor) onto a copy of
    ``background`` (RGB uint8 HWC) at random places and sizes.

    ``boxes`` ``[N, 5]`` (x1, y1, x2, y2, class id) and ``ignore`` ``[M, 5]`` are the background's;
    returns the composite and its boxes and ignore regions, pasted objects included."""
    image = background.copy()
    height, width = image.shape[:2]
    covered = np.zeros((height, width), dtype=bool)
    pasted: list[tuple[np.ndarray, int | None]] = []  # tight box of each paste's opaque pixels, in order
    for rgba, class_id in stamps:
        stamp_h, stamp_w = rgba.shape[:2]
        target_h = height * float(np.exp(rng.uniform(*np.log(HEIGHT_RANGE))))
        scale = min(target_h / stamp_h, 0.9 * width / stamp_w)
        new_w, new_h = max(int(stamp_w * scale), 4), max(int(stamp_h * scale), 4)
        if new_w >= width or new_h >= height:
            continue
        resized = _resize(rgba, new_w, new_h)
        if rng.random() < 0.5:
            resized = resized[:, ::-1]
        left, top = rng.randrange(width - new_w), rng.randrange(height - new_h)
        alpha = _alpha_edges(resized[:, :, 3])[:, :, None]
        region = image[top:top + new_h, left:left + new_w].astype(np.float32)
        image[top:top + new_h, left:left + new_w] = (alpha * resized[:, :, :3] + (1 - alpha) * region + 0.5).astype(np.uint8)
        opaque = resized[:, :, 3] >= 128
        covered[top:top + new_h, left:left + new_w] |= opaque
        ys, xs = np.nonzero(opaque)
        if len(xs):
            pasted.append((np.array([left + xs.min(), top + ys.min(), left + xs.max() + 1, top + ys.max() + 1],
                                    dtype=np.float32), class_id))
    kept_boxes = [b for b in boxes if _visible_fraction(b, covered) >= MIN_VISIBLE]
    kept_ignore = [b for b in ignore if _visible_fraction(b, covered) >= MIN_VISIBLE]
    for i, (box, class_id) in enumerate(pasted):
        if class_id is not None and _hidden_by_later(box, [later for later, _ in pasted[i + 1:]]) < 1 - MIN_VISIBLE:
            kept_boxes.append(np.append(box, np.float32(class_id)))
    as_array = lambda rows: np.array(rows, dtype=np.float32).reshape(-1, 5)  # noqa: E731
    return image, as_array(kept_boxes), as_array(kept_ignore)


def _hidden_by_later(box: np.ndarray, later_boxes: list[np.ndarray]) -> float:
    """The largest fraction of ``box`` one later paste's box covers. Judged on boxes, not alpha
    masks, since an earlier paste's own pixels are gone from ``covered`` once overwritten; pastes
    are few and mostly apart, so this errs only on rare heavy overlaps."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    hidden = 0.0
    for later in later_boxes:
        w = min(box[2], later[2]) - max(box[0], later[0])
        h = min(box[3], later[3]) - max(box[1], later[1])
        if w > 0 and h > 0:
            hidden = max(hidden, float(w * h / area))
    return hidden
