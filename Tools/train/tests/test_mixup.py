"""``student.mixup``: a convex blend of two samples with one weight near 1/2, and every box of both."""

import random
import statistics
import unittest

import torch

from student.mixup import BLEND_BETA, mixup


def sample(seed: int, boxes: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    image = torch.rand(3, 32, 32, generator=generator) * 2 - 1
    rows = torch.rand(boxes, 5, generator=generator) * 30
    return image, rows, rows[:1].clone()


class MixupTests(unittest.TestCase):
    def test_the_blend_is_one_convex_weight_over_every_pixel(self) -> None:
        first, second = sample(1, 2), sample(2, 3)
        image, _, _ = mixup(first, second, random.Random(0))
        # image = w * a + (1 - w) * b for a single w: solve for it at every pixel.
        weights = (image - second[0]) / (first[0] - second[0])
        usable = (first[0] - second[0]).abs() > 0.1
        self.assertLess(weights[usable].std().item(), 1e-4)
        self.assertTrue(0 < weights[usable].mean().item() < 1)

    def test_the_weights_follow_beta_32_32(self) -> None:
        # Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)).
        rng = random.Random(3)
        ones, zeros = (torch.ones(3, 4, 4), torch.zeros(0, 5), torch.zeros(0, 5)), \
            (torch.zeros(3, 4, 4), torch.zeros(0, 5), torch.zeros(0, 5))
        weights = [mixup(ones, zeros, rng)[0][0, 0, 0].item() for _ in range(4000)]
        self.assertAlmostEqual(statistics.fmean(weights), 0.5, delta=0.005)
        self.assertAlmostEqual(statistics.pvariance(weights), 1 / (4 * (2 * BLEND_BETA + 1)), delta=4e-4)

    def test_both_samples_boxes_and_ignore_regions_are_kept(self) -> None:
        first, second = sample(4, 2), sample(5, 3)
        _, boxes, ignore = mixup(first, second, random.Random(0))
        self.assertTrue(torch.equal(boxes, torch.cat([first[1], second[1]])))
        self.assertTrue(torch.equal(ignore, torch.cat([first[2], second[2]])))

    def test_samples_of_different_sizes_are_refused(self) -> None:
        small = (torch.zeros(3, 16, 16), torch.zeros(0, 5), torch.zeros(0, 5))
        with self.assertRaises(ValueError):
            mixup(sample(6, 1), small, random.Random(0))


if __name__ == "__main__":
    unittest.main()
