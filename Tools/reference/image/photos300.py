"""The 300×300 RGB photos that both multi-class detectors' fixtures are computed on.

Every photo in ``SampleImages/`` (``*.jpg`` and ``*.png``) is decoded and resized to exactly
300×300 by Pillow, once, by ``Tools/reference/tensorflow/make_coco_fixtures.py``, and saved as
``Tests/LiteDetectTests/Fixtures/photos300/<stem>.png``. The Caffe script
(``Tools/reference/caffe/make_voc_fixtures.py``) reads those PNGs and checks that the rule below
still reproduces them. So the Swift tests feed both models exactly the pixels the references saw
and need no resize of their own.

The rule (``resize_300``)::

    with Image.open(path) as image:                       # no EXIF rotation (none of the photos has
        rgb = image.convert("RGB")                        # an orientation other than 1; checked)
        small = rgb.resize((300, 300), Image.Resampling.BILINEAR)
    pixels = np.asarray(small)                            # uint8 [300, 300, 3], R G B

Pillow's ``BILINEAR`` resize is a separable triangle filter whose support widens with the
reduction factor (an antialiased downscale, not 4-tap bilinear interpolation); the aspect ratio
is not kept. ``reducing_gap`` is left at its default (``None``: no JPEG draft-mode shortcut).
"""

import glob
import hashlib
import os

import numpy as np
from PIL import Image

SIZE = 300
SAMPLE_DIR = "SampleImages"
PHOTO_DIR = os.path.join("Tests", "LiteDetectTests", "Fixtures", "photos300")
RESIZE_CALL = ('Image.open(path).convert("RGB").resize((300, 300), Image.Resampling.BILINEAR) '
               '(Pillow; reducing_gap=None; aspect ratio not kept; no EXIF rotation)')


class PhotoError(Exception):
    """A photo that the fixtures cannot be made from, or a PNG that no longer matches its source."""


def sample_photos(sample_dir: str = SAMPLE_DIR) -> list[str]:
    """``SampleImages/*.jpg`` and ``*.png``, sorted by file name; stems must be unique."""
    paths = sorted(glob.glob(os.path.join(sample_dir, "*.jpg")) + glob.glob(os.path.join(sample_dir, "*.png")),
                   key=os.path.basename)
    stems = [stem(p) for p in paths]
    if len(set(stems)) != len(stems):
        raise PhotoError(f"{sample_dir}: two photos share a stem: {stems}")
    return paths


def stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def sha256_file(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def rgb8_sha256(pixels: np.ndarray) -> str:
    """sha256 of the pixels as height × width × 3 bytes, row-major, R G B."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise PhotoError(f"expected uint8 [H, W, 3] pixels, got {pixels.dtype} {list(pixels.shape)}")
    return hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()


def resize_300(path: str) -> tuple[np.ndarray, dict]:
    """The 300×300 RGB8 pixels of the photo at ``path`` and a description of the source and the call."""
    with Image.open(path) as image:
        orientation = image.getexif().get(0x0112)
        if orientation not in (None, 1):
            raise PhotoError(f"{path}: EXIF orientation {orientation}; the fixtures assume upright pixels")
        facts = {"path": path, "file_sha256": sha256_file(path), "file_bytes": os.path.getsize(path),
                 "source_mode": image.mode, "width": image.width, "height": image.height,
                 "exif_orientation": orientation}
        small = image.convert("RGB").resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    pixels = np.asarray(small, dtype=np.uint8)
    if pixels.shape != (SIZE, SIZE, 3):
        raise PhotoError(f"{path}: resized to {list(pixels.shape)}")
    return pixels, facts


def png_path(photo: str, photo_dir: str = PHOTO_DIR) -> str:
    return os.path.join(photo_dir, f"{stem(photo)}.png")


def write_png(pixels: np.ndarray, path: str) -> None:
    """An 8-bit RGB PNG (Pillow defaults: zlib level 6, no metadata), read back and compared."""
    Image.fromarray(pixels).save(path, format="PNG")
    if not np.array_equal(read_png(path), pixels):
        raise PhotoError(f"{path}: reading the PNG back does not give the pixels written")


def read_png(path: str) -> np.ndarray:
    """The RGB8 pixels of a fixture PNG, which must be 8-bit RGB 300×300."""
    with Image.open(path) as image:
        if image.format != "PNG" or image.mode != "RGB" or image.size != (SIZE, SIZE):
            raise PhotoError(f"{path}: expected a {SIZE}×{SIZE} RGB PNG, found {image.format} {image.mode} {image.size}")
        return np.asarray(image, dtype=np.uint8)


def describe(photo: str, pixels: np.ndarray, source_facts: dict, png: str) -> dict:
    """The JSON description of one fixture photo (source, resize call, PNG, pixel hash)."""
    return {
        "source": source_facts,
        "resize": RESIZE_CALL,
        "png": png,
        "png_sha256": sha256_file(png),
        "rgb8_sha256": rgb8_sha256(pixels),
        "rgb8_layout": "300 × 300 × 3 bytes, row-major, R G B (the PNG's decoded pixels)",
    }
