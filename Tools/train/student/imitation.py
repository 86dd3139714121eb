"""Feature imitation: the student's feature maps learn to hold what the teacher's hold near objects.

Dense distillation (``student/distill.py``) tells the student, at every anchor, what
the teacher concluded. A student trained from scratch must also learn *how* to
see, and the teacher's feature maps (the six maps its SSDLite head reads) carry
that at every location. Romero et al. (ICLR 2015, "FitNets") make a student's
intermediate layer predict the teacher's through a small trained adapter; Wang et
al. (CVPR 2019, "Distilling Object Detectors with Fine-grained Feature
Imitation") show that for detectors imitating everywhere drowns the signal in
background, and imitate only near objects.

Here, for each of the six maps: a 1x1 convolution (the adapter, trained with the
student and dropped at export) maps the student's channels to the teacher's, and
the squared error to the teacher's map, averaged over channels, is weighted at
each location by the teacher's highest foreground probability among the anchors
there (Wang et al. use the ground truth's anchor overlaps instead; the teacher's
own confidence also covers what the labels miss) and divided by the weights' sum
(at least 1, so a batch where the teacher sees almost nothing is not scaled up).
The six levels' losses are averaged. Where the grids differ (SqueezeNet's 19x19
and 9x9 against 20x20 and 10x10) the teacher's maps and weights are resized to
the student's grid (bilinear).
"""

import torch
import torch.nn.functional as F


class FeatureImitation(torch.nn.Module):
    def __init__(self, student_channels: list[int], teacher_channels: list[int], seed: int = 0) -> None:
        super().__init__()
        if len(student_channels) != len(teacher_channels):
            raise SystemExit(f"error: the student has {len(student_channels)} feature maps, "
                             f"the teacher {len(teacher_channels)}")
        # A generator of its own, so adding the adapters leaves every other random draw (and so the
        # batches) as a run without them has them.
        generator = torch.Generator().manual_seed(seed)
        self.adapters = torch.nn.ModuleList()
        for cs, ct in zip(student_channels, teacher_channels):
            adapter = torch.nn.Conv2d(cs, ct, 1)
            bound = 1 / cs ** 0.5
            with torch.no_grad():
                adapter.weight.uniform_(-bound, bound, generator=generator)
                adapter.bias.zero_()
            self.adapters.append(adapter)

    def describe(self) -> str:
        pairs = ", ".join(f"{a.in_channels}->{a.out_channels}" for a in self.adapters)
        return f"feature imitation on {len(self.adapters)} maps (1x1 adapters {pairs})"

    def forward(self, student_features: list[torch.Tensor], teacher_features: list[torch.Tensor],
                foreground: list[torch.Tensor]) -> torch.Tensor:
        """The imitation loss for the student's maps ``[N, Cs, H, W]`` against the teacher's
        ``[N, Ct, H', W']`` and its foreground weights ``[N, 1, H', W']``."""
        losses = []
        for adapter, student, teacher, weight in zip(self.adapters, student_features, teacher_features, foreground):
            size = student.shape[-2:]
            if teacher.shape[-2:] != size:
                teacher = F.interpolate(teacher, size=size, mode="bilinear", align_corners=False)
                weight = F.interpolate(weight, size=size, mode="bilinear", align_corners=False)
            error = (adapter(student).float() - teacher).pow(2).mean(dim=1, keepdim=True)
            losses.append((weight * error).sum() / weight.sum().clamp(min=1.0))
        return torch.stack(losses).mean()
