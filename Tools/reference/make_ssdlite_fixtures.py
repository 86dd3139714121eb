#!/usr/bin/env python3
"""Writes the SSDLite detector fixtures the Swift ``LiteDetectTests`` check against.

Into ``Tests/LiteDetectTests/Fixtures/ssdlite/``:

* ``ssdlite-<backbone case>-192.{json,safetensors}``, one per backbone in
  ``RAW_CASES``: the SSDLite detector of ``litedetect_ref/ssdlite.py`` on that
  backbone with calibrated synthetic weights, run on a synthetic 192x192
  input; stores torchvision's raw head outputs ``bbox_regression`` [1, A, 4]
  and ``cls_logits`` [1, A, 91].
* ``torchvision-ssdlite320-mobilenetv3-large.{json,safetensors}``: torchvision's
  own ``ssdlite320_mobilenet_v3_large`` with synthetic weights (listed under
  canonical names) whose class logits are widened, run end to end in eval mode
  on ``SampleImages/street.jpg``; stores the transformed input, raw outputs,
  anchors and final detections.

Every JSON lists each weight tensor as ``(name, shape, seed, low, high)`` for
``litedetect_ref/prng.py``, like the backbone fixtures.

Run from the repository root with the matched torch/torchvision environment
(``torchvision.ops.nms`` must work)::

    /opt/refenv/bin/python Tools/reference/make_ssdlite_fixtures.py

Re-running produces byte-identical files on the same machine and versions.
"""

import hashlib
import os
import re
import sys
from typing import Any

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from litedetect_ref.backbones import backbone_spec  # noqa: E402
from litedetect_ref.prng import splitmix_tensor  # noqa: E402
from litedetect_ref.ssdlite import (  # noqa: E402
    ANCHOR_ASPECT_RATIOS,
    ANCHOR_MAX_RATIO,
    ANCHOR_MIN_RATIO,
    BOX_CODER_WEIGHTS,
    EXTRA_LAYER_CHANNELS,
    HEAD_BATCH_NORM_EPS,
    POSTPROCESS_DEFAULTS,
    RawHeadOutputs,
    build_ssdlite,
    canonical_to_torchvision_ssdlite,
    check_trunk_matches_reference,
    mobilenet_v3_c4_pos,
)
from litedetect_ref.synthetic_weights import SyntheticTensor, load_synthetic_tensors, synthetic_tensors  # noqa: E402
from litedetect_ref.torchvision_import import import_torchvision  # noqa: E402
from litedetect_ref.weight_calibration import calibrate_weight_ranges  # noqa: E402
from make_backbone_fixtures import (  # noqa: E402
    FIRST_TENSOR_SEED,
    INPUT_RANGE,
    INPUT_SEED,
    Case,
    check_not_degenerate,
    to_json_text,
)

from safetensors.torch import save_file  # noqa: E402

GENERATOR = "Tools/reference/make_ssdlite_fixtures.py"
OUTPUT_DIR = os.path.join("Tests", "LiteDetectTests", "Fixtures", "ssdlite")
NUM_CLASSES = 91
"""COCO with background (column 0), as torchvision's detection models."""
RAW_INPUT_SIZE = 192
MAX_FIXTURE_BYTES = 8 * 1024 * 1024

RAW_CASES = (
    Case("squeezenet1.0", {}, RAW_INPUT_SIZE),
    Case("squeezenet1.1", {}, RAW_INPUT_SIZE),
    Case("mobilenetv1", {"width": 1.0}, RAW_INPUT_SIZE),
    Case("mobilenetv2", {"width": 1.0}, RAW_INPUT_SIZE),
    Case("mobilenetv3-small", {"width": 1.0, "reduced_tail": True}, RAW_INPUT_SIZE),
    Case("mobilenetv3-large", {"width": 1.0, "reduced_tail": True}, RAW_INPUT_SIZE),
    Case("shufflenetv1", {"groups": 3, "scale": 1.0}, RAW_INPUT_SIZE),
    Case("shufflenetv2", {"scale": 1.0}, RAW_INPUT_SIZE),
)
"""One configuration per backbone: the one ``Configs/ssdlite320-<backbone>`` uses."""

