"""The timed rules: UNCONFIRMED_PLACEMENT, OVERSTAY, CASE_UNRESOLVED, decided by the watermark; next_deadline."""
from __future__ import annotations

from datetime import datetime, timezone

from domain.alerts import CRITICAL, OPEN, RESOLVED, WARNING
from domain.lifecycle import event_key
from domain.rules import evaluate
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory
from tests.rule_events import (
    REFERENCE, WORKER_ID, case, departure, findings, homecoming, moment, placement, resolution, training, update,
)

UNCONFIRMED, OVERSTAY, UNRESOLVED = "UNCONFIRMED_PLACEMENT", "OVERSTAY", "CASE_UNRESOLVED"


def deadline(events, watermark: float | None) -> datetime | None:
    context = Context(REFERENCE, None if watermark is None else moment(watermark))
    return evaluate(WorkerHistory.of(events, WORKER_ID), context).next_deadline


# --- UNCONFIRMED_PLACEMENT ------------------------------------------------------------------------------


def test_no_placement_14_days_after_departure_opens_at_the_deadline_once_the_watermark_passes_it():
    events = [training(-30), departure(0)]
    assert findings(events, UNCONFIRMED, watermark=13.9) == []
    assert deadline(events, 13.9) == moment(14)
    [found] = findings(events, UNCONFIRMED, watermark=14)
    assert (found.severity, found.status, found.opened_at) == (WARNING, OPEN, moment(14))
    assert found.message == f"{WORKER_ID} departed to MY on 2026-03-02 via P3MI-0042; no embassy placement within 14 days"
    assert deadline(events, 14) is None


def test_a_placement_within_14_days_means_no_alert_and_no_deadline_of_its_own():
    events = [training(-30), departure(0), placement(14)]
    assert findings(events, UNCONFIRMED, watermark=100) == []
    assert deadline(events, 1) == datetime(2028, 4, 4, tzinfo=timezone.utc)  # the contract's OVERSTAY deadline only


def test_a_late_placement_resolves_it_at_its_event_time():
    late = placement(20)
    before = findings([training(-30), departure(0)], UNCONFIRMED, watermark=15)
    [found] = findings([late, training(-30), departure(0)], UNCONFIRMED, watermark=25)
    assert (found.alert_id, found.status, found.resolved_at) == (before[0].alert_id, RESOLVED, moment(20))
    assert event_key(late) in found.evidence


def test_a_placement_the_embassy_dated_before_the_departure_confirms_it():
    assert findings([placement(-10), departure(0)], UNCONFIRMED, watermark=100) == []
    assert len(findings([placement(-10, country="SG"), departure(0)], UNCONFIRMED, watermark=100)) == 1


def test_a_return_or_a_next_journey_accounts_for_the_worker():
    [returned] = findings([departure(0), homecoming(30)], UNCONFIRMED, watermark=40)
    assert returned.resolved_at == moment(30)
    [gone_again] = findings([departure(0), departure(60, destination_country="TW"), placement(62, country="TW")],
                            UNCONFIRMED, watermark=100)
    assert gone_again.resolved_at == moment(60)
    assert findings([departure(0), homecoming(10)], UNCONFIRMED, watermark=40) == []


# --- OVERSTAY -------------------------------------------------------------------------------------------


def test_a_contract_ended_more_than_30_days_ago_without_return_or_extension_is_an_overstay():
    placed = placement(3, contract_end="2026-06-30")
    events = [departure(0), placed]
    due = datetime(2026, 7, 31, tzinfo=timezone.utc)  # 30 whole days after the last day of the contract
    assert deadline(events, 100) == due
    assert findings(events, OVERSTAY, watermark=(due - moment(0)).days - 0.01) == []
    [found] = findings(events, OVERSTAY, watermark=200)
    assert (found.status, found.opened_at, found.evidence) == (OPEN, due, (event_key(placed),))
    assert found.message == (f"{WORKER_ID}: contract in MY with Tan Sdn Bhd ended 2026-06-30, more than 30 days ago;"
                             " no return or extension on record")


def test_a_return_or_an_extension_before_the_deadline_means_no_overstay():
    placed = placement(3, contract_end="2026-06-30")
    assert findings([departure(0), placed, homecoming(140)], OVERSTAY, watermark=400) == []
    assert findings([departure(0), placed, update(140, contract_end="2027-06-30")], OVERSTAY, watermark=400) == []


def test_a_late_return_resolves_an_overstay_and_an_extension_that_lapses_again_is_a_new_one():
    placed = placement(3, contract_end="2026-06-30")
    [resolved] = findings([departure(0), placed, homecoming(200)], OVERSTAY, watermark=400)
    assert (resolved.status, resolved.resolved_at) == (RESOLVED, moment(200))
    extended = update(200, contract_end="2026-12-31")
    first, second = sorted(findings([departure(0), placed, extended], OVERSTAY, watermark=400), key=lambda f: f.opened_at)
    assert first.resolved_at == moment(200) and second.status == OPEN
    assert second.opened_at == datetime(2027, 1, 31, tzinfo=timezone.utc)


# --- CASE_UNRESOLVED ------------------------------------------------------------------------------------


def test_a_case_open_30_days_after_it_was_reported_is_unresolved():
    reported = case(10)
    events = [departure(0), placement(3), reported]
    assert findings(events, UNRESOLVED, watermark=39) == [] and deadline(events, 39) == moment(40)
    [found] = findings(events, UNRESOLVED, watermark=40)
    assert (found.severity, found.status, found.opened_at) == (WARNING, OPEN, moment(40))
    assert found.message == f"{WORKER_ID}: case KL-1 (UNPAID_WAGES) reported 2026-03-12 still open after 30 days"


def test_a_case_resolved_in_time_is_no_alert_and_a_late_resolution_resolves_it():
    assert findings([case(10), resolution(39)], UNRESOLVED, watermark=100) == []
    [found] = findings([resolution(55), case(10)], UNRESOLVED, watermark=100)
    assert (found.status, found.resolved_at) == (RESOLVED, moment(55))


def test_abuse_and_suspected_trafficking_are_critical():
    [found] = findings([case(10, category="TRAFFICKING_SUSPECTED")], UNRESOLVED, watermark=100)
    assert found.severity == CRITICAL


def test_the_open_rules_are_what_the_state_lists_as_open_alerts():
    events = [departure(0, social_security_no=None), case(5), resolution(50)]
    evaluation = evaluate(WorkerHistory.of(events, WORKER_ID), Context(REFERENCE, moment(60)))
    assert {f.rule: f.status for f in evaluation.findings} == {
        "DEPARTURE_WITHOUT_SOCIAL_SECURITY": OPEN, "DEPARTURE_WITHOUT_TRAINING": OPEN,
        UNCONFIRMED: OPEN, UNRESOLVED: RESOLVED}
    assert evaluation.open_rules == ["DEPARTURE_WITHOUT_SOCIAL_SECURITY", "DEPARTURE_WITHOUT_TRAINING", UNCONFIRMED]


def test_next_deadline_is_the_earliest_pending_one():
    events = [departure(0), case(5), case(6, case_id="KL-2")]
    assert deadline(events, None) == moment(14)
    assert deadline(events, 20) == moment(35)
    assert deadline(events, 36) is None
