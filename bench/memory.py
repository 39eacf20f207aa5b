"""Memory: the peak resident set (the kernel's VmHWM) of a worker process once it holds K workers'
state, and its resident set before the first event, so the growth per worker can be read off.

The K workers are seen once each (``bench.population``), loaded exactly as the recovery scenario
loads them. Growth per worker is (peak − start) / K: a linear extrapolation from it to other K is
only as good as the assumption that nothing in the process is bounded or grows in steps (caches,
RocksDB's memtables and block cache are bounded; Python's dicts grow in steps)."""
from __future__ import annotations

from pathlib import Path

from rich.progress import Progress

from bench.population import new_workers
from bench.recovery import load
from streams.settings import Settings


def scenario(settings: Settings, workdir: Path, progress: Progress, workers: int) -> dict:
    worker, events, loaded = load(settings, workdir, new_workers(workers), progress)
    worker.stop()
    growth = (loaded["peak_rss_mib"] - loaded["startup_rss_mib"]) * 1024 / workers
    return {"workers": workers, "events": len(events), "startup_rss_mib": loaded["startup_rss_mib"],
            "peak_rss_mib": loaded["peak_rss_mib"], "kib_per_worker": round(growth, 2),
            "load_events_per_s": loaded["load_events_per_s"]}
