"""What a student trains on: one random picture with its boxes per draw, before augmentation.

Two data folders exist, each written by its ``prepare_*`` script:

* ``PersonFrames``: ``prepare_data.py``'s vtest.avi frames for the one-class person students;
* ``CocoMixture``: ``prepare_coco_data.py``'s footage, photos, wallpapers and cut-outs for the
  COCO students, drawn as a mixture with copy-paste and mosaic.

``draw(rng)`` returns a uint8 HWC RGB tensor, ``boxes [N, 5]`` (x1, y1, x2, y2 in pixels, class
column 1..K) and ignore regions ``[M, 5]``; ``class_ids`` are the labels of columns 1..K.
"""

import json
import os
import random
from collections import Counter

import numpy as np
import torch

from .paste import paste

MOSAIC_PROBABILITY = 0.25
"""Share of draws that are a 2x2 mosaic of four pictures (YOLOv4's mosaic): small objects and
several scenes in one input."""

SOURCE_WEIGHTS = {"vtest": 0.15, "market": 0.2, "clips": 0.05, "photo": 0.2, "animals": 0.05, "people": 0.05,
                  "wallpaper": 0.4}
"""How often each kind of picture is drawn: the two videos are most of the real footage but one
scene each; wallpapers carry the pasted animals and vehicles. The animal photos are drawn on their
own: among the other photos they would come once in about 20 draws of photos, and they hold most of
the real cats (14 of the 21 the teacher finds in the training pictures). The short clips added in
session 20 (cyclists, parked bicycles, a cockatoo, a dog) are drawn on their own too, so that their
frames do not crowd out the photos; so are session 27's close-ups of people, so that one draw in
twenty-two shows a person larger than the footage ever does (weights need not sum to 1:
``random.choices`` normalises them)."""


REPEAT_THRESHOLD = 0.1
"""Repeat-factor sampling (Gupta et al., "LVIS", 2019): a picture is drawn more often by
``sqrt(REPEAT_THRESHOLD / f)`` for the rarest class it holds, ``f`` being the share of training
pictures that hold that class. Of session 20's 1922 training pictures the teacher finds people in
1082 and cars in 772, but sheep in 6, dogs in 14 and a motorcycle in one: this draws a sheep's
picture ~5.7x as often, a dog's 3.7x, the motorcycle's 14x, a person's once. Cut-outs are not
counted: they are pasted class by class already (``_stamps``). LVIS's threshold is 0.001 for its
1203 classes; with 12 classes here, 0.1 makes the classes below a tenth of the pictures rare."""


def repeat_factors(classes_per_picture: list[set[int]], threshold: float = REPEAT_THRESHOLD) -> list[float]:
    """Each picture's repeat factor: 1 for one with only common classes or none."""
    count = len(classes_per_picture)
    holding = Counter(c for classes in classes_per_picture for c in classes)
    factor = {c: max(1.0, (threshold / (n / count)) ** 0.5) for c, n in holding.items()}
    return [max((factor[c] for c in classes), default=1.0) for classes in classes_per_picture]


