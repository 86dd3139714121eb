"""The distillation teacher in ONNX Runtime (``student/onnx_teacher.py``) against PyTorch running it."""

import os
import types
import unittest

import torch

import train_student
from student.coco_sources import CLASSES
from student.distill import DenseDistillation

TEACHER = os.path.join(train_student.HERE, "..", "..", "Configs", "weights", "ssdlite320-mobilenetv2-coco.safetensors")


def bundled_teacher() -> DenseDistillation:
    """The teacher the students learn from: the bundled MobileNetV2 COCO student, as ``train_student.py``
    opens it for a MobileNetV2 student (same anchors)."""
    config = train_student.model_config("mobilenetv2")
    model = train_student.build_ssdlite("mobilenetv2", train_student.backbone_options(config), len(CLASSES) + 1,
                                        train_student.IMAGE_SIZE)
    data = types.SimpleNamespace(class_ids=tuple(CLASSES))
    return train_student.open_teacher(TEACHER, config, data, train_student.anchors_of(model), 1.0, "fp32")


class OnnxTeacherTests(unittest.TestCase):
    def test_targets_match_pytorch_at_another_batch_size_than_the_export(self) -> None:
        distill = bundled_teacher()
        images = torch.rand(3, 3, 320, 320, generator=torch.Generator().manual_seed(4))
        images = images.contiguous(memory_format=torch.channels_last)  # as the training loop feeds it
        with torch.no_grad():
            expected = distill.targets(images)
        distill.teacher.run_in_onnxruntime(threads=1)
        got = distill.targets(images)
        torch.testing.assert_close(got.logits, expected.logits, rtol=0, atol=1e-3)
        torch.testing.assert_close(got.regression, expected.regression, rtol=0, atol=1e-3)
        self.assertEqual(len(got.features), 6)
        for ours, theirs in zip(got.features, expected.features, strict=True):
            torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-3)
        for ours, theirs in zip(got.foreground, expected.foreground, strict=True):
            torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-4)
        # Control: the pictures give different outputs (a network that ignored its input would pass the above).
        self.assertGreater((expected.logits[0] - expected.logits[1]).abs().max().item(), 0.1)


if __name__ == "__main__":
    unittest.main()
