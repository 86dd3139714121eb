"""The score threshold a student reports detections at: best F1 on the held-out frames.

AP, the number we compare students by, does not depend on a threshold; a user
running ``detect photo.jpg`` needs one. Students trained for minutes are less
confident than the teacher (their scores for clear people sit around 0.4-0.6),
so a fixed 0.5 would hide most of what they find. Each student instead ships
the threshold that maximises F1 at IoU 0.5 against the teacher's labels on the
held-out frames (``postprocess.detect_threshold`` in its config).

Matching is greedy by descending score, as COCO does, so the matches for a
threshold are a prefix of the matches for any lower one and one pass serves
every threshold. A detection that matches no person but overlaps an ignore
region (a teacher score of 0.3-0.5) by IoU >= 0.5 counts as neither right nor
wrong.
"""

import torch

from .augment import box_iou

MATCH_IOU = 0.5
CANDIDATE_THRESHOLDS = [round(0.05 + 0.01 * i, 2) for i in range(91)]
"""0.05 ... 0.95"""


def classify(scores: torch.Tensor, boxes: torch.Tensor, people: torch.Tensor, ignore: torch.Tensor) -> list[tuple[float, str]]:
    """``(score, "tp" | "fp" | "ignored")`` for each detection of one image."""
    order = scores.argsort(descending=True)
    taken = torch.zeros(len(people), dtype=torch.bool)
    overlaps = box_iou(boxes, people) if len(people) else torch.zeros(len(boxes), 0)
    near_ignore = (box_iou(boxes, ignore).max(dim=1).values >= MATCH_IOU) if len(ignore) else torch.zeros(len(boxes), dtype=torch.bool)
    result = []
    for i in order.tolist():
        candidates = overlaps[i].clone()
        candidates[taken] = -1
        if len(candidates) and candidates.max() >= MATCH_IOU:
            taken[candidates.argmax()] = True
            result.append((float(scores[i]), "tp"))
        else:
            result.append((float(scores[i]), "ignored" if near_ignore[i] else "fp"))
    return result


def best_f1_threshold(outcomes: list[tuple[float, str]], people: int) -> tuple[float, dict]:
    """The candidate threshold with the highest F1 (the lowest one on ties), and its counts."""
    best = None
    for threshold in CANDIDATE_THRESHOLDS:
        tp = sum(1 for s, kind in outcomes if s >= threshold and kind == "tp")
        fp = sum(1 for s, kind in outcomes if s >= threshold and kind == "fp")
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / people if people else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if best is None or f1 > best[1]["f1"] + 1e-12:
            best = (threshold, {"f1": f1, "precision": precision, "recall": recall, "tp": tp, "fp": fp, "people": people})
    return best
