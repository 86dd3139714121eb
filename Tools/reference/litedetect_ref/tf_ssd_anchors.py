"""The TF Object Detection API's SSD anchor grid, from ``ssd_anchor_generator`` parameters.

Used to prove that the anchor parameters written into the LiteDetect config
reproduce the anchors the frozen graph computes (the converter and
``check_converted_weights.py`` compare the two; the graph's own anchors are what
the test fixtures store), and to give the rebuilt TF SSD (``tensorflow_ssd.py``)
its anchors when it teaches a student. Needs only numpy.

Layout: ``[anchors, 4]`` normalised ``[ymin, xmin, ymax, xmax]``, ordered
(level, row, column, box spec), the order of the box predictors' outputs.
"""

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SSDAnchorParameters:
    """``ssd_anchor_generator { ... }`` of a pipeline config (defaults as in the OD API proto)."""

    num_layers: int
    min_scale: float
    max_scale: float
    aspect_ratios: tuple[float, ...]
    interpolated_scale_aspect_ratio: float = 1.0
    reduce_boxes_in_lowest_layer: bool = True
    base_anchor_size: tuple[float, float] = (1.0, 1.0)


def box_specs(p: SSDAnchorParameters) -> list[list[tuple[float, float]]]:
    """Per level, the ``(scale, aspect_ratio)`` of each box at a cell (``create_ssd_anchors``)."""
    scales = [p.min_scale + (p.max_scale - p.min_scale) * i / (p.num_layers - 1) for i in range(p.num_layers)] + [1.0]
    levels = []
    for layer, (scale, next_scale) in enumerate(zip(scales[:-1], scales[1:])):
        if layer == 0 and p.reduce_boxes_in_lowest_layer:
            # The OD API's fixed lowest-layer set: a small square plus 2:1 and 1:2 at the layer scale.
            levels.append([(0.1, 1.0), (scale, 2.0), (scale, 0.5)])
            continue
        specs = [(scale, ratio) for ratio in p.aspect_ratios]
        if p.interpolated_scale_aspect_ratio > 0:
            specs.append((math.sqrt(scale * next_scale), p.interpolated_scale_aspect_ratio))
        levels.append(specs)
    return levels


def anchor_grid(p: SSDAnchorParameters, feature_maps: list[tuple[int, int]], image_height: int,
                image_width: int) -> np.ndarray:
    """All anchors (float64) for ``feature_maps`` ``[(height, width), ...]``, default strides and offsets."""
    # MultipleGridAnchorGenerator makes the base size relative to the shorter image side.
    shorter = min(image_height, image_width)
    base_height = shorter / image_height * p.base_anchor_size[0]
    base_width = shorter / image_width * p.base_anchor_size[1]
    anchors = []
    for (height, width), specs in zip(feature_maps, box_specs(p), strict=True):
        stride_y, stride_x = 1.0 / height, 1.0 / width
        for row in range(height):
            center_y = row * stride_y + 0.5 * stride_y
            for column in range(width):
                center_x = column * stride_x + 0.5 * stride_x
                for scale, ratio in specs:
                    box_height = scale / math.sqrt(ratio) * base_height
                    box_width = scale * math.sqrt(ratio) * base_width
                    anchors.append([center_y - box_height / 2, center_x - box_width / 2,
                                    center_y + box_height / 2, center_x + box_width / 2])
    return np.array(anchors, dtype=np.float64)
