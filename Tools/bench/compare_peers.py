#!/usr/bin/env python3
"""Times LiteDetect's SSDLite320 networks against ONNX Runtime, OpenVINO, ncnn and PyTorch.

For each backbone, the PyTorch reference detector (``Tools/reference``,
options from ``Configs/models/ssdlite320-<backbone>.json``; backbone, extras
and SSDLite heads up to the raw box regressions and class logits, random but
well-scaled weights) is exported to ONNX (ONNX Runtime, OpenVINO) and through
pnnx to ncnn, and each runtime's outputs are checked against PyTorch's on the
input that is then timed. Rounds then alternate: every peer, then LiteDetect's
``detect bench`` (same backbone, 320x320, same warm-up and run counts, at each
``--precision``), so that machine noise hits both sides alike. OpenVINO runs
twice: with float32 forced, and with its default precision (bfloat16 on CPUs
with AVX512_BF16 or AMX), which LiteDetect's bfloat16 is compared with.
Runtimes that do not install are skipped and named in the report.

Run from anywhere (paths are taken relative to the repository)::

    /opt/refenv/bin/python Tools/bench/compare_peers.py --format markdown

See ``Tools/bench/README.md`` for the setup and what each option means.
"""

import argparse
import json
import os
import shlex
import sys
import tempfile
import time

import numpy as np
import torch

from peer_bench import environment
from peer_bench.exports import export_ncnn, export_onnx
from peer_bench.litedetect import (
    PRECISIONS,
    ConfigurationRefused,
    LiteDetectBenchError,
    LiteDetectResult,
    bench_command,
    default_binary,
    ensure_binary,
    run_bench,
)
from peer_bench.machine_load import OtherCpuMeter
from peer_bench.network import BACKBONE_NAMES, Network, build_network, count_macs
from peer_bench.report import render_json, render_markdown, render_table
from peer_bench.results import BackboneResult, ComparisonRun, litedetect_key, series_key
from peer_bench.runtimes import (
    RUNTIMES,
    RUNTIMES_BY_KEY,
    Session,
    ncnn_session,
    onnxruntime_session,
    openvino_session,
    torch_session,
    unavailable_reason,
)
from peer_bench.timing import median_latency_ms

MAX_RELATIVE_DIFFERENCE = {"f32": 1e-3, "bf16": 0.1}
"""Per precision a peer computes in: a runtime whose outputs differ from PyTorch
float32's by more than this (relative to max |output|, which is about 3-6 here)
is not running the same network and is not timed.

float32: reorderings give ~1e-6, Winograd convolutions ~1e-5. bfloat16 keeps 8
significant bits (relative rounding 2^-9 ~ 2e-3 per value), and OpenVINO rounds
activations and weights to it at every convolution: the errors of ~50 layers
add up, and a max over ~200k outputs picks the worst. Seen with OpenVINO
2026.4's default (bfloat16, AVX512_BF16 without AMX): 1.4e-2 (ShuffleNetV1) to
7.8e-2 (ShuffleNetV2), so 5e-2 would drop ShuffleNetV2. A wrong network (a
missing layer, other weights) differs by O(1), as ncnn's float16 defaults do
(0.52). 0.1 is also compare_imported.py's bfloat16 bound. A precision without
its own entry (float16, which OpenVINO picks on some ARM CPUs) gets bfloat16's."""


