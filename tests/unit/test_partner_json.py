"""The partner JSON form: conversion to and from the in-memory form, its errors, and its agreement with the schema."""
from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import vocabulary as v
from domain.partner_json import from_json, parse_line, to_json
from domain.validation import InvalidEvent, REASON_CODES, validate
from streams.codec import AvroCodec
from tests.examples import example_json

NOW = datetime(2026, 4, 1, tzinfo=timezone.utc)
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "partner_event"

DESIGN_EXAMPLE = """{
  "event_id": "3f0c2c1e-0d3a-4f55-9a43-2b1f1c1a7e01",
  "event_type": "DEPARTED",
  "occurred_at": "2026-03-01T08:00:00+07:00",
  "source": {"kind": "P3MI", "id": "P3MI-0042"},
  "worker": {
    "nik": "3573014507950001",
    "passport_no": "C1234567",
    "local_id": "REG-88121",
    "full_name": "SITI AMINAH",
    "date_of_birth": "1995-07-05",
    "sex": "F",
    "origin_regency": "3573"
  },
  "payload": {"destination_country": "MY", "sector": "DOMESTIC_WORKER", "job_order_id": "JO-7781"}
}"""

partner_json = example_json


def normalised(obj: dict) -> dict:
    """What ``to_json(from_json(obj))`` gives for a valid ``obj``: every field present, UTC timestamps, exact amounts."""
    out = copy.deepcopy(obj)
    moment = datetime.fromisoformat(out["occurred_at"]).astimezone(timezone.utc)
    out["occurred_at"] = moment.replace(tzinfo=None).isoformat() + "Z"
    out["worker"] = {field: out.get("worker", {}).get(field) for field in v.WORKER_FIELDS}
    record = v.PAYLOAD_RECORDS[out["event_type"]]
    payload = {field: out["payload"].get(field) for field in v.PAYLOAD_FIELDS[record]}
    if payload.get("monthly_salary"):
        amount = Decimal(str(payload["monthly_salary"]["amount"])).quantize(Decimal("0.01"))
        payload["monthly_salary"] = {"amount": str(amount), "currency": payload["monthly_salary"]["currency"]}
    out["payload"] = payload
    return out


# --- conversion ---------------------------------------------------------------------------


def test_the_design_example_converts_to_the_in_memory_form():
    event = parse_line(DESIGN_EXAMPLE)
    assert event == {
        "event_id": "3f0c2c1e-0d3a-4f55-9a43-2b1f1c1a7e01",
        "event_type": "DEPARTED",
        "occurred_at": datetime(2026, 3, 1, 1, 0, tzinfo=timezone.utc),
        "source": {"kind": "P3MI", "id": "P3MI-0042"},
        "worker": {
            "nik": "3573014507950001",
            "passport_no": "C1234567",
            "local_id": "REG-88121",
            "full_name": "SITI AMINAH",
            "date_of_birth": date(1995, 7, 5),
            "sex": "F",
            "origin_regency": "3573",
        },
        "payload": (
            "id.pantau.events.Departed",
            {
                "destination_country": "MY",
                "sector": "DOMESTIC_WORKER",
                "job_order_id": "JO-7781",
                "departure_port": None,
                "social_security_no": None,
            },
        ),
    }
    assert event["occurred_at"].utcoffset() == timedelta(0)
    assert validate(event, NOW) == []


@pytest.mark.parametrize("event_type", v.EVENT_TYPES)
def test_a_valid_json_event_of_each_type_converts_validates_and_round_trips(event_type):
    obj = partner_json(event_type)
    event = from_json(obj)
    assert event["payload"][0] == v.PAYLOAD_RECORDS[event_type]
    assert validate(event, NOW) == []
    assert to_json(event) == normalised(obj)
    assert from_json(to_json(event)) == event
    assert json.loads(json.dumps(to_json(event))) == to_json(event)


