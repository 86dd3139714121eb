#!/usr/bin/env python3
"""Measures the COCO students: accuracy (``detect eval``), the sample photos, speed (``detect bench``).

    python3 Tools/train/evaluate_coco_students.py [--work DIR] [--detect PATH] [--runs N]
        [--json docs/results/coco-students.json] [--chart docs/images/coco-students.png] [--photos DIR]
        [--bf16 | --speed-from SAVED.json] [--record] [MODEL ...]

For each ``Configs/models/ssdlite320-*-coco.json`` (and the teacher, ``ssd300-mobilenetv2-coco``,
whose held-out row is only a consistency check: it scores its own labels):

* AP, AP50 and per-class AP50 on the held-out pictures against the teacher's labels
  (``DIR/holdout-annotations.json`` from ``prepare_coco_data.py``), overall and per source
  (vtest, market, gcompris, composites, other photos); a model named on the command line that
  lacks some of the classes (the VOC model) is scored on those it has, and the table says how many;
* on each sample photo, the detections at the model's operating point, each judged against the
  teacher's detections on the same photo (score >= 0.3, same class, IoU >= 0.5): agreed or
  "extra"; plus whether the astronaut, the basketball players and the cat are found;
  ``--photos DIR`` also keeps every annotated picture for looking at;
* params, MACs and forward latency (median; 1 and 2 threads; float32 and, where the CPU has
  AVX512_BF16, bfloat16) from ``detect bench``; or, with ``--speed-from SAVED.json``, the latencies
  of an earlier run of this script, for re-measuring accuracy on a machine other than the one that
  timed them (``detect bench`` times random weights: latency is the network's shape, not its
  weights, and each model's params and MACs are checked against the saved ones).

Everything comes from our release CLI. Prints docs/MODELS.md's three tables (``--tables`` prints them
again from the saved JSON, measuring nothing); writes the JSON and a PNG chart (held-out AP50
against 1-thread latency; matplotlib). Run on an otherwise idle machine.
"""

import argparse
import glob
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

from student import cli  # noqa: E402
from student.boxes import iou  # noqa: E402
from student.coco_sources import CLASSES, TEACHER  # noqa: E402
from student.configs import config_path, model_name  # noqa: E402

SOURCES = ("vtest", "market", "gcompris", "composite")
"""Held-out sources reported on their own; the other photos are pooled as "photos"."""

SOURCE_TITLES = {"vtest": "vtest", "market": "Market St.", "gcompris": "GCompris", "composite": "composites",
                 "photos": "photos, wallpapers"}
"""Each held-out source's column title in docs/MODELS.md's second table."""

MUST_FIND = {"astronaut.jpg": ("person", 1), "basketball.png": ("person", 2), "chelsea.png": ("cat", 1)}
"""Sample photo -> (label, how many) the issue asks every student to find."""


def run_json_lines(command: list[str]) -> list[dict]:
    return cli.run_json_lines(command, ROOT)


def source_of(file_name: str) -> str:
    for source in SOURCES:
        if file_name.startswith(source):
            return source
    return "photos"


def known_classes_only(path: str, labels: list[str], folder: str) -> tuple[str, int]:
    """The annotations restricted to the categories a model has a label for (by name, as ``detect
    eval`` maps them), written into ``folder``; and how many categories that leaves. A model with
    other classes (the VOC model: no truck, "motorbike") is scored on what it can detect."""
    with open(path) as file:
        truth = json.load(file)
    names = {label.lower() for label in labels}
    kept = [c for c in truth["categories"] if c["name"].lower() in names]
    ids = {c["id"] for c in kept}
    subset = dict(truth, categories=kept, annotations=[a for a in truth["annotations"] if a["category_id"] in ids])
    out = os.path.join(folder, "known-" + os.path.basename(path))
    with open(out, "w") as file:
        json.dump(subset, file)
    return out, len(kept)


def pictures_subset(truth: dict, images: list[dict]) -> dict:
    """COCO ground truth cut down to ``images`` and their annotations."""
    ids = {i["id"] for i in images}
    return dict(truth, images=images, annotations=[a for a in truth["annotations"] if a["image_id"] in ids])