def _rgb(path: str) -> np.ndarray:
    import cv2

    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit(f"error: cannot decode {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class PersonFrames:
    """vtest.avi training frames; the person is column 1."""

    class_ids = (1,)
    labels = ("person",)

    def __init__(self, work: str) -> None:
        with open(os.path.join(work, "labels.json")) as file:
            labels = json.load(file)["frames"]
        self.frames, self.boxes, self.ignores = [], [], []
        for name in sorted(labels):
            entry = labels[name]
            if entry["split"] != "train":
                continue
            self.frames.append(torch.from_numpy(_rgb(os.path.join(work, "frames", name))))
            boxes = torch.tensor(entry["boxes"], dtype=torch.float32).reshape(-1, 4)
            self.boxes.append(torch.cat([boxes, torch.ones(len(boxes), 1)], dim=1))
            ignore = torch.tensor(entry["ignore"], dtype=torch.float32).reshape(-1, 4)
            self.ignores.append(torch.cat([ignore, torch.ones(len(ignore), 1)], dim=1))

    def describe(self) -> str:
        return f"{len(self.frames)} training frames"

    def draw(self, rng: random.Random) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        i = rng.randrange(len(self.frames))
        return self.frames[i], self.boxes[i], self.ignores[i]


class CocoMixture:
    """The COCO students' training pictures and cut-outs."""

    def __init__(self, work: str) -> None:
        with open(os.path.join(work, "labels.json")) as file:
            data = json.load(file)
        self.class_ids = tuple(sorted(int(k) for k in data["classes"]))
        self.labels = tuple(data["classes"][str(k)] for k in self.class_ids)
        self.column = {class_id: column for column, class_id in enumerate(self.class_ids, start=1)}
        self.pictures: dict[str, list] = {kind: [] for kind in SOURCE_WEIGHTS}
        for name, entry in sorted(data["pictures"].items()):
            if entry["split"] != "train":
                continue
            kind = entry["source"] if entry["source"] in SOURCE_WEIGHTS else "photo"
            self.pictures[kind].append((_rgb(os.path.join(work, "images", name)),
                                        self._columns(entry["boxes"]), self._columns(entry["ignore"], keep_all=True)))
        self.stamps_by_class: dict[int, list[np.ndarray]] = {}
        self.distractors: list[np.ndarray] = []
        import cv2

        for name, entry in sorted(data["stamps"].items()):
            if entry["split"] != "train":
                continue
            rgba = cv2.cvtColor(cv2.imread(os.path.join(work, "stamps", name), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGRA2RGBA)
            if entry["class_id"] is None:
                self.distractors.append(rgba)
            else:
                self.stamps_by_class.setdefault(self.column[entry["class_id"]], []).append(rgba)
        everything = [(kind, i) for kind, pictures in self.pictures.items() for i in range(len(pictures))]
        factors = repeat_factors([{int(c) for c in self.pictures[k][i][1][:, 4]} for k, i in everything])
        self.repeats: dict[str, list[float]] = {kind: [] for kind in self.pictures}
        for (kind, _), factor in zip(everything, factors):
            self.repeats[kind].append(factor)
        self.kinds = [k for k in SOURCE_WEIGHTS if self.pictures[k]]
        self.weights = [SOURCE_WEIGHTS[k] for k in self.kinds]

    def _columns(self, rows: list, keep_all: bool = False) -> np.ndarray:
        """COCO ids -> class columns; ignore regions of other classes keep column 0."""
        out = [row[:4] + [self.column.get(int(row[4]), 0)] for row in rows if keep_all or int(row[4]) in self.column]
        return np.array(out, dtype=np.float32).reshape(-1, 5)

    def describe(self) -> str:
        counts = ", ".join(f"{k} {len(v)}" for k, v in self.pictures.items())
        stamps = sum(len(v) for v in self.stamps_by_class.values())
        repeated = sum(f > 1 for factors in self.repeats.values() for f in factors)
        return (f"pictures: {counts} ({repeated} drawn more often for a rare class); cut-outs: {stamps} of "
                f"{len(self.stamps_by_class)} classes, {len(self.distractors)} distractors")

    def _stamps(self, rng: random.Random, objects: int, distractors: int) -> list[tuple[np.ndarray, int | None]]:
        # A class first, then one of its cut-outs: the few dogs are pasted as often as the many birds.
        classes = sorted(self.stamps_by_class)
        chosen = []
        for _ in range(objects):
            column = rng.choice(classes)
            chosen.append((rng.choice(self.stamps_by_class[column]), column))
        chosen += [(rng.choice(self.distractors), None) for _ in range(distractors if self.distractors else 0)]
        rng.shuffle(chosen)
        return chosen

    def _single(self, rng: random.Random) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        kind = rng.choices(self.kinds, self.weights)[0]
        image, boxes, ignore = rng.choices(self.pictures[kind], self.repeats[kind])[0]
        if kind == "wallpaper":
            stamps = self._stamps(rng, rng.randint(1, 4), rng.randint(0, 2))
        elif rng.random() < 0.5:
            stamps = self._stamps(rng, rng.randint(1, 2), rng.randint(0, 1))
        else:
            return image, boxes, ignore
        return paste(image, boxes, ignore, stamps, rng)

    def _mosaic(self, rng: random.Random, size: int = 640) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import cv2

        canvas = np.zeros((size, size, 3), dtype=np.uint8)
        cx, cy = int(size * rng.uniform(0.3, 0.7)), int(size * rng.uniform(0.3, 0.7))
        all_boxes, all_ignore = [], []
        for left, top, right, bottom in ((0, 0, cx, cy), (cx, 0, size, cy), (0, cy, cx, size), (cx, cy, size, size)):
            image, boxes, ignore = self._single(rng)
            w, h = right - left, bottom - top
            canvas[top:bottom, left:right] = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
            scale = np.array([w / image.shape[1], h / image.shape[0]] * 2, dtype=np.float32)
            offset = np.array([left, top] * 2, dtype=np.float32)
            for rows, out in ((boxes, all_boxes), (ignore, all_ignore)):
                moved = rows.copy()
                moved[:, :4] = moved[:, :4] * scale + offset
                out.append(moved)
        return canvas, np.concatenate(all_boxes), np.concatenate(all_ignore)

    def draw(self, rng: random.Random) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        image, boxes, ignore = self._mosaic(rng) if rng.random() < MOSAIC_PROBABILITY else self._single(rng)
        # Degenerate boxes (a paste at the edge, a resize to nothing) teach nothing.
        boxes = boxes[(boxes[:, 2] - boxes[:, 0] >= 2) & (boxes[:, 3] - boxes[:, 1] >= 2)]
        return torch.from_numpy(np.ascontiguousarray(image)), torch.from_numpy(boxes), torch.from_numpy(ignore)


def open_dataset(work: str):
    """The dataset a data folder holds, by the labels file's layout."""
    with open(os.path.join(work, "labels.json")) as file:
        layout = json.load(file)
    return CocoMixture(work) if "pictures" in layout else PersonFrames(work)
