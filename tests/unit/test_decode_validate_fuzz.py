"""Fuzzing ``streams.ingest.read_event``: no bytes make it raise, and every rejection carries a documented reason.

Inputs: random bytes (with and without a valid single-object header), every prefix of valid
encodings, bit-flipped valid encodings, valid events mutated at random (kept only when the
codec can encode them), and schema-shaped events with random values.
"""
from __future__ import annotations

import copy
import os
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain import vocabulary as v
from domain.validation import REASON_CODES, validate
from streams.codec import HEADER_LEN, MARKER, AvroCodec
from streams.ingest import MAX_MESSAGE_BYTES, read_event
from tests.examples import example_event

NOW = datetime(2026, 4, 1, tzinfo=timezone.utc)
# Sized for a run under 20 s; PANTAU_FUZZ_SCALE=20 fuzzes twenty times longer.
SCALE = int(os.environ.get("PANTAU_FUZZ_SCALE", "1"))
CODEC = AvroCodec.named("partner_event")
HEADER = MARKER + CODEC.current.fingerprint
WIRE_REASONS = {"NOT_AVRO", "UNKNOWN_SCHEMA", "MALFORMED_AVRO", "MESSAGE_TOO_LARGE"}
DOCUMENTED = set(REASON_CODES)

# One valid event per type, each with its own id; RETURNED also as a P3MI reports it.
VALID_EVENTS = [
    {**example_event(event_type), "event_id": f"e-{event_type}"} for event_type in v.EVENT_TYPES
] + [{**example_event(v.RETURNED), "event_id": "e-RETURNED-P3MI", "source": {"kind": "P3MI", "id": "P3MI-0042"}}]
VALID_ENCODINGS = [CODEC.encode(event) for event in VALID_EVENTS]


def check(data, event, problem) -> None:
    """What every outcome of read_event must satisfy."""
    if problem is None:
        assert event is not None
        assert validate(event, NOW) == []
        return
    assert problem.reason in DOCUMENTED, problem
    assert isinstance(problem.message, str) and problem.message
    assert "\n" not in problem.message and "\r" not in problem.message
    assert len(problem.message) <= 400
    if event is None:
        assert problem.reason in WIRE_REASONS
    else:
        assert problem.reason not in WIRE_REASONS
        worker = event["worker"]
        for identifier in (worker["nik"], worker["passport_no"]):
            if identifier and _LONG_DIGITS.search(identifier):  # looks like a NIK or passport number
                assert identifier not in problem.message


_LONG_DIGITS = re.compile(r"[0-9]{6,}")


def read(data):
    event, problem = read_event(CODEC, data, NOW)
    check(data, event, problem)
    return event, problem


def test_the_valid_encodings_read_back_as_valid_events():
    for data, event in zip(VALID_ENCODINGS, VALID_EVENTS):
        assert read(data) == (event, None)
    assert {e["event_type"] for e in VALID_EVENTS} == set(v.EVENT_TYPES)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "NOT_AVRO"),
        (b"", "NOT_AVRO"),
        (b'{"event_id": "x"}', "NOT_AVRO"),
        (MARKER + b"\x00" * 3, "NOT_AVRO"),
        (MARKER + b"\xff" * 8 + VALID_ENCODINGS[0][HEADER_LEN:], "UNKNOWN_SCHEMA"),
        (HEADER, "MALFORMED_AVRO"),
        (VALID_ENCODINGS[0] + b"\x00", "MALFORMED_AVRO"),
        (HEADER + b"\x02" + b"\xff" * 10, "MALFORMED_AVRO"),  # a string whose length varint never ends
        (HEADER + b"\x02\xfe\xff\xff\xff\xff\xff\xff\xff\x7f", "MALFORMED_AVRO"),  # a string of 2**62 bytes
        (HEADER + b"\x02\x09abc", "MALFORMED_AVRO"),  # a string of -5 bytes
        (HEADER + b"\x02\x04\xff\xfe", "MALFORMED_AVRO"),  # not UTF-8
        (HEADER + b"\x7f", "MALFORMED_AVRO"),  # union branch out of range
        (b"\x00" * (MAX_MESSAGE_BYTES + 1), "MESSAGE_TOO_LARGE"),
    ],
)
def test_undecodable_bytes_have_a_wire_reason(data, reason):
    event, problem = read(data)
    assert event is None and problem.reason == reason


