"""Which vtest.avi frames train and which are held out for evaluation.

The held-out block is contiguous and contains frame 600 (``SampleImages/street.jpg``);
the 20 frames on either side of it are used by neither, so no training frame is
a near-copy (a fraction of a second away) of an evaluation frame.
"""

BOX_SCORE = 0.5
"""Teacher detections at or above this are people to learn."""

IGNORE_SCORE = 0.3
"""Teacher detections in [IGNORE_SCORE, BOX_SCORE) are neither people nor background."""

HOLDOUT = range(560, 720)
GAP = 20


def split_of(frame: int) -> str:
    """``"holdout"``, ``"gap"`` (unused) or ``"train"`` for a 0-based frame index."""
    if frame in HOLDOUT:
        return "holdout"
    if HOLDOUT.start - GAP <= frame < HOLDOUT.stop + GAP:
        return "gap"
    return "train"
