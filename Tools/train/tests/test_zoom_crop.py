"""``student.augment.zoom_crop``: a window with the frame's shape around one object, which fills it."""

import random
import unittest

import torch

from student.augment import ZOOM_FILL, ZOOM_MIN_SIDE, augment, zoom_crop

WIDTH, HEIGHT = 768, 576  # vtest.avi's frame


def fill_of(box: list[float], crop: tuple[int, int, int, int]) -> float:
    """The larger of the box's shares of the crop's width and height."""
    return max((box[2] - box[0]) / (crop[2] - crop[0]), (box[3] - box[1]) / (crop[3] - crop[1]))


class ZoomCropTests(unittest.TestCase):
    def check_window(self, box: list[float], crop: tuple[int, int, int, int]) -> None:
        left, top, right, bottom = crop
        self.assertTrue(0 <= left < right <= WIDTH and 0 <= top < bottom <= HEIGHT, crop)
        # The frame's aspect ratio, so the stretch to 320x320 distorts the object as inference does.
        self.assertAlmostEqual((right - left) / (bottom - top), WIDTH / HEIGHT, delta=0.02)
        # The object whole inside (to the pixel the window's integer corners cost).
        self.assertTrue(left <= box[0] + 1 and box[2] <= right + 1, (box, crop))
        self.assertTrue(top <= box[1] + 1 and box[3] <= bottom + 1, (box, crop))

    def test_a_person_fills_half_to_all_of_the_window(self) -> None:
        rng = random.Random(0)
        fills = []
        for _ in range(500):
            x, y = rng.uniform(0, WIDTH - 60), rng.uniform(0, HEIGHT - 170)
            box = [x, y, x + 60, y + 170, 1]  # large enough that ZOOM_MIN_SIDE never binds
            crop = zoom_crop(WIDTH, HEIGHT, torch.tensor([box]), rng)
            self.check_window(box, crop)
            fills.append(fill_of(box, crop))
        self.assertGreaterEqual(min(fills), ZOOM_FILL[0] - 0.01)
        self.assertLessEqual(max(fills), ZOOM_FILL[1] + 0.01)
        # Drawn across the whole range, not stuck at one end.
        self.assertLess(min(fills), 0.55)
        self.assertGreater(max(fills), 0.95)

    def test_the_window_never_outgrows_the_frame(self) -> None:
        rng = random.Random(1)
        box = [40.0, 30.0, 700.0, 560.0, 3]  # 0.92 of the frame's height already
        for _ in range(100):
            crop = zoom_crop(WIDTH, HEIGHT, torch.tensor([box]), rng)
            self.check_window(box, crop)
            self.assertGreaterEqual(crop[3] - crop[1], 530)
        whole = [0.0, 0.0, float(WIDTH), float(HEIGHT), 3]
        for _ in range(20):
            self.assertEqual(zoom_crop(WIDTH, HEIGHT, torch.tensor([whole]), rng), (0, 0, WIDTH, HEIGHT))

    def test_a_tiny_object_is_not_enlarged_past_the_least_window(self) -> None:
        rng = random.Random(2)
        box = [400.0, 300.0, 404.0, 306.0, 16]
        for _ in range(100):
            crop = zoom_crop(WIDTH, HEIGHT, torch.tensor([box]), rng)
            self.check_window(box, crop)
            self.assertEqual(crop[3] - crop[1], round(HEIGHT * ZOOM_MIN_SIDE))

    def test_the_object_is_one_of_the_frames_boxes(self) -> None:
        # Two far-apart people: each window holds one of them whole, and both are chosen over many draws.
        rng = random.Random(3)
        boxes = [[20.0, 20.0, 60.0, 120.0, 1], [650.0, 400.0, 700.0, 540.0, 1]]
        held = set()
        for _ in range(200):
            crop = zoom_crop(WIDTH, HEIGHT, torch.tensor(boxes), rng)
            inside = [i for i, b in enumerate(boxes)
                      if crop[0] <= b[0] + 1 and b[2] <= crop[2] + 1 and crop[1] <= b[1] + 1 and b[3] <= crop[3] + 1]
            self.assertEqual(len(inside), 1, crop)
            held.add(inside[0])
        self.assertEqual(held, {0, 1})

    def test_augment_with_zoom_makes_close_ups_the_iou_crop_cannot(self) -> None:
        frame = torch.zeros(HEIGHT, WIDTH, 3, dtype=torch.uint8)
        person = torch.tensor([[300.0, 200.0, 330.0, 285.0, 1]])  # a vtest pedestrian's size
        no_ignore = torch.zeros(0, 5)

        def heights(zoom: float) -> list[float]:
            rng = random.Random(4)
            samples = [augment(frame, person, no_ignore, 320, rng, zoom) for _ in range(40)]
            for image, boxes, _ in samples:
                self.assertEqual(tuple(image.shape), (3, 320, 320))
                self.assertEqual(boxes[:, 4].tolist(), [1.0])
            return [(boxes[0, 3] - boxes[0, 1]).item() for _, boxes, _ in samples]

        zoomed = heights(1.0)
        # Half the picture's height or more (less the pixel the window's corners may cut); at most 0.74 of it,
        # where ZOOM_MIN_SIDE binds, so about 0.68 on average.
        self.assertGreaterEqual(min(zoomed), ZOOM_FILL[0] * 320 - 4)
        self.assertGreater(sum(zoomed) / len(zoomed), 200)
        # The IoU crop keeps at least 0.3 of the frame's height, so it never makes this one half the picture.
        self.assertLess(max(heights(0.0)), 160)


if __name__ == "__main__":
    unittest.main()