def allowed_difference(precision: str) -> float:
    return MAX_RELATIVE_DIFFERENCE.get(precision, MAX_RELATIVE_DIFFERENCE["bf16"])


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backbone", action="append", choices=BACKBONE_NAMES,
                        help="backbone to measure (repeatable; default: all 8)")
    parser.add_argument("--runtime", action="append", choices=[r.key for r in RUNTIMES],
                        help="peer runtime to time (repeatable; default: all that import)")
    parser.add_argument("--threads", action="append", type=int,
                        help="thread counts (repeatable; default: 1 and 2)")
    parser.add_argument("--precision", action="append", choices=PRECISIONS,
                        help="LiteDetect's precision, `detect bench --precision` (repeatable; default: f32); "
                             "bf16 is compared with OpenVINO's default precision")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per backbone (default 3)")
    parser.add_argument("--runs", type=int, default=20, help="timed forward passes per series and round (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed passes before each timed block (default 3)")
    parser.add_argument("--max-other-cpu", type=float, default=0.25,
                        help="re-run a round during which other processes used more than this share of the "
                             "CPU (default 0.25)")
    parser.add_argument("--round-retries", type=int, default=3,
                        help="re-runs allowed per backbone for busy rounds (default 3); then rounds are kept")
    parser.add_argument("--retry-pause", type=float, default=10.0,
                        help="seconds to wait before re-running a busy round (default 10)")
    parser.add_argument("--detect", default=default_binary(),
                        help="LiteDetect's release `detect` binary (default: .build/release/detect; "
                             "built with `swift build -c release` if missing there)")
    parser.add_argument("--no-build", action="store_true", help="fail instead of building a missing `detect`")
    parser.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    parser.add_argument("--output", help="write the report here instead of standard output")
    parser.add_argument("--json-output", help="also write every measurement (per-round medians) as JSON here")
    parser.add_argument("--from-json", metavar="PATH",
                        help="measure nothing: re-print the report of a run saved with --json-output")
    parser.add_argument("--models-dir", help="keep the exported ONNX/ncnn models here (default: a temporary folder)")
    arguments = parser.parse_args()
    arguments.backbone = arguments.backbone or list(BACKBONE_NAMES)
    arguments.threads = sorted(set(arguments.threads or [1, 2]))
    arguments.precision = [p for p in PRECISIONS if p in (arguments.precision or ["f32"])]
    if min(arguments.threads) < 1 or arguments.rounds < 1 or arguments.runs < 1:
        parser.error("--threads, --rounds and --runs must be >= 1")
    if arguments.warmup < 0 or arguments.round_retries < 0 or arguments.retry_pause < 0:
        parser.error("--warmup, --round-retries and --retry-pause must be >= 0")
    return arguments


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def max_relative_difference(outputs: list[np.ndarray], reference: list[np.ndarray]) -> float:
    worst = 0.0
    for output, expected in zip(outputs, reference):
        if output.shape != expected.shape:
            return float("inf")
        scale = float(np.abs(expected).max())
        worst = max(worst, float(np.abs(output.astype(np.float64) - expected).max()) / scale)
    return worst


def open_sessions(network: Network, runtimes: list[str], threads: list[int], models_dir: str,
                  result: BackboneResult) -> list[Session]:
    """Exports once per format and opens one session per (runtime, thread count);
    a failing export or session is recorded in ``result.not_measured``, not raised."""
    image = network.example_input.numpy()
    with torch.no_grad():
        output_shapes = [tuple(o.shape) for o in network.model(network.example_input)]
    onnx_path = ncnn_model = None
    sessions = []
    for key in runtimes:
        runtime = RUNTIMES_BY_KEY[key]
        try:
            if runtime.needs_onnx and onnx_path is None:
                onnx_path = export_onnx(network, os.path.join(models_dir, f"{network.backbone}.onnx"))
            if runtime.needs_ncnn and ncnn_model is None:
                ncnn_model = export_ncnn(network, os.path.join(models_dir, "ncnn"))
            open_session = {
                "onnxruntime": lambda count: onnxruntime_session(runtime, onnx_path, image, count),
                "openvino": lambda count: openvino_session(runtime, onnx_path, image, count),
                "openvino-default": lambda count: openvino_session(runtime, onnx_path, image, count),
                "ncnn": lambda count: ncnn_session(runtime, ncnn_model, image, output_shapes, count),
                "pytorch": lambda count: torch_session(runtime, network, count),
            }[key]
            sessions += [open_session(count) for count in threads]
        except Exception as error:
            reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            log(f"  {runtime.label}: cannot run ({reason})")
            for count in threads:
                result.not_measured.setdefault(series_key(key, count), reason)
    return [s for s in sessions if series_key(s.runtime.key, s.threads) not in result.not_measured]


