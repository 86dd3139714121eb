"""How much of the CPU *other* processes used while we were timing.

On a shared 2-core machine, a compile running next to a benchmark can double
its latencies (and hit multi-threaded runtimes hardest). ``OtherCpuMeter``
measures that directly for one interval: all CPUs' busy time (``/proc/stat``)
minus this process's and its finished children's CPU time (``os.times``:
the peers run in this process, ``detect bench`` as a child), as a fraction of
the interval's total CPU capacity. 0 means nothing else ran; 0.5 on 2 cores
means another process kept one core busy throughout.
"""

import os
import time


def _busy_seconds() -> float | None:
    """CPU time spent not idle since boot, all CPUs together (``None`` where ``/proc/stat`` is missing)."""
    try:
        with open("/proc/stat") as file:
            fields = [int(v) for v in file.readline().split()[1:]]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice, already inside user/nice]
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return (total - idle) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class OtherCpuMeter:
    """``start()``, then ``stop()`` returns the other processes' share of the CPU over the interval."""

    def __init__(self) -> None:
        self._start: tuple[float, float | None, float] | None = None

    def start(self) -> None:
        self._start = (time.monotonic(), _busy_seconds(), _own_seconds())

    def stop(self) -> float | None:
        """The share in [0, 1] (clamped: tick rounding can make it slightly negative), or ``None`` if unknown."""
        if self._start is None:
            raise RuntimeError("OtherCpuMeter.stop() before start()")
        wall_start, busy_start, own_start = self._start
        busy_end = _busy_seconds()
        if busy_start is None or busy_end is None:
            return None
        capacity = (time.monotonic() - wall_start) * (os.cpu_count() or 1)
        others = (busy_end - busy_start) - (_own_seconds() - own_start)
        return min(max(others / capacity, 0.0), 1.0)
