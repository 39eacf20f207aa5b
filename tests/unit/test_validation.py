"""Validation of in-memory events: one valid event per type, and each reason code triggered alone."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import domain.validation as validation
from domain import vocabulary as v
from domain.validation import REASON_CODES, REQUIRED_PAYLOAD_FIELDS, Problem, first_problem, validate
from tests.examples import DESIGN_WORKER, JSON_PAYLOADS, SOURCE_OF, example_event

NOW = datetime(2026, 4, 1, tzinfo=timezone.utc)
NIK = DESIGN_WORKER["nik"]
PASSPORT = DESIGN_WORKER["passport_no"]
SOURCES = {source["kind"]: source for source in SOURCE_OF.values()}


def valid_event(event_type: str = v.DEPARTED) -> dict:
    """A fresh valid event of ``event_type`` in the in-memory form."""
    return example_event(event_type)


def payload_of(event_type: str) -> dict:
    return example_event(event_type)["payload"][1]


def reasons(event: dict, now: datetime = NOW) -> list[str]:
    return [problem.reason for problem in validate(event, now)]


# --- valid events -------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", v.EVENT_TYPES)
def test_a_valid_event_of_each_type_passes(event_type):
    assert validate(valid_event(event_type), NOW) == []
    assert first_problem(valid_event(event_type), NOW) is None


def test_every_event_type_has_a_payload_record_senders_and_required_fields():
    assert set(v.PAYLOAD_RECORDS) == set(v.ALLOWED_SOURCES) == set(v.EVENT_TYPES) == set(JSON_PAYLOADS)
    assert set(REQUIRED_PAYLOAD_FIELDS) == set(v.PAYLOAD_FIELDS) == set(v.PAYLOAD_RECORDS.values())
    for record, required in REQUIRED_PAYLOAD_FIELDS.items():
        assert set(required) <= set(v.PAYLOAD_FIELDS[record])


def test_returned_may_come_from_a_p3mi_too():
    event = valid_event(v.RETURNED)
    event["source"] = dict(SOURCES[v.P3MI])
    assert validate(event, NOW) == []


def test_only_required_fields_and_one_identifier_suffice():
    for event_type in v.EVENT_TYPES:
        event = valid_event(event_type)
        record, fields = event["payload"]
        needed = set(REQUIRED_PAYLOAD_FIELDS[record]) | {"change", "contract_end"}
        event["payload"] = (record, {name: (value if name in needed else None) for name, value in fields.items()})
        event["worker"] = dict.fromkeys(v.WORKER_FIELDS) | {"passport_no": PASSPORT}
        assert validate(event, NOW) == [], event_type


@pytest.mark.parametrize("identifier", v.WORKER_IDENTIFIERS)
def test_any_one_identifier_suffices(identifier):
    event = valid_event()
    kept = event["worker"][identifier]
    event["worker"].update(nik=None, passport_no=None, local_id=None)
    event["worker"][identifier] = kept
    assert validate(event, NOW) == []


def test_a_nik_contradicting_birth_date_and_sex_is_valid():
    """The NIK says a man born 1990-01-01; the record says a woman born 1995-07-05: evidence, not bad input."""
    event = valid_event()
    event["worker"]["nik"] = "3573010101900001"
    assert validate(event, NOW) == []


def test_departure_without_social_security_is_valid():
    event = valid_event(v.DEPARTED)
    assert event["payload"][1]["social_security_no"] is None
    assert validate(event, NOW) == []


def test_occurred_at_within_the_allowed_skew_is_valid():
    event = valid_event()
    event["occurred_at"] = NOW + timedelta(minutes=9)
    assert validate(event, NOW) == []
    assert validate(event, NOW, max_future_skew=timedelta(minutes=5))[0].reason == "OCCURRED_AT_IN_FUTURE"


def test_occurred_at_in_any_offset_is_compared_as_an_instant():
    event = valid_event()
    event["occurred_at"] = (NOW + timedelta(minutes=5)).astimezone(timezone(timedelta(hours=7)))
    assert validate(event, NOW) == []


def test_passport_check_ignores_case_and_spaces():
    event = valid_event()
    for passport in ("c1234567", "C 123 4567", "AB123456", "X12345678"):
        event["worker"]["passport_no"] = passport
        assert validate(event, NOW) == [], passport


def test_now_must_be_aware():
    with pytest.raises(ValueError):
        validate(valid_event(), datetime(2026, 4, 1))


# --- each reason code, alone --------------------------------------------------------------


def _set(path: str, value):
    """A mutation setting ``path`` (``event_id``, ``worker.nik``, ``payload.sector``…) to ``value``."""

    def mutate(event):
        head, _, rest = path.partition(".")
        if not rest:
            event[head] = value
        elif head == "payload":
            event["payload"][1][rest] = value
        else:
            event[head][rest] = value

    return mutate


def _payload_record(record_name):
    def mutate(event):
        fields = payload_of(v.EVENT_TYPE_OF_RECORD[record_name])
        event["payload"] = (record_name, fields)

    return mutate


# (reason, event type, mutation, a phrase the message contains)
CASES = [
    ("MISSING_EVENT_ID", v.DEPARTED, _set("event_id", None), "event_id is missing"),
    ("MISSING_EVENT_ID", v.DEPARTED, _set("event_id", "  "), "event_id is missing"),
    ("UNKNOWN_EVENT_TYPE", v.DEPARTED, _set("event_type", "DEPARTURE"), "'DEPARTURE' is not one of"),
    ("UNKNOWN_EVENT_TYPE", v.DEPARTED, _set("event_type", None), "event_type is missing"),
    ("UNKNOWN_SOURCE_KIND", v.DEPARTED, _set("source.kind", "AGENCY"), "'AGENCY' is not one of"),
    ("MISSING_SOURCE_ID", v.DEPARTED, _set("source.id", ""), "source.id is missing"),
    (
        "EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE",
        v.DEPARTED,
        _set("source", dict(SOURCES[v.EMBASSY])),
        "an EMBASSY does not report DEPARTED; DEPARTED comes from P3MI",
    ),
    (
        "EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE",
        v.RETURNED,
        _set("source", dict(SOURCES[v.TRAINING_CENTER])),
        "a TRAINING_CENTER does not report RETURNED; RETURNED comes from EMBASSY or P3MI",
    ),
    ("MISSING_OCCURRED_AT", v.DEPARTED, _set("occurred_at", None), "occurred_at is missing"),
    ("OCCURRED_AT_IN_FUTURE", v.DEPARTED, _set("occurred_at", NOW + timedelta(hours=3)), "180 min after now"),
    ("NO_IDENTIFIER", v.DEPARTED, lambda e: e["worker"].update(nik=None, passport_no=None, local_id=None), "none of"),
    ("INVALID_NIK", v.DEPARTED, _set("worker.nik", "357301450795000"), "…5000 has 15 characters"),
    ("INVALID_NIK", v.DEPARTED, _set("worker.nik", "3573013102950001"), "…0001 encodes no real birth date"),
    ("INVALID_NIK", v.DEPARTED, _set("worker.nik", "9973014507950001"), "unknown province code 99"),
    ("INVALID_NIK", v.DEPARTED, _set("worker.nik", "3573-0145-0795-0001"), "has 19 characters"),
    ("INVALID_PASSPORT", v.DEPARTED, _set("worker.passport_no", "1234567C"), "…567C is not a passport number"),
    ("INVALID_PASSPORT", v.DEPARTED, _set("worker.passport_no", "C12345"), "…(6 chars) is not a passport number"),
    ("INVALID_SEX", v.DEPARTED, _set("worker.sex", "P"), "'P' is not F or M"),
    ("INVALID_REGENCY", v.DEPARTED, _set("worker.origin_regency", "357"), "'357' is not a 4-digit"),
    ("INVALID_REGENCY", v.DEPARTED, _set("worker.origin_regency", "9901"), "'9901' is not a 4-digit"),
    ("PAYLOAD_MISMATCH", v.DEPARTED, _set("payload", None), "payload is missing; a DEPARTED event carries a Departed"),
    (
        "PAYLOAD_MISMATCH",
        v.DEPARTED,
        _payload_record(v.PAYLOAD_RECORDS[v.REGISTERED]),
        "payload is a Registered record; a DEPARTED event carries Departed",
    ),
    ("MISSING_PAYLOAD_FIELD", v.DEPARTED, _set("payload.destination_country", None), "payload.destination_country is required for DEPARTED"),
    ("MISSING_PAYLOAD_FIELD", v.DEPARTED, _set("payload.sector", " "), "payload.sector is required"),
    ("MISSING_PAYLOAD_FIELD", v.TRAINING_COMPLETED, _set("payload.certificate_no", None), "certificate_no"),
    ("MISSING_PAYLOAD_FIELD", v.TRAINING_COMPLETED, _set("payload.competency", None), "competency"),
    ("MISSING_PAYLOAD_FIELD", v.TRAINING_COMPLETED, _set("payload.issued_on", None), "issued_on"),
    ("MISSING_PAYLOAD_FIELD", v.REGISTERED, _set("payload.job_order_id", None), "job_order_id"),
    ("MISSING_PAYLOAD_FIELD", v.PLACED, _set("payload.employer_name", None), "employer_name is required for PLACED"),
    ("MISSING_PAYLOAD_FIELD", v.PLACED, _set("payload.country", None), "payload.country"),
    ("MISSING_PAYLOAD_FIELD", v.PLACEMENT_UPDATED, _set("payload.change", None), "payload.change"),
    (
        "MISSING_PAYLOAD_FIELD",
        v.PLACEMENT_UPDATED,
        _set("payload.contract_end", None),
        "payload.contract_end is required for PLACEMENT_UPDATED when change is EXTENDED",
    ),
    (
        "MISSING_PAYLOAD_FIELD",
        v.PLACEMENT_UPDATED,
        _set("payload.change", "EMPLOYER_CHANGED"),
        "payload.employer_name is required for PLACEMENT_UPDATED when change is EMPLOYER_CHANGED",
    ),
    ("MISSING_PAYLOAD_FIELD", v.CASE_REPORTED, _set("payload.case_id", None), "case_id"),
    ("MISSING_PAYLOAD_FIELD", v.CASE_RESOLVED, _set("payload.case_id", None), "case_id"),
    ("MISSING_PAYLOAD_FIELD", v.RETURNED, _set("payload.return_date", None), "return_date"),
    ("MISSING_PAYLOAD_FIELD", v.RETURNED, _set("payload.reason", None), "payload.reason"),
    (
        "MISSING_PAYLOAD_FIELD",
        v.PLACED,
        _set("payload.monthly_salary", {"amount": Decimal("1.00"), "currency": None}),
        "monthly_salary.currency is required",
    ),
    ("INVALID_COUNTRY", v.DEPARTED, _set("payload.destination_country", "Malaysia"), "'Malaysia' is not an ISO 3166-1"),
    ("INVALID_COUNTRY", v.DEPARTED, _set("payload.destination_country", "my"), "'my'"),
    ("INVALID_COUNTRY", v.REGISTERED, _set("payload.destination_country", "XX"), "payload.destination_country"),
    ("INVALID_COUNTRY", v.PLACED, _set("payload.country", "MYS"), "payload.country"),
    ("INVALID_COUNTRY", v.PLACEMENT_UPDATED, _set("payload.country", "ZZ"), "payload.country"),
    ("INVALID_COUNTRY", v.RETURNED, _set("payload.country", "UK"), "payload.country"),
    ("INVALID_SECTOR", v.DEPARTED, _set("payload.sector", "HOUSEMAID"), "'HOUSEMAID' is not one of"),
    ("INVALID_SECTOR", v.TRAINING_COMPLETED, _set("payload.competency", "caregiver"), "payload.competency"),
    ("INVALID_CATEGORY", v.CASE_REPORTED, _set("payload.category", "THEFT"), "payload.category 'THEFT'"),
    ("INVALID_RETURN_REASON", v.RETURNED, _set("payload.reason", "HOLIDAY"), "payload.reason 'HOLIDAY'"),
    ("INVALID_CHANGE", v.PLACEMENT_UPDATED, _set("payload.change", "RENEWED"), "payload.change 'RENEWED'"),
    (
        "INVALID_CURRENCY",
        v.PLACED,
        _set("payload.monthly_salary", {"amount": Decimal("1500.00"), "currency": "RM"}),
        "currency 'RM' is not an ISO 4217",
    ),
    (
        "INVALID_AMOUNT",
        v.REGISTERED,
        _set("payload.monthly_salary", {"amount": Decimal("-1.00"), "currency": "TWD"}),
        "amount -1.00 is negative",
    ),
    (
        "INVALID_AMOUNT",
        v.REGISTERED,
        _set("payload.monthly_salary", {"amount": Decimal("1000000000000.00"), "currency": "TWD"}),
        "too large",
    ),
    (
        "INVALID_AMOUNT",
        v.REGISTERED,
        _set("payload.monthly_salary", {"amount": Decimal("NaN"), "currency": "TWD"}),
        "finite",
    ),
    (
        "INVALID_DATE_RANGE",
        v.PLACED,
        _set("payload.contract_end", date(2026, 3, 4)),
        "payload.contract_end 2026-03-04 is before payload.contract_start 2026-03-05",
    ),
    (
        "INVALID_DATE_RANGE",
        v.TRAINING_COMPLETED,
        _set("payload.valid_until", date(2025, 1, 1)),
        "payload.valid_until 2025-01-01 is before payload.issued_on",
    ),
    ("INVALID_DATE_RANGE", v.DEPARTED, _set("worker.date_of_birth", date(2026, 3, 2)), "date_of_birth is after"),
    ("INVALID_FIELD", v.REGISTERED, _set("payload.contract_months", 0), "contract_months must be a positive"),
    ("INVALID_FIELD", v.DEPARTED, _set("worker.local_id", " "), "worker.local_id is empty"),
    ("INVALID_FIELD", v.DEPARTED, _set("payload.sector", 7), "payload.sector must be a string, not a number"),
    ("INVALID_FIELD", v.PLACED, _set("payload.contract_end", "2028-03-04"), "payload.contract_end must be a date"),
    ("INVALID_FIELD", v.DEPARTED, _set("worker.date_of_birth", "1995-07-05"), "worker.date_of_birth must be a date"),
    ("INVALID_FIELD", v.DEPARTED, _set("occurred_at", datetime(2026, 3, 1)), "occurred_at must be a timestamp with a UTC offset"),
    ("INVALID_FIELD", v.DEPARTED, _set("event_id", 42), "event_id must be a string"),
]


@pytest.mark.parametrize(
    ("reason", "event_type", "mutate", "phrase"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_reason_alone(reason, event_type, mutate, phrase):
    event = valid_event(event_type)
    mutate(event)
    problems = validate(event, NOW)
    assert [p.reason for p in problems] == [reason], problems
    assert phrase in problems[0].message
    assert "\n" not in problems[0].message
    assert first_problem(event, NOW) == problems[0]


def test_every_validation_reason_is_exercised():
    """JSON-only and wire codes are exercised in test_partner_json and test_decode_validate_fuzz (WRONG_TOPIC: agents)."""
    json_or_wire = {"NOT_AVRO", "UNKNOWN_SCHEMA", "MALFORMED_AVRO", "MESSAGE_TOO_LARGE", "WRONG_TOPIC", "INVALID_JSON", "UNKNOWN_FIELD"}
    assert {case[0] for case in CASES} == set(REASON_CODES) - json_or_wire


def test_the_docstring_table_documents_every_reason_code():
    documented = re.findall(r"^([A-Z][A-Z0-9_]+) {2,}", validation.__doc__, flags=re.MULTILINE)
    assert documented == list(REASON_CODES)
    for code in REASON_CODES:
        assert getattr(validation, code) == code


def test_problems_are_listed_in_order_and_first_problem_is_the_first():
    event = valid_event()
    event["event_id"] = None
    event["worker"]["sex"] = "X"
    event["payload"][1]["sector"] = "NONE"
    assert reasons(event) == ["MISSING_EVENT_ID", "INVALID_SEX", "INVALID_SECTOR"]
    assert first_problem(event, NOW).reason == "MISSING_EVENT_ID"


def test_an_unknown_event_type_skips_the_payload_checks():
    event = valid_event()
    event["event_type"] = "DEPARTURE"
    event["payload"] = None
    assert reasons(event) == ["UNKNOWN_EVENT_TYPE"]


def test_a_wrong_payload_record_is_not_checked_field_by_field():
    event = valid_event(v.DEPARTED)
    event["payload"] = (v.PAYLOAD_RECORDS[v.PLACED], {"country": "??"})
    assert reasons(event) == ["PAYLOAD_MISMATCH"]


def test_an_untagged_payload_is_a_mismatch():
    event = valid_event(v.DEPARTED)
    event["payload"] = payload_of(v.DEPARTED)
    assert reasons(event) == ["PAYLOAD_MISMATCH"]


def test_a_missing_source_and_worker_are_reported_not_raised():
    event = valid_event()
    event["source"] = None
    event["worker"] = None
    assert reasons(event) == ["UNKNOWN_SOURCE_KIND", "MISSING_SOURCE_ID", "NO_IDENTIFIER"]
    assert validate("not an event", NOW) == [Problem("INVALID_FIELD", "the event must be a record, not a string")]


# --- masking ------------------------------------------------------------------------------


def test_messages_show_only_the_last_four_characters_of_a_nik_or_passport():
    event = valid_event()
    event["worker"]["nik"] = "3573014507950001X"
    event["worker"]["passport_no"] = "Q98765432100"
    messages = " | ".join(p.message for p in validate(event, NOW))
    assert "…001X" in messages and "…2100" in messages
    assert "3573014507950001" not in messages and "98765432100" not in messages
    assert "014507" not in messages


def test_a_nik_or_passport_sent_in_the_wrong_field_is_masked_too():
    event = valid_event()
    event["event_type"] = NIK
    event["source"]["kind"] = "KTP 3573014507950001 / C 1234567"
    other = valid_event()
    other["payload"][1]["sector"] = PASSPORT
    messages = " | ".join(p.message for p in validate(event, NOW) + validate(other, NOW))
    assert "'…0001'" in messages and "'C…4567'" in messages and "'KTP …0001 / C …4567'" in messages
    assert NIK not in messages and PASSPORT not in messages


_identifier_text = st.text(alphabet="0123456789ABCXYZ -", min_size=8, max_size=24)


@settings(max_examples=200, deadline=None)
@given(nik=_identifier_text, passport=_identifier_text)
def test_no_message_contains_a_full_nik_or_passport(nik, passport):
    event = valid_event()
    event["worker"].update(nik=nik, passport_no=passport)
    for problem in validate(event, NOW):
        assert nik not in problem.message
        assert passport not in problem.message
        assert problem.reason in REASON_CODES
