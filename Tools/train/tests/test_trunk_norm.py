"""``student.trunk_norm``: the folded plain SqueezeNet computes what PyTorch's conv + BatchNorm
computed, and an inserted norm starts as the identity on its batch."""

import unittest

import torch
from torch import nn

import train_student  # imports torchvision as the reference code does
import torchvision
from torchvision.models.squeezenet import Fire
from student.coco_sources import CLASSES
from student.trunk_norm import add_trunk_norms, fold_trunk_norms, initialise_trunk_norms


def detector(backbone: str) -> nn.Module:
    torch.manual_seed(0)
    config = train_student.model_config(backbone)
    return train_student.build_ssdlite(backbone, train_student.backbone_options(config), len(CLASSES) + 1,
                                       train_student.IMAGE_SIZE)


def features(model: nn.Module, images: torch.Tensor) -> list[torch.Tensor]:
    with torch.no_grad():
        return list(model.backbone(images).values())


class TrunkNormTests(unittest.TestCase):
    def setUp(self) -> None:
        self.images = torch.randn(4, 3, 160, 160, generator=torch.Generator().manual_seed(1))

    def test_folding_keeps_what_conv_and_batch_norm_compute(self) -> None:
        model = detector("squeezenet1.1")
        plain_keys = set(model.state_dict())
        # torchvision's own modules say how many convolutions the trunk has: SqueezeNet 1.1's features
        # (a stem and 8 Fire modules) and the one Fire of the stride-32 stage.
        convolutions = sum(isinstance(m, nn.Conv2d) for m in [*torchvision.models.squeezenet1_1().features.modules(),
                                                             *Fire(512, 64, 256, 256).modules()])
        self.assertEqual(add_trunk_norms(model), convolutions)
        generator = torch.Generator().manual_seed(2)
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):  # statistics and affine maps far from the identity
                module.running_mean.copy_(torch.randn(module.num_features, generator=generator))
                module.running_var.copy_(torch.rand(module.num_features, generator=generator) * 3 + 0.1)
                module.weight.data.copy_(torch.randn(module.num_features, generator=generator))
                module.bias.data.copy_(torch.randn(module.num_features, generator=generator))
        model.eval()
        expected = features(model, self.images)
        self.assertEqual(fold_trunk_norms(model), convolutions)
        self.assertEqual(set(model.state_dict()), plain_keys)
        self.assertFalse(any(isinstance(m, nn.BatchNorm2d) for name in model.backbone.trunk_names
                             for m in getattr(model.backbone, name).modules()))
        for want, got in zip(expected, features(model, self.images), strict=True):
            torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4 * want.abs().max().item())

    def test_an_inserted_norm_starts_as_the_identity_on_its_batch(self) -> None:
        model = detector("squeezenet1.0")
        model.train()
        before = features(model, self.images)
        add_trunk_norms(model)
        initialise_trunk_norms(model, self.images)
        model.train()
        after = features(model, self.images)
        for want, got in zip(before, after, strict=True):
            torch.testing.assert_close(got, want, rtol=1e-3, atol=1e-3 * want.abs().max().item())
        # Control: on a batch of another scale the norms do normalise, so the two networks differ.
        other = torch.randn(4, 3, 160, 160, generator=torch.Generator().manual_seed(3)) * 3
        plain = detector("squeezenet1.0").train()
        self.assertFalse(torch.allclose(features(model, other)[0], features(plain, other)[0], atol=1e-3))

    def test_a_trunk_with_batch_norm_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            add_trunk_norms(detector("mobilenetv2"))


if __name__ == "__main__":
    unittest.main()
