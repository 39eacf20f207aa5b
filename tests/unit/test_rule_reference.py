"""The rules that read reference data: UNLICENSED_P3MI, MORATORIUM_DESTINATION, BELOW_MINIMUM_WAGE."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.alerts import CRITICAL, OPEN, WARNING, changes
from domain.lifecycle import event_key
from domain.reference import DESTINATION_POLICY, P3MI_LICENCES
from domain.reference_tables import ReferenceTables
from domain.rules.worker_history import WorkerHistory
from tests.rule_events import (
    REFERENCE, WORKER_ID, clean_journey, departure, findings, moment, placement, registration, training,
)

UNLICENSED, MORATORIUM, BELOW = "UNLICENSED_P3MI", "MORATORIUM_DESTINATION", "BELOW_MINIMUM_WAGE"


def with_licence(reference: ReferenceTables, p3mi_id: str, status: str, valid_from: date, valid_until: date):
    licence = {"p3mi_id": p3mi_id, "name": "PT SINTETIS", "status": status, "valid_from": valid_from,
               "valid_until": valid_until}
    return ReferenceTables.of([*reference.licences.values(), licence], reference.policies.values())


def test_registration_and_departure_through_a_suspended_p3mi_are_one_alert_per_p3mi():
    registered, departed = registration(-20, source_id="P3MI-0077"), departure(0, source_id="P3MI-0077")
    [found] = findings([training(-30), registered, departed], UNLICENSED)
    assert (found.severity, found.status, found.opened_at) == (CRITICAL, OPEN, moment(-20))
    assert found.evidence == tuple(sorted(map(event_key, (registered, departed))))
    assert found.message == f"{WORKER_ID} registered on 2026-02-10 via P3MI-0077, whose licence was suspended that day"


def test_a_licence_covers_its_first_and_last_day_and_only_when_active():
    term = with_licence(REFERENCE, "P3MI-0100", "ACTIVE", date(2025, 1, 1), date(2029, 12, 31))
    problems = [term.licence_problem("P3MI-0100", day)
                for day in (date(2024, 12, 31), date(2025, 1, 1), date(2029, 12, 31), date(2030, 1, 1))]
    assert problems == ["NOT_YET_VALID", None, None, "EXPIRED"]
    assert REFERENCE.licence_problem("P3MI-0077", date(2026, 3, 2)) == "SUSPENDED"
    assert REFERENCE.licence_problem("P3MI-0001", date(2026, 3, 2)) == "MISSING"


def test_a_worker_names_the_reference_records_its_findings_read():
    journey = [*clean_journey(), departure(400, source_id="P3MI-0077", destination_country="SA", sector="CAREGIVER")]
    assert WorkerHistory.of(journey, WORKER_ID).reference_keys == {
        (P3MI_LICENCES, "P3MI-0042"), (P3MI_LICENCES, "P3MI-0077"),
        (DESTINATION_POLICY, "MY:DOMESTIC_WORKER"), (DESTINATION_POLICY, "SA:CAREGIVER"),
    }


def test_a_licensed_p3mi_raises_nothing_and_dates_outside_the_licence_do():
    assert findings(clean_journey(), UNLICENSED) == []
    expired = with_licence(REFERENCE, "P3MI-0042", "ACTIVE", date(2021, 1, 1), date(2026, 3, 1))
    [found] = findings(clean_journey(), UNLICENSED, reference=expired)  # registered in term, departed a day after
    assert dict(found.details) == {"licence": "EXPIRED", "p3mi_id": "P3MI-0042"}
    assert found.opened_at == moment(0)


def test_a_licence_published_after_the_departure_that_covers_its_date_withdraws_the_alert():
    events = [training(-30), departure(0, source_id="P3MI-0100")]
    [missing] = findings(events, UNLICENSED)
    assert dict(missing.details)["licence"] == "MISSING"
    published = with_licence(REFERENCE, "P3MI-0100", "ACTIVE", date(2025, 1, 1), date(2029, 12, 31))
    now = findings(events, UNLICENSED, reference=published)
    assert now == []
    [withdrawn] = changes({missing.alert_id: missing}, now)
    assert withdrawn.withdrawn and withdrawn.resolved_at == withdrawn.opened_at


def test_a_licence_granted_only_after_the_departure_does_not_cover_it():
    events = [training(-30), departure(0, source_id="P3MI-0100")]
    later = with_licence(REFERENCE, "P3MI-0100", "ACTIVE", date(2026, 4, 1), date(2031, 3, 31))
    [found] = findings(events, UNLICENSED, reference=later)
    assert dict(found.details)["licence"] == "NOT_YET_VALID"


def test_a_domestic_worker_to_saudi_arabia_is_under_moratorium_once_per_country_and_sector():
    went = departure(0, destination_country="SA")
    placed = placement(3, country="SA", monthly_salary=None)
    [found] = findings([training(-30), went, placed], MORATORIUM)
    assert (found.severity, found.opened_at, found.evidence) == (CRITICAL, moment(0), tuple(sorted(map(event_key, (went, placed)))))
    assert found.message == f"{WORKER_ID} departed to SA as DOMESTIC_WORKER on 2026-03-02: SA is under moratorium for DOMESTIC_WORKER"


def test_a_departure_reported_after_the_placement_keeps_the_alert_and_dates_it_earlier():
    placed, went = placement(3, country="SA", monthly_salary=None), departure(0, destination_country="SA")
    [alone] = findings([placed], MORATORIUM)
    [both] = findings([placed, went], MORATORIUM)
    assert both.alert_id == alone.alert_id and (alone.opened_at, both.opened_at) == (moment(3), moment(0))


def test_moratorium_needs_the_policy_and_a_placement_not_a_plan():
    assert findings(clean_journey(), MORATORIUM) == []
    assert findings([registration(-20, destination_country="SA")], MORATORIUM) == []
    caregiver = departure(0, destination_country="SA", sector="CAREGIVER")
    assert findings([caregiver], MORATORIUM) == []


def test_a_lifted_moratorium_withdraws_the_alert():
    events = [departure(0, destination_country="SA")]
    [found] = findings(events, MORATORIUM)
    lifted = ReferenceTables.of(REFERENCE.licences.values(), [
        {**p, "moratorium": False} for p in REFERENCE.policies.values()])
    assert findings(events, MORATORIUM, reference=lifted) == []
    assert [f.withdrawn for f in changes({found.alert_id: found}, [])] == [True]


def test_a_salary_below_the_minimum_in_the_same_currency_fires_once_per_contract_terms():
    registered = registration(-20, monthly_salary={"amount": "1400.00", "currency": "MYR"})
    placed = placement(3, monthly_salary={"amount": "1400.00", "currency": "MYR"})
    [found] = findings([training(-30), registered, departure(0), placed], BELOW)
    assert (found.severity, found.opened_at) == (WARNING, moment(-20))
    assert found.evidence == tuple(sorted(map(event_key, (registered, placed))))
    assert found.message == (f"{WORKER_ID}: contract salary 1400.00 MYR a month as DOMESTIC_WORKER in MY"
                             " is below the minimum 1500.00 MYR")


def test_a_registration_reported_late_with_the_same_terms_is_the_same_alert():
    low = {"amount": "1400.00", "currency": "MYR"}
    placed, registered = placement(3, monthly_salary=low), registration(-20, monthly_salary=low, event_id="late")
    [alone] = findings([placed], BELOW)
    [both] = findings([placed, registered], BELOW)
    assert both.alert_id == alone.alert_id and len(both.evidence) == 2 and both.opened_at == moment(-20)


def test_a_salary_at_the_minimum_or_in_another_currency_is_not_compared_below():
    assert findings(clean_journey(), BELOW) == []
    in_dollars = placement(3, monthly_salary={"amount": "400.00", "currency": "USD"})
    assert findings([departure(0), in_dollars], BELOW) == []


def test_a_raised_minimum_re_judges_the_contract():
    raised = ReferenceTables.of(REFERENCE.licences.values(), [
        replace_policy(p, Decimal("1600.00")) for p in REFERENCE.policies.values()])
    [found] = findings(clean_journey(), BELOW, reference=raised)
    assert dict(found.details) == {"currency": "MYR", "minimum": "1600.00", "salary": "1500.00"}


def replace_policy(policy: dict, amount: Decimal) -> dict:
    if policy["min_monthly_wage"] is None:
        return policy
    return {**policy, "min_monthly_wage": {**policy["min_monthly_wage"], "amount": amount}}
