"""Counter-based SplitMix64 generator for fixture weights.

Fixtures never store weights: every tensor is re-generated from
``(seed, low, high)`` by this function, and the Swift tests re-implement it
bit for bit. Element ``i`` (0-based, flat row-major index) of a tensor is a
pure function of ``seed`` and ``i``, so no generator state has to be carried
from one tensor to the next::

    z = (seed * 0xD1B54A32D192ED03 + (i + 1) * 0x9E3779B97F4A7C15) mod 2^64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) mod 2^64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) mod 2^64
    z =  z ^ (z >> 31)
    u = (z >> 40) / 2^24                       # in [0, 1), exact in float32
    value = float32(low + (high - low) * u)    # float64 arithmetic, one rounding
"""

import numpy as np

_SEED_MULTIPLIER = np.uint64(0xD1B54A32D192ED03)
_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def splitmix_uniform(seed: int, count: int, low: float, high: float) -> np.ndarray:
    """Returns ``count`` float32 values in ``[low, high)`` for ``seed``.

    ``seed`` must satisfy ``0 <= seed < 2**32`` so it fits a ``UInt32`` on the
    Swift side.
    """
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed {seed} is outside [0, 2^32)")
    if count < 0:
        raise ValueError(f"count {count} is negative")
    # uint64 multiplication and addition wrap modulo 2^64, which is exactly the
    # arithmetic the definition asks for; numpy only warns about it on scalars.
    with np.errstate(over="ignore"):
        counter = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(seed) * _SEED_MULTIPLIER + counter * _GOLDEN_GAMMA
        z = (z ^ (z >> np.uint64(30))) * _MIX_1
        z = (z ^ (z >> np.uint64(27))) * _MIX_2
        z = z ^ (z >> np.uint64(31))
    # The top 24 bits divided by 2^24 are exact in float64 (and float32).
    unit = (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)
    return (float(low) + (float(high) - float(low)) * unit).astype(np.float32)


def splitmix_tensor(seed: int, shape, low: float, high: float) -> np.ndarray:
    """Returns a float32 array of ``shape`` filled in flat row-major order."""
    count = int(np.prod(shape, dtype=np.int64))
    return splitmix_uniform(seed, count, low, high).reshape(tuple(shape))
