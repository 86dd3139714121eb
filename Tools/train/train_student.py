#!/usr/bin/env python3
"""Trains an SSDLite320 student on one backbone from teacher labels.

    python3 Tools/train/train_student.py --backbone mobilenetv3-small [--steps N]
        [--batch B] [--work DIR] [--runs DIR] [--imagenet mobilenet_v2-b0353104.pth]

Reads a data folder: ``.train-work`` (``prepare_data.py``: the person students'
vtest.avi frames) or ``.train-work/coco`` (``prepare_coco_data.py``: the COCO
students' footage, photos, wallpapers and cut-outs); ``student/datasets.py``
draws from either. Builds the same detector as
``Configs/models/ssdlite320-<backbone>.json`` with the data's classes plus
background (``litedetect_ref.ssdlite.build_ssdlite``), and trains it with the
SSDLite augmentation (``student/augment.py``) and SSD's multibox loss with
ignore regions (``student/loss.py``). AdamW, linear warm-up then cosine decay
over ``--steps``. With ``--distill-from`` a stronger detector (the bundled
MobileNetV2 COCO student) also teaches it at every anchor of every
augmented picture (``student/distill.py``); so can the teacher whose
detections are the labels, the imported TF SSD ``ssd300-mobilenetv2-coco``.
With ``--imitate-weight`` as well, the SSDLite teacher's feature maps teach the
student's near objects (``student/imitation.py``). In float32 runs ONNX Runtime
runs the SSDLite teacher's forward pass (``student/onnx_teacher.py``).
``--mixup`` blends a share of the samples in pairs (``student/mixup.py``);
``--zoom`` crops a share of them around one object that fills the crop
(``student/augment.py``);
``--trunk-norm`` trains a SqueezeNet with BatchNorm, folded away at export
(``student/trunk_norm.py``).

Resumable: ``RUNS/<backbone>/checkpoint.pt`` is written every
``--checkpoint-every`` steps (to a temporary file, then renamed) and a rerun
with the same arguments continues from it. ``RUNS/<backbone>/log.csv`` has the
losses. The final weights are ``RUNS/<backbone>/final.pt`` (canonical keys;
export with ``export_student.py``).
"""

import argparse
import csv
import json
import os
import random
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "reference"))

from litedetect_ref.ssdlite import build_ssdlite  # noqa: E402
from student.augment import augment  # noqa: E402
from student.configs import config_of_weights  # noqa: E402
from student.datasets import open_dataset  # noqa: E402
from litedetect_ref.tensorflow_ssd import build_tensorflow_ssd, tensorflow_anchors  # noqa: E402
from student.distill import DenseDistillation, SigmoidTeacher, SoftmaxTeacher  # noqa: E402
from student.imitation import FeatureImitation  # noqa: E402
from student.loss import BOX_CODER_WEIGHTS, MultiboxLoss  # noqa: E402
from student.mixup import mixup  # noqa: E402
from student.trunk_norm import add_trunk_norms, initialise_trunk_norms  # noqa: E402

IMAGE_SIZE = 320


def model_config(backbone: str) -> dict:
    with open(os.path.join(HERE, "..", "..", "Configs", "models", f"ssdlite320-{backbone}.json")) as file:
        return json.load(file)


def backbone_options(config: dict) -> dict:
    return {k: v for k, v in config["backbone"].items() if k != "name"}


def anchors_of(model) -> torch.Tensor:
    """The detector's anchors (xyxy pixels at IMAGE_SIZE), in head output order."""
    from torchvision.models.detection.image_list import ImageList

    images = torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE)
    model.eval()
    with torch.no_grad():
        features = list(model.backbone(images).values())
    return model.anchor_generator(ImageList(images, [(IMAGE_SIZE, IMAGE_SIZE)]), features)[0]


