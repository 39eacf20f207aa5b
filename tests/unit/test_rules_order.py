"""Findings are a function of the set of events: any order, any duplicates (hypothesis); and replaying
a history in one go equals living through it with the watermark advancing and timers firing."""
from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.alerts import changes
from domain.lifecycle import worker_id_for, worker_key
from domain.partner_json import from_json
from domain.rules import evaluate
from domain.rules.context import Context
from domain.rules.incidents import incidents
from domain.rules.worker_history import WorkerHistory
from domain.timers import Timers
from domain.watermark import Watermark
from tests.factories import full_journey, make_worker
from tests.rule_events import (
    REFERENCE, WORKER, case, departure, findings, homecoming, moment, placement, registration, resolution, training,
    update,
)

DAYS = st.integers(-60, 900).map(lambda d: d / 2)
COUNTRIES = st.sampled_from(["MY", "SA", "SG"])
P3MIS = st.sampled_from(["P3MI-0042", "P3MI-0077", "P3MI-0100"])
WORKERS = st.sampled_from([WORKER, {**WORKER, "date_of_birth": "2009-01-01"}, {**WORKER, "sex": "M", "nik": None},
                           {**WORKER, "nik": "3201085111860099"}])
DATES = st.dates(min_value=moment(-60).date(), max_value=moment(900).date()).map(lambda d: d.isoformat())
CASES = st.sampled_from(["KL-1", "KL-2"])

EVENTS = st.one_of(
    st.builds(training, DAYS, worker=WORKERS, issued_on=DATES, valid_until=DATES),
    st.builds(registration, DAYS, worker=WORKERS, source_id=P3MIS, destination_country=COUNTRIES),
    st.builds(departure, DAYS, worker=WORKERS, source_id=P3MIS, destination_country=COUNTRIES,
              social_security_no=st.sampled_from([None, "BPJS-1"])),
    st.builds(placement, DAYS, worker=WORKERS, country=COUNTRIES, employer_name=st.sampled_from(["A", "B"]),
              contract_start=st.none() | DATES, contract_end=DATES),
    st.builds(update, DAYS, worker=WORKERS, country=COUNTRIES, contract_end=DATES),
    st.builds(case, DAYS, worker=WORKERS, case_id=CASES, category=st.sampled_from(["ABUSE", "OTHER"])),
    st.builds(resolution, DAYS, worker=WORKERS, case_id=CASES),
    st.builds(homecoming, DAYS, worker=WORKERS, country=COUNTRIES, reason=st.sampled_from(["DEPORTED", "CONTRACT_COMPLETED"])),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENTS, min_size=1, max_size=14), st.randoms(use_true_random=False), DAYS)
def test_any_order_and_any_duplicates_give_the_same_findings_and_incidents(events, rng, watermark):
    shuffled = [*events, *rng.choices(events, k=rng.randint(0, len(events)))]
    rng.shuffle(shuffled)
    assert findings(shuffled, watermark=watermark) == findings(events, watermark=watermark)
    assert incidents(WorkerHistory.of(shuffled, "W")) == incidents(WorkerHistory.of(events, "W"))


# --- replay equals live -----------------------------------------------------------------------------------


def population(workers: int) -> list[dict]:
    """Full journeys, and the anomalies the timed rules wait for: departures never placed, short contracts
    never returned from, cases never closed."""
    events = [from_json(e) for i in range(workers) for e in full_journey(i)]
    for i in range(workers, workers + workers // 4):
        worker = make_worker(i)
        events += [departure(i, worker=worker, social_security_no=None), case(i + 40, worker=worker, case_id=f"C-{i}")]
        if i % 2:
            events.append(placement(i + 20, worker=worker, contract_end=moment(i + 40).date().isoformat()))
    return events


def replay(events: list[dict], watermark) -> dict:
    by_worker: dict[str, list[dict]] = {}
    for event in events:
        by_worker.setdefault(worker_id_for(worker_key(event)), []).append(event)
    context = Context(REFERENCE, watermark)
    return {f.alert_id: f for worker_id, kept in by_worker.items()
            for f in evaluate(WorkerHistory.of(kept, worker_id), context).findings}


def live(events: list[dict], lateness: timedelta, jitter: timedelta, seed: int) -> tuple[dict, object]:
    """The thin stream loop: each event re-evaluates its worker; each timer the watermark passes, its worker.
    Events arrive at wall-clock time ≈ event time, shuffled by up to ``jitter``; then the sources fall idle."""
    rng = random.Random(seed)
    arrivals = sorted((e["occurred_at"] + rng.random() * jitter, i, e) for i, e in enumerate(events))
    mark, timers = Watermark(lateness=lateness, idle_after=timedelta(minutes=5)), Timers()
    kept: dict[str, list[dict]] = {}
    published: dict[str, dict] = {}  # worker → alert id → the finding as last published
    log: dict = {}  # the alerts topic, compacted: alert id → latest record

    def reevaluate(worker_id, watermark):
        evaluation = evaluate(WorkerHistory.of(kept[worker_id], worker_id), Context(REFERENCE, watermark))
        for f in changes(published.get(worker_id, {}), evaluation.findings):
            log[f.alert_id] = f
            published.setdefault(worker_id, {})[f.alert_id] = f
        timers.set(worker_id, evaluation.next_deadline)

    def fire_timers(wall):
        for worker_id in timers.pop_due(mark.at(wall)):
            reevaluate(worker_id, mark.at(wall))

    for wall, _, event in arrivals:  # a partner reports within the jitter
        mark = mark.observe(event["occurred_at"], wall)
        worker_id = worker_id_for(worker_key(event))
        kept.setdefault(worker_id, []).append(event)
        reevaluate(worker_id, mark.at(wall))
        fire_timers(wall)
    for _ in range(60):  # idle: a day of wall-clock time per tick
        wall += timedelta(days=1)
        fire_timers(wall)
    return log, mark.at(wall)


def test_replaying_a_history_in_one_go_equals_living_through_it():
    events = population(60)
    log, watermark = live(events, lateness=timedelta(hours=6), jitter=timedelta(hours=5), seed=1)
    replayed = replay(events, watermark)
    assert not any(f.withdrawn for f in log.values())  # every event came within the allowed lateness
    assert log == replayed
    assert {f.rule for f in replayed.values()} >= {"UNCONFIRMED_PLACEMENT", "CASE_UNRESOLVED", "OVERSTAY"}
    assert any(f.status == "RESOLVED" for f in replayed.values()) and any(f.status == "OPEN" for f in replayed.values())


def test_events_later_than_the_allowed_lateness_can_only_add_withdrawn_alerts_to_what_a_replay_finds():
    events = population(40)
    log, watermark = live(events, lateness=timedelta(hours=1), jitter=timedelta(days=30), seed=2)
    assert any(f.withdrawn for f in log.values())
    assert {a: f for a, f in log.items() if not f.withdrawn} == replay(events, watermark)