SSD_HEAD_CASES = (Case("mobilenetv3-small", {"width": 1.0, "reduced_tail": True}, RAW_INPUT_SIZE),)
"""The same detector with torchvision's plain ``SSDHead`` (3x3 conv predictors) instead of SSDLite's."""

TORCHVISION_CASE = "torchvision-ssdlite320-mobilenetv3-large"
TORCHVISION_BACKBONE = "mobilenetv3-large"
TORCHVISION_OPTIONS = {"width": 1.0, "reduced_tail": True}
"""``ssdlite320_mobilenet_v3_large(weights_backbone=None)`` sets ``reduced_tail=True``."""
TORCHVISION_INPUT_SIZE = 320
IMAGE_PATH = "SampleImages/street.jpg"

CLASS_LOGIT_WIDENING = 1.5
"""Factor applied to the calibrated ``[-b, b]`` range of each classification
head's final 1x1 conv weight (``head.classification_head.module_list.<level>.1.weight``),
so the class logits have RMS 1.5 instead of calibration's 1.

Measured on this photo (detections' score range): x1 0.16-0.76, x1.5
0.30-0.96, x2 0.45-0.99, x4 0.84-1.0, x8 0.991-1.0 (13 scores exactly 1.0),
x12 0.9994-1.0 (55 exactly 1.0). Uncalibrated He-init weights would need
x8-x20 to leave near-uniform scores (~1/91); calibrated ones already have
heavy-tailed logits (max ~7.8), and larger factors saturate softmax so that
detections tie, leaving their order to chance. x1.5 spreads the scores
widely without ties."""

CLASSIFIER_FINAL_CONV = re.compile(r"^head\.classification_head\.module_list\.\d+\.1\.weight$")
"""The final 1x1 conv weight of each level (``.0.1.weight`` is the depthwise conv's BatchNorm)."""


def versions() -> dict[str, str]:
    torchvision = import_torchvision()
    return {"torch": torch.__version__.split("+")[0], "torchvision": torchvision.__version__.split("+")[0]}


def raw_case_name(case: Case, head: str = "ssdlite") -> str:
    return f"{head}-{case.name}"


def feature_map_shapes(model: torch.nn.Module, image: torch.Tensor) -> list[list[int]]:
    """``[C, H, W]`` of each of the six maps the head reads."""
    with torch.no_grad():
        return [list(m.shape[1:]) for m in model.backbone(image).values()]


def report(name: str, value: torch.Tensor, exact: torch.Tensor) -> None:
    scale = value.abs().max().item()
    diff = (value.double() - exact).abs().max().item()
    print(f"  {name:16s} {str(list(value.shape)):16s} max|x|={scale:8.4g} rms={value.double().pow(2).mean().sqrt():7.3g} "
          f"float32-vs-float64 max|d|/max|x|={diff / scale:.2e}")


def detector_metadata(model, image: torch.Tensor, head: str = "ssdlite") -> dict[str, Any]:
    """Architecture facts the Swift side re-derives; stated so a mismatch is visible."""
    return {
        "num_classes": NUM_CLASSES,
        "head": head,
        "head_batch_norm_eps": HEAD_BATCH_NORM_EPS,
        "extra_layers": list(EXTRA_LAYER_CHANNELS),
        "anchors_per_level": model.anchor_generator.num_anchors_per_location(),
        "anchor_generator": {"aspect_ratios": ANCHOR_ASPECT_RATIOS, "min_ratio": ANCHOR_MIN_RATIO,
                             "max_ratio": ANCHOR_MAX_RATIO},
        "feature_maps": feature_map_shapes(model, image),
    }


# MARK: (a) raw head outputs on every backbone