def split_annotations(path: str, folder: str) -> dict[str, str]:
    """One annotations file per held-out source, written into ``folder``."""
    with open(path) as file:
        truth = json.load(file)
    files = {}
    for source in (*SOURCES, "photos"):
        images = [i for i in truth["images"] if source_of(i["file_name"]) == source]
        files[source] = os.path.join(folder, f"{source}.json")
        with open(files[source], "w") as file:
            json.dump(pictures_subset(truth, images), file)
    return files


def evaluate(detect: str, model: str, annotations: str, images: str) -> dict:
    (report,) = run_json_lines([detect, "eval", "--model", model, "--annotations", annotations,
                                "--images", images, "--format", "json"])
    per_class = {row["name"]: row for row in report["per_class"]}
    return {"AP": report["AP"], "AP50": report["AP50"], "images": report["images"],
            "per_class_AP50": {name: per_class[name]["AP50"] for name in CLASSES.values() if name in per_class}}


def corners(detection: dict) -> list[float]:
    return [detection["box"][k] for k in ("x1", "y1", "x2", "y2")]


def photos(detect: str, model: str, teacher: dict[str, list[dict]], keep: str | None) -> dict[str, dict]:
    """Per sample photo: the model's detections at its operating point, each agreed (the teacher
    has a detection >= 0.3 of that class at IoU >= 0.5, each used once) or extra."""
    paths = sorted(glob.glob(os.path.join(ROOT, "SampleImages", "*.jpg")) + glob.glob(os.path.join(ROOT, "SampleImages", "*.png")))
    command = [detect, "--model", model, "--format", "json", *paths]
    if keep:
        # One folder per model; a config path becomes one name (an absolute one would escape ``keep``).
        folder = os.path.join(keep, model.strip("/").replace("/", "__"))
        os.makedirs(folder, exist_ok=True)
        command += ["--output", folder]
    else:
        command += ["--no-draw"]
    result = {}
    for record in run_json_lines(command):
        name = os.path.basename(record["path"])
        unmatched = [d for d in teacher[name]]
        agreed, extra = [], []
        for detection in record["detections"]:
            same = [t for t in unmatched if t["label"] == detection["label"]]
            best = max(same, key=lambda t: iou(corners(t), corners(detection)), default=None)
            if best is not None and iou(corners(best), corners(detection)) >= 0.5:
                unmatched.remove(best)
                agreed.append(f"{detection['label']} {detection['score']:.2f}")
            else:
                extra.append(f"{detection['label']} {detection['score']:.2f}")
        row = {"agreed": agreed, "extra": extra}
        if name in MUST_FIND:
            # Found: that many of the model's boxes of the label agree with the teacher's.
            label, count = MUST_FIND[name]
            row["must_find"] = f"{label} x{count}"
            row["found"] = sum(1 for a in agreed if a.rsplit(" ", 1)[0] == label) >= count
        result[name] = row
    return result


def teacher_photos(detect: str) -> dict[str, list[dict]]:
    paths = sorted(glob.glob(os.path.join(ROOT, "SampleImages", "*.jpg")) + glob.glob(os.path.join(ROOT, "SampleImages", "*.png")))
    records = run_json_lines([detect, "--model", TEACHER, "--format", "json", "--no-draw", "--score-threshold", "0.3", *paths])
    return {os.path.basename(r["path"]): r["detections"] for r in records}


def bench(detect: str, model: str, runs: int, bf16: bool) -> dict:
    command = [detect, "bench", "--model", model, "--threads", "1", "--threads", "2", "--runs", str(runs),
               "--precision", "f32", "--format", "json"]
    if bf16:
        command[command.index("f32") + 1:command.index("f32") + 1] = ["--precision", "bf16"]
    rows = run_json_lines(command)
    # The CPU's model name alone does not tell Zen 3 from Zen 4 ("AMD EPYC" under KVM); the kernels it ran do.
    out = {"params": rows[0]["params"], "macs": rows[0]["macs"], "cpu": rows[0]["cpu"]["model"], "kernels": rows[0]["kernels"]}
    for row in rows:
        out[f"latency_ms_{row['threads']}t_{row['precision']}"] = row["latency_ms"]["median"]
    return out


