"""SPIKE truth: a burst is a spike of its employer or P3MI always, of its country only above the country's baseline."""
from __future__ import annotations

from collections import Counter

from simulator.journey import SpikeRole
from domain.rules.spike import predictive_limit
from simulator.spikes import CASE, country_anomalies
from simulator.world import SPIKE_BURST, SPIKE_GROUP, SpikeGroup

FIRST = 739_000  # a day (ordinal) for the burst


def group() -> SpikeGroup:
    members = tuple(
        SpikeRole("EMPLOYER", "SYNTHETIC LONJAKAN 001 SDN BHD", "MY", "PLANTATION", FIRST - 200,
                  FIRST + m % 7 if m < SPIKE_BURST else None, f"id-{m}" if m < SPIKE_BURST else None)
        for m in range(SPIKE_GROUP))
    return SpikeGroup("EMPLOYER", "SYNTHETIC LONJAKAN 001 SDN BHD", members)


def counts(per_day_before: int) -> Counter:
    found = Counter({("MY", CASE, FIRST - d): per_day_before for d in range(1, 57)})
    for m in range(SPIKE_BURST):
        found[("MY", CASE, FIRST + m % 7)] += 1
    return found


def test_the_limit_grows_with_the_baseline_and_is_never_reached_by_chance():
    assert predictive_limit(4, 8, 1e-5) < predictive_limit(40, 8, 1e-5) < predictive_limit(400, 8, 1e-5)
    assert predictive_limit(80, 8, 1e-5) > 10  # ten a week expected: ten is no spike


def test_a_burst_spikes_a_quiet_country_but_not_a_busy_one():
    quiet = country_anomalies([group()], counts(0))
    assert [a["subject"] for a in quiet] == [{"kind": "COUNTRY", "id": "MY"}]
    assert quiet[0]["evidence"] == [f"id-{m}" for m in sorted(range(SPIKE_BURST), key=lambda m: m % 7)]
    assert country_anomalies([group()], counts(5)) == []  # 35 cases a week expected: 12 more is noise