def make_raw_case(case: Case, version_info: dict[str, str], head: str = "ssdlite") -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    input_shape = (1, 3, case.image_size, case.image_size)
    image = torch.from_numpy(splitmix_tensor(INPUT_SEED, input_shape, *INPUT_RANGE))
    check_trunk_matches_reference(case.backbone, case.options, image)

    calibration = RawHeadOutputs(build_ssdlite(case.backbone, case.options, NUM_CLASSES, head=head))
    tensors = synthetic_tensors(calibration, FIRST_TENSOR_SEED)
    load_synthetic_tensors(calibration, tensors)
    tensors = calibrate_weight_ranges(calibration, tensors, image)

    # A fresh detector filled only from the recorded (seed, low, high) triples.
    detector = build_ssdlite(case.backbone, case.options, NUM_CLASSES, head=head)
    model = RawHeadOutputs(detector)
    load_synthetic_tensors(model, tensors)
    with torch.no_grad():
        outputs = {k: v.detach().clone() for k, v in model(image).items()}
        maps = model.backbone(image)
    check_not_degenerate(raw_case_name(case, head), {**outputs, **{f"level{k}": v for k, v in maps.items()}})
    metadata = detector_metadata(detector, image, head)
    with torch.no_grad():
        # In place: the model is float64 from here on.
        exact = model.double()(image.double())
    for name, value in outputs.items():
        report(name, value, exact[name])

    document = {
        "case": raw_case_name(case, head),
        "backbone": case.backbone,
        "options": backbone_spec(case.backbone).resolve_options(case.options),
        "input_size": case.image_size,
        **metadata,
        "input": {"shape": list(input_shape), "seed": INPUT_SEED, "low": INPUT_RANGE[0], "high": INPUT_RANGE[1]},
        "tensors": [t.as_json() for t in tensors],
        "outputs": {name: list(value.shape) for name, value in outputs.items()},
        "generator": GENERATOR,
        **version_info,
    }
    return document, outputs


# MARK: (b) torchvision's whole detector on a real photo

def decode_image(path: str) -> tuple[np.ndarray, torch.Tensor]:
    """RGB8 pixels ``[H, W, 3]`` as Pillow decodes them, and the ``to_tensor`` image."""
    from PIL import Image
    from torchvision.transforms.functional import to_tensor

    with Image.open(path) as file:
        rgb = file.convert("RGB")
        pixels = np.asarray(rgb, dtype=np.uint8).copy()
        return pixels, to_tensor(rgb)


def file_sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def pillow_decoder_description() -> str:
    """Which JPEG decoder produced the reference pixels (IDCT and upsampling choices vary by library)."""
    import PIL
    from PIL import features

    turbo = features.version_feature("libjpeg_turbo")
    library = f"libjpeg-turbo {turbo}" if turbo else f"libjpeg {features.version('jpg')}"
    return f"Pillow {PIL.__version__} ({library}) Image.open(path).convert('RGB'), no EXIF transpose"


def widen_class_logits(tensors: list[SyntheticTensor]) -> list[SyntheticTensor]:
    """Multiplies the range of each classification head's final 1x1 conv weight by ``CLASS_LOGIT_WIDENING``."""
    result = []
    widened = 0
    for t in tensors:
        if CLASSIFIER_FINAL_CONV.match(t.name):
            widened += 1
            if t.low != -t.high:
                raise ValueError(f"{t.name}: expected a symmetric conv weight range, got [{t.low}, {t.high}]")
            t = t.with_bound(t.high * CLASS_LOGIT_WIDENING)
        result.append(t)
    if widened != len(ANCHOR_ASPECT_RATIOS):
        raise ValueError(f"widened {widened} classifier convs, expected one per level ({len(ANCHOR_ASPECT_RATIOS)})")
    return result


def load_canonical_into_torchvision(tv_model, canonical_model, c4_pos: int) -> None:
    """Copies a canonical detector's weights into torchvision's model (strict: every key, every shape)."""
    renamed = canonical_to_torchvision_ssdlite(canonical_model.state_dict(), c4_pos)
    tv_model.load_state_dict(renamed, strict=True)


