"""Dense distillation: a stronger detector teaches the student at every anchor.

The teacher labels (``labels.json``) give the student a few dozen matched anchors
per picture and a hard yes/no; everything else is background or mined negatives.
A stronger detector says, at every anchor of the *augmented* picture the student
sees, how likely each class is and where the box is: a dense, soft signal, as in
Hinton et al. (2015) for classifiers and Chen et al. (NeurIPS 2017, "Learning
Efficient Object Detection Models with Knowledge Distillation") for detectors.

Two teachers are possible (``train_student.py`` builds them):

* ``SoftmaxTeacher``: an SSDLite detector on the student's own classes (the
  bundled MobileNetV2 COCO student). Classification term: temperature-scaled
  KL(teacher || student) over the classes, summed over every anchor (Hinton et
  al. 2015's T^2 factor keeps its gradient size independent of T).
* ``SigmoidTeacher``: an imported TF Object Detection API SSD, the detector whose
  detections are the labels (``ssd300-mobilenetv2-coco``). It scores each of its
  classes with an independent sigmoid and sees 300x300, so the augmented
  320x320 picture is resized for it, and only its columns for the student's
  classes are computed. Classification term: for each of the student's classes,
  the binary KL between the teacher's sigmoid and the student's softmax
  probability of that class, summed over classes and anchors (T^2 as above).
  Those per-class probabilities are exactly the scores both detectors report and
  ``detect eval`` ranks, and a teacher score >= 0.5 is what makes a label. It
  misses most pasted cut-outs, whose labels are their pasted boxes, so it is not
  heard at anchors matched to a label: there the label alone teaches. Measured
  (session 18, Tools/train/README.md): it taught SqueezeNet 1.1 less than the
  SSDLite teacher did (held-out AP50 0.223 against 0.273 from 0.203).

Box term, both teachers: smooth-L1 from the student's regression to the
teacher's, weighted by the teacher's foreground probability (1 - background for
softmax, the largest of the student's classes for sigmoid), so it only pulls
where the teacher sees something. (Chen et al. instead only penalise a student
box worse than the teacher's; a direct target is simpler and the teacher here is
far better.) Both terms are divided by the multibox loss's normaliser (matched
anchors in the batch) so they sit on the same scale.

Where the two detectors' anchors differ (SqueezeNet's 19x19 and 9x9 maps against
the SSDLite teacher's 20x20 and 10x10; the TF SSD's 1917 anchors on 19x19 ... 1x1
maps), each student anchor learns from the teacher anchor it overlaps most; the
teacher's box is decoded there and re-encoded against the student's anchor, so
the box target is still exact.
"""

from typing import NamedTuple

import torch
import torch.nn.functional as F

from .augment import box_iou
from .loss import BOX_CODER_WEIGHTS


def _frozen(model: torch.nn.Module) -> torch.nn.Module:
    model = model.eval().to(memory_format=torch.channels_last)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