def test_an_oversized_message_is_rejected_before_decoding():
    event, problem = read(VALID_ENCODINGS[0] + b"\x00" * MAX_MESSAGE_BYTES)
    assert event is None and problem.reason == "MESSAGE_TOO_LARGE" and "byte limit" in problem.message


def _with_amount_bytes(size: int) -> bytes:
    """A REGISTERED encoding whose salary amount is ``size`` bytes long (a corrupt length)."""
    data = VALID_ENCODINGS[1]
    amount = (2_000_000).to_bytes(3, "big", signed=True)  # 20000.00 unscaled
    at = data.index(bytes([len(amount) * 2]) + amount)
    return data[:at] + _zigzag_varint(size) + b"\x7f" * size + data[at + 1 + len(amount):]


def _zigzag_varint(n: int) -> bytes:
    n, out = n << 1, bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def test_a_huge_decimal_cannot_stall_the_stream():
    """fastavro converts decimal bytes in quadratic time: the codec refuses a decimal longer than
    its precision allows, and the size cap bounds everything else."""
    event, problem = read(_with_amount_bytes(3))
    assert problem is None and event["payload"][1]["monthly_salary"]["amount"] == Decimal("83557.11")  # 0x7f7f7f
    event, problem = read(_with_amount_bytes(MAX_MESSAGE_BYTES - 200))
    assert event is None and problem.reason == "MALFORMED_AVRO" and "exceeds precision" in problem.message
    event, problem = read(_with_amount_bytes(MAX_MESSAGE_BYTES + 1))
    assert event is None and problem.reason == "MESSAGE_TOO_LARGE"


def test_bytearray_and_memoryview_are_read_like_bytes():
    data = VALID_ENCODINGS[2]
    assert read(bytearray(data)) == read(memoryview(data)) == (VALID_EVENTS[2], None)


def test_every_prefix_of_a_valid_encoding_is_rejected():
    for data in VALID_ENCODINGS:
        for length in range(len(data)):
            event, problem = read(data[:length])
            assert event is None
            assert problem.reason == ("NOT_AVRO" if length < HEADER_LEN else "MALFORMED_AVRO")


@settings(max_examples=300 * SCALE, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.binary(max_size=200).map(lambda body: HEADER + body)))
def test_random_bytes_never_raise(data):
    read(data)


@settings(max_examples=300 * SCALE, deadline=None)
@given(
    st.sampled_from(VALID_ENCODINGS),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 7)), min_size=1, max_size=4),
)
def test_bit_flipped_encodings_never_raise(data, flips):
    flipped = bytearray(data)
    for position, bit in flips:
        flipped[position % len(flipped)] ^= 1 << bit
    read(bytes(flipped))


@settings(max_examples=300 * SCALE, deadline=None)
@given(st.sampled_from(VALID_ENCODINGS), st.integers(min_value=HEADER_LEN), st.binary(min_size=1, max_size=12))
def test_overwritten_body_bytes_never_raise(data, position, garbage):
    position = HEADER_LEN + position % (len(data) - HEADER_LEN)
    read(data[:position] + garbage + data[position + len(garbage):])


# --- mutated events -----------------------------------------------------------------------

_RECORD_NAMES = list(v.PAYLOAD_RECORDS.values())
_CODE_WORDS = (
    list(v.EVENT_TYPES)
    + list(v.SOURCE_KINDS)
    + list(v.SECTORS)
    + list(v.CASE_CATEGORIES)
    + list(v.RETURN_REASONS)
    + list(v.PLACEMENT_CHANGES)
    + ["F", "M", "MY", "TW", "HK", "XX", "MYR", "3573", "3573014507950001", "C1234567", "", " "]
)
_strings = st.one_of(st.sampled_from(_CODE_WORDS), st.text(max_size=20))
_aware = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc)
)
_scalars = st.one_of(
    st.none(),
    _strings,
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.dates(),
    _aware,
    st.datetimes(),
    st.decimals(allow_nan=True, places=2),
    st.binary(max_size=8),
)
_values = st.one_of(
    _scalars,
    st.fixed_dictionaries({"amount": st.decimals(allow_nan=False, places=2), "currency": _strings}),
    st.tuples(st.sampled_from(_RECORD_NAMES), st.dictionaries(_strings, _scalars, max_size=3)),
    st.lists(_scalars, max_size=2),
)


