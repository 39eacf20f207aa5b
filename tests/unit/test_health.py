"""The progress-based health verdict (DESIGN §7): stuck means lag and no movement for too long."""
from __future__ import annotations

import json

from domain.health import Health, Offsets, observe, verdict

INGEST = ("pmi.ingest.p3mi", 0)
BY_WORKER = ("pmi.events-by-worker", 2)


def run(samples: list[tuple[float, dict]], start: float = 0.0) -> Health:
    health = Health(sampled_at=start)
    for now, sample in samples:
        health = observe(health, sample, now)
    return health


def test_nothing_sampled_yet_is_healthy_until_the_threshold():
    health = Health(sampled_at=0.0)
    assert verdict(health, now=10.0)["status"] == "ok"
    assert verdict(health, now=61.0)["status"] == "unhealthy"  # the sampler itself stopped


def test_lag_with_a_committed_offset_that_does_not_move_is_stuck_after_the_threshold():
    samples = [(t, {BY_WORKER: Offsets(committed=40, end=100)}) for t in (0.0, 30.0, 59.0)]
    assert verdict(run(samples), now=59.0)["status"] == "ok"
    health = run([*samples, (65.0, {BY_WORKER: Offsets(committed=40, end=120)})])
    result = verdict(health, now=65.0)
    assert result["status"] == "unhealthy"
    assert result["stuck"] == [
        {"topic": BY_WORKER[0], "partition": 2, "lag": 80, "committed": 40, "end": 120, "stalled_seconds": 65.0}
    ]
    assert result["lag"] == 80


def test_a_moving_offset_is_healthy_however_far_behind():
    samples = [(t, {INGEST: Offsets(committed=int(t), end=1_000_000)}) for t in range(0, 600, 30)]
    result = verdict(run(samples), now=570.0)
    assert result["status"] == "ok"
    assert result["stuck"] == []
    assert result["lag"] == 1_000_000 - 570


def test_an_idle_partition_without_lag_is_healthy_for_ever():
    samples = [(t, {INGEST: Offsets(committed=7, end=7)}) for t in range(0, 3600, 60)]
    assert verdict(run(samples), now=3540.0)["status"] == "ok"


def test_the_stall_counts_from_when_it_was_last_caught_up_not_from_its_last_move():
    # Caught up for an hour, then new records arrive and nothing consumes them.
    idle = [(t, {INGEST: Offsets(committed=7, end=7)}) for t in (0.0, 1800.0, 3600.0)]
    stalled = [(t, {INGEST: Offsets(committed=7, end=9)}) for t in (3605.0, 3650.0)]
    health = run(idle + stalled)
    assert verdict(health, now=3650.0)["status"] == "ok"
    assert verdict(observe(health, {INGEST: Offsets(7, 9)}, 3661.0), now=3661.0)["stuck"][0]["stalled_seconds"] == 61.0


def test_a_partition_never_committed_counts_every_record_as_lag():
    health = run([(0.0, {INGEST: Offsets(committed=None, end=5)}), (70.0, {INGEST: Offsets(committed=None, end=5)})])
    assert verdict(health, now=70.0)["stuck"][0]["lag"] == 5


def test_a_revoked_partition_is_forgotten_and_a_reassigned_one_starts_afresh():
    stalled = run([(0.0, {INGEST: Offsets(1, 9)}), (50.0, {BY_WORKER: Offsets(3, 3)})])
    assert set(stalled.partitions) == {BY_WORKER}
    back = observe(stalled, {INGEST: Offsets(1, 9), BY_WORKER: Offsets(3, 3)}, 100.0)
    assert verdict(back, now=100.0)["status"] == "ok"  # its clock restarted at 100, not 0


def test_only_the_stuck_partitions_are_named_and_the_threshold_is_configurable():
    samples = [(t, {INGEST: Offsets(1, 9), BY_WORKER: Offsets(int(t), 100)}) for t in (0.0, 10.0, 20.0)]
    health = run(samples)
    assert verdict(health, now=20.0)["status"] == "ok"
    result = verdict(health, now=20.0, stall_after=15.0)
    assert result["status"] == "unhealthy"
    assert [(s["topic"], s["partition"]) for s in result["stuck"]] == [INGEST]
    assert result["stall_after_seconds"] == 15.0


def test_the_verdict_is_json():
    health = run([(0.0, {INGEST: Offsets(1, 9)}), (90.0, {INGEST: Offsets(1, 9)})])
    assert json.loads(json.dumps(verdict(health, now=90.0))) == verdict(health, now=90.0)
