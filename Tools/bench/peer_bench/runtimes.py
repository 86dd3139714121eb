"""The peer runtimes: one ``Session`` per (runtime, thread count), all on the same input.

Every session is set up for single-image latency, the way each runtime's
documentation recommends, on float32 except for one OpenVINO column:

* **ONNX Runtime**: ``ORT_ENABLE_ALL`` graph optimisations, ``intra_op_num_threads``
  = threads, ``inter_op_num_threads`` = 1, sequential execution, CPU provider.
* **OpenVINO**: CPU plugin, ``INFERENCE_NUM_THREADS`` = threads,
  ``PERFORMANCE_HINT`` = LATENCY, ``INFERENCE_PRECISION_HINT`` = f32. The last
  one matters here: on CPUs with AVX512-BF16 or AMX, OpenVINO's CPU plugin
  silently runs in bfloat16 by default, which would not be the same network.
* **OpenVINO (default precision)**: the same without ``INFERENCE_PRECISION_HINT``,
  i.e. what a user who keeps OpenVINO's defaults gets (bfloat16 on CPUs with
  AVX512-BF16 or AMX, float32 elsewhere). The precision OpenVINO chose is read
  back from the compiled model and recorded.
* **ncnn** (model converted by pnnx): ``num_threads`` = threads, float16
  storage/arithmetic and bfloat16 off (on by default for some layers), so it
  computes in float32 like the others. One ``Extractor`` per inference, as
  ncnn intends.
* **PyTorch** (eager, the reference itself): ``torch.set_num_threads``,
  ``inference_mode``.

``Session.infer()`` runs one forward pass and returns the raw outputs as
numpy arrays shaped like PyTorch's (``[1, A, 4]``, ``[1, A, 91]``);
``Session.precision`` says what it computes in (``f32``, or what OpenVINO chose).
"""

import importlib
import importlib.metadata
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from .exports import ONNX_INPUT_NAME, NcnnModel
from .network import OUTPUT_NAMES, Network


@dataclass(frozen=True)
class Runtime:
    """A peer runtime: its short key, the label in tables, and the pip packages it needs."""

    key: str
    label: str
    packages: tuple[str, ...]
    needs_onnx: bool = False
    needs_ncnn: bool = False


OPENVINO_DEFAULT = "openvino-default"
"""Key of OpenVINO with its default inference precision (LiteDetect bf16's ratio peer)."""

RUNTIMES = (
    Runtime("onnxruntime", "ORT", ("onnxruntime", "onnx"), needs_onnx=True),
    Runtime("openvino", "OpenVINO f32", ("openvino", "onnx"), needs_onnx=True),
    Runtime(OPENVINO_DEFAULT, "OpenVINO (default precision)", ("openvino", "onnx"), needs_onnx=True),
    Runtime("ncnn", "ncnn", ("ncnn", "pnnx"), needs_ncnn=True),
    Runtime("pytorch", "PyTorch", ("torch",)),
)
"""In the order they run within a round. ORT and OpenVINO f32 are the ones
LiteDetect float32's ratio is taken against (mature, optimised CPU inference);
OpenVINO's default precision is LiteDetect bfloat16's."""

RUNTIMES_BY_KEY = {r.key: r for r in RUNTIMES}

_IMPORT_NAMES = {"onnxruntime": "onnxruntime", "onnx": "onnx", "openvino": "openvino", "ncnn": "ncnn",
                 "pnnx": "pnnx", "torch": "torch"}


def unavailable_reason(runtime: Runtime) -> str | None:
    """Why ``runtime`` cannot run here (a missing or broken package), or ``None`` if it can."""
    for package in runtime.packages:
        try:
            importlib.import_module(_IMPORT_NAMES[package])
        except Exception as error:  # an ImportError, or a wheel that fails to load its library
            return f"`import {_IMPORT_NAMES[package]}` failed: {type(error).__name__}: {error}"
    return None


def package_version(package: str) -> str:
    """The installed distribution's version (pip's view), or "not installed"."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@dataclass
class Session:
    """One runtime at one thread count, bound to the example input."""

    runtime: Runtime
    threads: int
    infer: Callable[[], list[np.ndarray]]
    """One forward pass; returns the outputs in ``OUTPUT_NAMES`` order, PyTorch's shapes."""
    activate: Callable[[], None] = field(default=lambda: None)
    """Called before each timed block (PyTorch's thread count is process-wide)."""
    precision: str = "f32"
    """What the session computes in: ``f32``, or for OpenVINO's default precision what it chose
    (``bf16``, ``f16``, ``f32``)."""


def torch_session(runtime: Runtime, network: Network, threads: int) -> Session:
    model, image = network.model, network.example_input

    def infer() -> list[np.ndarray]:
        with torch.inference_mode():
            return [output.numpy() for output in model(image)]

    return Session(runtime, threads, infer, activate=lambda: torch.set_num_threads(threads))


def onnxruntime_session(runtime: Runtime, onnx_path: str, image: np.ndarray, threads: int) -> Session:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    feeds = {ONNX_INPUT_NAME: image}
    names = list(OUTPUT_NAMES)
    return Session(runtime, threads, lambda: session.run(names, feeds))


def openvino_session(runtime: Runtime, onnx_path: str, image: np.ndarray, threads: int) -> Session:
    """OpenVINO f32 forced (``openvino``), or with its default precision (``openvino-default``)."""
    import openvino as ov

    config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY"}
    if runtime.key != OPENVINO_DEFAULT:
        config["INFERENCE_PRECISION_HINT"] = "f32"
    core = ov.Core()
    compiled = core.compile_model(core.read_model(onnx_path), "CPU", config)
    # What the plugin resolved the hint to for this model: an ov.Type, whose short name is "f32", "bf16", "f16".
    precision = compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()
    request = compiled.create_infer_request()
    outputs = [compiled.output(name) for name in OUTPUT_NAMES]

    def infer() -> list[np.ndarray]:
        results = request.infer({ONNX_INPUT_NAME: image}, share_inputs=True)
        return [results[output] for output in outputs]

    return Session(runtime, threads, infer, precision=precision)


def ncnn_session(runtime: Runtime, model: NcnnModel, image: np.ndarray, output_shapes: list[tuple[int, ...]],
                 threads: int) -> Session:
    import ncnn

    net = ncnn.Net()
    # Options must be set before loading: layers pick their kernels at load time.
    net.opt.num_threads = threads
    net.opt.use_vulkan_compute = False
    net.opt.use_fp16_storage = False
    net.opt.use_fp16_packed = False
    net.opt.use_fp16_arithmetic = False
    net.opt.use_bf16_storage = False
    if net.load_param(model.param_path) != 0 or net.load_model(model.bin_path) != 0:
        raise RuntimeError(f"ncnn could not load {model.param_path} / {model.bin_path}")
    # ncnn drops the batch axis: [3, 320, 320] in, [A, 4] and [A, 91] out.
    image_mat = ncnn.Mat(np.ascontiguousarray(image[0]))

    def infer() -> list[np.ndarray]:
        with net.create_extractor() as extractor:
            extractor.input(model.input_name, image_mat)
            results = []
            for name, shape in zip(model.output_names, output_shapes):
                status, mat = extractor.extract(name)
                if status != 0:
                    raise RuntimeError(f"ncnn extract({name!r}) returned {status}")
                results.append(np.array(mat).reshape(shape))
            return results

    return Session(runtime, threads, infer)
