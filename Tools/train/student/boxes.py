"""Plain-Python box arithmetic for the tools that judge detections one by one (lists, not tensors)."""


def iou(a, b) -> float:
    """IoU of two (x1, y1, x2, y2) boxes; further entries (a class) are ignored."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)