def _paths(event) -> list[tuple[str, ...]]:
    paths = [(field,) for field in v.EVENT_FIELDS]
    paths += [("source", field) for field in v.SOURCE_FIELDS]
    paths += [("worker", field) for field in v.WORKER_FIELDS]
    record, fields = event["payload"]
    paths += [("payload", "@record")] + [("payload", field) for field in fields]
    for field, kind in v.PAYLOAD_FIELDS[record].items():
        if kind == v.MONEY:
            paths += [("payload", field, "amount"), ("payload", field, "currency")]
    return paths


def _mutate(event, path, drop, value) -> None:
    if path[0] == "payload" and len(path) > 1:
        payload = event.get("payload")
        if not (isinstance(payload, tuple) and len(payload) == 2 and isinstance(payload[1], dict)):
            return
        record, fields = payload
        if path[1] == "@record":
            event["payload"] = (value if isinstance(value, str) else record, fields)
            return
        target, path = fields, path[1:]
    else:
        target = event
    for part in path[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
    if not isinstance(target, dict):
        return
    if drop:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value


@st.composite
def mutated_events(draw):
    event = copy.deepcopy(draw(st.sampled_from(VALID_EVENTS)))
    paths = _paths(event)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        _mutate(event, path, draw(st.booleans()) and draw(st.booleans()), draw(_values))
    return event


def _encodable(event) -> bytes | None:
    try:
        return CODEC.encode(event)
    except Exception:  # the codec refusing a malformed record is the expected outcome, not a finding
        return None


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(mutated_events())
def test_mutated_events_that_encode_are_read_without_raising(event):
    data = _encodable(event)
    assume(data is not None)
    read(data)  # the codec may write what it cannot read back (e.g. an int as a date before year 1)


# --- schema-shaped events with random values ----------------------------------------------

_KIND_VALUES = {
    v.STRING: st.one_of(st.none(), _strings),
    v.DATE: st.one_of(st.none(), st.dates()),
    v.INT: st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)),
    v.MONEY: st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {
                "amount": st.decimals(min_value=-(10**12) + 1, max_value=10**12 - 1, places=2),
                "currency": _strings,
            }
        ),
    ),
}


@st.composite
def shaped_events(draw):
    record = draw(st.sampled_from(_RECORD_NAMES))
    payload = (record, {field: draw(_KIND_VALUES[kind]) for field, kind in v.PAYLOAD_FIELDS[record].items()})
    return {
        "event_id": draw(st.one_of(st.none(), _strings)),
        "event_type": draw(st.one_of(st.none(), _strings)),
        "occurred_at": draw(st.one_of(st.none(), _aware, st.just(NOW + timedelta(minutes=11)))),
        "source": {"kind": draw(_strings), "id": draw(_strings)},
        "worker": {
            field: draw(st.one_of(st.none(), st.dates() if field == "date_of_birth" else _strings))
            for field in v.WORKER_FIELDS
        },
        "payload": draw(st.one_of(st.just(payload), st.none())),
    }


@settings(max_examples=300 * SCALE, deadline=None)
@given(shaped_events())
def test_schema_shaped_events_round_trip_and_validate_consistently(event):
    decoded, problem = read(CODEC.encode(event))
    assert decoded == event
    problems = validate(event, NOW)
    assert problem == (problems[0] if problems else None)
    assert all(p.reason in DOCUMENTED and p.reason not in WIRE_REASONS for p in problems)


def test_a_dict_payload_is_typed_by_the_codec_and_caught_as_a_mismatch():
    """fastavro writes an untagged payload dict as the first record it fits: validation catches the wrong type."""
    event = copy.deepcopy(VALID_EVENTS[2])  # DEPARTED
    event["payload"] = {"destination_country": "MY", "sector": "DOMESTIC_WORKER"}
    decoded, problem = read(CODEC.encode(event))
    assert decoded["payload"][0] == "id.pantau.events.Registered"
    assert problem.reason == "PAYLOAD_MISMATCH"
