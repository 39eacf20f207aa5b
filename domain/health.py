"""Health means progress (DESIGN §7): the verdict ``/healthz`` gives, from offset samples.

faust-streaming has consumers that stop consuming, and commits that stop, while the process
lives (faust-streaming issues 175, 523, 549; the exactly-once commit stall in
``docs/processing-guarantees.md``). So a worker is judged by its partitions: each sample gives, per
partition it owns, the group's committed offset (the next offset the group will process) and
the end offset (one past the last record). A partition is *stuck* when it has lag and its
committed offset has not moved for longer than ``stall_after`` seconds; an idle partition
(no lag) or a moving one is fine, however far behind. A worker whose samples stopped coming
is unhealthy too: then nothing is known to move.

Under ``exactly_once`` a partition's last transaction marker sits past the last record, and the
group never commits past it: the end a sample gives is then the end of the *records* (the shell
asks a ``read_committed`` reader whether the offsets after the committed one hold any), so an
idle, fully processed partition has no lag. at_least_once (the default) has no markers.

Plain data and functions: the worker's timer feeds ``observe``, ``/healthz`` asks ``verdict``.
Times are seconds on a monotonic clock.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

STALL_AFTER = 60.0

Partition = tuple[str, int]  # (topic, partition)


@dataclass(frozen=True)
class Offsets:
    """One partition at one instant."""

    committed: int | None  # None: the group never committed this partition
    end: int  # one past the last record (under exactly_once, not past a trailing transaction marker)

    @property
    def lag(self) -> int:
        # Never committed: the group will read from the earliest record, so count them all.
        return max(0, self.end - (self.committed or 0))


@dataclass(frozen=True)
class Progress:
    offsets: Offsets
    since: float  # when the partition last progressed: first seen, its offset moved, or no lag


@dataclass(frozen=True)
class Health:
    """What the samples so far say; ``sampled_at`` is the last sample's time (or the start)."""

    sampled_at: float
    partitions: Mapping[Partition, Progress] = field(default_factory=dict)


def observe(health: Health, sample: Mapping[Partition, Offsets], now: float) -> Health:
    """Fold one sample in. A partition not in the sample is no longer ours and is forgotten."""
    known = health.partitions
    return Health(now, {partition: _progress(known.get(partition), offsets, now) for partition, offsets in sample.items()})


def _progress(before: Progress | None, offsets: Offsets, now: float) -> Progress:
    if before is None or offsets.lag == 0 or offsets.committed != before.offsets.committed:
        return Progress(offsets, now)
    return Progress(offsets, before.since)


def verdict(health: Health, now: float, stall_after: float = STALL_AFTER) -> dict:
    """``{"status": "ok" | "unhealthy", ...}``, JSON-able, with what made it so."""
    stuck = [
        _stuck(partition, progress, now)
        for partition, progress in sorted(health.partitions.items())
        if progress.offsets.lag > 0 and now - progress.since > stall_after
    ]
    sampled_ago = now - health.sampled_at
    healthy = not stuck and sampled_ago <= stall_after
    return {
        "status": "ok" if healthy else "unhealthy",
        "stuck": stuck,
        "partitions": len(health.partitions),
        "lag": sum(progress.offsets.lag for progress in health.partitions.values()),
        "sampled_seconds_ago": round(sampled_ago, 1),
        "stall_after_seconds": stall_after,
    }


def _stuck(partition: Partition, progress: Progress, now: float) -> dict:
    topic, number = partition
    offsets = progress.offsets
    return {
        "topic": topic,
        "partition": number,
        "lag": offsets.lag,
        "committed": offsets.committed,
        "end": offsets.end,
        "stalled_seconds": round(now - progress.since, 1),
    }
