#!/usr/bin/env python3
"""Writes the ONNX import fixtures the Swift ``ONNXImportTests`` check against.

For each of the eight ``ssdlite320-<backbone>`` layouts (``Configs/models``), this builds the
SSDLite detector of ``litedetect_ref/ssdlite.py`` up to its raw head outputs
(``RawHeadOutputs``: ``bbox_regression`` [1, A, 4] and ``cls_logits`` [1, A, 91]), fills it with
the calibrated synthetic weights already committed for the SSDLite parity fixtures
(``Tests/LiteDetectTests/Fixtures/ssdlite/ssdlite-<case>-192.json``), exports it with
``torch.onnx.export`` and runs ONNX Runtime on that exact file. Into
``Tests/LiteDetectTests/Fixtures/onnx/``:

* ``ssdlite320-<backbone>.onnx``: the exported model with every initializer's ``raw_data``
  removed (name, dims and data type kept), so the graph is small;
* ``ssdlite320-<backbone>.json``: the recipe it came from, the SHA-256 and size of the full
  file ONNX Runtime ran, the input, export settings and versions;
* ``ssdlite320-<backbone>.safetensors``: ONNX Runtime's two outputs (float32).

Refilling each initializer's ``raw_data`` with the little-endian float32 values the recipe
generates for the tensor of the same name gives back the exported file byte for byte: this
script checks that (SHA-256) before writing anything, and the Swift test checks it again.

Export: the legacy TorchScript exporter (``dynamo=False``), opset 17, static input
[1, 3, 192, 192], ``training=TrainingMode.PRESERVE`` on the model in eval mode. PRESERVE keeps
each ``BatchNormalization`` as its own node with its four tensors under their state-dict names;
the default (``TrainingMode.EVAL``) folds BatchNorm into the convolutions' weights and biases,
which the importer also reads (``network.batch_norm: folded``) but which loses the tensors the
recipe describes. The input is 192×192 rather than 320 so that the stored outputs stay small
(A = 1170, or 966 on SqueezeNet); every layer is the same, and the importer takes the input
size from the file's static input shape.

Run from the repository root (versions in ``Tools/reference/onnx/README.md``)::

    /work/onnxenv/bin/python Tools/reference/onnx/make_onnx_fixtures.py
"""

import hashlib
import io
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tensorflow"))

import onnx  # noqa: E402
import onnxruntime  # noqa: E402

from litedetect_ref.prng import splitmix_tensor  # noqa: E402
from litedetect_ref.ssdlite import RawHeadOutputs, build_ssdlite  # noqa: E402
from litedetect_ref.synthetic_weights import SyntheticTensor, load_synthetic_tensors  # noqa: E402
from litedetect_ref.torchvision_import import import_torchvision  # noqa: E402
from deterministic_safetensors import save as save_safetensors  # noqa: E402

GENERATOR = "Tools/reference/onnx/make_onnx_fixtures.py"
RECIPE_DIR = os.path.join("Tests", "LiteDetectTests", "Fixtures", "ssdlite")
OUTPUT_DIR = os.path.join("Tests", "LiteDetectTests", "Fixtures", "onnx")
NUM_CLASSES = 91
OPSET = 17
INPUT_NAME = "images"
OUTPUT_NAMES = ["bbox_regression", "cls_logits"]
MAX_TOTAL_BYTES = 6 * 1024 * 1024

CASES = {
    "ssdlite320-squeezenet1.0": "ssdlite-squeezenet1.0-192",
    "ssdlite320-squeezenet1.1": "ssdlite-squeezenet1.1-192",
    "ssdlite320-mobilenetv1": "ssdlite-mobilenetv1-w1.0-192",
    "ssdlite320-mobilenetv2": "ssdlite-mobilenetv2-w1.0-192",
    "ssdlite320-mobilenetv3-small": "ssdlite-mobilenetv3-small-w1.0-rt-192",
    "ssdlite320-mobilenetv3-large": "ssdlite-mobilenetv3-large-w1.0-rt-192",
    "ssdlite320-shufflenetv1": "ssdlite-shufflenetv1-g3-s1.0-192",
    "ssdlite320-shufflenetv2": "ssdlite-shufflenetv2-s1.0-192",
}
"""Config name (``Configs/models/<name>.json``) → the SSDLite parity recipe with the same layout."""


