#!/usr/bin/env python3
"""Rounds bundled student weights from float32 to float16, in place.

    python3 Tools/train/store_float16.py [FILE ...]   # default: Configs/weights/ssdlite320-*-coco.safetensors

``export_student.py`` (through ``convert_state_dict.py``) writes float32. The
bundled weights must stay under the repository's size budget, so the students
ship as float16 (safetensors dtype ``F16``); LiteDetect's loader
widens them back to float32 when it reads them. Run this after every
``export_student.py`` and before ``make_student_fixtures.py``, so the fixtures
come from the same rounded values LiteDetect loads.

Every tensor is rounded to the nearest float16, ties to even (numpy
``astype(np.float16)``); names, shapes and ``__metadata__`` are kept, and
``litedetect.storage`` is added to the metadata. A value that is not finite, or
whose magnitude would overflow float16 (beyond 65504 after rounding), stops the
script before anything is written. The file is written deterministically
(``__metadata__`` first, other keys sorted, tensors in key order, header padded
with spaces to 8 bytes, as ``Tools/reference/tensorflow/deterministic_safetensors.py``
does), read back and compared, then moved over the original. A file already
stored in float16 is left as it is, so rerunning is harmless.
"""

import argparse
import glob
import json
import os
import struct
import sys
import tempfile

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_GLOBS = (os.path.join(ROOT, "Configs", "weights", "ssdlite320-*-coco.safetensors"),)
"""The bundled students (the person students, retired to Tools/train/person-students, are float16 already)."""
STORAGE_KEY = "litedetect.storage"
STORAGE_NOTE = "float16 (rounded from the float32 export)"


def read(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    with safe_open(path, framework="numpy") as file:
        metadata = dict(file.metadata() or {})
    return load_file(path), metadata


def rounded(tensors: dict[str, np.ndarray], path: str) -> dict[str, np.ndarray]:
    """float32 -> float16 (nearest, ties to even); refuses non-finite inputs and overflow."""
    result, problems = {}, []
    for key in sorted(tensors):
        array = tensors[key]
        if array.dtype != np.float32:
            problems.append(f"{key}: dtype {array.dtype}, expected float32")
            continue
        if not np.isfinite(array).all():
            problems.append(f"{key}: has non-finite values")
            continue
        with np.errstate(over="ignore"):
            half = array.astype(np.float16)
        if not np.isfinite(half).all():
            worst = float(np.abs(array).max())
            problems.append(f"{key}: max |x| = {worst:g} overflows float16 (largest finite 65504)")
            continue
        result[key] = half
    if problems:
        raise SystemExit(f"error: {path} not converted, nothing written:\n  " + "\n  ".join(problems))
    return result


def save(tensors: dict[str, np.ndarray], path: str, metadata: dict[str, str]) -> None:
    """Deterministic float16 safetensors (layout of deterministic_safetensors.save), via a temp file."""
    header: dict = {"__metadata__": dict(sorted(metadata.items()))}
    blobs, offset = [], 0
    for key in sorted(tensors):
        array = np.ascontiguousarray(tensors[key])
        assert array.dtype == np.float16
        data = array.astype("<f2", copy=False).tobytes()
        header[key] = {"dtype": "F16", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(struct.pack("<Q", len(text)))
            file.write(text)
            for blob in blobs:
                file.write(blob)
        loaded, loaded_metadata = read(temporary)
        if (sorted(loaded) != sorted(tensors) or loaded_metadata != metadata
                or any(loaded[k].dtype != np.float16 or not np.array_equal(loaded[k], tensors[k]) for k in tensors)):
            raise RuntimeError(f"{path}: reading the file back does not give the tensors written")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def convert(path: str) -> None:
    tensors, metadata = read(path)
    name = os.path.relpath(path, ROOT) if os.path.abspath(path).startswith(ROOT + os.sep) else path
    if tensors and all(array.dtype == np.float16 for array in tensors.values()):
        print(f"{name}: already float16, left as it is")
        return
    before = os.path.getsize(path)
    half = rounded(tensors, path)
    smallest_normal = float(np.finfo(np.float16).tiny)  # 6.1e-5; below it float16 has fewer bits
    worst_relative, subnormal, flushed, count = 0.0, 0, 0, 0
    for key, array in tensors.items():
        back = half[key].astype(np.float32)
        normal = np.abs(array) >= smallest_normal
        count += array.size
        subnormal += int(np.count_nonzero(~normal & (array != 0)))
        flushed += int(np.count_nonzero((array != 0) & (back == 0)))
        if normal.any():
            worst_relative = max(worst_relative, float(np.max(np.abs(back[normal] - array[normal]) / np.abs(array[normal]))))
    save(half, path, dict(metadata, **{STORAGE_KEY: STORAGE_NOTE}))
    print(f"{name}: {len(half)} tensors, {count:,} values, {before:,} -> {os.path.getsize(path):,} bytes; "
          f"max relative error {worst_relative:.2e} where |x| >= {smallest_normal:.2g}; "
          f"{subnormal:,} non-zero values below that ({flushed:,} of them rounded to 0)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="safetensors files (default: every bundled student)")
    args = parser.parse_args()
    files = args.files or sorted(f for pattern in DEFAULT_GLOBS for f in glob.glob(pattern))
    if not files:
        raise SystemExit("error: no files match " + " or ".join(os.path.relpath(g, ROOT) for g in DEFAULT_GLOBS))
    # Check every file before writing any, so an overflow leaves the whole set untouched.
    for path in files:
        tensors, _ = read(path)
        if not all(array.dtype == np.float16 for array in tensors.values()):
            rounded(tensors, path)
    for path in files:
        convert(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
