#!/usr/bin/env python3
"""Prints torchvision's top-5 ImageNet classes for one image.

    python3 Tools/reference/imagenet_top5.py --weights mobilenet_v2-b0353104.pth IMAGE
        [--backbone mobilenetv2] [--width A] ...

The checkpoint is loaded strictly into the reference model of ``--backbone``
(default ``mobilenetv2``, the architecture of torchvision's
``mobilenet_v2-b0353104.pth``). Preprocessing is torchvision's
``ImageClassification`` preset used by its V1 ImageNet weights: RGB, resize
the shorter side to 256 (bilinear, antialiased), centre-crop 224, scale to
[0, 1], normalise with mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225).
Output: one line per class, ``rank index probability name``, so another
implementation can be compared against it.
"""

import argparse
import os
import sys

import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from convert_state_dict import extract_state_dict  # noqa: E402
from litedetect_ref.backbones import BACKBONES, backbone_spec  # noqa: E402
from litedetect_ref.torchvision_import import import_torchvision  # noqa: E402

import_torchvision()
from torchvision.models._meta import _IMAGENET_CATEGORIES  # noqa: E402
from torchvision.transforms._presets import ImageClassification  # noqa: E402

RESIZE_SIZE = 256
CROP_SIZE = 224


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", required=True, help="ImageNet checkpoint (.pth) for the backbone")
    parser.add_argument("--backbone", default="mobilenetv2", choices=list(BACKBONES))
    parser.add_argument("--width", type=float)
    parser.add_argument("--scale", type=float)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("image")
    args = parser.parse_args(argv)

    options = {k: v for k, v in (("width", args.width), ("scale", args.scale)) if v is not None}
    model = backbone_spec(args.backbone).build(options, len(_IMAGENET_CATEGORIES))
    checkpoint = torch.load(args.weights, map_location="cpu", weights_only=True)
    model.load_state_dict(extract_state_dict(checkpoint, args.weights), strict=True)

    preprocess = ImageClassification(crop_size=CROP_SIZE, resize_size=RESIZE_SIZE)
    with Image.open(args.image) as image:
        batch = preprocess(image.convert("RGB")).unsqueeze(0)
    with torch.no_grad():
        probabilities = torch.softmax(model(batch), dim=1)[0]
    top = torch.topk(probabilities, args.top)
    for rank, (p, index) in enumerate(zip(top.values.tolist(), top.indices.tolist()), start=1):
        print(f"{rank} {index} {p:.6f} {_IMAGENET_CATEGORIES[index]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
