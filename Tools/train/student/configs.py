"""Where the config of a weights file is: the one lookup ``--init-from`` and the export share."""

import json
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def config_of_weights(weights_path: str) -> dict:
    """The config of ``weights_path`` (``*.safetensors``): the one beside it (a milestone in
    Tools/train/milestones), else the bundled config of that name (``Configs/models``)."""
    path = weights_path.replace(".safetensors", ".json")
    if not os.path.exists(path):
        path = os.path.join(ROOT, "Configs", "models", os.path.basename(path))
    with open(path) as file:
        return json.load(file)
