"""Where a model's config is: the lookups ``--init-from``, the export and the measuring scripts share."""

import json
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
MILESTONES = os.path.join(ROOT, "Tools", "train", "milestones")
"""COCO students in training that are not bundled (MobileNetV1's): config and weights side by side."""
PERSON_STUDENTS = os.path.join(ROOT, "Tools", "train", "person-students")
"""The person students, retired from the bundle (docs/MODELS.md): kept for ``--init-from`` and measuring."""


def config_of_weights(weights_path: str) -> dict:
    """The config of ``weights_path`` (``*.safetensors``): the one beside it (a milestone in
    Tools/train/milestones, a person student in Tools/train/person-students), else the bundled
    config of that name (``Configs/models``)."""
    path = weights_path.replace(".safetensors", ".json")
    if not os.path.exists(path):
        path = os.path.join(ROOT, "Configs", "models", os.path.basename(path))
    with open(path) as file:
        return json.load(file)


def model_name(model: str) -> str:
    """A model as ``detect --model`` takes it (a bundled model's name or a config's path) -> its name."""
    return os.path.basename(model).removesuffix(".json")


def config_path(model: str) -> str:
    """A model as ``detect --model`` takes it -> its config file."""
    return model if model.endswith(".json") else os.path.join(ROOT, "Configs", "models", f"{model}.json")
