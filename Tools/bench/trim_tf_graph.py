#!/usr/bin/env python3
"""Cuts a TF Object Detection API frozen graph down to its network, for runtimes that cannot cut it.

Writes a GraphDef whose only input is a float placeholder in place of ``Preprocessor/sub`` (the
normalised ``[1, 300, 300, 3]`` image) and whose outputs are the per-level predictor ``BiasAdd``s:
the same nodes, weights and order as the original between those points, nothing else (no
preprocessing loop, no anchors, no NMS). ``compare_imported.py`` gives it to OpenVINO, whose current
converter no longer cuts graphs at inner nodes.

    /opt/refenv/bin/python Tools/bench/trim_tf_graph.py frozen_inference_graph.pb /tmp/coco-network.pb

Needs tensorflow (tensorflow-cpu 2.21.0 used).
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

INPUT = "Preprocessor/sub"
LEVELS = 6


def main() -> int:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, destination = sys.argv[1:]
    graph = tf.compat.v1.GraphDef()
    with open(source, "rb") as file:
        graph.ParseFromString(file.read())
    outputs = [f"BoxPredictor_{i}/{head}/BiasAdd" for head in ("BoxEncodingPredictor", "ClassPredictor") for i in range(LEVELS)]
    network = tf.compat.v1.graph_util.extract_sub_graph(graph, outputs)
    trimmed = tf.compat.v1.GraphDef()
    for node in network.node:
        if node.name == INPUT:
            placeholder = trimmed.node.add()
            placeholder.name = INPUT
            placeholder.op = "Placeholder"
            placeholder.attr["dtype"].type = tf.float32.as_datatype_enum
            placeholder.attr["shape"].shape.CopyFrom(tf.TensorShape([1, 300, 300, 3]).as_proto())
        else:
            trimmed.node.add().CopyFrom(node)
    # Drop what only fed the replaced node.
    trimmed = tf.compat.v1.graph_util.extract_sub_graph(trimmed, outputs)
    with open(destination, "wb") as file:
        file.write(trimmed.SerializeToString())
    print(f"{destination}: {len(trimmed.node)} nodes (of {len(graph.node)}), input {INPUT}, {len(outputs)} outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