def check_same_network(network: Network, sessions: list[Session], result: BackboneResult) -> list[Session]:
    """Compares each session's outputs with PyTorch float32 on the timed input; drops those that differ
    by more than their precision allows (``MAX_RELATIVE_DIFFERENCE``)."""
    torch.set_num_threads(1)
    with torch.no_grad():
        reference = [o.numpy().copy() for o in network.model(network.example_input)]
        exact = [o.numpy() for o in network.model.double()(network.example_input.double())]
    network.model.float()
    result.max_relative_difference["pytorch-float64"] = max_relative_difference(reference, exact)
    kept = []
    for session in sessions:
        session.activate()
        difference = max_relative_difference(session.infer(), reference)
        key = session.runtime.key
        # Reported per runtime: the worst of its thread counts, and what it computed in.
        result.max_relative_difference[key] = max(result.max_relative_difference.get(key, 0.0), difference)
        result.precisions[key] = session.precision
        allowed = allowed_difference(session.precision)
        if difference > allowed:
            reason = f"outputs ({session.precision}) differ from PyTorch: {difference:.1e} > {allowed:g}"
            log(f"  {session.runtime.label} {session.threads}T: {reason}")
            result.not_measured[series_key(key, session.threads)] = reason
        else:
            kept.append(session)
    return kept


def measure_backbone(backbone: str, arguments: argparse.Namespace, runtimes: list[str], binary: str,
                     refused: dict[str, str], models_dir: str) -> tuple[BackboneResult, dict[str, LiteDetectResult]]:
    """Rounds for one backbone. ``refused``: LiteDetect series key -> why ``detect bench`` refused it
    (kept across backbones, so that a refused thread count or precision is asked once).
    Also returns, per precision, LiteDetect's last result (its kernels and CPU)."""
    started = time.time()
    network = build_network(backbone)
    result = BackboneResult(backbone, network.options, count_macs(network.model, network.example_input))
    sessions = check_same_network(network, open_sessions(network, runtimes, arguments.threads, models_dir, result),
                                  result)
    log(f"  ready in {time.time() - started:.0f} s; max rel. diff vs PyTorch: "
        + ", ".join(f"{k} {v:.1e}" for k, v in result.max_relative_difference.items())
        + "".join(f"; {k} ran in {p}" for k, p in result.precisions.items() if p != "f32"))
    ours_by_precision: dict[str, LiteDetectResult] = {}
    retries_left = arguments.round_retries
    meter = OtherCpuMeter()
    while len(result.other_cpu_share) < arguments.rounds:
        meter.start()
        medians: dict[str, float] = {}
        # Per thread count, the peers and then LiteDetect: the series that a
        # ratio compares run seconds apart, not a whole round apart.
        for threads in arguments.threads:
            for session in (s for s in sessions if s.threads == threads):
                session.activate()
                medians[series_key(session.runtime.key, threads)] = median_latency_ms(
                    session.infer, arguments.warmup, arguments.runs)
            for precision in arguments.precision:
                key = series_key(litedetect_key(precision), threads)
                if key not in refused:
                    try:
                        ours = run_bench(binary, backbone, threads, arguments.runs, arguments.warmup, precision)
                    except ConfigurationRefused as refusal:
                        refused[key] = f"`detect bench` answered: {refusal}"
                if key in refused:
                    result.not_measured[key] = refused[key]
                    continue
                medians[key] = ours.median_ms
                result.litedetect_macs, ours_by_precision[precision] = ours.macs, ours
        share = meter.stop()
        summary = ", ".join(f"{k} {v:.1f}" for k, v in medians.items())
        others = "unknown" if share is None else f"{share:.0%}"
        if share is not None and share > arguments.max_other_cpu and retries_left > 0:
            retries_left -= 1
            result.discarded_rounds += 1
            log(f"  round dropped (others used {others} of the CPU): {summary}")
            time.sleep(arguments.retry_pause)
            continue
        for key, value in medians.items():
            result.record(key, value)
        result.other_cpu_share.append(share)
        log(f"  round {len(result.other_cpu_share)}/{arguments.rounds} (others' CPU {others}): {summary}")
    return result, ours_by_precision


