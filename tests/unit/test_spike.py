"""SPIKE: what a worker contributes (incidents), bursts detected against the subject's own baseline,
no false SPIKE on steady Poisson traffic, order independence at a given watermark (living through them with settling: test_subject_alerts)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from domain.alerts import COUNTRY, EMPLOYER, OPEN, P3MI, RESOLVED, Subject
from domain.rules import spike
from domain.rules.context import Context
from domain.rules.incidents import CASE, DEPORTATION, EARLY_TERMINATION, Incident, incidents
from domain.rules.worker_history import WorkerHistory
from tests.rule_events import WORKER_ID, case, clean_journey, homecoming

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
AGENCY = Subject(P3MI, "P3MI-0042")


def steady(rng: random.Random, per_week: float, days: float, kind: str = EARLY_TERMINATION, start: float = 0) -> list[Incident]:
    """Poisson arrivals at ``per_week`` from day ``start`` to ``start + days``."""
    out, t = [], start
    while (t := t + rng.expovariate(per_week / 7)) < start + days:
        out.append(incident(t, kind, f"{kind}-{start}-{len(out)}"))
    return out


def incident(day: float, kind: str = EARLY_TERMINATION, key: str | None = None) -> Incident:
    key = key or f"{kind}-{day}"
    return Incident(key, kind, T0 + timedelta(days=day), (AGENCY,), (f"P3MI-0042:{key}",))


def on_day(day: float) -> Context:
    return Context(watermark=T0 + timedelta(days=day))


def spikes(found_incidents, watermark_day: float, subject: Subject = AGENCY):
    return spike.findings(subject, found_incidents, T0, on_day(watermark_day))


def test_a_worker_contributes_early_terminations_deportations_and_cases_with_their_subjects():
    events = [*clean_journey(), case(30, employer_name=None), homecoming(100, reason="EARLY_TERMINATION")]
    found = {i.kind: i for i in incidents(WorkerHistory.of(events, WORKER_ID))}
    assert set(found) == {CASE, EARLY_TERMINATION}
    expected = (Subject(EMPLOYER, "Tan Sdn Bhd"), Subject(P3MI, "P3MI-0042"), Subject(COUNTRY, "MY"))
    assert found[CASE].subjects == found[EARLY_TERMINATION].subjects == expected
    assert found[CASE].key == f"{WORKER_ID}:case:KL-1"
    deported = [*clean_journey(), homecoming(100, reason="DEPORTED"), homecoming(101, reason="DEPORTED")]
    [only] = incidents(WorkerHistory.of(deported, WORKER_ID))  # two sources, one return
    assert only.kind == DEPORTATION and len(only.evidence) == 2
    assert incidents(WorkerHistory.of([*clean_journey(), homecoming(700)], WORKER_ID)) == []


def test_a_burst_is_detected_within_its_window_and_resolves_when_the_rate_is_back_to_normal():
    rng = random.Random(7)
    history = steady(rng, 2, 70) + [incident(56 + i / 4, key=f"burst-{i}") for i in range(14)]
    [found] = spikes(history, 90)
    assert found.opened_at - (T0 + timedelta(days=56)) < timedelta(days=7)
    assert found.status == RESOLVED and found.resolved_at <= T0 + timedelta(days=56 + 3.25 + 7)
    details = dict(found.details)
    assert details["kind"] == EARLY_TERMINATION and int(details["observed"]) >= int(details["limit"])
    assert found.message == (f"P3MI-0042: {details['observed']} early terminations in 7 days,"
                             f" expected {float(details['expected']):.1f} (limit {details['limit']})")
    assert "P3MI-0042:burst-0" in found.evidence
    [still_open] = spikes(history, 59)
    assert (still_open.alert_id, still_open.status) == (found.alert_id, OPEN)


def test_no_false_spike_on_a_month_of_steady_poisson_traffic_after_the_baseline():
    rng = random.Random(2026)
    for per_week in (0.1, 0.5, 1, 2, 5, 10, 40):
        for kind in (EARLY_TERMINATION, DEPORTATION, CASE):
            traffic = steady(rng, per_week, 14 + 7 + 30, kind)  # two weeks' baseline, one window, then a month
            assert spikes(traffic, 14 + 7 + 30) == [], (per_week, kind)


def test_a_new_subject_needs_more_than_a_handful_and_the_pipeline_a_baseline():
    assert spikes([incident(30 + i / 10) for i in range(4)], 60) == []  # below the minimum count
    assert spikes([incident(3 + i / 10) for i in range(30)], 60) == []  # in the pipeline's first 3 weeks
    [found] = spikes([incident(30 + i / 10) for i in range(9)], 60)  # a quiet subject's first burst
    assert dict(found.details)["expected"] == "0.50"


def test_the_result_at_a_watermark_is_order_independent_and_repeats_count_once():
    rng = random.Random(3)
    history = steady(rng, 3, 80) + [incident(50 + i / 5, CASE, f"c-{i}") for i in range(15)]
    shuffled = history + rng.sample(history, 20)
    rng.shuffle(shuffled)
    for watermark in (40, 52, 60, 80):
        assert spikes(shuffled, watermark) == spikes(history, watermark)


def test_the_next_deadline_is_the_watermark_reaching_an_incident_or_an_incident_leaving_the_window():
    history = [incident(10), incident(12)]
    assert spike.next_deadline(history, on_day(11)) == T0 + timedelta(days=12)
    assert spike.next_deadline(history, on_day(17.5)) == T0 + timedelta(days=19)
    assert spike.next_deadline(history, on_day(19)) is None
