#!/usr/bin/env python3
"""Measures every bundled person model: accuracy (``detect eval``) and speed (``detect bench``).

    python3 Tools/train/evaluate_students.py [--work DIR] [--detect PATH] [--runs N]
        [--json docs/results/students.json] [--chart docs/images/accuracy-vs-latency.png]

For the teacher (``ssdlite300-mobilenetv2-person``) and each student
``Configs/models/ssdlite320-*-person.json`` that exists:

* AP / AP50 on the held-out vtest.avi frames against the teacher's labels
  (``DIR/holdout-annotations.json`` from ``prepare_data.py``); the teacher's
  own row there is only a consistency check (it scores itself);
* AP / AP50 on the five sample photos against hand-drawn boxes
  (``Tests/LiteDetectTests/Fixtures/eval/sample-images/annotations.json``);
* params, MACs and forward latency (median, 1 and 2 threads) from
  ``detect bench --model``.

Everything comes from our release CLI: the numbers are LiteDetect's own.
Prints a Markdown table; writes the JSON and a PNG chart of held-out AP
against 1-thread latency (matplotlib). Run on an otherwise idle machine.
"""

import argparse
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
TEACHER = "ssdlite300-mobilenetv2-person"
SAMPLE_ANNOTATIONS = "Tests/LiteDetectTests/Fixtures/eval/sample-images/annotations.json"


def run_json_lines(command: list[str]) -> list[dict]:
    result = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def evaluate(detect: str, model: str, annotations: str, images: str) -> dict:
    (report,) = run_json_lines([detect, "eval", "--model", model, "--annotations", annotations,
                                "--images", images, "--format", "json"])
    return {"AP": report["AP"], "AP50": report["AP50"], "images": report["images"]}


def bench(detect: str, model: str, runs: int) -> dict:
    rows = run_json_lines([detect, "bench", "--model", model, "--threads", "1", "--threads", "2",
                           "--runs", str(runs), "--format", "json"])
    by_threads = {row["threads"]: row for row in rows}
    return {"params": by_threads[1]["params"], "macs": by_threads[1]["macs"],
            "latency_ms_1t": by_threads[1]["latency_ms"]["median"],
            "latency_ms_2t": by_threads[2]["latency_ms"]["median"], "kernels": by_threads[1]["kernels"]}


def models() -> list[str]:
    students = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(ROOT, "Configs/models/*-person.json")))
    return [TEACHER] + [s for s in students if s != TEACHER]


def draw_chart(rows: list[dict], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5), dpi=110)
    for row in rows:
        teacher = row["model"] == TEACHER
        y = row["sample_photos"]["AP"] if teacher else row["holdout"]["AP"]
        axes.scatter(row["latency_ms_1t"], y, marker="*" if teacher else "o", s=140 if teacher else 60,
                     color="tab:red" if teacher else "tab:blue")
        label = row["backbone"] + (" (teacher, AP on photos)" if teacher else "")
        axes.annotate(label, (row["latency_ms_1t"], y), textcoords="offset points", xytext=(6, 4), fontsize=8)
    axes.set_xlabel("forward latency, 1 thread, median (ms)")
    axes.set_ylabel("AP@[.5:.95] on held-out vtest frames (teacher labels)")
    axes.set_title("LiteDetect person students: accuracy vs latency")
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
        with open(os.path.join(ROOT, "Configs", "models", f"{model}.json")) as file:
            backbone = json.load(file)["backbone"]["name"]
        row = {"model": model, "backbone": backbone,
               "holdout": evaluate(args.detect, model, holdout, frames),
               "sample_photos": evaluate(args.detect, model, SAMPLE_ANNOTATIONS, "SampleImages")}
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
