"""Reference fixtures for video frames: colour conversion by OpenCV, a Y4M stream muxed by FFmpeg.

Writes
  Tests/LiteDetectTests/Fixtures/frames/      YUV <-> RGB conversions computed by cv2.cvtColor
  Tests/LiteDetectImageTests/Fixtures/video/  a short YUV4MPEG2 clip written by FFmpeg's
                                              yuv4mpegpipe muxer, and what FFmpeg decodes from it

Usage (from the repository root; vtest.avi ships in Debian's opencv-doc package):
  apt-get download opencv-doc && dpkg -x opencv-doc_*.deb /tmp/opencv-doc
  python3 Tools/reference/video/make_frame_fixtures.py \
      /tmp/opencv-doc/usr/share/doc/opencv-doc/examples/data/vtest.avi

Needs numpy and opencv-python-headless (its wheels bundle FFmpeg's libavformat/libswscale).
"""
import hashlib
import json
import os
import sys

import cv2
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FRAMES = os.path.join(ROOT, "Tests", "LiteDetectTests", "Fixtures", "frames")
VIDEO = os.path.join(ROOT, "Tests", "LiteDetectImageTests", "Fixtures", "video")
WIDTH, HEIGHT = 64, 48  # OpenCV's 4:2:0 conversions need even sides


def write(folder, name, array):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    return name


def conversion_fixtures():
    """Random planes through cv2.cvtColor; every file is raw uint8, rows packed."""
    rng = np.random.default_rng(20240601)
    # The full 0...255 range on purpose: values outside BT.601's nominal 16...235 / 16...240
    # exercise clamping (luma below 16 is black, results saturate at 0 and 255).
    y = rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8)
    u = rng.integers(0, 256, (HEIGHT // 2, WIDTH // 2), dtype=np.uint8)
    v = rng.integers(0, 256, (HEIGHT // 2, WIDTH // 2), dtype=np.uint8)
    i420 = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(HEIGHT * 3 // 2, WIDTH)
    nv12 = np.concatenate([y.ravel(), np.stack([u, v], axis=-1).ravel()]).reshape(HEIGHT * 3 // 2, WIDTH)
    files = {
        "i420": write(FRAMES, "random_i420.yuv", i420),
        "i420_to_rgb": write(FRAMES, "random_i420_to_rgb.rgb", cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420)),
        "nv12": write(FRAMES, "random_nv12.yuv", nv12),
        "nv12_to_rgb": write(FRAMES, "random_nv12_to_rgb.rgb", cv2.cvtColor(nv12, cv2.COLOR_YUV2RGB_NV12)),
    }
    # RGB -> I420. OpenCV takes each 2x2 block's chroma from its top-left pixel, LiteDetect from
    # the block's average; on an image whose 2x2 blocks are uniform the two agree exactly, so
    # that image checks the chroma matrix. A random image checks luma on every pixel.
    blocks = rng.integers(0, 256, (HEIGHT // 2, WIDTH // 2, 3), dtype=np.uint8)
    uniform_blocks = np.repeat(np.repeat(blocks, 2, axis=0), 2, axis=1)
    random_rgb = rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    files["block_rgb"] = write(FRAMES, "uniform_blocks.rgb", uniform_blocks)
    files["block_rgb_to_i420"] = write(FRAMES, "uniform_blocks_to_i420.yuv", cv2.cvtColor(uniform_blocks, cv2.COLOR_RGB2YUV_I420))
    files["random_rgb"] = write(FRAMES, "random.rgb", random_rgb)
    files["random_rgb_to_i420"] = write(FRAMES, "random_to_i420.yuv", cv2.cvtColor(random_rgb, cv2.COLOR_RGB2YUV_I420))
    meta = {
        "width": WIDTH, "height": HEIGHT, "files": files,
        "reference": f"cv2.cvtColor, opencv-python-headless {cv2.__version__}, numpy {np.__version__}",
    }
    with open(os.path.join(FRAMES, "conversions.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def clip_fixture(source, first=100, count=8, width=192, height=144, block=16):
    """`count` frames of `source` from `first`, shrunk to width x height, muxed by FFmpeg as Y4M.

    The reference for reading it back is FFmpeg again (cv2.VideoCapture: demuxer + swscale to
    BGR), stored as block means so the fixture stays small: a misread plane, stride or frame
    boundary moves them by tens of levels; conversion rounding moves them by about one.
    """
    capture = cv2.VideoCapture(source)
    capture.set(cv2.CAP_PROP_POS_FRAMES, first)
    path = os.path.join(VIDEO, "vtest_192x144.y4m")
    if os.path.exists(path):
        os.remove(path)
    fps = capture.get(cv2.CAP_PROP_FPS)
    writer = cv2.VideoWriter(path, cv2.CAP_FFMPEG, 0, fps, (width, height))
    assert writer.isOpened(), "this OpenCV build cannot write yuv4mpegpipe"
    for _ in range(count):
        ok, frame = capture.read()
        assert ok, "source too short"
        writer.write(cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA))
    writer.release()

    readback = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    means = []
    while True:
        ok, bgr = readback.read()
        if not ok:
            break
        rgb = bgr[..., ::-1].astype(np.float64)
        pooled = rgb.reshape(height // block, block, width // block, block, 3).mean(axis=(1, 3))
        means.append([round(x, 3) for x in pooled.ravel().tolist()])
    assert len(means) == count, f"FFmpeg read back {len(means)} frames, wrote {count}"
    with open(path, "rb") as f:
        data = f.read()
    header = data[: data.index(b"\n")].decode("ascii")
    meta = {
        "file": os.path.basename(path),
        "source": f"frames {first}..{first + count - 1} of OpenCV's samples/data/vtest.avi (Debian opencv-doc), "
                  f"resized with cv2.INTER_AREA, written by cv2.VideoWriter (FFmpeg yuv4mpegpipe muxer)",
        "ffmpeg_header": header,
        "ffmpeg_width": int(readback.get(cv2.CAP_PROP_FRAME_WIDTH)),
        "ffmpeg_height": int(readback.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        "ffmpeg_fps": readback.get(cv2.CAP_PROP_FPS),
        "frame_count": count,
        "block": block,
        "rgb_block_means": means,
        "md5": hashlib.md5(data).hexdigest(),
        "reference": f"cv2.VideoCapture (FFmpeg demuxer + swscale), opencv-python-headless {cv2.__version__}",
    }
    with open(os.path.join(VIDEO, "vtest_192x144.json"), "w") as f:
        json.dump(meta, f)
        f.write("\n")
    print(header, len(data), "bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(FRAMES, exist_ok=True)
    os.makedirs(VIDEO, exist_ok=True)
    conversion_fixtures()
    clip_fixture(sys.argv[1])
