"""Tests of the training tools against the libraries they follow (torchvision, PyTorch).

    /opt/refenv/bin/python -m unittest discover -s Tools/train/tests -t Tools/train

Not part of the README's test command: the Swift suite needs no Python.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# What train_student.py puts on the path: Tools/train (``student``) and Tools/reference (``litedetect_ref``).
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
