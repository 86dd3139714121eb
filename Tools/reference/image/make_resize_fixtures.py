#!/usr/bin/env python3
"""Generates the resize/preprocessing fixtures of LiteDetectImageTests from PyTorch and TensorFlow.

Writes Tests/LiteDetectImageTests/Fixtures/resize/:
  <source>.rgb            raw RGB8 source images (rows top to bottom)
  <case>.f32              expected NHWC float32 outputs, little-endian
  cases.json              manifest: source, target size, convention, options, expected file

References (nobody here wrote them):
  halfPixel  torch.nn.functional.interpolate(x, size, mode="bilinear", align_corners=False,
             antialias=False) on a float32 NCHW tensor; cross-checked here against TF2's
             tf.image.resize(method="bilinear", antialias=False).
  tfLegacy   tf.compat.v1.image.resize_bilinear(x, size, align_corners=False,
             half_pixel_centers=False) on a float32 NHWC tensor.
Pipeline cases add normalisation, BGR reordering and letterbox padding around those resizes;
the letterbox placement follows the documented rule of ResizeGeometry (content size =
round(source size * min(target/source)), offset = floor((target - content) / 2)).

  pip install torch tensorflow-cpu pillow numpy
  python3 Tools/reference/image/make_resize_fixtures.py
"""
import json
import os

import numpy as np
import tensorflow as tf
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "Tests", "LiteDetectImageTests", "Fixtures", "resize")
TOLERANCE = 1e-4


def resize_half_pixel(image, width, height):
    """(h, w, 3) float32 -> (height, width, 3) with PyTorch, checked against TF2."""
    x = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None]
    y = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False, antialias=False)
    result = y[0].permute(1, 2, 0).numpy()
    tf2 = tf.image.resize(image[None], (height, width), method="bilinear", antialias=False).numpy()[0]
    assert np.abs(result - tf2).max() <= TOLERANCE, "PyTorch and TF2 half-pixel resizes disagree"
    return result


def resize_tf_legacy(image, width, height):
    y = tf.compat.v1.image.resize_bilinear(image[None], (height, width), align_corners=False, half_pixel_centers=False)
    return y.numpy()[0]


RESIZE = {"halfPixel": resize_half_pixel, "tfLegacy": resize_tf_legacy}


def letterbox_placement(source_w, source_h, target_w, target_h):
    scale = min(target_w / source_w, target_h / source_h)
    content_w = min(target_w, max(1, int(round(source_w * scale))))
    content_h = min(target_h, max(1, int(round(source_h * scale))))
    return (target_w - content_w) // 2, (target_h - content_h) // 2, content_w, content_h


def preprocess(source, target_w, target_h, convention, mode, normalization, channel_order):
    """The reference pipeline: resize (framework), normalise, reorder, pad."""
    image = source.astype(np.float32)
    source_h, source_w = source.shape[:2]
    if mode["kind"] == "letterbox":
        x0, y0, cw, ch = letterbox_placement(source_w, source_h, target_w, target_h)
    else:
        x0, y0, cw, ch = 0, 0, target_w, target_h
    content = RESIZE[convention](image, cw, ch).astype(np.float64)
    order = [0, 1, 2] if channel_order == "rgb" else [2, 1, 0]

    def normalise(values):  # values (..., 3) already in output channel order
        if normalization["kind"] == "meanStd":
            return (values / 255.0 - np.array(normalization["mean"])) / np.array(normalization["std"])
        return values * normalization["scale"] + normalization["offset"]

    out = np.empty((target_h, target_w, 3), dtype=np.float64)
    fill = mode.get("fill")
    if fill is None or fill == "zero":
        out[:] = 0
    else:
        out[:] = normalise(np.array(fill, dtype=np.float64)[order])
    out[y0 : y0 + ch, x0 : x0 + cw] = normalise(content[:, :, order])
    return out.astype(np.float32)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))

    with Image.open(os.path.join(ROOT, "SampleImages", "street.jpg")) as street:
        photo = np.asarray(street.convert("RGB").crop((300, 330, 337, 353)))  # 37x23
    rng = np.random.default_rng(11)
    noise = rng.integers(0, 256, size=(7, 13, 3), dtype=np.uint8)  # 13x7: neighbours unrelated, so index slips show
    sources = {"photo_37x23": photo, "noise_13x7": noise}
    for name, pixels in sources.items():
        pixels.tofile(os.path.join(OUT, name + ".rgb"))

    identity = {"kind": "affine", "scale": 1.0, "offset": 0.0}
    stretch = {"kind": "stretch"}
    cases = []

    def add(name, source, target_w, target_h, convention, mode=stretch, normalization=identity, channel_order="rgb"):
        expected = preprocess(sources[source], target_w, target_h, convention, mode, normalization, channel_order)
        expected.astype("<f4").tofile(os.path.join(OUT, name + ".f32"))
        height, width = sources[source].shape[:2]
        cases.append({
            "name": name, "source": source + ".rgb", "sourceWidth": width, "sourceHeight": height,
            "targetWidth": target_w, "targetHeight": target_h, "convention": convention, "mode": mode,
            "normalization": normalization, "channelOrder": channel_order, "expected": name + ".f32",
        })

    # Plain resizes (values stay in 0...255): up, down, mixed, identity, degenerate.
    sizes = {
        "photo_37x23": [(61, 50), (19, 11), (50, 13), (37, 23), (1, 1), (5, 3)],
        "noise_13x7": [(39, 21), (4, 9), (13, 7), (2, 2)],
    }
    for source, targets in sizes.items():
        for convention in ("halfPixel", "tfLegacy"):
            for w, h in targets:
                add(f"{source}_to_{w}x{h}_{convention}", source, w, h, convention)

    # Whole pipelines.
    add("pipeline_letterbox_imagenet_rgb", "photo_37x23", 48, 48, "halfPixel",
        mode={"kind": "letterbox", "fill": "zero"},
        normalization={"kind": "meanStd", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]})
    add("pipeline_letterbox_tall_signed_bgr", "photo_37x23", 40, 56, "tfLegacy",
        mode={"kind": "letterbox", "fill": [114.0, 120.0, 130.0]},
        normalization={"kind": "affine", "scale": 2.0 / 255.0, "offset": -1.0}, channel_order="bgr")
    add("pipeline_stretch_meanstd_bgr", "noise_13x7", 29, 31, "halfPixel",
        normalization={"kind": "meanStd", "mean": [0.406, 0.456, 0.485], "std": [0.225, 0.224, 0.229]},
        channel_order="bgr")
    add("pipeline_letterbox_wide_pixel_fill", "noise_13x7", 30, 8, "halfPixel",
        mode={"kind": "letterbox", "fill": [0.0, 255.0, 60.0]}, normalization={"kind": "affine", "scale": 1.0 / 255.0, "offset": 0.0})

    manifest = {
        "generator": "Tools/reference/image/make_resize_fixtures.py",
        "torch": torch.__version__, "tensorflow": tf.__version__,
        "tolerance": TOLERANCE, "cases": cases,
    }
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases in {OUT}")


if __name__ == "__main__":
    main()