def kernels_summary(ours_by_precision: dict[str, LiteDetectResult]) -> str:
    """The kernel sets ``detect bench`` chose: one name if every precision used the same, else per precision."""
    kernels = {precision: ours.kernels for precision, ours in ours_by_precision.items()}
    if len(set(kernels.values())) == 1:
        return next(iter(kernels.values()))
    return "; ".join(f"{precision}: {name}" for precision, name in kernels.items()) or "?"


def write_report(run: ComparisonRun, arguments: argparse.Namespace) -> None:
    render = {"table": render_table, "markdown": render_markdown, "json": render_json}[arguments.format]
    text = render(run)
    if arguments.output:
        with open(arguments.output, "w") as file:
            file.write(text)
    else:
        sys.stdout.write(text)


def main() -> int:
    arguments = parse_arguments()
    if arguments.from_json:
        with open(arguments.from_json) as file:
            write_report(ComparisonRun.from_dict(json.load(file)), arguments)
        return 0
    started = time.time()
    load_before = environment.load_snapshot()
    binary = ensure_binary(arguments.detect, build_if_missing=not arguments.no_build)
    requested = arguments.runtime or [r.key for r in RUNTIMES]
    unavailable = {key: reason for key in requested if (reason := unavailable_reason(RUNTIMES_BY_KEY[key]))}
    for key, reason in unavailable.items():
        log(f"{RUNTIMES_BY_KEY[key].label}: skipped ({reason})")
    runtimes = [key for key in requested if key not in unavailable]
    log(f"load before: {load_before}")

    refused: dict[str, str] = {}
    results, ours_by_precision = [], {}
    with tempfile.TemporaryDirectory(prefix="litedetect-peers-") as temporary:
        for backbone in arguments.backbone:
            log(f"{backbone}:")
            models_dir = os.path.join(arguments.models_dir or temporary, backbone)
            os.makedirs(models_dir, exist_ok=True)
            result, backbone_ours = measure_backbone(backbone, arguments, runtimes, binary, refused, models_dir)
            results.append(result)
            ours_by_precision.update(backbone_ours)

    run = ComparisonRun(
        results=results, threads=arguments.threads, runtimes=runtimes, rounds=arguments.rounds,
        max_other_cpu=arguments.max_other_cpu,
        runs=arguments.runs, warmup=arguments.warmup,
        command=shlex.join([sys.executable] + sys.argv),
        litedetect_binary=environment.display_path(binary),
        litedetect_binary_sha256=environment.file_sha256(binary),
        litedetect_binary_built=environment.modification_time(binary),
        litedetect_kernels=kernels_summary(ours_by_precision),
        litedetect_bench_example="\n".join(
            shlex.join(bench_command(environment.display_path(binary), arguments.backbone[0], arguments.threads[0],
                                     arguments.runs, arguments.warmup, precision))
            for precision in arguments.precision),
        source_revision=environment.source_revision(), date=environment.utc_now(),
        cpu=environment.cpu_description(), versions=environment.versions(),
        load_before=load_before, load_after=environment.load_snapshot(), duration_s=time.time() - started,
        unavailable=unavailable,
        litedetect_precisions=arguments.precision,
        litedetect_cpu=next((ours.cpu for ours in ours_by_precision.values() if ours.cpu), {}),
        litedetect_isa=environment.litedetect_isa(),
        max_relative_difference_allowed=dict(MAX_RELATIVE_DIFFERENCE),
    )
    log(f"load after: {run.load_after}")
    write_report(run, arguments)
    if arguments.json_output:
        with open(arguments.json_output, "w") as file:
            file.write(render_json(run))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except LiteDetectBenchError as error:
        log(f"error: {error}")
        sys.exit(1)