class SavedSpeed:
    """The speed columns of an earlier run of this script (``--speed-from``)."""

    KEYS = ("params", "macs", "cpu", "kernels", "latency_ms_1t_f32", "latency_ms_2t_f32", "latency_ms_1t_bf16", "latency_ms_2t_bf16")

    def __init__(self, path: str):
        with open(path) as file:
            saved = json.load(file)
        # The run that timed them: that file's own command, or, if it took its speed from another, that one's.
        self.command = saved.get("speed_command", saved["command"])
        # By model name, so that a milestone timed by its config's path is found once it is bundled.
        self.rows = {model_name(row["model"]): row for row in saved["models"]}

    def of(self, detect: str, model: str) -> dict:
        if model_name(model) not in self.rows:
            sys.exit(f"--speed-from: {model} was not timed in that run")
        row = self.rows[model_name(model)]
        # One bench run (its time unused) gives this network's params and MACs: the saved latencies are only its if they match.
        (here,) = run_json_lines([detect, "bench", "--model", model, "--runs", "1", "--warmup", "0", "--format", "json"])
        if (here["params"], here["macs"]) != (row["params"], row["macs"]):
            sys.exit(f"--speed-from: {model} has {here['params']} params and {here['macs']} MACs here, "
                     f"{row['params']} and {row['macs']} in that run")
        return {key: row[key] for key in self.KEYS if key in row}


def draw_chart(rows: list[dict], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(11, 5.5), dpi=110)
    markers = "osD^vP*Xh<>"
    students = sorted((r for r in rows if r["model"] != TEACHER), key=lambda r: r["latency_ms_1t_f32"])
    for i, row in enumerate(students):
        scored = "" if row["classes_scored"] == len(CLASSES) else f", its {row['classes_scored']} of the {len(CLASSES)} classes"
        # A milestone's config path is labelled by its model name; "(milestone)" says it is not bundled.
        name = os.path.basename(row["model"])[:-5] + " (milestone)" if row["model"].endswith(".json") else row["model"]
        axes.scatter(row["latency_ms_1t_f32"], row["holdout"]["AP50"], s=60, marker=markers[i % len(markers)],
                     label=f"{name}, {row['macs'] / 1e6:.0f} MMAC{scored}")
    for row in rows:
        if row["model"] == TEACHER:
            axes.axvline(row["latency_ms_1t_f32"], color="tab:red", linestyle="--", linewidth=1,
                         label=f"teacher {row['model']} ({row['macs'] / 1e6:.0f} MMAC)")
    # Beside the plot, not over it: the points crowd the lower left.
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    axes.set_xlim(left=0, right=max(r["latency_ms_1t_f32"] for r in rows) * 1.1)
    axes.set_ylim(bottom=0, top=1)
    kernels = f", {rows[0]['kernels']} kernels" if "kernels" in rows[0] else ""
    axes.set_xlabel(f"forward latency, 1 thread, float32, median (ms) - detect bench, {rows[0]['cpu']}{kernels}")
    axes.set_ylabel("AP50, held-out pictures, teacher labels")
    axes.set_title(f"COCO students: accuracy vs latency ({len(CLASSES)} classes; teacher labels, not COCO val)")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default=".train-work/coco")
    parser.add_argument("--detect", default=".build/release/detect")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per bench configuration")
    timing = parser.add_mutually_exclusive_group()
    timing.add_argument("--bf16", action="store_true", help="also bench bfloat16 (needs AVX512_BF16)")
    parser.add_argument("--json", default="docs/results/coco-students.json")
    parser.add_argument("--chart", default="docs/images/coco-students.png")
    parser.add_argument("--photos", help="keep the annotated sample photos of every model here")
    parser.add_argument("--record", action="store_true",
                        help="write each student's held-out AP and AP50 into its config (\"accuracy\", shown by detect models), "
                             "a milestone's too when it is given by its config's path")
    parser.add_argument("models", nargs="*", help="model names or config paths (default: the teacher and every ssdlite320-*-coco; "
                                                  "others, such as ssd300-mobilenetv1-voc, are scored on the classes they have)")
    parser.add_argument("--tables", action="store_true", help="only print the tables of the saved --json, measuring nothing")
    timing.add_argument("--speed-from", help="take params, MACs and latencies from this saved run instead of timing them here "
                                            "(for a machine other than the one that timed them)")
    args = parser.parse_args()

    annotations = os.path.join(args.work, "holdout-annotations.json")
    if args.tables:
        with open(os.path.join(ROOT, args.json)) as file:
            saved = json.load(file)
        print_tables(saved["models"], saved["holdout_instances"])
        return 0
    models = args.models or [TEACHER] + sorted(
        os.path.basename(p)[:-5] for p in glob.glob(os.path.join(ROOT, "Configs/models/ssdlite320-*-coco.json")))
    images = os.path.join(args.work, "holdout")
    teacher = teacher_photos(args.detect)
    if args.photos:
        shutil.rmtree(args.photos, ignore_errors=True)
    speed = SavedSpeed(os.path.join(ROOT, args.speed_from)) if args.speed_from else None
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for model in models:
            # A bundled model's name, or a config's path (a milestone in Tools/train/milestones).
            with open(config_path(model)) as file:
                config = json.load(file)
            backbone = config["backbone"]["name"]
            known, count = known_classes_only(annotations, config["labels"], folder)
            per_source = split_annotations(known, folder)
            row = {"model": model, "backbone": backbone, "classes_scored": count,
                   "holdout": evaluate(args.detect, model, known, images),
                   "by_source": {s: evaluate(args.detect, model, path, images) for s, path in per_source.items()},
                   "photos": photos(args.detect, model, teacher, args.photos)}
            row.update(speed.of(args.detect, model) if speed else bench(args.detect, model, args.runs, args.bf16))
            rows.append(row)
            print(f"measured {model}", file=sys.stderr, flush=True)

    instances = holdout_instances(annotations)
    os.makedirs(os.path.join(ROOT, os.path.dirname(args.json)), exist_ok=True)
    with open(os.path.join(ROOT, args.json), "w") as file:
        saved = {"command": " ".join(sys.argv), "holdout_instances": instances, "models": rows}
        if speed:
            saved["speed_command"] = speed.command
        json.dump(saved, file, indent=1)
        file.write("\n")
    draw_chart(rows, os.path.join(ROOT, args.chart))
    if args.record:
        record(rows, annotations)
    print_tables(rows, instances)
    return 0


