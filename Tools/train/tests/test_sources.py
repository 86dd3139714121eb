"""``student/coco_sources.py``: the sample photos are in no photo set, and a student's provenance
names a source only when its data holds it."""

import os
import unittest

from student import coco_sources as S

SAMPLE_IMAGES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "SampleImages")


class SourcesTests(unittest.TestCase):
    def test_no_sample_photo_is_a_source(self) -> None:
        samples = {name for name in os.listdir(SAMPLE_IMAGES) if not name.endswith(".md")}
        self.assertTrue(samples, "SampleImages/ is empty")
        # skimage ships the astronaut as a PNG, SampleImages/ keeps it as a JPEG: compare stems too.
        stems = {name.rsplit(".", 1)[0] for name in samples | S.EXCLUDED_PHOTOS}
        for photos in S.PHOTOS:
            for photo in photos.photos + photos.trained_whole:
                self.assertNotIn(os.path.basename(photo.path).rsplit(".", 1)[0], stems, photo.path)

    def test_provenance_names_the_close_ups_only_when_the_data_has_them(self) -> None:
        before = "\n".join(S.provenance_lines({"vtest", "animals", "animals+whole"}))
        after = "\n".join(S.provenance_lines({"vtest", "animals", "animals+whole", "people+whole"}))
        self.assertNotIn("python-matplotlib-data", before)
        self.assertIn("1 photo of python-matplotlib-data", after)
        # kphotoalbum gave two dog photos before (animals) and 11 snapshots of people since.
        self.assertIn("2 photos of kphotoalbum", before)
        self.assertIn("13 photos of kphotoalbum", after)


if __name__ == "__main__":
    unittest.main()
