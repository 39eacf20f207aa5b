"""The departure rules: UNDERAGE_DEPARTURE, DEPARTURE_WITHOUT_TRAINING, DEPARTURE_WITHOUT_SOCIAL_SECURITY."""
from __future__ import annotations

from domain.alerts import CRITICAL, OPEN, RESOLVED, WARNING
from domain.lifecycle import event_key
from tests.rule_events import (
    WORKER, WORKER_ID, clean_journey, departure, findings, moment, placement, registration, training,
)

UNDERAGE, UNTRAINED, UNINSURED = "UNDERAGE_DEPARTURE", "DEPARTURE_WITHOUT_TRAINING", "DEPARTURE_WITHOUT_SOCIAL_SECURITY"
MINOR = {**WORKER, "date_of_birth": "2008-03-03"}  # 17 on 2026-03-02, 18 the next day


def test_a_departure_at_17_is_underage():
    leaving = departure(0, worker=MINOR)
    [found] = findings([training(-30, worker=MINOR), leaving, placement(3, worker=MINOR)], UNDERAGE)
    assert (found.severity, found.status, found.opened_at) == (CRITICAL, OPEN, moment(0))
    assert found.evidence == (event_key(leaving),)
    assert found.message == f"{WORKER_ID} departed to MY on 2026-03-02 via P3MI-0042 aged 17 (under 18)"
    assert WORKER["nik"] not in found.message and dict(found.details) == {"age": "17", "birth_year": "2008"}


def test_a_departure_on_the_18th_birthday_is_not_underage():
    assert findings([departure(1, worker=MINOR)], UNDERAGE) == []
    assert findings(clean_journey(), UNDERAGE) == []


def test_without_a_reported_birth_date_the_nik_tells_the_age():
    nik_of_a_minor = {**WORKER, "nik": "3201084503080007", "date_of_birth": None}  # a woman born 2008-03-05
    [found] = findings([departure(0, worker=nik_of_a_minor)], UNDERAGE)
    assert dict(found.details)["age"] == "17"


def test_a_departure_resent_under_a_new_id_is_one_departure_and_a_corrected_birth_date_withdraws_it():
    first, resent = departure(0, worker=MINOR), departure(0.01, worker=MINOR)
    [found] = findings([first, resent], UNDERAGE)
    assert found.evidence == tuple(sorted((event_key(first), event_key(resent))))
    corrected = registration(5, worker=WORKER)  # a later report: born 1986
    assert findings([first, resent, corrected], UNDERAGE) == []


def test_a_departure_with_no_valid_certificate_is_untrained_and_a_late_certificate_resolves_it():
    leaving = departure(0)
    [found] = findings([registration(-20), leaving], UNTRAINED)
    assert (found.severity, found.status, found.opened_at) == (WARNING, OPEN, moment(0))
    assert "no competency certificate valid that day" in found.message

    late = training(10, issued_on="2026-02-01")  # valid on the departure date, reported 10 days after it
    [resolved] = findings([late, registration(-20), leaving], UNTRAINED)
    assert (resolved.alert_id, resolved.status, resolved.resolved_at) == (found.alert_id, RESOLVED, moment(10))
    assert event_key(late) in resolved.evidence


def test_a_certificate_reported_before_the_departure_means_no_alert():
    assert findings(clean_journey(), UNTRAINED) == []


def test_a_certificate_not_valid_on_the_departure_date_neither_prevents_nor_resolves():
    expired = training(-30, issued_on="2020-01-01", valid_until="2026-03-01")
    issued_after = training(10, certificate_no="CERT-2", issued_on="2026-03-05")
    [found] = findings([expired, issued_after, departure(0)], UNTRAINED)
    assert found.status == OPEN


def test_a_departure_without_bpjs_is_uninsured_and_a_resent_report_with_the_number_resolves_it():
    leaving = departure(0, social_security_no=None)
    [found] = findings([leaving], UNINSURED)
    assert (found.status, found.opened_at) == (OPEN, moment(0))
    corrected = departure(0.5, social_security_no="BPJS-9")  # the P3MI resends the same departure
    [resolved] = findings([corrected, leaving], UNINSURED)
    assert (resolved.alert_id, resolved.resolved_at) == (found.alert_id, moment(0.5))


def test_a_departure_with_bpjs_is_insured_and_an_earlier_journeys_number_does_not_count():
    assert findings(clean_journey(), UNINSURED) == []
    second = departure(400, destination_country="TW", social_security_no=None)
    [found] = findings([*clean_journey(), second], UNINSURED)
    assert found.opened_at == moment(400)
