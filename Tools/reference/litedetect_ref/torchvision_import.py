"""Imports torchvision even when its compiled C++ ops cannot be loaded.

The reference scripts only use torchvision's model definitions, which are
pure Python. On a machine where torchvision's ``_C`` library does not match
the installed torch (e.g. a CPU-only torch wheel beside a CUDA torchvision
wheel from PyPI), ``import torchvision`` dies in ``_meta_registrations`` while
registering fake kernels for ``torchvision::nms``/``qnms``, operators that only
the missing library would have defined. Declaring those two schemas first lets
the import finish; calling ``torchvision.ops.nms`` then still fails loudly, so
nothing silently falls back to different code.
"""

import importlib
import sys

import torch

_OPS_REGISTERED_AS_FAKE_AT_IMPORT = {
    "nms": "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}

# Kept alive for the life of the process: dropping a torch.library.Library
# deregisters what it defined.
_placeholder_library = None


def import_torchvision():
    """Returns the ``torchvision`` module, declaring missing op schemas if needed."""
    global _placeholder_library
    try:
        return importlib.import_module("torchvision")
    except RuntimeError as error:
        if "torchvision::" not in str(error) or _placeholder_library is not None:
            raise
    # Forget the half-imported package before trying again.
    for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
        del sys.modules[name]
    _placeholder_library = torch.library.Library("torchvision", "DEF")
    for schema in _OPS_REGISTERED_AS_FAKE_AT_IMPORT.values():
        _placeholder_library.define(schema)
    return importlib.import_module("torchvision")
