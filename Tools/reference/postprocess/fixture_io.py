"""Writes LiteDetectPostprocess test fixtures in one small, deterministic format.

Every fixture is a `.safetensors` file holding float32 / int32 tensors plus one
metadata entry, "json", that carries the scalar settings of each case (thresholds,
sizes, configs) as a JSON object. The Swift tests read both with a tiny reader in
`Tests/LiteDetectPostprocessTests/SafetensorsFixture.swift`.
"""

import json
import os

import numpy as np
from safetensors.numpy import save_file

FIXTURE_DIR = os.path.join("Tests", "LiteDetectPostprocessTests", "Fixtures")


def save_fixture(name, tensors, settings):
    """Saves `tensors` (name -> array) and `settings` (JSON-able) as Fixtures/<name>.safetensors."""
    converted = {}
    for key, value in tensors.items():
        array = np.asarray(value)
        if array.dtype.kind == "f":
            array = array.astype(np.float32)
        elif array.dtype.kind in "iub":
            if array.size and (array.max() > np.iinfo(np.int32).max or array.min() < np.iinfo(np.int32).min):
                raise ValueError(f"{key}: values do not fit int32")
            array = array.astype(np.int32)
        else:
            raise ValueError(f"{key}: unsupported dtype {array.dtype}")
        converted[key] = np.ascontiguousarray(array)
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    path = os.path.join(FIXTURE_DIR, name + ".safetensors")
    save_file(converted, path, metadata={"json": json.dumps(settings, sort_keys=True)})
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(converted)} tensors)")
