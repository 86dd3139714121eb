"""BatchNorm for training a trunk that has none (SqueezeNet), folded away before export.

torchvision's SqueezeNets have no BatchNorm: every convolution is followed by a ReLU alone. Their
COCO students underfit: on their own training pictures they score AP50 0.36-0.41 where the
students of every other backbone score 0.55-0.83 (``fit_gap.py``, session 23). Normalising each
convolution's output while training is the classic cure for a deep plain network that trains
slowly (Ioffe and Szegedy, 2015). At inference a BatchNorm with fixed statistics is an affine map
per channel, so it folds into the convolution before it; the exported student is then a plain
torchvision SqueezeNet again, and LiteDetect runs it unchanged (RepVGG, Ding et al. 2021, trains a
different structure than it deploys in the same way).

A norm inserted into an already trained trunk (a milestone) starts as the identity on one batch:
its scale and shift are that batch's standard deviation and mean of its convolution's output, so
the first step starts from the function the milestone computes, not from a re-scaled one.
"""

import torch
from torch import nn

NORM_EPS = 1e-5
NORM_MOMENTUM = 0.03
"""torchvision's BatchNorm2d epsilon; a momentum as slow as SSDLite's head (precise BN at export
replaces the running statistics anyway)."""


class NormalizedConv(nn.Module):
    """A trunk convolution followed by a training-time BatchNorm; ``fold_trunk_norms`` undoes it."""

    def __init__(self, conv: nn.Conv2d) -> None:
        super().__init__()
        self.conv = conv
        self.norm = nn.BatchNorm2d(conv.out_channels, eps=NORM_EPS, momentum=NORM_MOMENTUM)
        self.initialise_next = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        if self.initialise_next:
            self._become_identity_on(y)
        return self.norm(y)

    @torch.no_grad()
    def _become_identity_on(self, y: torch.Tensor) -> None:
        flat = y.detach().float().transpose(0, 1).reshape(y.shape[1], -1)
        # Training-mode BatchNorm divides by the biased deviation; with these the batch passes unchanged.
        self.norm.weight.copy_(torch.sqrt(flat.var(dim=1, unbiased=False) + self.norm.eps))
        self.norm.bias.copy_(flat.mean(dim=1))
        self.norm.running_mean.copy_(flat.mean(dim=1))
        self.norm.running_var.copy_(flat.var(dim=1, unbiased=True))
        self.initialise_next = False


def _trunk(model: nn.Module) -> list[nn.Module]:
    """The backbone's trunk children (everything but the SSDLite extras, which have BatchNorm)."""
    return [getattr(model.backbone, name) for name in model.backbone.trunk_names]


def _convs_in(modules: list[nn.Module], kind: type) -> list[tuple[nn.Module, str, nn.Module]]:
    found = []
    for module in modules:
        for parent in module.modules():
            found += [(parent, name, child) for name, child in parent.named_children() if isinstance(child, kind)]
    return found


def add_trunk_norms(model: nn.Module) -> int:
    """Puts a BatchNorm after every convolution of the detector's trunk; returns how many. Refuses a
    trunk that has BatchNorm already."""
    trunk = _trunk(model)
    if any(isinstance(m, nn.BatchNorm2d) for t in trunk for m in t.modules()):
        raise ValueError("the trunk has BatchNorm already; trunk norms are for plain trunks (SqueezeNet)")
    convs = _convs_in(trunk, nn.Conv2d)
    for parent, name, conv in convs:
        setattr(parent, name, NormalizedConv(conv))
    return len(convs)


@torch.no_grad()
def initialise_trunk_norms(model: nn.Module, images: torch.Tensor) -> None:
    """Makes every trunk norm the identity on ``images`` (a training batch), in training mode."""
    norms = [child for _, _, child in _convs_in(_trunk(model), NormalizedConv)]
    for norm in norms:
        norm.initialise_next = True
    was_training = model.training
    model.train()
    model.backbone(images)
    model.train(was_training)
    if any(norm.initialise_next for norm in norms):
        raise RuntimeError("a trunk norm was not reached by the forward pass")


@torch.no_grad()
def fold_trunk_norms(model: nn.Module) -> int:
    """Folds every trunk norm's running statistics and affine map into its convolution, leaving the
    plain convolutions with their own names (what the exporter and LiteDetect expect); returns how
    many were folded."""
    wrapped = _convs_in(_trunk(model), NormalizedConv)
    for parent, name, module in wrapped:
        conv, norm = module.conv, module.norm
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        bias = conv.bias if conv.bias is not None else torch.zeros_like(norm.running_mean)
        conv.weight.mul_(scale.reshape(-1, 1, 1, 1))
        conv.bias = nn.Parameter((bias - norm.running_mean) * scale + norm.bias)
        setattr(parent, name, conv)
    return len(wrapped)
