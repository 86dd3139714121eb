#!/usr/bin/env python3
"""Builds SampleImages/ from openly licensed packages (provenance: SampleImages/README.md).

Sources, fetched with the ordinary package clients:
  * Debian's `opencv-doc` package (OpenCV samples/data, Apache-2.0 AND BSD-3-Clause):
        apt-get download opencv-doc && dpkg -x opencv-doc_*.deb opencv-doc
  * scikit-image's wheel (bundled skimage/data; each image's licence is in skimage/data/_fetchers.py):
        pip download --no-deps scikit-image && unzip scikit_image-*.whl 'skimage/data/*' -d scikit-image
  * Debian's `darknet` package (bookworm 0.0.0+git20180914.61c9d02e-2+b4; its copyright file's
    `Files: *` stanza: GPL-3.0+ or MIT or WTFPL, Copyright 2018 Joseph Redmon):
        apt-get download darknet && dpkg-deb -x darknet_*.deb darknet

Usage:
  python3 make_sample_images.py --opencv-doc opencv-doc --scikit-image scikit-image \
      --darknet darknet --out SampleImages

Each source writes only its own files, so any of the three options may be left out (for
example `--darknet darknet --out SampleImages` alone adds the darknet photos). Needs Pillow,
and OpenCV's Python bindings (pip install opencv-python-headless) for the DivX-coded vtest.avi.
The output is deterministic for a given set of inputs.
"""
import argparse
import os

import cv2
from PIL import Image

# Frame 600 of vtest.avi (10 fps, 768x576): pedestrians near, mid-distance and far.
STREET_FRAME = 600

# Photos of everyday objects from darknet's data/ folder, copied byte for byte. Left out:
# kite.jpg (1,415,684 bytes, and its EXIF/XMP name another copyright holder, H. Michael Miley,
# with his contact details) and scream.jpg (a painting); see SampleImages/README.md.
DARKNET_PHOTOS = ("dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "person.jpg")


def read_video_frame(path, index):
    capture = cv2.VideoCapture(path)
    for _ in range(index):
        if not capture.grab():
            raise SystemExit(f"{path} has fewer than {index} frames")
    ok, bgr = capture.read()
    if not ok:
        raise SystemExit(f"could not decode frame {index} of {path}")
    return Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def copy_file(source_path, target_path):
    with open(source_path, "rb") as source:
        data = source.read()
    with open(target_path, "wb") as target:
        target.write(data)


def write_opencv_images(opencv_doc, out):
    opencv_data = os.path.join(opencv_doc, "usr/share/doc/opencv-doc/examples/data")

    # Street scene as JPEG: the main demo image (people at several scales, a parked van).
    street = read_video_frame(os.path.join(opencv_data, "vtest.avi"), STREET_FRAME)
    street.save(os.path.join(out, "street.jpg"), quality=92)

    # Two people and a ball, grayscale PNG (exercises the gray decode path), copied byte for byte.
    copy_file(os.path.join(opencv_data, "basketball1.png"), os.path.join(out, "basketball.png"))


def write_scikit_image_images(scikit_image, out):
    skimage_data = os.path.join(scikit_image, "skimage/data")

    # One large person (NASA, public domain); re-encoded as JPEG to keep the folder small.
    Image.open(os.path.join(skimage_data, "astronaut.png")).convert("RGB").save(
        os.path.join(out, "astronaut.jpg"), quality=92)

    # No people: a cat (CC0), kept as the original RGB PNG.
    copy_file(os.path.join(skimage_data, "chelsea.png"), os.path.join(out, "chelsea.png"))

    # No people: a rocket launch (SpaceX, public domain), the original JPEG.
    copy_file(os.path.join(skimage_data, "rocket.jpg"), os.path.join(out, "rocket.jpg"))


def write_darknet_images(darknet, out):
    # Multi-class scenes (dog, bicycle, car; horses and people; ...), each copied byte for byte.
    darknet_data = os.path.join(darknet, "usr/share/darknet/data")
    for name in DARKNET_PHOTOS:
        copy_file(os.path.join(darknet_data, name), os.path.join(out, name))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opencv-doc", help="folder where opencv-doc's .deb was extracted")
    parser.add_argument("--scikit-image", help="folder where the scikit-image wheel was unzipped")
    parser.add_argument("--darknet", help="folder where darknet's .deb was extracted")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not (args.opencv_doc or args.scikit_image or args.darknet):
        parser.error("give at least one of --opencv-doc, --scikit-image, --darknet")
    os.makedirs(args.out, exist_ok=True)
    if args.opencv_doc:
        write_opencv_images(args.opencv_doc, args.out)
    if args.scikit_image:
        write_scikit_image_images(args.scikit_image, args.out)
    if args.darknet:
        write_darknet_images(args.darknet, args.out)


if __name__ == "__main__":
    main()
