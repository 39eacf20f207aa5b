"""SPIKE in the truth: the injected bursts, and the country-level spikes those bursts imply.

An injected burst (12 cases at one employer, or 12 early terminations through one P3MI, in one
week) counts against the worker's country too, and in a small population that alone is far above
the country's own baseline. Which country bursts are spikes is decided with the model the SPIKE
rule is specified with (thresholds of ``domain.rules.thresholds``): the count in the burst's
7 days against the country's own rate over the 8 weeks before, through a negative binomial
(Gamma–Poisson) predictive limit at p = 1e-5, and at least 5 incidents. The country's daily
incident counts are all it needs, so memory stays flat. Natural spikes (chance, no injection)
are not listed; at p = 1e-5 they are rare.
"""
from __future__ import annotations

from collections import Counter

from domain.rules.spike import predictive_limit
from domain.rules.thresholds import DEFAULTS
from simulator.clock import DAY, EPOCH, iso_utc
from simulator.journey import Event, Person

CASE, EARLY_TERMINATION = "CASE", "EARLY_TERMINATION"
WINDOW_DAYS, BASELINE_DAYS = DEFAULTS.spike_window.days, DEFAULTS.spike_baseline.days


def count_incidents(found: Counter, person: Person, events: list[Event]) -> None:
    """Adds to ``found`` ((country, kind, day) → count) the person's cases and early terminations, by the
    country of their journey."""
    returned: set[int] = set()
    for event in events:
        event_type = event.type
        if event_type == "CASE_REPORTED":
            found[(person.episodes[event.episode].country, CASE, event.t // DAY + EPOCH)] += 1
        elif event_type == "RETURNED" and event.episode not in returned:
            returned.add(event.episode)  # the first report of the return is the incident
            if event.doc["payload"]["reason"] == EARLY_TERMINATION:
                found[(person.episodes[event.episode].country, EARLY_TERMINATION, event.t // DAY + EPOCH)] += 1


def burst_anomaly(group) -> dict:
    """The SPIKE the group's burst raises against its employer or P3MI (a baseline of none)."""
    return _anomaly(group.subject_kind, group.subject_id, group, _limit(0))


def country_anomalies(groups, counts: Counter) -> list[dict]:
    """The SPIKEs the bursts raise against their country, where the country's baseline is low enough."""
    found = []
    for group in groups:
        member = group.members[0]
        kind = CASE if group.subject_kind == "EMPLOYER" else EARLY_TERMINATION
        first = min(m.incident for m in group.members if m.incident is not None)
        window = sum(counts[(member.country, kind, first + d)] for d in range(WINDOW_DAYS))
        baseline = sum(counts[(member.country, kind, first - d)] for d in range(1, BASELINE_DAYS + 1))
        limit = _limit(baseline)
        if window >= limit:
            found.append(_anomaly("COUNTRY", member.country, group, max(1, limit - (window - len(_burst(group))))))
    return found


def _limit(baseline: int) -> int:
    """The count a window must reach to spike, after ``baseline`` incidents in the 8 weeks before it."""
    windows = BASELINE_DAYS / WINDOW_DAYS
    shape = max(baseline, DEFAULTS.spike_floor * windows)
    return max(DEFAULTS.spike_min_count, predictive_limit(shape, windows, DEFAULTS.spike_p_value))


def _burst(group) -> list:
    return sorted((m for m in group.members if m.incident is not None), key=lambda m: m.incident)


def _anomaly(kind: str, subject: str, group, crossing: int) -> dict:
    """Opened on the day of the burst's ``crossing``-th incident (the one that reaches the limit), at 00:00 UTC."""
    burst = _burst(group)
    opened = burst[min(crossing, len(burst)) - 1].incident
    return {"rule": "SPIKE", "subject": {"kind": kind, "id": subject},
            "evidence": [m.incident_event_id for m in burst],
            "opened_at": iso_utc((opened - EPOCH) * DAY), "due_at": None, "resolved_at": None}