def record(rows: list[dict], annotations: str) -> None:
    """Each student's held-out numbers into its config, with what they were measured on."""
    import datetime

    with open(annotations) as file:
        images = len(json.load(file)["images"])
    today = datetime.date.today().isoformat()
    for row in rows:
        # A milestone is named by its config's path, a bundled model by its name.
        is_path = row["model"].endswith(".json")
        name = os.path.basename(row["model"])[:-len(".json")] if is_path else row["model"]
        # Only the COCO students: the teacher scores its own labels, and a model scored on some of
        # the classes (the VOC model) would carry a number that means something else.
        if not (name.startswith("ssdlite320-") and name.endswith("-coco")):
            continue
        path = os.path.join(ROOT, row["model"]) if is_path else os.path.join(ROOT, "Configs", "models", f"{name}.json")
        with open(path) as file:
            config = json.load(file)
        config["accuracy"] = {
            "AP": round(row["holdout"]["AP"], 4), "AP50": round(row["holdout"]["AP50"], 4),
            "measured_on": f"{images} held-out pictures of Tools/train's COCO student data (footage, photos, composites; "
                           f"not COCO val) against the labels of {TEACHER}, by detect eval, {today}"}
        with open(path, "w") as file:
            json.dump(config, file, indent=2)
            file.write("\n")


def cell(value: float) -> str:
    """A metric for the tables; COCO's -1 (no ground truth of that kind) as "-"."""
    return "-" if value < 0 else f"{value:.3f}"


BACKBONE_NAMES = {"mobilenetv1": "MobileNetV1", "mobilenetv2": "MobileNetV2", "mobilenetv3-small": "MobileNetV3-Small",
                  "mobilenetv3-large": "MobileNetV3-Large", "shufflenetv1": "ShuffleNetV1", "shufflenetv2": "ShuffleNetV2",
                  "squeezenet1.0": "SqueezeNet 1.0", "squeezenet1.1": "SqueezeNet 1.1"}


def labels(row: dict) -> tuple[str, str]:
    """The model's cell in docs/MODELS.md's first table and its short name in the second."""
    name = model_name(row["model"])
    if name == TEACHER:
        return f"`{name}` (teacher)", "teacher"
    if row["classes_scored"] < len(CLASSES):
        return f"`{name}` ({row['classes_scored']} classes)", f"`{name}`"
    # A milestone is given by its config's path, a bundled student by its name.
    backbone = BACKBONE_NAMES.get(row["backbone"], row["backbone"])
    if row["model"].endswith(".json"):
        return f"`{name}` (milestone)", f"{backbone} milestone"
    return f"**`{name}`** (bundled)", f"{backbone} student"


