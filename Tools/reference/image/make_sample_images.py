#!/usr/bin/env python3
"""Builds SampleImages/ from openly licensed packages (provenance: SampleImages/README.md).

Sources, fetched with the ordinary package clients:
  * Debian's `opencv-doc` package (OpenCV samples/data, Apache-2.0 AND BSD-3-Clause):
        apt-get download opencv-doc && dpkg -x opencv-doc_*.deb opencv-doc
  * scikit-image's wheel (bundled skimage/data; each image's licence is in skimage/data/_fetchers.py):
        pip download --no-deps scikit-image && unzip scikit_image-*.whl 'skimage/data/*' -d scikit-image

Usage:
  python3 make_sample_images.py --opencv-doc opencv-doc --scikit-image scikit-image --out SampleImages

Needs Pillow and OpenCV's Python bindings (pip install opencv-python-headless) to read the
DivX-coded vtest.avi. The output is deterministic for a given set of inputs.
"""
import argparse
import os

import cv2
from PIL import Image

# Frame 600 of vtest.avi (10 fps, 768x576): pedestrians near, mid-distance and far.
STREET_FRAME = 600


def read_video_frame(path, index):
    capture = cv2.VideoCapture(path)
    for _ in range(index):
        if not capture.grab():
            raise SystemExit(f"{path} has fewer than {index} frames")
    ok, bgr = capture.read()
    if not ok:
        raise SystemExit(f"could not decode frame {index} of {path}")
    return Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opencv-doc", required=True, help="folder where opencv-doc's .deb was extracted")
    parser.add_argument("--scikit-image", required=True, help="folder where the scikit-image wheel was unzipped")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    opencv_data = os.path.join(args.opencv_doc, "usr/share/doc/opencv-doc/examples/data")
    skimage_data = os.path.join(args.scikit_image, "skimage/data")
    os.makedirs(args.out, exist_ok=True)

    # Street scene as JPEG: the main demo image (people at several scales, a parked van).
    street = read_video_frame(os.path.join(opencv_data, "vtest.avi"), STREET_FRAME)
    street.save(os.path.join(args.out, "street.jpg"), quality=92)

    # Two people and a ball, grayscale PNG (exercises the gray decode path), copied byte for byte.
    with open(os.path.join(opencv_data, "basketball1.png"), "rb") as source:
        data = source.read()
    with open(os.path.join(args.out, "basketball.png"), "wb") as target:
        target.write(data)

    # One large person (NASA, public domain); re-encoded as JPEG to keep the folder small.
    Image.open(os.path.join(skimage_data, "astronaut.png")).convert("RGB").save(
        os.path.join(args.out, "astronaut.jpg"), quality=92)

    # No people: a cat (CC0), kept as the original RGB PNG.
    with open(os.path.join(skimage_data, "chelsea.png"), "rb") as source:
        data = source.read()
    with open(os.path.join(args.out, "chelsea.png"), "wb") as target:
        target.write(data)

    # No people: a rocket launch (SpaceX, public domain), the original JPEG.
    with open(os.path.join(skimage_data, "rocket.jpg"), "rb") as source:
        data = source.read()
    with open(os.path.join(args.out, "rocket.jpg"), "wb") as target:
        target.write(data)


if __name__ == "__main__":
    main()
