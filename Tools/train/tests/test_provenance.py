"""``export_student.student_config``: a continuation's provenance keeps every earlier run's
distillation and augmentation line and adds its own, and a run without distillation still says
how it was augmented (a branch no kept student has taken yet)."""

import json
import os
import tempfile
import unittest

from export_student import student_config

NAME = "ssdlite320-mobilenetv3-small-coco"
BASE = {"backbone": {"name": "mobilenetv3-small"}, "postprocess": {"score_threshold": 0.001}}
EARLIER_LINE = ("100 of those steps also taught at every anchor by ssdlite320-mobilenetv2-coco.safetensors "
                "(dense distillation, Tools/train/student/distill.py), with 50% of each batch's samples blended "
                "in pairs (MixUp, Tools/train/student/mixup.py)")
UNDISTILLED_LINE = ("30 of those steps with 50% of each batch's samples blended in pairs (MixUp, "
                    "Tools/train/student/mixup.py)")
ZOOM_PHRASE = ("25% of the samples cropped around one object that fills the crop "
               "(zoom, Tools/train/student/augment.py)")


class ProvenanceTests(unittest.TestCase):
    def setUp(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.earlier = os.path.join(self.folder.name, f"{NAME}.safetensors")
        with open(os.path.join(self.folder.name, f"{NAME}.json"), "w") as file:
            json.dump({"name": NAME, "description": "… trained on the CPU by Tools/train (100 steps of 32) …",
                       "provenance": "Trained by Tools/train; backbone and extra layers initialised from "
                                     f"start.safetensors; {EARLIER_LINE}; {UNDISTILLED_LINE}; converted by x"}, file)

    def tearDown(self) -> None:
        self.folder.cleanup()

    def provenance(self, **settings) -> str:
        final = {"settings": {"steps": 40, "batch": 32, "init_from": self.earlier, **settings},
                 "labels": ["person"], "class_ids": [1]}
        return student_config(BASE, NAME, "w.safetensors", final, 0.1, True, set())["provenance"]

    def test_a_continuation_keeps_the_earlier_lines_and_adds_its_zoom(self) -> None:
        provenance = self.provenance(zoom=0.25)
        self.assertIn("(which started as: backbone and extra layers initialised from start.safetensors)", provenance)
        earlier = provenance.index(f"; {EARLIER_LINE};")
        undistilled = provenance.index(f"; {UNDISTILLED_LINE};")
        added = provenance.index(f"; 40 of those steps with {ZOOM_PHRASE};")
        self.assertLess(earlier, undistilled)
        self.assertLess(undistilled, added)

    def test_distillation_names_both_augmentations(self) -> None:
        provenance = self.provenance(zoom=0.25, mixup=0.5, distill_from="teacher.safetensors", imitate_weight=1.0)
        self.assertIn("; 40 of those steps also taught at every anchor by teacher.safetensors (dense distillation, "
                      "Tools/train/student/distill.py), and its feature maps near objects (feature imitation, "
                      "Tools/train/student/imitation.py), with 50% of each batch's samples blended in pairs (MixUp, "
                      f"Tools/train/student/mixup.py) and {ZOOM_PHRASE};", provenance)

    def test_a_plain_continuation_adds_no_line(self) -> None:
        provenance = self.provenance()
        self.assertEqual(provenance.count("of those steps"), 2)


if __name__ == "__main__":
    unittest.main()