def holdout_instances(annotations: str) -> dict[str, int]:
    """How many held-out objects (crowd regions not counted) each of the students' classes has."""
    with open(annotations) as file:
        truth = json.load(file)
    ids = {c["id"]: c["name"] for c in truth["categories"]}
    instances = {name: 0 for name in CLASSES.values()}
    for a in truth["annotations"]:
        if not a.get("iscrowd") and ids[a["category_id"]] in instances:
            instances[ids[a["category_id"]]] += 1
    return instances


FALSE_BOX_LIMIT = 2
"""The issue's most "extra" boxes a student may put on one sample photo."""


def must_find_cell(name: str, photo: dict) -> str:
    """Photo ``name``'s must-find: its agreed scores, or "missed (n of m)" when too few agree."""
    label, count = MUST_FIND[name]
    scores = [a.rsplit(" ", 1)[1] for a in photo["agreed"] if a.rsplit(" ", 1)[0] == label][:count]
    return ", ".join(scores) if photo["found"] else f"**missed** ({len(scores)} of {count})"


def print_photo_goal(rows: list[dict]) -> None:
    """The issue's sample-photo goal, one row a model: the must-finds' agreed scores and the
    extra boxes on each photo (in bold over the limit)."""
    names = sorted(next(iter(rows))["photos"])
    must = [n for n in names if n in MUST_FIND]
    print("| model | " + " | ".join(f"{n.rsplit('.', 1)[0]}: {MUST_FIND[n][1]}× {MUST_FIND[n][0]}" for n in must)
          + " | extra boxes: " + ", ".join(n.rsplit(".", 1)[0] for n in names) + f" | photos over {FALSE_BOX_LIMIT} |")
    print("|---|" + "---|" * len(must) + "---|---:|")
    for row in rows:
        extras = [len(row["photos"][n]["extra"]) for n in names]
        cells = [must_find_cell(n, row["photos"][n]) for n in must]
        counts = ", ".join(f"**{e}**" if e > FALSE_BOX_LIMIT else str(e) for e in extras)
        over = sum(e > FALSE_BOX_LIMIT for e in extras)
        print(f"| {labels(row)[1]} | " + " | ".join(cells) + f" | {counts} | {over} |")


def print_tables(rows: list[dict], instances: dict[str, int]) -> None:
    """docs/MODELS.md's three tables (paste them there), then each model's sample photos."""
    print("| model | params | MMACs | f32 1 thread | f32 2 threads | bf16 1 thread | bf16 2 threads | held-out AP | AP50 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        latency = " | ".join(f"{row[k]:.1f} ms" if k in row else "-" for k in (
            "latency_ms_1t_f32", "latency_ms_2t_f32", "latency_ms_1t_bf16", "latency_ms_2t_bf16"))
        print(f"| {labels(row)[0]} | {row['params'] / 1e6:.2f} M | {row['macs'] / 1e6:.0f} | {latency} "
              f"| {row['holdout']['AP']:.3f} | {row['holdout']['AP50']:.3f} |")
    print()
    names = list(CLASSES.values())
    print("| model | " + " | ".join(SOURCE_TITLES[s] for s in (*SOURCES, "photos")) + " | " + " | ".join(names) + " |")
    print("|---|" + "---|" * (len(SOURCES) + 1 + len(names)))
    print("| instances | " + "| " * (len(SOURCES) + 1) + " | ".join(str(instances[n]) for n in names) + " |")
    for row in rows:
        sources = [cell(row["by_source"][s]["AP50"]) for s in (*SOURCES, "photos")]
        classes = [cell(row["holdout"]["per_class_AP50"].get(n, -1)) for n in names]
        print(f"| {labels(row)[1]} | " + " | ".join(sources + classes) + " |")
    print()
    print_photo_goal(rows)
    print()
    for row in rows:
        print(f"`{row['model']}` on the sample photos:")
        for name, photo in sorted(row["photos"].items()):
            verdict = "" if "found" not in photo else f" [{photo['must_find']}: {'found' if photo['found'] else 'MISSED'}]"
            print(f"  {name}: agreed {', '.join(photo['agreed']) or '-'}; extra {', '.join(photo['extra']) or '-'}{verdict}")


if __name__ == "__main__":
    sys.exit(main())