@pytest.mark.parametrize("event_type", v.EVENT_TYPES)
def test_the_in_memory_form_is_what_the_codec_writes_and_reads(event_type):
    codec = AvroCodec.named("partner_event")
    event = from_json(partner_json(event_type))
    assert codec.decode(codec.encode(event)) == event


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1500, Decimal("1500.00")),
        (1500.5, Decimal("1500.50")),
        (0.1, Decimal("0.10")),
        ("1500.555", Decimal("1500.56")),  # quantised half up to the cent
        (" 12.3 ", Decimal("12.30")),
        ("1E+3", Decimal("1000.00")),
        ("-0", Decimal("0.00")),
        (-5, Decimal("-5.00")),  # converted; validation reports INVALID_AMOUNT
        ("999999999999.99", Decimal("999999999999.99")),
    ],
)
def test_amounts_become_decimals_with_two_places(raw, expected):
    obj = partner_json(v.PLACED)
    obj["payload"]["monthly_salary"]["amount"] = raw
    amount = from_json(obj)["payload"][1]["monthly_salary"]["amount"]
    assert amount == expected and amount.as_tuple().exponent == -2
    assert str(amount) == str(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-01T08:00:00+07:00", datetime(2026, 3, 1, 1, tzinfo=timezone.utc)),
        ("2026-03-01T01:00:00Z", datetime(2026, 3, 1, 1, tzinfo=timezone.utc)),
        ("2026-03-01T01:00:00.123456+00:00", datetime(2026, 3, 1, 1, 0, 0, 123456, tzinfo=timezone.utc)),
        ("2026-02-28T20:30:00-04:30", datetime(2026, 3, 1, 1, tzinfo=timezone.utc)),
    ],
)
def test_occurred_at_becomes_an_aware_utc_datetime(raw, expected):
    obj = partner_json()
    obj["occurred_at"] = raw
    occurred_at = from_json(obj)["occurred_at"]
    assert occurred_at == expected and occurred_at.tzinfo == timezone.utc


def test_absent_parts_become_none_and_validation_names_them():
    obj = partner_json()
    for key in ("event_id", "occurred_at", "payload"):
        del obj[key]
    obj["worker"] = {"passport_no": "C1234567"}
    event = from_json(obj)
    assert event["event_id"] is None and event["occurred_at"] is None and event["payload"] is None
    assert event["worker"] == dict.fromkeys(v.WORKER_FIELDS) | {"passport_no": "C1234567"}
    assert [p.reason for p in validate(event, NOW)] == ["MISSING_EVENT_ID", "MISSING_OCCURRED_AT", "PAYLOAD_MISMATCH"]
    del obj["worker"]
    assert from_json(obj)["worker"] == dict.fromkeys(v.WORKER_FIELDS)


def test_an_unknown_event_type_without_payload_converts_and_fails_validation():
    obj = partner_json()
    obj["event_type"] = "ARRIVED"
    del obj["payload"]
    assert [p.reason for p in validate(from_json(obj), NOW)] == ["UNKNOWN_EVENT_TYPE"]


def test_to_json_renders_timestamps_in_utc():
    event = from_json(partner_json())
    event["occurred_at"] = datetime(2026, 3, 1, 8, 0, 0, 5, tzinfo=timezone(timedelta(hours=7)))
    assert to_json(event)["occurred_at"] == "2026-03-01T01:00:00.000005Z"


# --- conversion errors --------------------------------------------------------------------


def _with(path: str, value, event_type: str = v.DEPARTED):
    """A builder of partner_json(event_type) with ``path`` set to ``value`` (``...`` deletes it)."""

    def build():
        obj = partner_json(event_type)
        *parents, leaf = path.split(".")
        target = obj
        for part in parents:
            target = target[part]
        if value is ...:
            del target[leaf]
        else:
            target[leaf] = value
        return obj

    return build


