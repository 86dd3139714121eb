"""The SSDLite distillation teacher's forward pass in ONNX Runtime.

The teacher only ever runs forward, on every training batch, and in float32 on
one CPU thread PyTorch took 3.0 s for a batch of 32 where ONNX Runtime took
1.1 s (session 22, AMD EPYC Zen 3, AVX2; both on the same batch); a whole
SqueezeNet 1.1 step went from 8.1 s to 5.9 s (Tools/train/README.md). So for
float32 runs the frozen teacher is exported once, at start, and ONNX Runtime
runs it.

Nothing is folded by hand: PyTorch's exporter applies its eval-mode passes
(BatchNorm into the convolution) and ONNX Runtime its graph optimisations. The
export is checked against PyTorch on random pictures before it is used.
"""

import io

import numpy as np
import torch

ONNX_OPSET = 17
# Float32 reassociation (folded BatchNorm, other kernels) moved this teacher's outputs by 2e-5 to
# 3e-5 (session 22); 1e-3 leaves 30x that, while scaling one output by 1.01 already exceeds it.
TOLERANCE = 1e-3


class _Outputs(torch.nn.Module):
    """The SSD's head outputs and the feature maps it read, as one flat tuple (what ONNX exports)."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, ...]:
        features = list(self.model.backbone(images).values())
        outputs = self.model.head(features)
        return (outputs["cls_logits"], outputs["bbox_regression"], *features)


class OnnxRuntimeForward:
    """``model``'s forward (a torchvision-style SSD in eval mode) in ONNX Runtime, any batch size.

    Called with ``images [N, 3, H, W]`` it returns what ``SoftmaxTeacher`` returns: class logits,
    box regression and the feature maps, as float32 torch tensors."""

    def __init__(self, model: torch.nn.Module, input_size: int, threads: int) -> None:
        import onnxruntime as ort

        wrapped = _Outputs(model).eval()
        probe = torch.rand(2, 3, input_size, input_size, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            expected = wrapped(probe)
        self.output_names = ["cls_logits", "bbox_regression"] + [f"feature{i}" for i in range(len(expected) - 2)]
        buffer = io.BytesIO()
        with torch.no_grad():
            # The TorchScript-based exporter (dynamo=False) needs no extra packages; batch is dynamic.
            torch.onnx.export(wrapped, (probe,), buffer, opset_version=ONNX_OPSET, input_names=["images"],
                              output_names=self.output_names, dynamic_axes={"images": {0: "batch"}},
                              dynamo=False)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Training shares the cores with the student's own PyTorch threads: no busy-waiting between runs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])
        logits, regression, features = self(probe)
        worst = max((g - e).abs().max().item() for g, e in zip((logits, regression, *features), expected, strict=True))
        if worst > TOLERANCE:
            raise SystemExit(f"error: the teacher in ONNX Runtime differs from PyTorch by {worst:.3g} "
                             f"(more than {TOLERANCE}); run it with --teacher-runtime torch")
        self.probe_difference = worst

    def __call__(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        feed = np.ascontiguousarray(images.detach().float().numpy())
        logits, regression, *features = (torch.from_numpy(x) for x in
                                         self.session.run(self.output_names, {"images": feed}))
        return logits, regression, features
