"""Exports the PyTorch network for the other runtimes: ONNX, and ncnn via pnnx.

Nothing is folded or fused by hand: each tool gets PyTorch's eval-mode
network and optimises it its own way (ONNX Runtime and OpenVINO read the same
ONNX file; pnnx traces the model itself).
"""

import os
import subprocess
from dataclasses import dataclass

import torch

from .network import INPUT_SHAPE, OUTPUT_NAMES, Network

ONNX_OPSET = 17
ONNX_INPUT_NAME = "images"


def export_onnx(network: Network, path: str) -> str:
    """Writes ``network`` as ONNX (opset 17, fixed ``[1, 3, 320, 320]`` input) and returns ``path``.

    Uses PyTorch's TorchScript-based exporter (``dynamo=False``): it handles
    the reference's forward hooks without extra packages. It applies its own
    standard eval-mode passes (e.g. BatchNorm into the preceding conv); ONNX
    Runtime and OpenVINO then optimise the graph further themselves.
    """
    with torch.no_grad():
        torch.onnx.export(
            network.model,
            (network.example_input,),
            path,
            opset_version=ONNX_OPSET,
            input_names=[ONNX_INPUT_NAME],
            output_names=list(OUTPUT_NAMES),
            dynamo=False,
        )
    return path


@dataclass(frozen=True)
class NcnnModel:
    """An ncnn ``.param``/``.bin`` pair and its blob names."""

    param_path: str
    bin_path: str
    input_name: str
    output_names: tuple[str, ...]
    """In ``OUTPUT_NAMES`` order (pnnx names a traced tuple's outputs out0, out1, ...)."""


class PnnxError(RuntimeError):
    """pnnx failed; the message carries the end of its log."""


def export_ncnn(network: Network, directory: str) -> NcnnModel:
    """Traces ``network`` with TorchScript and converts it with the ``pnnx`` tool to ncnn.

    Weights are stored as float32 (``fp16=0``; pnnx's default stores float16),
    so ncnn runs the same float32 network as the others.
    """
    import pnnx

    os.makedirs(directory, exist_ok=True)
    stem = os.path.join(directory, network.backbone)
    traced_path = f"{stem}.pt"
    with torch.no_grad():
        torch.jit.trace(network.model, (network.example_input,)).save(traced_path)
    shape = ",".join(str(d) for d in INPUT_SHAPE)
    model = NcnnModel(f"{stem}.ncnn.param", f"{stem}.ncnn.bin", "in0",
                      tuple(f"out{i}" for i in range(len(OUTPUT_NAMES))))
    command = [
        pnnx.EXEC_PATH, traced_path, f"inputshape=[{shape}]f32", "device=cpu", "fp16=0",
        f"ncnnparam={model.param_path}", f"ncnnbin={model.bin_path}", f"ncnnpy={stem}_ncnn.py",
        f"pnnxparam={stem}.pnnx.param", f"pnnxbin={stem}.pnnx.bin", f"pnnxpy={stem}_pnnx.py",
        f"pnnxonnx={stem}.pnnx.onnx",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not os.path.exists(model.param_path):
        log = (result.stdout + result.stderr)[-2000:]
        raise PnnxError(f"pnnx exited with {result.returncode} for {network.backbone}; log tail:\n{log}")
    return model