def run_torchvision_pipeline(tv_model, image: torch.Tensor) -> dict[str, torch.Tensor]:
    """torchvision's eval forward on one image, with the intermediate tensors captured by hooks."""
    captured: dict[str, torch.Tensor] = {}
    hooks = [
        tv_model.backbone.register_forward_pre_hook(lambda _m, args: captured.__setitem__("input", args[0].clone())),
        tv_model.head.register_forward_hook(lambda _m, _i, out: captured.update({k: v.clone() for k, v in out.items()})),
        tv_model.anchor_generator.register_forward_hook(lambda _m, _i, out: captured.__setitem__("anchors", out[0].clone())),
    ]
    try:
        with torch.no_grad():
            detections = tv_model([image])[0]
    finally:
        for h in hooks:
            h.remove()
    return {
        "input": captured["input"],
        "bbox_regression": captured["bbox_regression"],
        "cls_logits": captured["cls_logits"],
        "anchors": captured["anchors"],
        "boxes": detections["boxes"],
        "scores": detections["scores"],
        # float32 so the file holds one dtype; labels < 91 are exact.
        "labels": detections["labels"].to(torch.float32),
    }


def first_dropped_score(tv_model, image: torch.Tensor) -> float:
    """Score of the best NMS survivor that the ``detections_per_img`` limit drops
    (0 if none): how close the fixture's last detection is to being replaced."""
    limit = tv_model.detections_per_img
    tv_model.detections_per_img = 10**9
    try:
        with torch.no_grad():
            scores = tv_model([image])[0]["scores"]
    finally:
        tv_model.detections_per_img = limit
    return float(scores[limit]) if len(scores) > limit else 0.0


def build_torchvision_detector():
    from torchvision.models.detection import ssdlite320_mobilenet_v3_large

    return ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=NUM_CLASSES).eval()


def make_torchvision_case(version_info: dict[str, str]) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    pixels, image = decode_image(IMAGE_PATH)
    tv_model = build_torchvision_detector()
    with torch.no_grad():
        transformed = tv_model.transform([image])[0].tensors

    c4_pos = mobilenet_v3_c4_pos(TORCHVISION_BACKBONE, TORCHVISION_OPTIONS)
    calibration = RawHeadOutputs(build_ssdlite(TORCHVISION_BACKBONE, TORCHVISION_OPTIONS, NUM_CLASSES))
    tensors = synthetic_tensors(calibration, FIRST_TENSOR_SEED)
    load_synthetic_tensors(calibration, tensors)
    tensors = widen_class_logits(calibrate_weight_ranges(calibration, tensors, transformed))

    canonical = build_ssdlite(TORCHVISION_BACKBONE, TORCHVISION_OPTIONS, NUM_CLASSES, TORCHVISION_INPUT_SIZE)
    load_synthetic_tensors(canonical, tensors)
    load_canonical_into_torchvision(tv_model, canonical, c4_pos)
    outputs = run_torchvision_pipeline(tv_model, image)

    # The canonical detector is the same network under other names: it must
    # reproduce torchvision's result bit for bit, or the renaming is wrong.
    canonical_outputs = run_torchvision_pipeline(canonical, image)
    for name, value in outputs.items():
        if not torch.equal(value, canonical_outputs[name]):
            raise RuntimeError(f"canonical detector differs from torchvision's in {name}")
    if not torch.equal(outputs["input"], transformed):
        raise RuntimeError("captured backbone input differs from the transform's output")
    check_not_degenerate(TORCHVISION_CASE, {k: outputs[k] for k in ("bbox_regression", "cls_logits", "boxes")})
    metadata = detector_metadata(canonical, transformed)
    with torch.no_grad():
        # In place: the canonical model is float64 from here on.
        exact = RawHeadOutputs(canonical).double()(outputs["input"].double())
    for name in ("bbox_regression", "cls_logits"):
        report(name, outputs[name], exact[name])

    scores = outputs["scores"]
    labels = outputs["labels"].to(torch.int64)
    print(f"  detections: {len(scores)}, scores {scores.min():.4g} .. {scores.max():.4g}, "
          f"> 0.3: {(scores > 0.3).sum().item()}, > 0.5: {(scores > 0.5).sum().item()}, "
          f"distinct labels: {labels.unique().numel()}")
    if len(scores) == 0 or scores.max() <= 0.3:
        raise RuntimeError("scores do not spread: widen the class logits more")

    first_dropped = first_dropped_score(tv_model, image)
    print(f"  300th score {scores[-1]:.7g}, first score cut by the 300 limit {first_dropped:.7g}")

    height, width = pixels.shape[:2]
    document = {
        "case": TORCHVISION_CASE,
        "detector": "torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None)",
        "backbone": TORCHVISION_BACKBONE,
        "options": TORCHVISION_OPTIONS,
        "input_size": TORCHVISION_INPUT_SIZE,
        **metadata,
        "c4_pos": c4_pos,
        "image": {"path": IMAGE_PATH, "file_sha256": file_sha256(IMAGE_PATH), "width": width, "height": height,
                  "decoder": pillow_decoder_description(),
                  "rgb8_sha256": hashlib.sha256(pixels.tobytes()).hexdigest()},
        "preprocessing": {"to_tensor": "RGB8 / 255, CHW", "normalize_mean": POSTPROCESS_DEFAULTS["image_mean"],
                          "normalize_std": POSTPROCESS_DEFAULTS["image_std"],
                          "resize": "after normalisation: bilinear, align_corners=False, no antialias, "
                                    f"to {TORCHVISION_INPUT_SIZE}x{TORCHVISION_INPUT_SIZE}"},
        "postprocess": {"score_thresh": POSTPROCESS_DEFAULTS["score_thresh"],
                        "nms_thresh": POSTPROCESS_DEFAULTS["nms_thresh"],
                        "topk_candidates": POSTPROCESS_DEFAULTS["topk_candidates"],
                        "detections_per_img": POSTPROCESS_DEFAULTS["detections_per_img"],
                        "box_coder_weights": list(BOX_CODER_WEIGHTS),
                        "boxes": "xyxy in original-image pixels"},
        "class_logit_widening": {"factor": CLASS_LOGIT_WIDENING,
                                 "tensors": "head.classification_head.module_list.<level>.1.weight"},
        "detection_count": len(scores),
        "first_dropped_score": first_dropped,
        "input": {"shape": list(outputs["input"].shape), "from": "image"},
        "tensors": [t.as_json() for t in tensors],
        "outputs": {name: list(value.shape) for name, value in outputs.items()},
        "generator": GENERATOR,
        **version_info,
    }
    return document, outputs


