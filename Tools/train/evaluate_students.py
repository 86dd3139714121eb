#!/usr/bin/env python3
"""Measures every bundled person model: accuracy (``detect eval``) and speed (``detect bench``).

    python3 Tools/train/evaluate_students.py [--work DIR] [--detect PATH] [--runs N]
        [--json docs/results/students.json] [--chart docs/images/accuracy-vs-latency.png]

For the teacher (``ssdlite300-mobilenetv2-person``) and each person student
``Tools/train/person-students/ssdlite320-*-person.json`` (retired from the bundle in favour of the
COCO students, ``compare_people.py``):

* AP / AP50 on the held-out vtest.avi frames against the teacher's labels
  (``DIR/holdout-annotations.json`` from ``prepare_data.py``); the teacher's
  own row there is only a consistency check (it scores itself);
* AP / AP50 on the five sample photos against hand-drawn boxes
  (``Tests/LiteDetectTests/Fixtures/eval/sample-images/annotations.json``);
* params, MACs and forward latency (median, 1 and 2 threads) from
  ``detect bench --model``;
* on each sample photo, what ``detect`` reports at the model's operating point:
  people found (IoU >= 0.5 with a hand-drawn box) and other detections.

Everything comes from our release CLI: the numbers are LiteDetect's own.
Prints a Markdown table; writes the JSON and a PNG chart of held-out AP
against 1-thread latency (matplotlib). Run on an otherwise idle machine.
"""

import argparse
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

from student import cli  # noqa: E402
from student.boxes import iou  # noqa: E402
from student.configs import PERSON_STUDENTS, config_path, model_name  # noqa: E402
TEACHER = "ssdlite300-mobilenetv2-person"
SAMPLE_ANNOTATIONS = "Tests/LiteDetectTests/Fixtures/eval/sample-images/annotations.json"


def run_json_lines(command: list[str]) -> list[dict]:
    return cli.run_json_lines(command, ROOT)


def evaluate(detect: str, model: str, annotations: str, images: str) -> dict:
    (report,) = run_json_lines([detect, "eval", "--model", model, "--annotations", annotations,
                                "--images", images, "--format", "json"])
    return {"AP": report["AP"], "AP50": report["AP50"], "images": report["images"]}


def photos_at_operating_point(detect: str, model: str) -> dict[str, dict]:
    """Per sample photo, what ``detect`` reports at the model's own threshold: people found
    (IoU >= 0.5 with a hand-drawn box, each box once) and other detections."""
    with open(os.path.join(ROOT, SAMPLE_ANNOTATIONS)) as file:
        truth = json.load(file)
    names = {image["id"]: image["file_name"] for image in truth["images"]}
    people = {name: [] for name in names.values()}
    for annotation in truth["annotations"]:
        x, y, w, h = annotation["bbox"]
        people[names[annotation["image_id"]]].append([x, y, x + w, y + h])
    records = run_json_lines([detect, "--model", model, "--format", "json", "--no-draw",
                              *[os.path.join("SampleImages", n) for n in sorted(people)]])
    result = {}
    for record in records:
        name = os.path.basename(record["path"])
        unmatched = list(people[name])
        found, other = 0, 0
        for detection in record["detections"]:
            box = detection["box"]
            box = [box["x1"], box["y1"], box["x2"], box["y2"]]
            best = max(unmatched, key=lambda p: iou(p, box), default=None)
            if best is not None and iou(best, box) >= 0.5:
                unmatched.remove(best)
                found += 1
            else:
                other += 1
        result[name] = {"people": len(people[name]), "found": found, "other": other}
    return result


def bench(detect: str, model: str, runs: int) -> dict:
    rows = run_json_lines([detect, "bench", "--model", model, "--threads", "1", "--threads", "2",
                           "--runs", str(runs), "--format", "json"])
    by_threads = {row["threads"]: row for row in rows}
    return {"params": by_threads[1]["params"], "macs": by_threads[1]["macs"],
            "latency_ms_1t": by_threads[1]["latency_ms"]["median"],
            "latency_ms_2t": by_threads[2]["latency_ms"]["median"], "kernels": by_threads[1]["kernels"]}


