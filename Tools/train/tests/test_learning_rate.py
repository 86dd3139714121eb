"""``train_student.learning_rate`` against PyTorch's schedulers: linear warm-up, then cosine to zero."""

import unittest

import torch

import train_student


class LearningRateTests(unittest.TestCase):
    def test_it_is_linear_warmup_then_cosine_annealing(self) -> None:
        peak, steps, warmup = 7e-4, 120, 30
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=peak)
        schedule = torch.optim.lr_scheduler.SequentialLR(optimizer, [
            torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1 / warmup, end_factor=1.0,
                                              total_iters=warmup - 1),
            torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps - warmup, eta_min=0.0),
        ], milestones=[warmup])
        for step in range(steps + 1):
            self.assertAlmostEqual(train_student.learning_rate(step, steps, peak, warmup),
                                   optimizer.param_groups[0]["lr"], delta=peak * 1e-9, msg=f"step {step}")
            optimizer.step()
            schedule.step()


if __name__ == "__main__":
    unittest.main()
