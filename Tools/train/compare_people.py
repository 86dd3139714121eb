#!/usr/bin/env python3
"""People only: each backbone's person student against its COCO student, on the same pictures.

    python3 Tools/train/compare_people.py [--work .train-work/coco] [--person-work .train-work/person]
        [--detect PATH] [--json docs/results/people.json] [--table] [BACKBONE ...]

The issue keeps a person student only if it still beats the COCO student on people. Both are
scored on their person boxes alone (``detect eval``, the other classes left out of the truth),

* on the COCO held-out set (``prepare_coco_data.py``; the COCO teacher's person labels, its
  0.3-0.5 boxes as crowd regions): all 615 pictures, and its 160 ``vtest.avi`` frames, the
  person students' own street (they were taught on its other frames, by another teacher);
* on the same 160 frames against the labels of the person students' own teacher
  (``prepare_data.py``, ``ssdlite300-mobilenetv2-person``), their home ground;
* on the sample photos against the hand-drawn boxes of the test fixtures (9 people on 5 photos:
  a sanity check, not a benchmark).

The person students are in ``Tools/train/person-students``; the COCO student is the bundled one
where there is one, else the milestone in ``Tools/train/milestones``. Accuracy only, so it may run
beside other work. Prints docs/MODELS.md's table (``--table`` prints it again from the saved JSON)
and writes the JSON.
"""

import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

from evaluate_coco_students import BACKBONE_NAMES, evaluate, known_classes_only, pictures_subset, source_of  # noqa: E402
from student.configs import MILESTONES, PERSON_STUDENTS  # noqa: E402

SAMPLE_ANNOTATIONS = os.path.join(ROOT, "Tests/LiteDetectTests/Fixtures/eval/sample-images/annotations.json")
PERSON_STUDENT_BACKBONES = ("mobilenetv1", "mobilenetv2", "mobilenetv3-small", "mobilenetv3-large",
                            "shufflenetv1", "shufflenetv2", "squeezenet1.1")
"""The backbones with both a person student and a COCO student."""


def coco_student(backbone: str) -> str:
    """The bundled COCO student's name, or the milestone's config path."""
    name = f"ssdlite320-{backbone}-coco"
    if os.path.exists(os.path.join(ROOT, "Configs", "models", f"{name}.json")):
        return name
    return os.path.join(MILESTONES, f"{name}.json")


def people_scores(detect: str, model: str, truth: dict[str, str], images: dict[str, str]) -> dict[str, dict]:
    """Person AP, AP50 and picture count of one model on each set of pictures (``truth``'s keys)."""
    scores = {}
    for name, annotations in truth.items():
        report = evaluate(detect, model, annotations, images[name])
        scores[name] = {"AP": report["AP"], "AP50": report["AP50"], "images": report["images"]}
    return scores


SETS = {"held out": "held out (615)", "vtest": "vtest, COCO teacher's labels",
        "vtest, person teacher": "vtest, person teacher's labels", "sample photos": "sample photos, hand-drawn"}
"""Each set of pictures and its column title."""


def print_table(rows: list[dict]) -> None:
    """docs/MODELS.md's table: per backbone and set, the person student's person AP50 beside the COCO
    student's, the better in bold."""
    print("| backbone | " + " | ".join(f"{title}: person | COCO" for title in SETS.values()) + " |")
    print("|---|" + "---:|---:|" * len(SETS))
    by_backbone: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_backbone.setdefault(row["backbone"], {})[row["kind"]] = row["person"]
    for backbone, kinds in by_backbone.items():
        cells = []
        for name in SETS:
            person, coco = kinds["person student"][name]["AP50"], kinds["COCO student"][name]["AP50"]
            cells += [f"**{person:.3f}**" if person > coco else f"{person:.3f}",
                      f"**{coco:.3f}**" if coco > person else f"{coco:.3f}"]
        print(f"| {BACKBONE_NAMES[backbone]} | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default=".train-work/coco")
    parser.add_argument("--detect", default=".build/release/detect")
    parser.add_argument("--person-work", default=".train-work/person", help="prepare_data.py's folder")
    parser.add_argument("--json", default="docs/results/people.json")
    parser.add_argument("--table", action="store_true", help="only print the table of the saved --json, measuring nothing")
    parser.add_argument("backbones", nargs="*", metavar="BACKBONE",
                        help=f"any of {', '.join(PERSON_STUDENT_BACKBONES)} (default: all)")
    args = parser.parse_args()
    unknown = [b for b in args.backbones if b not in PERSON_STUDENT_BACKBONES]
    if unknown:
        parser.error(f"no person student and COCO student on {', '.join(unknown)}; "
                     f"choose from {', '.join(PERSON_STUDENT_BACKBONES)}")

    if args.table:
        with open(os.path.join(ROOT, args.json)) as file:
            print_table(json.load(file)["rows"])
        return 0
    holdout = os.path.join(args.work, "holdout")
    images = {"held out": holdout, "vtest": holdout, "vtest, person teacher": os.path.join(args.person_work, "frames"),
              "sample photos": os.path.join(ROOT, "SampleImages")}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        people, _ = known_classes_only(os.path.join(args.work, "holdout-annotations.json"), ["person"], folder)
        with open(people) as file:
            every = json.load(file)
        vtest = os.path.join(folder, "vtest-people.json")
        with open(vtest, "w") as file:
            json.dump(pictures_subset(every, [i for i in every["images"] if source_of(i["file_name"]) == "vtest"]), file)
        truth = {"held out": people, "vtest": vtest,
                 "vtest, person teacher": os.path.join(args.person_work, "holdout-annotations.json"),
                 "sample photos": SAMPLE_ANNOTATIONS}
        for backbone in args.backbones or PERSON_STUDENT_BACKBONES:
            person_student = os.path.join(PERSON_STUDENTS, f"ssdlite320-{backbone}-person.json")
            for kind, model in (("person student", person_student), ("COCO student", coco_student(backbone))):
                rows.append({"backbone": backbone, "kind": kind, "model": os.path.relpath(model, ROOT) if os.sep in model else model,
                             "person": people_scores(args.detect, model, truth, images)})
                print(f"measured {model}", file=sys.stderr, flush=True)

    with open(os.path.join(ROOT, args.json), "w") as file:
        json.dump({"command": " ".join(sys.argv), "rows": rows}, file, indent=1)
        file.write("\n")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
