"""Prior-box (Caffe / ncnn PriorBox, as in pytorch-ssd) reference fixtures for LiteDetectPostprocess.

Run from the repository root with torch installed (see README.md):

    python Tools/reference/postprocess/make_pytorch_ssd_fixtures.py

pytorch-ssd (github.com/qfgaohao/pytorch-ssd) is not on PyPI, so its two functions below are
reproduced line for line from `vision/utils/box_utils.py` at commit
00bd00397c5d2040220d2df883769fa81eb02e06 (MIT licence, (c) 2019 Hao Gao): `generate_ssd_priors`
and `convert_locations_to_boxes` (minus its CUDA move). The MobileNetV1-SSD specs are those of
`vision/ssd/config/mobilenetv1_ssd_config.py` at commit 43f6dad7738f9b26ef90903aa268de3a379d8381.

Writes Tests/LiteDetectPostprocessTests/Fixtures/pytorch_ssd_priors.safetensors.
"""

import collections
import itertools
import math
import sys
from typing import List

import numpy as np
import torch

sys.path.insert(0, "Tools/reference/postprocess")
from fixture_io import save_fixture  # noqa: E402

# MARK: - Reproduced from qfgaohao/pytorch-ssd vision/utils/box_utils.py

SSDBoxSizes = collections.namedtuple('SSDBoxSizes', ['min', 'max'])

SSDSpec = collections.namedtuple('SSDSpec', ['feature_map_size', 'shrinkage', 'box_sizes', 'aspect_ratios'])


def generate_ssd_priors(specs: List[SSDSpec], image_size, clamp=True) -> torch.Tensor:
    priors = []
    for spec in specs:
        scale = image_size / spec.shrinkage
        for j, i in itertools.product(range(spec.feature_map_size), repeat=2):
            x_center = (i + 0.5) / scale
            y_center = (j + 0.5) / scale

            # small sized square box
            size = spec.box_sizes.min
            h = w = size / image_size
            priors.append([
                x_center,
                y_center,
                w,
                h
            ])

            # big sized square box
            size = math.sqrt(spec.box_sizes.max * spec.box_sizes.min)
            h = w = size / image_size
            priors.append([
                x_center,
                y_center,
                w,
                h
            ])

            # change h/w ratio of the small sized box
            size = spec.box_sizes.min
            h = w = size / image_size
            for ratio in spec.aspect_ratios:
                ratio = math.sqrt(ratio)
                priors.append([
                    x_center,
                    y_center,
                    w * ratio,
                    h / ratio
                ])
                priors.append([
                    x_center,
                    y_center,
                    w / ratio,
                    h * ratio
                ])

    priors = torch.tensor(priors)
    if clamp:
        torch.clamp(priors, 0.0, 1.0, out=priors)
    return priors


def convert_locations_to_boxes(locations, priors, center_variance,
                               size_variance):
    # priors can have one dimension less.
    if priors.dim() + 1 == locations.dim():
        priors = priors.unsqueeze(0)
    return torch.cat([
        locations[..., :2] * center_variance * priors[..., 2:] + priors[..., :2],
        torch.exp(locations[..., 2:] * size_variance) * priors[..., 2:]
    ], dim=locations.dim() - 1)


# MARK: - Fixture

MOBILENET_V1_SSD_SPECS = [
    SSDSpec(19, 16, SSDBoxSizes(60, 105), [2, 3]),
    SSDSpec(10, 32, SSDBoxSizes(105, 150), [2, 3]),
    SSDSpec(5, 64, SSDBoxSizes(150, 195), [2, 3]),
    SSDSpec(3, 100, SSDBoxSizes(195, 240), [2, 3]),
    SSDSpec(2, 150, SSDBoxSizes(240, 285), [2, 3]),
    SSDSpec(1, 300, SSDBoxSizes(285, 330), [2, 3]),
]

# The original SSD300 specs from the docstring: mixed aspect-ratio lists, boxes wider than the
# image at the top level (clamped by the generator).
SSD300_SPECS = [
    SSDSpec(38, 8, SSDBoxSizes(30, 60), [2]),
    SSDSpec(19, 16, SSDBoxSizes(60, 111), [2, 3]),
    SSDSpec(10, 32, SSDBoxSizes(111, 162), [2, 3]),
    SSDSpec(5, 64, SSDBoxSizes(162, 213), [2, 3]),
    SSDSpec(3, 100, SSDBoxSizes(213, 264), [2]),
    SSDSpec(1, 300, SSDBoxSizes(264, 315), [2]),
]


def spec_settings(specs):
    return [{"featureMapSize": s.feature_map_size, "shrinkage": s.shrinkage, "minSize": s.box_sizes.min,
             "maxSize": s.box_sizes.max, "aspectRatios": list(s.aspect_ratios)} for s in specs]


def main():
    mobilenet = generate_ssd_priors(MOBILENET_V1_SSD_SPECS, 300)
    ssd300 = generate_ssd_priors(SSD300_SPECS, 300)
    mobilenet_unclamped = generate_ssd_priors(MOBILENET_V1_SSD_SPECS, 300, clamp=False)  # top level exceeds 1
    generator = torch.Generator().manual_seed(5)
    locations = torch.randn(mobilenet.shape[0], 4, generator=generator) * 2.0
    decoded = convert_locations_to_boxes(locations, mobilenet, 0.1, 0.2)  # [center_x, center_y, w, h]
    save_fixture(
        "pytorch_ssd_priors",
        {"mobilenetv1_ssd": mobilenet.numpy(), "ssd300": ssd300.numpy(), "mobilenetv1_ssd_unclamped": mobilenet_unclamped.numpy(),
         "locations": locations.numpy(), "decoded": decoded.numpy()},
        {"imageSize": 300, "centerVariance": 0.1, "sizeVariance": 0.2,
         "specs": {"mobilenetv1_ssd": spec_settings(MOBILENET_V1_SSD_SPECS), "ssd300": spec_settings(SSD300_SPECS)}},
    )


if __name__ == "__main__":
    main()
