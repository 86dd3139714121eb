"""LiteDetect's side: runs ``detect bench`` (release binary) for one backbone and thread count.

``detect bench --backbone NAME --input-size 320 --threads T --runs N
--warmup W --format json`` prints one JSON object per configuration; its
``latency_ms.median`` is the median of the network forward pass over N runs,
with random weights, the same quantity the peers' timings measure.
"""

import json
import os
import subprocess
from dataclasses import dataclass

from .network import INPUT_SIZE, REPOSITORY_ROOT


class LiteDetectBenchError(RuntimeError):
    """``detect bench`` failed or printed something other than the expected JSON."""


class ThreadCountUnsupported(LiteDetectBenchError):
    """``detect bench`` refused the thread count (e.g. multi-threading not available yet)."""


@dataclass(frozen=True)
class LiteDetectResult:
    median_ms: float
    macs: int
    kernels: str
    """Which kernel set the binary chose at run time (e.g. "AVX-512")."""


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


def bench_command(binary: str, backbone: str, threads: int, runs: int, warmup: int) -> list[str]:
    return [binary, "bench", "--backbone", backbone, "--input-size", str(INPUT_SIZE), "--threads", str(threads),
            "--runs", str(runs), "--warmup", str(warmup), "--format", "json"]


def run_bench(binary: str, backbone: str, threads: int, runs: int, warmup: int) -> LiteDetectResult:
    """One ``detect bench`` process for one configuration."""
    command = bench_command(binary, backbone, threads, runs, warmup)
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY_ROOT)
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[0] if result.stderr.strip() else f"exit {result.returncode}"
        message = message.removeprefix("Error: ")
        if "--threads" in message:
            raise ThreadCountUnsupported(message)
        raise LiteDetectBenchError(f"`{' '.join(command)}` exited with {result.returncode}: {message}")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if len(lines) != 1:
        raise LiteDetectBenchError(f"`{' '.join(command)}` printed {len(lines)} JSON lines, expected 1")
    record = json.loads(lines[0])
    if record.get("threads") != threads or record.get("input_size") != INPUT_SIZE:
        raise LiteDetectBenchError(f"`{' '.join(command)}` measured threads={record.get('threads')}, "
                                   f"input_size={record.get('input_size')}, not what was asked")
    return LiteDetectResult(float(record["latency_ms"]["median"]), int(record["macs"]), str(record.get("kernels", "?")))