def write_case(name: str, document: dict[str, Any], outputs: dict[str, torch.Tensor]) -> None:
    with open(os.path.join(OUTPUT_DIR, f"{name}.json"), "w") as f:
        f.write(to_json_text(document))
    save_file({k: v.float().contiguous() for k, v in outputs.items()},
              os.path.join(OUTPUT_DIR, f"{name}.safetensors"),
              # One key only: safetensors writes metadata from a hash map.
              metadata={"case": name})


def main() -> None:
    if not os.path.isfile("Package.swift"):
        sys.exit("run from the repository root (where Package.swift is)")
    # One thread: the float32 summation order, hence every output bit, then
    # does not depend on how many cores the machine has.
    torch.set_num_threads(1)
    version_info = versions()
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    for case in RAW_CASES:
        name = raw_case_name(case)
        print(name)
        document, outputs = make_raw_case(case, version_info)
        write_case(name, document, outputs)
    for case in SSD_HEAD_CASES:
        name = raw_case_name(case, "ssd")
        print(name)
        document, outputs = make_raw_case(case, version_info, head="ssd")
        write_case(name, document, outputs)
    print(TORCHVISION_CASE)
    document, outputs = make_torchvision_case(version_info)
    write_case(TORCHVISION_CASE, document, outputs)

    total = sum(os.path.getsize(os.path.join(OUTPUT_DIR, f)) for f in os.listdir(OUTPUT_DIR))
    print(f"fixtures: {total / 1e6:.2f} MB in {OUTPUT_DIR}")
    if total > MAX_FIXTURE_BYTES:
        sys.exit(f"fixtures exceed {MAX_FIXTURE_BYTES} bytes")


if __name__ == "__main__":
    main()