def load_recipe(case: str) -> dict:
    with open(os.path.join(RECIPE_DIR, case + ".json")) as file:
        return json.load(file)


def synthetic(recipe: dict) -> list[SyntheticTensor]:
    return [SyntheticTensor(t["name"], tuple(t["shape"]), t["seed"], t["low"], t["high"]) for t in recipe["tensors"]]


DYNAMIC_CASE = "ssdlite320-shufflenetv2"
"""Also exported with symbolic batch, height and width (``dynamic_axes``): the shapes its channel
split, shuffles and head reshapes need are then computed in the graph (``Shape``, ``Gather``,
``Unsqueeze``, ``Concat``…), which the importer evaluates for the config's input size."""
DYNAMIC_AXES = {INPUT_NAME: {0: "batch", 2: "height", 3: "width"}}


def export(model: torch.nn.Module, image: torch.Tensor, dynamic: bool = False) -> bytes:
    buffer = io.BytesIO()
    torch.onnx.export(
        model, (image,), buffer, dynamo=False, opset_version=OPSET, training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=True, input_names=[INPUT_NAME], output_names=OUTPUT_NAMES,
        dynamic_axes=DYNAMIC_AXES if dynamic else None)
    return buffer.getvalue()


def strip(model_bytes: bytes, tensors: list[SyntheticTensor]) -> bytes:
    """The model without initializer data; checks every initializer against the recipe first."""
    by_name = {t.name: t for t in tensors}
    model = onnx.ModelProto()
    model.ParseFromString(model_bytes)
    names = [i.name for i in model.graph.initializer]
    if sorted(names) != sorted(by_name):
        raise RuntimeError(f"initializers {sorted(set(names) ^ set(by_name))[:5]} differ from the recipe's tensors")
    for initializer in model.graph.initializer:
        recipe = by_name[initializer.name]
        if initializer.data_type != onnx.TensorProto.FLOAT or tuple(initializer.dims) != recipe.shape:
            raise RuntimeError(f"{initializer.name}: type {initializer.data_type}, dims {list(initializer.dims)}")
        if initializer.float_data or initializer.external_data:
            raise RuntimeError(f"{initializer.name}: not stored as raw_data")
        if initializer.raw_data != recipe.values().astype("<f4").tobytes():
            raise RuntimeError(f"{initializer.name}: raw_data is not the recipe's values")
        initializer.ClearField("raw_data")
    return model.SerializeToString()


def refill(stripped: bytes, tensors: list[SyntheticTensor]) -> bytes:
    """What the Swift test does: raw_data = the recipe's float32 values, little-endian."""
    by_name = {t.name: t for t in tensors}
    model = onnx.ModelProto()
    model.ParseFromString(stripped)
    for initializer in model.graph.initializer:
        initializer.raw_data = by_name[initializer.name].values().astype("<f4").tobytes()
    return model.SerializeToString()


def run_onnx_runtime(model_bytes: bytes, image: np.ndarray) -> dict[str, np.ndarray]:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    outputs = session.run(OUTPUT_NAMES, {INPUT_NAME: image})
    return dict(zip(OUTPUT_NAMES, outputs))