class SoftmaxTeacher:
    """An SSDLite detector (torchvision ``SSD`` with canonical keys) on the student's classes and input."""

    scores = "softmax"
    defers_to_labels = False
    """It learned the pasted cut-outs' labels itself, so it may speak at every anchor."""

    def __init__(self, model: torch.nn.Module, anchors: torch.Tensor, input_size: int) -> None:
        self.model = _frozen(model)
        self.anchors = anchors
        """xyxy pixels of the student's input, in output order."""
        self.input_size = input_size
        self.levels = self._levels(input_size)
        """Per feature map, ``(height, width, anchors per location)`` at ``input_size``, in output order."""
        self.runtime = None
        """``OnnxRuntimeForward`` once ``run_in_onnxruntime`` is called; PyTorch runs the forward until then."""

    def run_in_onnxruntime(self, threads: int) -> str:
        """Runs the forward pass in ONNX Runtime from now on (``student/onnx_teacher.py``: faster in
        float32); returns how far it strayed from PyTorch on the export's check."""
        from .onnx_teacher import OnnxRuntimeForward

        self.runtime = OnnxRuntimeForward(self.model, self.input_size, threads)
        return f"teacher in ONNX Runtime (within {self.runtime.probe_difference:.1g} of PyTorch on a probe)"

    def _levels(self, input_size: int) -> list[tuple[int, int, int]]:
        """The feature maps' grids. ``foreground_maps`` reads each level's anchors as ``[H, W, anchors]``;
        checked here against torchvision's own anchors: every anchor's centre must lie in the cell that
        reading gives it."""
        with torch.no_grad():
            features = list(self.model.backbone(torch.zeros(1, 3, input_size, input_size)).values())
        levels = [(feature.shape[-2], feature.shape[-1], anchors) for feature, anchors
                  in zip(features, self.model.anchor_generator.num_anchors_per_location())]
        sizes = [height * width * anchors for height, width, anchors in levels]
        if sum(sizes) != len(self.anchors):
            raise SystemExit(f"error: the teacher's feature maps hold {sum(sizes)} anchors, it has {len(self.anchors)}")
        for (height, width, anchors), level in zip(levels, self.anchors.split(sizes)):
            level = level.view(height, width, anchors, 4)
            centre_x = ((level[..., 0] + level[..., 2]) / 2 * width / input_size).floor()
            centre_y = ((level[..., 1] + level[..., 3]) / 2 * height / input_size).floor()
            rows, columns = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
            if not (torch.equal(centre_y, rows[..., None].float().expand_as(centre_y))
                    and torch.equal(centre_x, columns[..., None].float().expand_as(centre_x))):
                raise SystemExit("error: the teacher's anchors are not ordered location by location")
        return levels

    def __call__(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        """Class logits ``[N, A, classes + 1]``, ``BoxCoder((10, 10, 5, 5))`` regression ``[N, A, 4]`` and
        the feature maps the head read (for ``student/imitation.py``)."""
        if self.runtime is not None:
            return self.runtime(images)
        features = list(self.model.backbone(images).values())
        outputs = self.model.head(features)
        return outputs["cls_logits"], outputs["bbox_regression"], features

    def foreground_maps(self, logits: torch.Tensor) -> list[torch.Tensor]:
        """For each feature map, ``[N, 1, H, W]``: the teacher's highest foreground probability among
        the anchors at each location (torchvision's head orders a level's anchors location by location,
        each location's anchors together: checked by ``_levels``)."""
        foreground = 1 - F.softmax(logits, dim=-1)[..., 0]
        sizes = [height * width * anchors for height, width, anchors in self.levels]
        return [level.unflatten(1, (height, width, anchors)).amax(dim=-1).unsqueeze(1)
                for (height, width, anchors), level in zip(self.levels, foreground.split(sizes, dim=1))]


class SigmoidTeacher:
    """An imported TF OD API SSD (``litedetect_ref.tensorflow_ssd.TensorFlowSSD``), reduced to the
    student's classes."""

    scores = "sigmoid"
    defers_to_labels = True
    """It misses most pasted cut-outs (held-out AP50 0.329 on the composites, 1.000 on every other
    source), whose labels are their exact pasted boxes; where it speaks at an anchor matched to a
    label it would mostly contradict that label, so there the label alone teaches."""

    def __init__(self, model: torch.nn.Module, anchors_yxyx: torch.Tensor, input_size: tuple[int, int],
                 class_columns: list[int], student_size: int) -> None:
        """``anchors_yxyx``: normalised ``[ymin, xmin, ymax, xmax]`` in output order (the OD API's layout);
        ``class_columns``: the model's logit column for each of the student's classes, in order."""
        self.model = _frozen(_keep_class_columns(model, class_columns))
        self.input_size = input_size
        self.anchors = anchors_yxyx[:, [1, 0, 3, 2]].float() * student_size

    def __call__(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, None]:
        """Class logits ``[N, A, classes]`` (no background column) and regression ``[N, A, 4]`` in
        torchvision's ``(dx, dy, dw, dh)`` order (the OD API writes ``(ty, tx, th, tw)``; with the same
        (10, 10, 5, 5) scales the two codings are otherwise identical). No feature maps: its trunk is
        not one the students' feature maps can be compared with at the same picture size."""
        # The student's picture resized to what the teacher was trained on; both scale pixels to [-1, 1].
        resized = F.interpolate(images, size=self.input_size, mode="bilinear", align_corners=False)
        outputs = self.model(resized.contiguous(memory_format=torch.channels_last))
        return outputs["cls_logits"], outputs["bbox_regression"][..., [1, 0, 3, 2]], None


def _keep_class_columns(model: torch.nn.Module, columns: list[int]) -> torch.nn.Module:
    """Cuts an ``SSDHead``'s class predictors down to ``columns`` (the rest are never read: the
    students' 12 of its 91 columns are an eighth of the class predictors' work) and checks the cut
    model against the whole one."""
    head = model.head.classification_head
    total = head.num_columns
    probe = torch.randn(1, 3, 96, 96, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = model(probe)["cls_logits"][..., columns]
    for index, conv in enumerate(head.module_list):
        if not isinstance(conv, torch.nn.Conv2d):
            raise SystemExit("error: the distillation teacher's class predictors are not single convolutions")
        anchors = conv.out_channels // total
        rows = [a * total + c for a in range(anchors) for c in columns]
        cut = torch.nn.Conv2d(conv.in_channels, len(rows), conv.kernel_size, conv.stride, conv.padding)
        cut.weight.data.copy_(conv.weight.data[rows])
        cut.bias.data.copy_(conv.bias.data[rows])
        head.module_list[index] = cut
    head.num_columns = len(columns)
    with torch.no_grad():
        if not torch.allclose(model(probe)["cls_logits"], expected, rtol=0, atol=1e-5):
            raise SystemExit("error: cutting the teacher's class columns changed its outputs")
    return model


class TeacherTargets(NamedTuple):
    logits: torch.Tensor
    """``[N, A, C]`` on the student's anchors."""
    regression: torch.Tensor
    """``[N, A, 4]`` encoded against the student's anchors."""
    features: list[torch.Tensor] | None
    """The feature maps the teacher's head read (softmax teacher only), on the teacher's grid."""
    foreground: list[torch.Tensor] | None
    """Per feature map, ``[N, 1, H, W]``: the teacher's foreground probability there (softmax teacher only)."""


class DenseDistillation:
    def __init__(self, teacher: SoftmaxTeacher | SigmoidTeacher, student_anchors: torch.Tensor,
                 temperature: float = 1.0, precision: str = "bf16") -> None:
        from torchvision.models.detection import _utils as det_utils

        self.teacher = teacher
        self.coder = det_utils.BoxCoder(weights=BOX_CODER_WEIGHTS)
        self.temperature = temperature
        self.precision = precision
        self.student_anchors = student_anchors
        teacher_anchors = teacher.anchors
        same = teacher_anchors.shape == student_anchors.shape and torch.equal(teacher_anchors, student_anchors)
        # None: the anchors are the same, so the teacher's outputs are used as they are.
        self.nearest = None if same else box_iou(student_anchors, teacher_anchors).argmax(dim=1)

    def describe(self) -> str:
        kind = f"{self.teacher.scores} teacher"
        if self.nearest is None:
            return f"dense distillation ({kind}) at T={self.temperature} on the same {len(self.student_anchors)} anchors"
        overlap = box_iou(self.student_anchors, self.teacher.anchors).max(dim=1).values
        return (f"dense distillation ({kind}) at T={self.temperature}: {len(self.student_anchors)} student anchors "
                f"from {len(self.teacher.anchors)} teacher anchors (nearest IoU median {overlap.median():.2f}, "
                f"min {overlap.min():.2f})")

    @torch.no_grad()
    def targets(self, images: torch.Tensor) -> TeacherTargets:
        """What the teacher says about ``images``, its class logits and boxes on the student's anchors."""
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            logits, regression, features = self.teacher(images)
        logits, regression = logits.float(), regression.float()
        foreground = None
        if features is not None:
            features = [feature.float() for feature in features]
            foreground = self.teacher.foreground_maps(logits)
        if self.nearest is None:
            return TeacherTargets(logits, regression, features, foreground)
        logits, regression = logits[:, self.nearest], regression[:, self.nearest]
        count, anchors = regression.shape[:2]
        boxes = self.coder.decode_single(regression.reshape(-1, 4),
                                         self.teacher.anchors[self.nearest].repeat(count, 1))
        regression = self.coder.encode_single(boxes, self.student_anchors.repeat(count, 1)).view(count, anchors, 4)
        return TeacherTargets(logits, regression, features, foreground)

    def __call__(self, targets: TeacherTargets, regression: torch.Tensor, logits: torch.Tensor,
                 normaliser: float, matched: torch.Tensor) -> dict[str, torch.Tensor]:
        """The two distillation losses for the student's ``regression [N, A, 4]`` and ``logits [N, A, C]``
        against ``targets`` (``self.targets`` of the same images); ``matched [N, A]``: the anchors the
        multibox loss matched to a label."""
        teacher_logits, teacher_regression = targets.logits, targets.regression
        t = self.temperature
        if self.teacher.scores == "softmax":
            teacher_soft = F.softmax(teacher_logits / t, dim=-1)
            divergence = F.kl_div(F.log_softmax(logits / t, dim=-1), teacher_soft, reduction="none").sum(dim=-1)
            foreground = 1 - F.softmax(teacher_logits, dim=-1)[..., 0]
        else:
            divergence = binary_kl(torch.sigmoid(teacher_logits / t),
                                   F.log_softmax(logits / t, dim=-1)[..., 1:]).sum(dim=-1)
            foreground = torch.sigmoid(teacher_logits).max(dim=-1).values
        if self.teacher.defers_to_labels:
            speaks = (~matched).float()
            divergence, foreground = divergence * speaks, foreground * speaks
        class_loss = divergence.sum() * t * t / normaliser
        box = F.smooth_l1_loss(regression, teacher_regression, reduction="none").sum(dim=-1)
        box_loss = (foreground * box).sum() / normaliser
        return {"distill_classification": class_loss, "distill_box": box_loss}


def binary_kl(target: torch.Tensor, log_probability: torch.Tensor) -> torch.Tensor:
    """KL(Bernoulli(target) || Bernoulli(exp(log_probability))), elementwise; zero where they agree."""
    eps = 1e-6
    p = target.clamp(eps, 1 - eps)
    q_log = log_probability.clamp(max=float(torch.log(torch.tensor(1 - eps))))
    q_log_complement = torch.log1p(-q_log.exp())
    return p * (p.log() - q_log) + (1 - p) * ((1 - p).log() - q_log_complement)
