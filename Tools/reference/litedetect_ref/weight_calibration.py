"""Rescales synthetic conv/linear weight ranges so activations keep their scale.

With random BatchNorm statistics nothing normalises activations, and residual
additions make them grow unit after unit (ShuffleNetV1 with plain He gains
reaches logits ~2e3). So, visiting conv/linear layers in the order the
forward pass first calls them, each weight's bound is rescaled so that the
layer's output *without its bias* has RMS 1 on the fixture input, given the
already-calibrated layers before it. Because ``W x`` is linear in the bound,
one forward pass per layer suffices. The resulting per-tensor ``gain`` is
``bound / sqrt(3 / fan_in)``; it is written into the fixture JSON as the
plain ``low``/``high`` bounds, so consumers never repeat this calibration.
"""

import torch
from torch import nn

from .synthetic_weights import SyntheticTensor, load_synthetic_tensor


def _layers_in_call_order(model: nn.Module, example_input: torch.Tensor) -> list[tuple[str, nn.Module]]:
    names = {module: name for name, module in model.named_modules()}
    order: list[tuple[str, nn.Module]] = []

    def record(module, inputs):
        if (names[module], module) not in order:
            order.append((names[module], module))

    hooks = [m.register_forward_pre_hook(record) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.no_grad():
            model(example_input)
    finally:
        for h in hooks:
            h.remove()
    return order


def _output_rms_without_bias(model: nn.Module, layer: nn.Module, example_input: torch.Tensor) -> float:
    captured: list[torch.Tensor] = []

    def capture(module, inputs, output):
        if not captured:
            captured.append(output.detach().clone())

    hook = layer.register_forward_hook(capture)
    try:
        with torch.no_grad():
            model(example_input)
    finally:
        hook.remove()
    output = captured[0]
    if layer.bias is not None:
        bias_shape = (1, -1) + (1,) * (output.dim() - 2)
        output = output - layer.bias.detach().view(bias_shape)
    return output.double().pow(2).mean().sqrt().item()


def calibrate_weight_ranges(
    model: nn.Module, tensors: list[SyntheticTensor], example_input: torch.Tensor
) -> list[SyntheticTensor]:
    """Returns ``tensors`` with conv/linear weight bounds rescaled (and loads
    them into ``model``, which must already hold ``tensors``)."""
    index = {t.name: i for i, t in enumerate(tensors)}
    result = list(tensors)
    for name, layer in _layers_in_call_order(model, example_input):
        weight_name = f"{name}.weight"
        rms = _output_rms_without_bias(model, layer, example_input)
        if not rms > 0:
            raise ValueError(f"cannot calibrate {weight_name}: its output is all zero on the example input")
        current = result[index[weight_name]]
        result[index[weight_name]] = current.with_bound(current.high / rms)
        load_synthetic_tensor(model, result[index[weight_name]])
    return result