def make_case(config_name: str, recipe_case: str, versions: dict) -> tuple[dict, bytes, dict[str, np.ndarray]]:
    recipe = load_recipe(recipe_case)
    tensors = synthetic(recipe)
    spec = recipe["input"]
    image = splitmix_tensor(spec["seed"], spec["shape"], spec["low"], spec["high"])
    model = RawHeadOutputs(build_ssdlite(recipe["backbone"], recipe["options"], NUM_CLASSES))
    load_synthetic_tensors(model, tensors)
    model.eval()

    full = export(model, torch.from_numpy(image))
    stripped = strip(full, tensors)
    if refill(stripped, tensors) != full:
        raise RuntimeError(f"{config_name}: refilling the stripped graph does not give the exported bytes")
    onnx.checker.check_model(onnx.load_from_string(full), full_check=True)

    outputs = run_onnx_runtime(full, image)
    with torch.no_grad():
        torch_outputs = {k: v.numpy() for k, v in model(torch.from_numpy(image)).items()}
    agreement = {}
    for name in OUTPUT_NAMES:
        scale = float(np.abs(outputs[name]).max())
        agreement[name] = float(np.abs(outputs[name] - torch_outputs[name]).max()) / scale
        print(f"  {name:16s} {list(outputs[name].shape)} max|x|={scale:.4g} ORT vs PyTorch max|d|/max|x|={agreement[name]:.2e}")

    dynamic = None
    if config_name == DYNAMIC_CASE:
        dynamic_full = export(model, torch.from_numpy(image), dynamic=True)
        dynamic_stripped = strip(dynamic_full, tensors)
        if refill(dynamic_stripped, tensors) != dynamic_full:
            raise RuntimeError(f"{config_name}: refilling the stripped dynamic graph does not give the exported bytes")
        dynamic_outputs = run_onnx_runtime(dynamic_full, image)
        difference = max(float(np.abs(dynamic_outputs[k] - outputs[k]).max()) for k in OUTPUT_NAMES)
        print(f"  dynamic axes: {len(onnx.load_from_string(dynamic_stripped).graph.node)} nodes, ORT max|d| vs static {difference:.2e}")
        if difference > 1e-5:
            raise RuntimeError(f"{config_name}: the dynamic export computes something else")
        dynamic = {"file": config_name + "-dynamic.onnx", "onnx_sha256": hashlib.sha256(dynamic_full).hexdigest(),
                   "onnx_bytes": len(dynamic_full), "dynamic_axes": DYNAMIC_AXES, "onnxruntime_max_abs_vs_static": difference,
                   "stripped": dynamic_stripped}

    graph = onnx.load_from_string(stripped).graph
    document = {
        "case": config_name,
        "config": config_name,
        "recipe": f"ssdlite/{recipe_case}.json",
        "backbone": recipe["backbone"],
        "options": recipe["options"],
        "input": {"name": INPUT_NAME, **spec},
        "outputs": {name: list(outputs[name].shape) for name in OUTPUT_NAMES},
        "onnx_sha256": hashlib.sha256(full).hexdigest(),
        "onnx_bytes": len(full),
        "initializers": len(graph.initializer),
        "nodes": len(graph.node),
        "export": {"exporter": "torch.onnx.export (TorchScript, dynamo=False)", "opset": OPSET,
                   "training": "PRESERVE (model in eval mode: BatchNormalization kept)", "do_constant_folding": True},
        "onnxruntime": {"providers": ["CPUExecutionProvider"], "intra_op_num_threads": 1,
                        "graph_optimization_level": "default (ORT_ENABLE_ALL)"},
        "onnxruntime_vs_pytorch": agreement,
        "generator": GENERATOR,
        **versions,
    }
    if dynamic:
        document["dynamic"] = {k: v for k, v in dynamic.items() if k != "stripped"}
        document["dynamic"]["stripped"] = dynamic["stripped"]
    return document, stripped, outputs


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torchvision = import_torchvision()
    versions = {"torch": torch.__version__.split("+")[0], "torchvision": torchvision.__version__.split("+")[0],
                "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__, "numpy": np.__version__}
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    total = 0
    for config_name, recipe_case in CASES.items():
        print(config_name)
        document, stripped, outputs = make_case(config_name, recipe_case, versions)
        base = os.path.join(OUTPUT_DIR, config_name)
        with open(base + ".onnx", "wb") as file:
            file.write(stripped)
        if "dynamic" in document:
            with open(os.path.join(OUTPUT_DIR, document["dynamic"]["file"]), "wb") as file:
                file.write(document["dynamic"].pop("stripped"))
            total += os.path.getsize(os.path.join(OUTPUT_DIR, document["dynamic"]["file"]))
        with open(base + ".json", "w") as file:
            file.write(json.dumps(document, indent=1, sort_keys=True) + "\n")
        save_safetensors({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in outputs.items()}, base + ".safetensors",
                         {"case": config_name, "producer": "onnxruntime " + onnxruntime.__version__})
        total += sum(os.path.getsize(base + ext) for ext in (".onnx", ".json", ".safetensors"))
    print(f"total {total / 1e6:.2f} MB")
    if total > MAX_TOTAL_BYTES:
        raise RuntimeError(f"fixtures take {total} bytes, over {MAX_TOTAL_BYTES}")


if __name__ == "__main__":
    main()
