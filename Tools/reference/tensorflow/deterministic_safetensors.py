"""Writes safetensors files whose bytes depend only on their content.

``safetensors.numpy.save_file`` orders the ``__metadata__`` map differently from
run to run, so two conversions of the same graph would differ. This writer
emits the header JSON with ``__metadata__`` first and every other key sorted,
tensors laid out in key order, and pads the header with spaces to a multiple of
8 bytes (as the reference implementation does). Files are read back with the
``safetensors`` package and compared before the function returns.
"""

import json
import struct

import numpy as np
from safetensors.numpy import load_file

DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}


def save(tensors: dict[str, np.ndarray], path: str, metadata: dict[str, str]) -> None:
    header: dict = {"__metadata__": dict(sorted(metadata.items()))}
    blobs, offset = [], 0
    for key in sorted(tensors):
        array = np.ascontiguousarray(tensors[key])
        if array.dtype not in DTYPES:
            raise ValueError(f"{key}: dtype {array.dtype} is not one of {sorted(map(str, DTYPES))}")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[key] = {"dtype": DTYPES[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        for blob in blobs:
            file.write(blob)
    loaded = load_file(path)
    if sorted(loaded) != sorted(tensors) or any(not np.array_equal(loaded[k], tensors[k]) for k in tensors):
        raise RuntimeError(f"{path}: reading the file back does not give the tensors written")