ERRORS = [
    ("UNKNOWN_FIELD", _with("ocurred_at", "2026-03-01T08:00:00+07:00"), "the event has unknown field 'ocurred_at'"),
    ("UNKNOWN_FIELD", _with("worker.email", "x@example.com"), "worker has unknown field 'email'"),
    ("UNKNOWN_FIELD", _with("source.name", "PT Maju"), "source has unknown field 'name'"),
    ("UNKNOWN_FIELD", _with("payload.destination", "MY"), "payload of DEPARTED has unknown field 'destination'"),
    ("UNKNOWN_FIELD", _with("payload.country", "MY"), "unknown field 'country'; expected destination_country"),
    ("UNKNOWN_FIELD", _with("payload.monthly_salary.cur", "MYR", v.PLACED), "payload.monthly_salary has unknown field 'cur'"),
    ("INVALID_FIELD", _with("occurred_at", "2026-03-01T08:00:00"), "has no UTC offset; the offset is required"),
    ("INVALID_FIELD", _with("occurred_at", "2026-03-01"), "has no UTC offset"),
    ("INVALID_FIELD", _with("occurred_at", "1 March 2026"), "occurred_at '1 March 2026' is not an ISO 8601"),
    ("INVALID_FIELD", _with("occurred_at", "2026-03-01T25:00:00Z"), "not an ISO 8601"),
    ("INVALID_FIELD", _with("occurred_at", 1772326800), "occurred_at must be an ISO 8601 string, not a number"),
    ("INVALID_FIELD", _with("occurred_at", "0001-01-01T00:00:00+01:00"), "out of range"),
    ("INVALID_FIELD", _with("event_id", 17), "event_id must be a string, not a number"),
    ("INVALID_FIELD", _with("event_type", ["DEPARTED"]), "event_type must be a string, not a list"),
    ("INVALID_FIELD", _with("worker.nik", 3573014507950001), "worker.nik must be a string, not a number"),
    ("INVALID_FIELD", _with("worker.date_of_birth", "05-07-1995"), "worker.date_of_birth is not a date YYYY-MM-DD"),
    ("INVALID_FIELD", _with("worker.date_of_birth", "1995-02-30"), "worker.date_of_birth is not a date"),
    ("INVALID_FIELD", _with("worker.full_name", "SITI \udc80"), "worker.full_name is not valid Unicode"),
    ("INVALID_FIELD", _with("worker", ["3573014507950001"]), "worker must be an object, not a list"),
    ("INVALID_FIELD", _with("source", "P3MI-0042"), "source must be an object {kind, id}, not a string"),
    ("INVALID_FIELD", _with("payload", "MY"), "payload must be an object, not a string"),
    ("INVALID_FIELD", _with("payload.sector", 3), "payload.sector must be a string, not a number"),
    ("INVALID_FIELD", _with("payload.contract_end", "2028-02-30", v.PLACED), "payload.contract_end '2028-02-30' is not a date"),
    ("INVALID_FIELD", _with("payload.contract_end", "20280304", v.PLACED), "payload.contract_end '…0304' is not a date YYYY-MM-DD"),
    ("INVALID_FIELD", _with("payload.contract_start", 20260305, v.PLACED), "payload.contract_start must be a date YYYY-MM-DD, not a number"),
    ("INVALID_FIELD", _with("payload.contract_months", "24", v.REGISTERED), "payload.contract_months must be a whole number, not a string"),
    ("INVALID_FIELD", _with("payload.contract_months", 2.5, v.REGISTERED), "payload.contract_months must be a whole number"),
    ("INVALID_FIELD", _with("payload.contract_months", 2**31, v.REGISTERED), "payload.contract_months is out of range"),
    ("INVALID_FIELD", _with("payload.contract_months", True, v.REGISTERED), "not a boolean"),
    ("INVALID_FIELD", _with("payload.monthly_salary", 1500, v.PLACED), "payload.monthly_salary must be an object {amount, currency}"),
    ("INVALID_FIELD", _with("payload.monthly_salary.amount", "1,500.00", v.PLACED), "payload.monthly_salary.amount '1,500.00' must be a number"),
    ("INVALID_FIELD", _with("payload.monthly_salary.amount", True, v.PLACED), "not a boolean"),
    ("INVALID_FIELD", _with("payload.monthly_salary.amount", float("nan"), v.PLACED), "must be a finite number"),
    ("INVALID_FIELD", _with("payload.monthly_salary.amount", "Infinity", v.PLACED), "must be a finite number"),
    ("INVALID_FIELD", _with("payload.monthly_salary.amount", [1500], v.PLACED), "not a list"),
    ("INVALID_AMOUNT", _with("payload.monthly_salary.amount", 10**12, v.PLACED), "too large"),
    ("INVALID_AMOUNT", _with("payload.monthly_salary.amount", "1e400", v.PLACED), "too large"),
    ("MISSING_PAYLOAD_FIELD", _with("payload.monthly_salary.amount", ..., v.PLACED), "payload.monthly_salary.amount is required"),
    ("MISSING_PAYLOAD_FIELD", _with("payload.monthly_salary.currency", ..., v.PLACED), "payload.monthly_salary.currency is required"),
    ("UNKNOWN_SOURCE_KIND", _with("source", ...), "source is missing"),
    ("UNKNOWN_SOURCE_KIND", _with("source.kind", None), "source.kind is missing"),
    ("MISSING_SOURCE_ID", _with("source.id", ...), "source.id is missing"),
    ("UNKNOWN_EVENT_TYPE", _with("event_type", "DEPARTURE"), "event_type is 'DEPARTURE', not one of"),
    ("UNKNOWN_EVENT_TYPE", _with("event_type", None), "event_type is missing, so the payload's type is unknown"),
]


