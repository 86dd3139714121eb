"""What one comparison run measured, before any formatting.

A *series* is one (runtime, thread count) pair; it collects one median per
round. Its reported value is the median of those per-round medians, so one
disturbed round (another process compiling) moves it less than a plain mean.
LiteDetect counts as one runtime per precision (``litedetect`` for float32,
``litedetect-bf16`` for bfloat16).
"""

import statistics
from dataclasses import dataclass, field
from typing import Any

LITEDETECT = "litedetect"
"""Runtime key of LiteDetect's own ``detect bench`` in float32 (the only precision of runs
saved before ``--precision`` existed, so their series keep reading as float32)."""

RATIO_PEERS = {
    "f32": ("onnxruntime", "openvino", "ncnn"),
    "bf16": ("openvino-default",),
}
"""Per LiteDetect precision, the peers whose faster one (at the same thread count) its ratio is
taken against: float32 against ORT, OpenVINO with float32 forced and ncnn (issue #15: "the
fastest float32 peer"); bfloat16 against OpenVINO
with its default precision (bfloat16 on CPUs with AVX512_BF16 or AMX), what a user who keeps
OpenVINO's defaults gets."""


def series_key(runtime: str, threads: int) -> str:
    return f"{runtime}/{threads}"


def litedetect_key(precision: str) -> str:
    """LiteDetect's runtime key at ``precision`` (``f32`` or ``bf16``)."""
    return LITEDETECT if precision == "f32" else f"{LITEDETECT}-{precision}"


@dataclass
class BackboneResult:
    backbone: str
    options: dict[str, Any]
    macs: int
    """Conv + linear multiply-accumulates counted in PyTorch (forward hooks)."""
    litedetect_macs: int | None = None
    """What ``detect bench`` reports, for comparison with ``macs``."""
    round_medians: dict[str, list[float]] = field(default_factory=dict)
    """Series key -> one median latency (ms) per round."""
    max_relative_difference: dict[str, float] = field(default_factory=dict)
    """Runtime key -> max over both outputs of ``max|runtime - PyTorch| / max|PyTorch|``;
    key ``pytorch-float64`` holds PyTorch float32 against float64 (the rounding floor)."""
    precisions: dict[str, str] = field(default_factory=dict)
    """Peer runtime key -> what its sessions computed in (``f32``; for OpenVINO's default
    precision, what OpenVINO chose, read back from the compiled model). Empty in older runs."""
    not_measured: dict[str, str] = field(default_factory=dict)
    """Series key -> why it has no numbers (package missing, thread count refused, wrong outputs)."""
    other_cpu_share: list[float | None] = field(default_factory=list)
    """Per kept round: the share of the machine's CPU that other processes used meanwhile."""
    discarded_rounds: int = 0
    """Rounds measured but dropped because other processes used too much CPU meanwhile."""

    def record(self, key: str, median_ms: float) -> None:
        self.round_medians.setdefault(key, []).append(median_ms)

    def latency_ms(self, key: str) -> float | None:
        """Median of the per-round medians, or ``None`` if the series was not measured."""
        values = self.round_medians.get(key)
        return statistics.median(values) if values else None

    def round_spread(self, key: str) -> float | None:
        """``(max - min) / median`` of the per-round medians: how much the rounds disagreed."""
        values = self.round_medians.get(key)
        if not values or len(values) < 2:
            return None
        return (max(values) - min(values)) / statistics.median(values)

    def worst_other_cpu_share(self) -> float | None:
        shares = [s for s in self.other_cpu_share if s is not None]
        return max(shares) if shares else None

    def best_round_ms(self, key: str) -> float | None:
        """The fastest per-round median: interference only ever adds time, so this is the
        series' speed in its least disturbed round."""
        values = self.round_medians.get(key)
        return min(values) if values else None

    def best_round_peer(self, threads: int, precision: str = "f32") -> tuple[str, float] | None:
        """The faster of ``precision``'s ratio peers by their best rounds at ``threads``: (runtime key, ms)."""
        candidates = [(r, self.best_round_ms(series_key(r, threads))) for r in RATIO_PEERS[precision]]
        candidates = [(r, ms) for r, ms in candidates if ms is not None]
        return min(candidates, key=lambda c: c[1]) if candidates else None

    def litedetect_best_round_ratio(self, threads: int, precision: str = "f32") -> float | None:
        """LiteDetect's best round at ``precision`` divided by the best round of the faster of its ratio peers."""
        ours = self.best_round_ms(series_key(litedetect_key(precision), threads))
        peer = self.best_round_peer(threads, precision)
        return ours / peer[1] if ours is not None and peer is not None else None

    def litedetect_ratios(self, threads: int, precision: str = "f32") -> list[float]:
        """Per round: LiteDetect's median at ``precision`` divided by the faster of its ratio peers'
        medians of that round."""
        ours = self.round_medians.get(series_key(litedetect_key(precision), threads), [])
        peers = [self.round_medians[key] for key in (series_key(r, threads) for r in RATIO_PEERS[precision])
                 if key in self.round_medians]
        if not ours or not peers:
            return []
        return [mine / min(p[i] for p in peers) for i, mine in enumerate(ours)]

    def litedetect_ratio(self, threads: int, precision: str = "f32") -> float | None:
        """Median of the per-round ratios (> 1: LiteDetect is slower).

        Taken per round, not from the final medians, because the speed of a
        shared machine can change between rounds (on our VM, two threads
        sometimes give 1.2x instead of 1.85x one thread's speed for tens of
        seconds); within a round, the compared series ran seconds apart."""
        ratios = self.litedetect_ratios(threads, precision)
        return statistics.median(ratios) if ratios else None


