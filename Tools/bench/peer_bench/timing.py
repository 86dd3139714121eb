"""Wall-clock timing of one forward pass: warm-up, then the median of N runs."""

import statistics
import time
from typing import Callable


def median_latency_ms(run: Callable[[], object], warmup: int, runs: int) -> float:
    """Calls ``run`` ``warmup`` times untimed, then ``runs`` times; the median wall time in ms.

    Warm-up absorbs first-call costs (lazy kernel selection, allocator growth,
    thread-pool start) that ``detect bench`` also excludes with its own warm-up.
    """
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(samples)