def load_imagenet_backbone(model, path: str) -> int:
    """Copies an ImageNet classifier checkpoint's trunk into ``model.backbone``; returns tensors copied."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    trunk = {k: v for k, v in checkpoint.items() if not k.startswith(("classifier.", "fc."))}
    result = model.backbone.load_state_dict(trunk, strict=False)
    if result.unexpected_keys or any(not k.startswith("extra.") for k in result.missing_keys):
        raise SystemExit(f"error: {path} does not fit the backbone: missing {result.missing_keys[:5]}, "
                         f"unexpected {result.unexpected_keys[:5]}")
    return len(trunk)


def load_bundled_weights(model, path: str, student_config: dict) -> int:
    """Copies a bundled model's weights (``Configs/weights/*.safetensors``, our canonical names) into
    the student where names and shapes fit; returns tensors copied.

    From a real detector that is its trunk and extra layers (the COCO model's extras fit, its plain
    3x3 head does not: the students' head is SSDLite's); from a student's own export, everything,
    so training continues from a committed milestone. A convolution whose BatchNorm was folded into
    a bias (Caffe's MobileNet-SSD) gives its student twin an identity BatchNorm carrying that bias.
    Both models scale pixels to [-1, 1]; where their channel orders differ (Caffe's BGR, our RGB),
    the first convolution's input channels are reversed."""
    from safetensors.torch import load_file

    source = load_file(path)
    source_order = config_of_weights(path)["input"]["channel_order"]
    stem = "backbone.features.0.0.weight"
    if source_order != student_config["input"]["channel_order"] and stem in source:
        source[stem] = source[stem].flip(1)
        print(f"{stem}: input channels reversed ({source_order} -> {student_config['input']['channel_order']})", flush=True)
    target = model.state_dict()
    modules = dict(model.named_modules())
    updates, skipped = {}, 0
    for name, tensor in source.items():
        if name in target and target[name].shape == tensor.shape:
            updates[name] = tensor.float()
        elif name.endswith(".0.bias") and name[:-len("0.bias")] + "1.running_var" in target:
            norm = name[:-len("0.bias")] + "1."
            if target[norm + "bias"].shape != tensor.shape:
                skipped += 1
                continue
            eps = modules[norm[:-1]].eps
            updates[norm + "bias"] = tensor.float()
            updates[norm + "weight"] = torch.ones_like(tensor, dtype=torch.float32)
            updates[norm + "running_mean"] = torch.zeros_like(tensor, dtype=torch.float32)
            updates[norm + "running_var"] = torch.full_like(tensor, 1 - eps, dtype=torch.float32)
        else:
            skipped += 1
    missing = [k for k in target if k not in updates and not k.endswith("num_batches_tracked")]
    model.load_state_dict(updates, strict=False)
    print(f"weights from {path}: {len(updates)} tensors copied, {skipped} skipped, "
          f"{len(missing)} of the student's left as initialised (e.g. {missing[:3]})", flush=True)
    return len(updates)


def open_teacher(path: str, student_config: dict, dataset, student_anchors: torch.Tensor, temperature: float,
                 precision: str) -> DenseDistillation:
    """The distillation teacher: an SSDLite detector on the same classes and input as the student, or an
    imported TF SSD (sigmoid scores) whose classes include the student's and whose pixels scale the same."""
    teacher_config = config_of_weights(path)
    if teacher_config.get("scores") == "sigmoid":
        teacher = open_tensorflow_teacher(path, teacher_config, student_config, dataset.class_ids, dataset.labels)
        return DenseDistillation(teacher, student_anchors, temperature, precision)
    if teacher_config["network"].get("head") != "ssdlite":
        raise SystemExit(f"error: {path}: the distillation teacher must be an SSDLite detector or an imported TF SSD")
    if teacher_config["input"] != student_config["input"]:
        raise SystemExit(f"error: {path} preprocesses its input otherwise than the student: "
                         f"{teacher_config['input']} against {student_config['input']}")
    if tuple(teacher_config.get("class_ids", ())[1:]) != tuple(dataset.class_ids):
        raise SystemExit(f"error: {path} detects classes {teacher_config.get('class_ids')}, "
                         f"the data has {list(dataset.class_ids)}")
    teacher = build_ssdlite(teacher_config["backbone"]["name"], backbone_options(teacher_config),
                            len(dataset.class_ids) + 1, IMAGE_SIZE)
    if load_bundled_weights(teacher, path, student_config) != len(teacher.state_dict()) - sum(
            k.endswith("num_batches_tracked") for k in teacher.state_dict()):
        raise SystemExit(f"error: {path} does not fill the teacher it describes")
    return DenseDistillation(SoftmaxTeacher(teacher, anchors_of(teacher), IMAGE_SIZE), student_anchors, temperature,
                             precision)


def open_tensorflow_teacher(path: str, teacher_config: dict, student_config: dict, class_ids: tuple[int, ...],
                            labels: tuple[str, ...]) -> SigmoidTeacher:
    """An imported TF OD API SSD (``detect import``) for a student of ``class_ids`` (COCO ids) named
    ``labels``. ``litedetect_ref.tensorflow_ssd`` rebuilds it; ``check_distill_teacher.py`` proves the
    targets it gives against TF's own outputs."""
    from safetensors.torch import load_file

    student_input, teacher_input = student_config["input"], teacher_config["input"]
    # Both must map a pixel value to the same network input: the student by (x / 255 - mean) / std,
    # the TF model by x * scale + offset.
    for x in (0.0, 255.0):
        for mean, std in zip(student_input["mean"], student_input["std"]):
            if abs((x / 255 - mean) / std - (x * teacher_input["scale"] + teacher_input["offset"])) > 1e-5:
                raise SystemExit(f"error: {path} scales pixels otherwise than the student: "
                                 f"{teacher_input} against {student_input}")
    if teacher_input["channel_order"] != student_input["channel_order"]:
        raise SystemExit(f"error: {path} reads {teacher_input['channel_order']}, the student "
                         f"{student_input['channel_order']}")
    if tuple(teacher_config["box_coder"]["weights"]) != BOX_CODER_WEIGHTS:
        raise SystemExit(f"error: {path} codes boxes with {teacher_config['box_coder']['weights']}, "
                         f"the student with {BOX_CODER_WEIGHTS}")
    teacher_labels = teacher_config["labels"]
    for class_id, label in zip(class_ids, labels, strict=True):
        if not 0 < class_id < len(teacher_labels) or teacher_labels[class_id] != label:
            raise SystemExit(f"error: {path} has no class {class_id} {label!r} (its labels: {teacher_labels[:5]}...)")
    model = build_tensorflow_ssd(teacher_config, load_file(path))
    anchors = torch.from_numpy(tensorflow_anchors(model, teacher_config))
    return SigmoidTeacher(model, anchors, (teacher_input["height"], teacher_input["width"]),
                          list(class_ids), IMAGE_SIZE)


def learning_rate(step: int, steps: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * 0.5 * (1 + np.cos(np.pi * progress))


def save_atomically(payload: dict, path: str) -> None:
    temporary = path + ".tmp"
    torch.save(payload, temporary)
    os.replace(temporary, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backbone", required=True)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3, help="peak AdamW learning rate")
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--warmup", type=int, default=100, help="warm-up steps")
    parser.add_argument("--precision", choices=("bf16", "fp32"), default="bf16",
                        help="bf16 autocast (weights and optimizer stay float32): 1.2-2.4x faster on CPUs with "
                             "AVX-512 BF16; fp32 where bf16 is not faster (mobilenetv3-small here)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint-every", type=int, default=50)
    parser.add_argument("--work", default=".train-work", help="data folder (.train-work/coco for the COCO students)")
    parser.add_argument("--runs", help="where runs go (default: WORK/runs)")
    parser.add_argument("--imagenet", help="ImageNet classifier checkpoint to start the backbone from")
    parser.add_argument("--init-from", help="a bundled model's weights (Configs/weights/*.safetensors) to start from "
                                            "where they fit: a real detector's trunk and extras, or a student's own "
                                            "export to continue its training")
    parser.add_argument("--distill-from", help="a stronger detector's weights (*.safetensors with its config beside it "
                                               "or in Configs/models) to distil from at every anchor: an SSDLite "
                                               "detector on the same classes (what the kept students learned from), or "
                                               "the imported TF SSD (ssd300-mobilenetv2-coco, whose detections are "
                                               "the labels; it taught less in session 18's A/B)")
    parser.add_argument("--distill-temperature", type=float, default=1.0,
                        help="softmax temperature of the class distillation (1: the probabilities as they are)")
    parser.add_argument("--distill-weight", type=float, default=1.0,
                        help="the distillation losses' weight against the multibox loss")
    parser.add_argument("--imitate-weight", type=float, default=0.0,
                        help="with an SSDLite --distill-from: weight of feature imitation (student/imitation.py), "
                             "the student's six feature maps taught the teacher's near objects; 0: off")
    parser.add_argument("--mixup", type=float, default=0.0,
                        help="share of a batch's samples that are two augmented pictures blended, with both "
                             "pictures' boxes (student/mixup.py); 0: off")
    parser.add_argument("--zoom", type=float, default=0.0,
                        help="share of the samples with objects cropped around one of them, which then fills "
                             "half to all of the picture's width or height (student/augment.py: close-ups the IoU "
                             "crop rarely makes of the footage's people); 0: off")
    parser.add_argument("--trunk-norm", action="store_true",
                        help="train with a BatchNorm after every trunk convolution of a backbone that has none "
                             "(SqueezeNet), folded into the convolutions at export (student/trunk_norm.py)")
    parser.add_argument("--teacher-runtime", choices=("torch", "onnxruntime"),
                        help="what runs the SSDLite --distill-from teacher's forward pass; default: onnxruntime with "
                             "--precision fp32 (a batch in 1.1 s against PyTorch's 3.0 on one Zen 3 thread; "
                             "student/onnx_teacher.py), torch with bf16 (the teacher in bf16 autocast, as the "
                             "students before session 22 learned)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    args.runs = args.runs or os.path.join(args.work, "runs")
    run_dir = os.path.join(args.runs, args.backbone)
    os.makedirs(run_dir, exist_ok=True)
    checkpoint_path = os.path.join(run_dir, "checkpoint.pt")
    # How a run computes (threads, precision, the teacher's runtime) may change when it resumes; what it learns may not.
    settings = {k: v for k, v in vars(args).items()
                if k not in ("threads", "checkpoint_every", "precision", "teacher_runtime")}
    if args.distill_from is None:
        # Runs without distillation keep the settings they always had, so their checkpoints resume.
        settings = {k: v for k, v in settings.items() if not k.startswith("distill")}
    if args.imitate_weight < 0:
        raise SystemExit(f"error: --imitate-weight {args.imitate_weight}: a weight is 0 (off) or more")
    if args.imitate_weight == 0:
        settings.pop("imitate_weight")
    elif args.distill_from is None:
        raise SystemExit("error: --imitate-weight needs a teacher (--distill-from)")
    if not 0 <= args.mixup <= 1:
        raise SystemExit(f"error: --mixup {args.mixup}: a share of the batch, from 0 (off) to 1")
    if args.mixup == 0:
        settings.pop("mixup")  # so the runs before --mixup existed resume
    if not 0 <= args.zoom <= 1:
        raise SystemExit(f"error: --zoom {args.zoom}: a share of the samples, from 0 (off) to 1")
    if args.zoom == 0:
        settings.pop("zoom")  # likewise
    if not args.trunk_norm:
        settings.pop("trunk_norm")  # likewise
    if args.teacher_runtime and args.distill_from is None:
        raise SystemExit("error: --teacher-runtime needs a teacher (--distill-from)")

    config = model_config(args.backbone)
    torch.manual_seed(args.seed)
    dataset = open_dataset(args.work)
    num_classes = len(dataset.class_ids) + 1
    model = build_ssdlite(args.backbone, backbone_options(config), num_classes, IMAGE_SIZE)
    resuming = os.path.exists(checkpoint_path)
    if not resuming and args.imagenet:
        print(f"backbone from {args.imagenet}: {load_imagenet_backbone(model, args.imagenet)} tensors", flush=True)
    elif not resuming and args.init_from:
        load_bundled_weights(model, args.init_from, config)
    if args.trunk_norm:
        try:
            print(f"trunk norms: {add_trunk_norms(model)} BatchNorms after the trunk's convolutions", flush=True)
        except ValueError as error:
            raise SystemExit(f"error: --trunk-norm on {args.backbone}: {error}")
        if not resuming:
            # Drawn from a generator of their own, so the training batches are those of the same run without norms.
            first = random.Random(args.seed + 1)
            images = torch.stack([augment(*dataset.draw(first), IMAGE_SIZE, first)[0] for _ in range(args.batch)])
            initialise_trunk_norms(model, images)
    anchors = anchors_of(model)
    loss_of = MultiboxLoss(anchors)
    distill = None
    if args.distill_from:
        distill = open_teacher(args.distill_from, config, dataset, anchors, args.distill_temperature, args.precision)
        softmax = distill.teacher.scores == "softmax"
        runtime = args.teacher_runtime or ("onnxruntime" if args.precision == "fp32" and softmax else "torch")
        if runtime == "onnxruntime":
            if not softmax:
                raise SystemExit("error: --teacher-runtime onnxruntime runs an SSDLite teacher; the imported TF SSD "
                                 "runs in PyTorch (--teacher-runtime torch)")
            print(distill.teacher.run_in_onnxruntime(args.threads), flush=True)
    imitation = None
    if args.imitate_weight:
        if distill.teacher.scores != "softmax":
            raise SystemExit("error: --imitate-weight needs an SSDLite teacher; the imported TF SSD's feature maps "
                             "are not on the students' grid")
        imitation = FeatureImitation(model.backbone.level_channels, distill.teacher.model.backbone.level_channels,
                                     args.seed).to(memory_format=torch.channels_last)
    trained = list(model.parameters()) + (list(imitation.parameters()) if imitation else [])
    optimizer = torch.optim.AdamW(trained, lr=args.lr, weight_decay=args.weight_decay)
    rng = random.Random(args.seed)
    step = 0
    if resuming:
        state = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
        if state["settings"] != settings:
            raise SystemExit(f"error: {checkpoint_path} was made with {state['settings']}, not {settings}; "
                             "use the same arguments or another --runs folder")
        model.load_state_dict(state["model"])
        if imitation:
            imitation.load_state_dict(state["imitation"])
        optimizer.load_state_dict(state["optimizer"])
        rng.setstate(state["python_rng"])
        torch.set_rng_state(state["torch_rng"])
        step = state["step"]
        print(f"resuming {args.backbone} at step {step}/{args.steps}", flush=True)

    params = sum(p.numel() for p in model.parameters())
    print(f"{args.backbone}: {params / 1e6:.2f} M parameters, {len(anchors)} anchors, {num_classes - 1} classes, "
          f"{dataset.describe()}, batch {args.batch}, {args.steps} steps", flush=True)
    if distill:
        print(f"{distill.describe()}, weight {args.distill_weight}, from {args.distill_from}", flush=True)
    if imitation:
        print(f"{imitation.describe()}, weight {args.imitate_weight}", flush=True)

    log_path = os.path.join(run_dir, "log.csv")
    new_log = not os.path.exists(log_path) or step == 0
    log_file = open(log_path, "w" if new_log else "a", newline="")
    log = csv.writer(log_file)
    if new_log:
        log.writerow(["step", "lr", "loss", "classification", "box", "seconds"]
                     + (["distill_classification", "distill_box"] if distill else [])
                     + (["imitation"] if imitation else []))
    # channels_last: oneDNN's fast convolution layout on CPU (1.4x here, fp32 and bf16).
    model = model.to(memory_format=torch.channels_last)
    model.train()
    started = time.monotonic()
    first_step = step
    while step < args.steps:
        lr = learning_rate(step, args.steps, args.lr, args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr
        samples = [augment(*dataset.draw(rng), IMAGE_SIZE, rng, args.zoom) for _ in range(args.batch)]
        if args.mixup:  # no draw at all when off: the runs before --mixup see the same batches when they resume
            samples = [mixup(s, augment(*dataset.draw(rng), IMAGE_SIZE, rng, args.zoom), rng)
                       if rng.random() < args.mixup else s
                       for s in samples]
        images = torch.stack([s[0] for s in samples]).contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            features = list(model.backbone(images).values())
            outputs = model.head(features)
        losses = loss_of(outputs["bbox_regression"].float(), outputs["cls_logits"].float(),
                         [s[1] for s in samples], [s[2] for s in samples])
        loss = losses["classification"] + losses["box"]
        if distill:
            targets = distill.targets(images)
            losses.update(distill(targets, outputs["bbox_regression"].float(), outputs["cls_logits"].float(),
                                  losses["normaliser"], losses["matched"]))
            loss = loss + args.distill_weight * (losses["distill_classification"] + losses["distill_box"])
        if imitation:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
                losses["imitation"] = imitation(features, targets.features, targets.foreground)
            loss = loss + args.imitate_weight * losses["imitation"]
        if not torch.isfinite(loss):
            raise SystemExit(f"error: loss became {loss.item()} at step {step}")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 10.0)
        optimizer.step()
        step += 1
        elapsed = time.monotonic() - started
        distilled = [losses["distill_classification"].item(), losses["distill_box"].item()] if distill else []
        distilled += [losses["imitation"].item()] if imitation else []
        log.writerow([step, f"{lr:.6g}", f"{loss.item():.5f}", f"{losses['classification'].item():.5f}",
                      f"{losses['box'].item():.5f}", f"{elapsed:.1f}"] + [f"{x:.5f}" for x in distilled])
        if step % 20 == 0 or step == args.steps:
            rate = (step - first_step) / elapsed
            teacher = f" distil cls {distilled[0]:.3f} box {distilled[1]:.3f}" if distill else ""
            teacher += f" imitation {distilled[2]:.3f}" if imitation else ""
            print(f"step {step}/{args.steps} loss {loss.item():.3f} (cls {losses['classification'].item():.3f} "
                  f"box {losses['box'].item():.3f}{teacher}) lr {lr:.2e} {rate * args.batch:.1f} img/s "
                  f"eta {(args.steps - step) / rate / 60:.1f} min", flush=True)
        if step % args.checkpoint_every == 0 or step == args.steps:
            log_file.flush()
            save_atomically({"settings": settings, "step": step, "model": model.state_dict(),
                             **({"imitation": imitation.state_dict()} if imitation else {}),
                             "optimizer": optimizer.state_dict(), "python_rng": rng.getstate(),
                             "torch_rng": torch.get_rng_state()}, checkpoint_path)
    log_file.close()
    model.eval()
    save_atomically({"backbone": args.backbone, "options": backbone_options(config), "num_classes": num_classes,
                    "class_ids": list(dataset.class_ids), "labels": list(dataset.labels),
                     "settings": settings, "state_dict": model.state_dict()}, os.path.join(run_dir, "final.pt"))
    print(f"wrote {os.path.join(run_dir, 'final.pt')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