def models() -> list[str]:
    """The teacher by name (bundled), the person students by config path."""
    return [TEACHER] + sorted(glob.glob(os.path.join(PERSON_STUDENTS, "*-person.json")))


def draw_chart(rows: list[dict], path: str) -> None:
    """Students: held-out AP against 1-thread latency. The teacher defines the labels (its AP
    there is 1 by construction), so it is a reference line at its latency, not a point."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5), dpi=110)
    markers = "osD^vP*Xh"
    students = sorted((r for r in rows if r["model"] != TEACHER), key=lambda r: r["latency_ms_1t"])
    for i, row in enumerate(students):
        # A legend, not labels by the points: several students sit within 2 ms and 0.01 AP.
        axes.scatter(row["latency_ms_1t"], row["holdout"]["AP"], s=60, marker=markers[i % len(markers)],
                     label=f"{row['backbone']} ({row['macs'] / 1e6:.0f} MMAC)")
    for row in rows:
        if row["model"] == TEACHER:
            axes.axvline(row["latency_ms_1t"], color="tab:red", linestyle="--", linewidth=1,
                         label=f"teacher {row['backbone']} ({row['macs'] / 1e6:.0f} MMAC)")
    axes.legend(fontsize=8, loc="lower right")
    axes.set_xlim(left=0, right=max(r["latency_ms_1t"] for r in rows) * 1.35)
    axes.set_ylim(bottom=0, top=max(r["holdout"]["AP"] for r in rows if r["model"] != TEACHER) * 1.2)
    axes.set_xlabel("forward latency, 1 thread, median (ms) - detect bench")
    axes.set_ylabel("AP@[.5:.95], held-out vtest frames, teacher labels")
    axes.set_title("Person students: accuracy vs latency (one street scene; not COCO)")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default=".train-work")
    parser.add_argument("--detect", default=".build/release/detect")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per bench configuration")
    parser.add_argument("--json", default="docs/results/students.json")
    parser.add_argument("--chart", default="docs/images/accuracy-vs-latency.png")
    args = parser.parse_args()

    holdout = os.path.join(args.work, "holdout-annotations.json")
    frames = os.path.join(args.work, "frames")
    rows = []
    for model in models():
        with open(config_path(model)) as file:
            backbone = json.load(file)["backbone"]["name"]
        row = {"model": model_name(model), "backbone": backbone,
               "holdout": evaluate(args.detect, model, holdout, frames),
               "sample_photos": evaluate(args.detect, model, SAMPLE_ANNOTATIONS, "SampleImages"),
               "photos_at_operating_point": photos_at_operating_point(args.detect, model)}
        row.update(bench(args.detect, model, args.runs))
        rows.append(row)
        print(f"measured {model}", file=sys.stderr, flush=True)

    os.makedirs(os.path.join(ROOT, os.path.dirname(args.json)), exist_ok=True)
    with open(os.path.join(ROOT, args.json), "w") as file:
        json.dump({"command": " ".join(sys.argv), "models": rows}, file, indent=1)
        file.write("\n")
    draw_chart(rows, os.path.join(ROOT, args.chart))

    print("| model | backbone | params (M) | MMACs | 1 thread (ms) | 2 threads (ms) | held-out AP | held-out AP50 "
          "| photos AP | photos AP50 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| `{row['model']}` | {row['backbone']} | {row['params'] / 1e6:.2f} | {row['macs'] / 1e6:.0f} "
              f"| {row['latency_ms_1t']:.1f} | {row['latency_ms_2t']:.1f} | {row['holdout']['AP']:.3f} "
              f"| {row['holdout']['AP50']:.3f} | {row['sample_photos']['AP']:.3f} | {row['sample_photos']['AP50']:.3f} |")
    print()
    photos = sorted(rows[0]["photos_at_operating_point"])
    print("| model | " + " | ".join(f"`{p}`" for p in photos) + " |")
    print("|---|" + "---|" * len(photos))
    for row in rows:
        cells = [f"{c['found']}/{c['people']} people, {c['other']} other"
                 for c in (row["photos_at_operating_point"][p] for p in photos)]
        print(f"| `{row['model']}` | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
