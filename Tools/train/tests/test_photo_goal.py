"""``evaluate_coco_students.print_photo_goal``: the issue's sample-photo goal as one table row a
model — a must-find counts only when enough boxes of its class agree with the teacher's, and a
photo is over the limit only with more than two extra boxes."""

import contextlib
import io
import unittest

from evaluate_coco_students import FALSE_BOX_LIMIT, MUST_FIND, print_photo_goal

PHOTOS = ("astronaut.jpg", "basketball.png", "chelsea.png", "dog.jpg")


def photo(agreed: list[str], extra: list[str], name: str) -> dict:
    """One photo's entry as ``photos()`` records it (``found`` by the same rule: enough agreed
    boxes of the must-find's class)."""
    row = {"agreed": agreed, "extra": extra}
    if name in MUST_FIND:
        label, count = MUST_FIND[name]
        row["must_find"] = f"{label} x{count}"
        row["found"] = sum(1 for a in agreed if a.rsplit(" ", 1)[0] == label) >= count
    return row


def table(photos: dict[str, dict]) -> list[str]:
    row = {"model": "Tools/train/milestones/ssdlite320-mobilenetv1-coco.json", "backbone": "mobilenetv1",
           "classes_scored": 12, "photos": photos}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        print_photo_goal([row])
    return output.getvalue().splitlines()


class PhotoGoalTests(unittest.TestCase):
    def test_the_issue_names_three_must_finds_and_a_limit_of_two(self) -> None:
        self.assertEqual(MUST_FIND, {"astronaut.jpg": ("person", 1), "basketball.png": ("person", 2),
                                     "chelsea.png": ("cat", 1)})
        self.assertEqual(FALSE_BOX_LIMIT, 2)

    def test_a_row_gives_the_agreed_scores_and_counts_photos_over_the_limit(self) -> None:
        lines = table({
            "astronaut.jpg": photo(["person 0.17"], ["horse 0.35", "bird 0.2"], "astronaut.jpg"),
            # A cat box agreeing with the teacher does not count as a basketball player.
            "basketball.png": photo(["person 0.58", "cat 0.40"], ["person 0.3"] * 3, "basketball.png"),
            "chelsea.png": photo(["cat 0.52"], [], "chelsea.png"),
            "dog.jpg": photo([], ["a 0.1"] * 4, "dog.jpg"),
        })
        self.assertEqual(lines[0], "| model | astronaut: 1× person | basketball: 2× person | chelsea: 1× cat "
                                   "| extra boxes: astronaut, basketball, chelsea, dog | photos over 2 |")
        self.assertEqual(lines[2], "| MobileNetV1 milestone | 0.17 | **missed** (1 of 2) | 0.52 "
                                   "| 2, **3**, 0, **4** | 2 |")

    def test_found_must_finds_list_each_agreed_box(self) -> None:
        lines = table({name: photo(["person 0.98", "person 0.93"] if name == "basketball.png"
                                   else [f"{MUST_FIND.get(name, ('dog', 1))[0]} 0.50"], [], name)
                       for name in PHOTOS})
        self.assertEqual(lines[2], "| MobileNetV1 milestone | 0.50 | 0.98, 0.93 | 0.50 | 0, 0, 0, 0 | 0 |")


if __name__ == "__main__":
    unittest.main()
