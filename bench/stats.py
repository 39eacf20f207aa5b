"""Latency percentiles, as the benchmarks report them."""
from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100): a value that was measured, never an
    interpolation between two, so a p99 of 100 samples is the 99th smallest."""
    if not values:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {q}")
    ordered = sorted(values)
    return ordered[math.ceil(q / 100 * len(ordered)) - 1]


def latency_summary(seconds: Sequence[float]) -> dict:
    """count, p50/p95/p99/max in milliseconds (one decimal) of latencies given in seconds."""
    if not seconds:
        return {"count": 0}
    return {
        "count": len(seconds),
        **{f"p{q}_ms": round(percentile(seconds, q) * 1000, 1) for q in (50, 95, 99)},
        "max_ms": round(max(seconds) * 1000, 1),
    }
