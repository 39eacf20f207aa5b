"""The lifecycle fold: identifiers, idempotency under retries, stage by event time."""
from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.lifecycle import apply, initial_state, worker_id_for, worker_key
from domain.partner_json import from_json
from tests.factories import WIB, departed, make_worker, registered

T0 = datetime(2026, 1, 5, 9, tzinfo=WIB)


def fold(events):
    state = initial_state("W-test")
    for event in events:
        state = apply(state, event) or state
    return state


def journey():
    worker = make_worker(7)
    return [from_json(registered(worker, T0)), from_json(departed(worker, T0 + timedelta(days=20)))]


def test_an_event_folded_twice_counts_once():
    first, second = journey()
    state = apply(initial_state("W-1"), first)
    assert apply(state, first) is None
    assert fold([first, first, second, first]) == fold([first, second])


def test_same_event_id_from_two_sources_is_two_events():
    first, _ = journey()
    other = {**first, "source": {"kind": "P3MI", "id": "P3MI-0099"}}
    assert fold([first, other])["event_count"] == 2


def test_identifiers_accumulate_and_local_ids_are_qualified_by_source():
    first, second = journey()
    second = {**second, "worker": {**second["worker"], "passport_no": "C7654321"}}
    state = fold([first, second])
    assert state["identifiers"]["passports"] == ["C1000007", "C7654321"]  # a renewal adds, never replaces
    assert state["identifiers"]["local_ids"] == ["P3MI-0042:REG-7"]


@settings(max_examples=200, deadline=None)
@given(st.permutations(range(2)), st.lists(st.integers(0, 1), max_size=4))
def test_stage_is_decided_by_event_time_not_arrival(order, repeats):
    events = journey()
    arrived = [events[i] for i in order] + [events[i] for i in repeats]
    state = fold(arrived)
    assert state["status"] == "DEPARTED"
    assert state["event_count"] == 2
    assert state["last_event_at"] == events[1]["occurred_at"]


def test_worker_key_prefers_nik_then_passport_then_source_local_id():
    event = journey()[0]
    worker = event["worker"]
    assert worker_key(event) == f"NIK:{worker['nik']}"
    no_nik = {**event, "worker": {**worker, "nik": None, "passport_no": "C1234567"}}
    assert worker_key(no_nik) == "PASSPORT:C1234567"
    only_local = {**event, "worker": {**worker, "nik": None, "passport_no": None}}
    assert worker_key(only_local) == "LOCAL:P3MI-0042:REG-7"


def test_worker_id_is_stable_and_does_not_reveal_the_nik():
    nik = make_worker(3)["nik"]
    assert worker_id_for(f"NIK:{nik}") == worker_id_for(f"NIK:{nik}")
    assert nik not in worker_id_for(f"NIK:{nik}")
    assert worker_id_for("NIK:1") != worker_id_for("NIK:2")
