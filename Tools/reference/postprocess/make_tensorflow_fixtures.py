"""Reference fixtures from the TensorFlow Object Detection API for LiteDetectPostprocess.

Run from the repository root with tensorflow-cpu 2.21.0 and the PyPI repackaging
`tf-object-detection-api==0.1` (the TF2 research/object_detection tree; see README.md):

    python Tools/reference/postprocess/make_tensorflow_fixtures.py

Writes, under Tests/LiteDetectPostprocessTests/Fixtures/:
  tensorflow_anchors.safetensors      multiple_grid_anchor_generator.create_ssd_anchors(...).generate(...)
                                      as [ymin, xmin, ymax, xmax] corners (normalised)
  tensorflow_box_coder.safetensors    faster_rcnn_box_coder.FasterRcnnBoxCoder([10, 10, 5, 5]).decode
  tensorflow_nms.safetensors          tf.image.non_max_suppression(_with_scores): hard and Gaussian soft-NMS
  tensorflow_postprocess.safetensors  the SSDMetaArch.postprocess sequence (decode, sigmoid, drop the
                                      background column, batch_multiclass_non_max_suppression with a
                                      [0, 0, 1, 1] clip window): class-aware, class-agnostic,
                                      and class-aware with Gaussian soft-NMS
Everything is seeded; re-running reproduces the same bytes.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from object_detection.anchor_generators import multiple_grid_anchor_generator  # noqa: E402
from object_detection.box_coders import faster_rcnn_box_coder  # noqa: E402
from object_detection.core import box_list, post_processing  # noqa: E402

sys.path.insert(0, "Tools/reference/postprocess")
from fixture_io import save_fixture  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

# MARK: - Anchors

ANCHOR_CONFIGS = [
    {
        # ssdlite_mobilenet_v2_coco.config: ssd_anchor_generator { num_layers: 6 min_scale: 0.2
        # max_scale: 0.95 aspect_ratios: 1.0 2.0 0.5 3.0 0.3333 } on a 300x300 input.
        "name": "ssdlite_mobilenet_v2_300",
        "numLayers": 6, "minScale": 0.2, "maxScale": 0.95, "scales": None,
        "aspectRatios": [1.0, 2.0, 0.5, 3.0, 0.3333], "interpolatedScaleAspectRatio": 1.0,
        "baseAnchorSize": None, "anchorStrides": None, "anchorOffsets": None,
        "reduceBoxesInLowestLayer": True,
        "imageSize": [300, 300], "featureMaps": [[19, 19], [10, 10], [5, 5], [3, 3], [2, 2], [1, 1]],
    },
    {
        # Explicit scales, strides and offsets in pixels, non-square base size and input, no
        # interpolated box, full lowest layer.
        "name": "nonsquare_strides_offsets",
        "numLayers": 3, "minScale": 0.2, "maxScale": 0.95, "scales": [0.1, 0.35, 0.7],
        "aspectRatios": [1.0, 2.0, 0.5], "interpolatedScaleAspectRatio": 0.0,
        "baseAnchorSize": [1.0, 1.5], "anchorStrides": [[16, 16], [32, 32], [64, 64]],
        "anchorOffsets": [[8, 8], [16, 12], [32, 32]],
        "reduceBoxesInLowestLayer": False,
        "imageSize": [256, 320], "featureMaps": [[16, 20], [8, 10], [4, 5]],
    },
    {
        # Default strides on a non-square input (anchors squared by the smaller side), an
        # interpolated box with aspect ratio 2.
        "name": "nonsquare_default_strides",
        "numLayers": 2, "minScale": 0.3, "maxScale": 0.8, "scales": None,
        "aspectRatios": [1.0, 3.0], "interpolatedScaleAspectRatio": 2.0,
        "baseAnchorSize": None, "anchorStrides": None, "anchorOffsets": None,
        "reduceBoxesInLowestLayer": True,
        "imageSize": [200, 300], "featureMaps": [[10, 15], [5, 8]],
    },
]


def tensorflow_anchors(config):
    generator = multiple_grid_anchor_generator.create_ssd_anchors(
        num_layers=config["numLayers"],
        min_scale=config["minScale"],
        max_scale=config["maxScale"],
        scales=list(config["scales"]) if config["scales"] is not None else None,  # it appends 1.0 in place
        aspect_ratios=tuple(config["aspectRatios"]),
        interpolated_scale_aspect_ratio=config["interpolatedScaleAspectRatio"],
        base_anchor_size=config["baseAnchorSize"],
        anchor_strides=[tuple(s) for s in config["anchorStrides"]] if config["anchorStrides"] else None,
        anchor_offsets=[tuple(o) for o in config["anchorOffsets"]] if config["anchorOffsets"] else None,
        reduce_boxes_in_lowest_layer=config["reduceBoxesInLowestLayer"],
    )
    height, width = config["imageSize"]
    # SSDMetaArch.predict generates anchors with the preprocessed input's height and width.
    layers = generator.generate([tuple(f) for f in config["featureMaps"]], im_height=height, im_width=width)
    return np.concatenate([layer.get().numpy() for layer in layers], axis=0)


def make_anchor_fixture():
    tensors = {config["name"]: tensorflow_anchors(config) for config in ANCHOR_CONFIGS}
    save_fixture("tensorflow_anchors", tensors, {"configs": ANCHOR_CONFIGS})
    return tensors


# MARK: - Box coder

def make_box_coder_fixture():
    rng = np.random.default_rng(99)
    count = 512
    yx = rng.uniform(-0.1, 0.9, size=(count, 2))
    hw = rng.uniform(0.01, 0.8, size=(count, 2))
    anchors = np.concatenate([yx, yx + hw], axis=1).astype(np.float32)
    codes = rng.normal(0, 2, size=(count, 4))
    codes[:, 2:] = rng.normal(0, 6, size=(count, 2))
    codes = codes.astype(np.float32)
    coder = faster_rcnn_box_coder.FasterRcnnBoxCoder(scale_factors=[10.0, 10.0, 5.0, 5.0])
    decoded = coder.decode(tf.constant(codes), box_list.BoxList(tf.constant(anchors))).get().numpy()
    save_fixture("tensorflow_box_coder", {"anchors": anchors, "codes": codes, "decoded": decoded},
                 {"scaleFactors": [10.0, 10.0, 5.0, 5.0]})


# MARK: - NMS ops

def make_nms_fixture():
    rng = np.random.default_rng(31337)
    count = 300
    centers = rng.uniform(0.1, 0.9, size=(count // 15, 2))
    center = centers[rng.integers(0, len(centers), size=count)] + rng.normal(0, 0.03, size=(count, 2))
    size = rng.uniform(0.04, 0.3, size=(count, 2))
    boxes_xyxy = np.clip(np.concatenate([center - size / 2, center + size / 2], axis=1), 0, 1).astype(np.float32)
    scores = rng.uniform(0.05, 1.0, size=count).astype(np.float32)
    boxes_yxyx = tf.constant(boxes_xyxy[:, [1, 0, 3, 2]])
    tf_scores = tf.constant(scores)
    tensors = {"boxes": boxes_xyxy, "scores": scores}
    cases = []
    for name, max_output, iou, score_threshold, sigma in [
        ("hard_iou0.5_score0.3_max50", 50, 0.5, 0.3, 0.0),
        ("hard_iou0.6_all", 300, 0.6, float("-inf"), 0.0),
        ("soft_sigma0.25_score0.001", 300, 0.5, 0.001, 0.25),
        ("soft_sigma0.05_score0.05_max40", 40, 1.0, 0.05, 0.05),
    ]:
        kept, kept_scores = tf.image.non_max_suppression_with_scores(
            boxes_yxyx, tf_scores, max_output, iou_threshold=iou, score_threshold=score_threshold,
            soft_nms_sigma=sigma)
        tensors[f"{name}.kept"] = kept.numpy()
        tensors[f"{name}.scores"] = kept_scores.numpy()
        cases.append({"name": name, "maxOutput": max_output, "iouThreshold": iou,
                      "scoreThreshold": score_threshold if np.isfinite(score_threshold) else None,
                      "softNMSSigma": sigma})
    save_fixture("tensorflow_nms", tensors, {"cases": cases})


# MARK: - Full SSD postprocess

def make_postprocess_fixture(anchors_by_name):
    config = ANCHOR_CONFIGS[0]
    anchors = anchors_by_name[config["name"]]
    num_anchors, num_columns = anchors.shape[0], 91
    rng = np.random.default_rng(2718)
    # Sigmoid scores mostly small with a tail of confident ones (as a trained SSD produces).
    logits = (rng.normal(-4.0, 2.5, size=(num_anchors, num_columns))).astype(np.float32)
    codes = (rng.normal(0, 1, size=(num_anchors, 4)) * np.array([2.0, 2.0, 1.5, 1.5])).astype(np.float32)
    # Planted confident boxes shifted sideways by (tx / 10) anchor widths: +-6 widths lands them
    # outside the image (clipped to zero area, then dropped), +-0.8 widths only partly (clipped).
    planted = rng.permutation(num_anchors)[:32]
    codes[planted, 1] = np.tile([60.0, -60.0, 8.0, -8.0], 8)
    logits[planted, 1 + (np.arange(32) * 7) % (num_columns - 1)] = 9.0
    settings = {"scoreThreshold": 1e-8, "iouThreshold": 0.6, "maxDetectionsPerClass": 100,
                "maxTotalDetections": 100, "numColumns": num_columns, "anchorConfig": config["name"],
                "scaleFactors": [10.0, 10.0, 5.0, 5.0]}

    # SSDMetaArch.postprocess: _batch_decode -> score_conversion_fn (sigmoid, logit_scale 1) ->
    # slice off the background column -> batch_multiclass_non_max_suppression with the clip window
    # from _compute_clip_window ([0, 0, 1, 1] when the true image fills the input).
    coder = faster_rcnn_box_coder.FasterRcnnBoxCoder(scale_factors=settings["scaleFactors"])
    decoded = coder.decode(tf.constant(codes), box_list.BoxList(tf.constant(anchors))).get()
    scores_with_background = tf.sigmoid(tf.multiply(tf.constant(logits), 1.0 / 1.0))
    scores = tf.slice(scores_with_background[tf.newaxis], [0, 0, 1], [-1, -1, -1])
    anchor_indices = tf.cast(tf.range(num_anchors)[tf.newaxis], tf.float32)
    tensors = {"codes": codes, "logits": logits}
    settings["softNMSSigma"] = 0.5
    for prefix, agnostic, sigma in [("classaware", False, 0.0), ("classagnostic", True, 0.0),
                                    ("softnms", False, settings["softNMSSigma"])]:
        boxes, det_scores, classes, _, fields, count = post_processing.batch_multiclass_non_max_suppression(
            decoded[tf.newaxis, :, tf.newaxis, :], scores,
            score_thresh=settings["scoreThreshold"], iou_thresh=settings["iouThreshold"],
            max_size_per_class=settings["maxDetectionsPerClass"],
            max_total_size=settings["maxTotalDetections"],
            clip_window=tf.constant([[0.0, 0.0, 1.0, 1.0]]),
            additional_fields={"anchor_indices": anchor_indices},
            use_class_agnostic_nms=agnostic, max_classes_per_detection=1, soft_nms_sigma=sigma)
        n = int(count[0])
        tensors[f"{prefix}.boxes"] = boxes[0, :n].numpy()  # [ymin, xmin, ymax, xmax], normalised
        tensors[f"{prefix}.scores"] = det_scores[0, :n].numpy()
        tensors[f"{prefix}.classes"] = classes[0, :n].numpy().astype(np.int64)  # 0-based, background dropped
        tensors[f"{prefix}.anchors"] = fields["anchor_indices"][0, :n].numpy().astype(np.int64)
        settings[f"{prefix}.distinctScores"] = int(len(np.unique(tensors[f"{prefix}.scores"])))
        settings[f"{prefix}.detections"] = n
    save_fixture("tensorflow_postprocess", tensors, settings)


if __name__ == "__main__":
    print("tensorflow", tf.__version__)
    anchors = make_anchor_fixture()
    make_box_coder_fixture()
    make_nms_fixture()
    make_postprocess_fixture(anchors)
