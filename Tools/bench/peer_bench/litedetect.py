"""LiteDetect's side: runs ``detect bench`` (release binary) for one backbone, thread count and precision.

``detect bench --backbone NAME --input-size 320 --threads T --precision P
--runs N --warmup W --format json`` prints one JSON object per configuration;
its ``latency_ms.median`` is the median of the network forward pass over N
runs, with random weights, the same quantity the peers' timings measure. The
object also names the kernel set the binary chose (``kernels``, which
``LITEDETECT_ISA`` can cap) and the CPU it found (``cpu``: model, cache sizes,
whether it has AVX512_BF16).
"""

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Any

from .network import INPUT_SIZE, REPOSITORY_ROOT


class LiteDetectBenchError(RuntimeError):
    """``detect bench`` failed or printed something other than the expected JSON."""


class ConfigurationRefused(LiteDetectBenchError):
    """``detect bench`` refused the configuration on this machine or build; the message says why."""


class ThreadCountUnsupported(ConfigurationRefused):
    """``detect bench`` refused the thread count (e.g. multi-threading not available yet)."""


class PrecisionUnsupported(ConfigurationRefused):
    """``detect bench`` refused the precision (bf16 on a CPU without AVX512_BF16, or capped by LITEDETECT_ISA)."""


PRECISIONS = ("f32", "bf16")
"""What ``detect bench --precision`` accepts."""


@dataclass(frozen=True)
class LiteDetectResult:
    median_ms: float
    macs: int
    kernels: str
    """Which kernel set the binary chose at run time (e.g. "AVX-512")."""
    precision: str = "f32"
    cpu: dict[str, Any] = field(default_factory=dict)
    """The CPU as ``detect bench`` saw it: ``model``, ``l1d_bytes``, ``l2_bytes``, ``l3_bytes``, ``bf16``."""


def default_binary() -> str:
    return os.path.join(REPOSITORY_ROOT, ".build", "release", "detect")


def ensure_binary(path: str, build_if_missing: bool) -> str:
    """Returns ``path`` if it exists; otherwise builds it with ``swift build -c
    release --product detect`` into the scratch path that ``path`` lies in
    (``<scratch>/release/detect``), or fails when building is not allowed."""
    path = os.path.abspath(path)
    if os.path.exists(path):
        return path
    release_dir = os.path.dirname(path)
    if not build_if_missing or os.path.basename(path) != "detect" or os.path.basename(release_dir) != "release":
        raise LiteDetectBenchError(f"{path}: no such binary (build it with `swift build -c release --product detect`)")
    scratch = os.path.dirname(release_dir)
    command = ["swift", "build", "-c", "release", "--product", "detect", "--scratch-path", scratch]
    result = subprocess.run(command, cwd=REPOSITORY_ROOT)
    if result.returncode != 0 or not os.path.exists(path):
        raise LiteDetectBenchError(f"`{' '.join(command)}` failed (exit {result.returncode})")
    return path


def bench_command(binary: str, backbone: str, threads: int, runs: int, warmup: int,
                  precision: str = "f32") -> list[str]:
    return [binary, "bench", "--backbone", backbone, "--input-size", str(INPUT_SIZE), "--threads", str(threads),
            "--precision", precision, "--runs", str(runs), "--warmup", str(warmup), "--format", "json"]


def run_bench(binary: str, backbone: str, threads: int, runs: int, warmup: int,
              precision: str = "f32") -> LiteDetectResult:
    """One ``detect bench`` process for one configuration (one precision per process, so that a
    refused bf16 does not cost the f32 measurement)."""
    command = bench_command(binary, backbone, threads, runs, warmup, precision)
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY_ROOT)
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[0] if result.stderr.strip() else f"exit {result.returncode}"
        message = message.removeprefix("Error: ")
        if "--threads" in message:
            raise ThreadCountUnsupported(message)
        if "--precision" in message:
            raise PrecisionUnsupported(message)
        raise LiteDetectBenchError(f"`{' '.join(command)}` exited with {result.returncode}: {message}")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if len(lines) != 1:
        raise LiteDetectBenchError(f"`{' '.join(command)}` printed {len(lines)} JSON lines, expected 1")
    record = json.loads(lines[0])
    measured = (record.get("threads"), record.get("input_size"), record.get("precision"))
    if measured != (threads, INPUT_SIZE, precision):
        raise LiteDetectBenchError(f"`{' '.join(command)}` measured threads={measured[0]}, input_size={measured[1]}, "
                                   f"precision={measured[2]}, not what was asked")
    return LiteDetectResult(float(record["latency_ms"]["median"]), int(record["macs"]), str(record.get("kernels", "?")),
                            precision, dict(record.get("cpu", {})))