def backbone_result_from_dict(fields: dict[str, Any]) -> BackboneResult:
    return BackboneResult(**fields)


@dataclass
class ComparisonRun:
    """Everything a report needs: the per-backbone results and the context they were taken in."""

    results: list[BackboneResult]
    threads: list[int]
    runtimes: list[str]
    """Peer runtime keys, in timing order (LiteDetect is timed after them in each round)."""
    rounds: int
    max_other_cpu: float
    """A round during which other processes used more than this share of the CPU was re-run (if retries were left)."""
    runs: int
    warmup: int
    command: str
    litedetect_binary: str
    litedetect_binary_sha256: str
    litedetect_binary_built: str
    litedetect_kernels: str
    litedetect_bench_example: str
    source_revision: str
    date: str
    cpu: dict[str, str]
    versions: dict[str, str]
    load_before: str
    load_after: str
    duration_s: float
    unavailable: dict[str, str]
    """Runtime key -> why it could not run at all on this machine."""
    # Fields added with --precision; runs saved before them read as float32-only runs.
    litedetect_precisions: list[str] = field(default_factory=lambda: ["f32"])
    """The precisions ``detect bench`` was run at (``--precision``), each its own series."""
    litedetect_cpu: dict[str, Any] = field(default_factory=dict)
    """The CPU as ``detect bench`` saw it (its JSON's ``cpu``: model, cache sizes, bf16)."""
    litedetect_isa: str | None = None
    """``LITEDETECT_ISA`` in the environment ``detect bench`` ran in (caps its kernels): empty if unset,
    ``None`` in runs saved before it was recorded."""
    max_relative_difference_allowed: dict[str, float] = field(default_factory=lambda: {"f32": 1e-3})
    """Per precision a peer computed in: the largest difference from PyTorch that still counted as the
    same network (a peer above it was not timed)."""

    @staticmethod
    def from_dict(fields: dict[str, Any]) -> "ComparisonRun":
        """The inverse of ``dataclasses.asdict`` (what ``--format json`` writes)."""
        fields = dict(fields)
        fields["results"] = [backbone_result_from_dict(r) for r in fields["results"]]
        return ComparisonRun(**fields)