@pytest.mark.parametrize(("reason", "build", "phrase"), ERRORS, ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_conversion_errors_name_the_field(reason, build, phrase):
    with pytest.raises(InvalidEvent) as raised:
        from_json(build())
    assert raised.value.reason == reason
    assert phrase in raised.value.message
    assert "\n" not in raised.value.message
    assert raised.value.problem.reason == reason


@pytest.mark.parametrize(
    ("line", "phrase"),
    [
        ("not json", "not valid JSON: Expecting value at column 1"),
        ('{"event_id": "a",}', "not valid JSON"),
        ("[1, 2]", "an event must be a JSON object, not a list"),
        ('"DEPARTED"', "not a string"),
        ("", "not valid JSON"),
        ('{"event_id": "a", "event_id": "b"}', "duplicate key 'event_id'"),
        ('{"payload": {"contract_months": ' + "9" * 5000 + "}}", "not valid JSON: ValueError"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
)
def test_parse_line_reports_invalid_json(line, phrase):
    with pytest.raises(InvalidEvent) as raised:
        parse_line(line)
    assert raised.value.reason == "INVALID_JSON"
    assert phrase in raised.value.message
    assert "\n" not in raised.value.message


def test_from_json_rejects_a_non_object():
    with pytest.raises(InvalidEvent) as raised:
        from_json(["DEPARTED"])
    assert raised.value.reason == "INVALID_JSON"


def test_every_conversion_reason_is_a_documented_code():
    assert {reason for reason, _, _ in ERRORS} | {"INVALID_JSON"} <= set(REASON_CODES)
    assert {"UNKNOWN_FIELD", "INVALID_JSON", "INVALID_FIELD"} <= {reason for reason, _, _ in ERRORS} | {"INVALID_JSON"}


def test_conversion_errors_never_echo_worker_values():
    obj = partner_json()
    obj["worker"]["date_of_birth"] = "3573014507950001"
    with pytest.raises(InvalidEvent) as raised:
        from_json(obj)
    assert "3573014507950001" not in raised.value.message


# --- property: the round trip -------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat)
_offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_timestamps = st.builds(
    lambda moment, zone: moment.replace(tzinfo=timezone.utc).astimezone(zone).isoformat(),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1)),
    _offsets,
)
_amounts = st.one_of(
    st.integers(-(10**11), 10**11),
    st.decimals(min_value=-(10**11), max_value=10**11, places=2).map(str),
)
_KIND_VALUES = {
    v.STRING: st.one_of(st.none(), _text),
    v.DATE: st.one_of(st.none(), _dates),
    v.INT: st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)),
    v.MONEY: st.one_of(st.none(), st.fixed_dictionaries({"amount": _amounts, "currency": _text})),
}


@st.composite
def json_events(draw):
    event_type = draw(st.sampled_from(v.EVENT_TYPES))
    kinds = v.PAYLOAD_FIELDS[v.PAYLOAD_RECORDS[event_type]]
    payload = {field: draw(_KIND_VALUES[kind]) for field, kind in kinds.items() if draw(st.booleans())}
    worker = {
        field: draw(st.one_of(st.none(), _dates if field == "date_of_birth" else _text))
        for field in v.WORKER_FIELDS
        if draw(st.booleans())
    }
    return {
        "event_id": draw(_text),
        "event_type": event_type,
        "occurred_at": draw(_timestamps),
        "source": {"kind": draw(st.sampled_from(v.SOURCE_KINDS)), "id": draw(_text)},
        "worker": worker,
        "payload": payload,
    }


@settings(max_examples=200, deadline=None)
@given(json_events())
def test_round_trip_equals_the_normalised_input(obj):
    event = from_json(obj)
    assert to_json(event) == normalised(obj)
    assert from_json(to_json(event)) == event
    assert parse_line(json.dumps(obj)) == event


# --- the vocabulary against the schema ----------------------------------------------------


def _newest_schema() -> dict:
    newest = max(SCHEMAS.glob("v*.avsc"), key=lambda p: int(p.stem[1:]))
    return json.loads(newest.read_text())


def _kind(avro_type) -> str:
    if isinstance(avro_type, list):
        (avro_type,) = [t for t in avro_type if t != "null"]
    if isinstance(avro_type, dict):
        if avro_type.get("logicalType") == "date":
            return v.DATE
        if avro_type.get("type") == "record" and avro_type["name"] == "Money":
            return v.MONEY
        avro_type = avro_type["type"]
    return {"string": v.STRING, "int": v.INT, "Money": v.MONEY}[avro_type]


def test_vocabulary_matches_the_newest_schema():
    schema = _newest_schema()
    fields = {field["name"]: field for field in schema["fields"]}
    assert tuple(fields) == v.EVENT_FIELDS
    assert tuple(f["name"] for f in fields["source"]["type"]["fields"]) == v.SOURCE_FIELDS
    assert tuple(f["name"] for f in fields["worker"]["type"]["fields"]) == v.WORKER_FIELDS
    records = [t for t in fields["payload"]["type"] if t != "null"]
    in_schema = {
        f"{schema['namespace']}.{record['name']}": {f["name"]: _kind(f["type"]) for f in record["fields"]}
        for record in records
    }
    assert in_schema == {record: dict(kinds) for record, kinds in v.PAYLOAD_FIELDS.items()}
