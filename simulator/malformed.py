"""Partner messages broken in every way the ingest must catch, with the reason it must give.

Each maker takes a valid in-memory event (the codec's form, any event type) and returns
``(topic_kind, bytes)``: the source kind whose ingest topic the bytes go to, and the message
value. ``MALFORMATIONS`` covers every code of ``domain.validation.REASON_CODES`` a dead letter
can carry — all but INVALID_JSON and UNKNOWN_FIELD, which only ``pantau publish`` gives (the
Avro wire has no JSON text and no unknown fields). Used by the simulator and the tests.
"""
from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from domain import vocabulary as v
from domain.partner_json import to_json
from domain.validation import REQUIRED_PAYLOAD_FIELDS
from streams.codec import MARKER, AvroCodec

CODEC = AvroCodec.named("partner_event")


def _encoded(event: dict) -> tuple[str, bytes]:
    return event["source"]["kind"], CODEC.encode(event)


def _with_worker(event: dict, **fields) -> dict:
    return {**event, "worker": {**event["worker"], **fields}}


def _with_payload(event: dict, **fields) -> dict:
    name, payload = event["payload"]
    return {**event, "payload": (name, {**payload, **fields})}


def _as(event: dict, event_type: str, kind: str, **fields) -> tuple[str, bytes]:
    """The event's envelope and worker with another type, source kind and payload, encoded."""
    record = v.PAYLOAD_RECORDS[event_type]
    payload = {**dict.fromkeys(v.PAYLOAD_FIELDS[record]), **fields}
    return _encoded({**event, "event_type": event_type, "source": {"kind": kind, "id": f"{kind}-SYNTHETIC"},
                     "payload": (record, payload)})


def _not_allowed(event: dict) -> tuple[str, bytes]:
    kind = next(k for k in v.SOURCE_KINDS if k not in v.ALLOWED_SOURCES[event["event_type"]])
    return _encoded({**event, "source": {"kind": kind, "id": f"{kind}-SYNTHETIC"}})


def _missing_required(event: dict) -> tuple[str, bytes]:
    first = REQUIRED_PAYLOAD_FIELDS[event["payload"][0]][0]
    return _encoded(_with_payload(event, **{first: None}))


def _other_kind(event: dict) -> str:
    return next(k for k in v.SOURCE_KINDS if k != event["source"]["kind"])


def _day(event: dict):
    return event["occurred_at"].date()


def _salary(amount: str, currency: str) -> dict:
    return {"monthly_salary": {"amount": Decimal(amount), "currency": currency}, "job_order_id": "JO-X",
            "destination_country": "MY", "sector": "PLANTATION"}


MALFORMATIONS = {
    "NOT_AVRO": lambda e: (e["source"]["kind"], json.dumps(to_json(e)).encode()),
    "UNKNOWN_SCHEMA": lambda e: (e["source"]["kind"], MARKER + b"\x00" * 8 + CODEC.encode(e)[10:]),
    "MALFORMED_AVRO": lambda e: (e["source"]["kind"], CODEC.encode(e)[: len(CODEC.encode(e)) // 2]),
    "MESSAGE_TOO_LARGE": lambda e: (e["source"]["kind"], CODEC.encode(e) + b"\x00" * 20_000),
    "WRONG_TOPIC": lambda e: (_other_kind(e), CODEC.encode(e)),
    "INVALID_FIELD": lambda e: _encoded(_with_worker(e, local_id="   ")),
    "MISSING_EVENT_ID": lambda e: _encoded({**e, "event_id": None}),
    "UNKNOWN_EVENT_TYPE": lambda e: _encoded({**e, "event_type": "WENT_HOME"}),
    "UNKNOWN_SOURCE_KIND": lambda e: (e["source"]["kind"], CODEC.encode({**e, "source": {"kind": "MINISTRY", "id": "X"}})),
    "MISSING_SOURCE_ID": lambda e: _encoded({**e, "source": {**e["source"], "id": " "}}),
    "EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE": _not_allowed,
    "MISSING_OCCURRED_AT": lambda e: _encoded({**e, "occurred_at": None}),
    "OCCURRED_AT_IN_FUTURE": lambda e: _encoded({**e, "occurred_at": e["occurred_at"] + timedelta(days=3650)}),
    "NO_IDENTIFIER": lambda e: _encoded(_with_worker(e, nik=None, passport_no=None, local_id=None)),
    "INVALID_NIK": lambda e: _encoded(_with_worker(e, nik="1234")),
    "INVALID_PASSPORT": lambda e: _encoded(_with_worker(e, passport_no="12345")),
    "INVALID_SEX": lambda e: _encoded(_with_worker(e, sex="X")),
    "INVALID_REGENCY": lambda e: _encoded(_with_worker(e, origin_regency="9999")),
    "PAYLOAD_MISMATCH": lambda e: _encoded({**e, "payload": None}),
    "MISSING_PAYLOAD_FIELD": _missing_required,
    "INVALID_COUNTRY": lambda e: _as(e, "RETURNED", "EMBASSY", country="XX", return_date=_day(e), reason="DEPORTED"),
    "INVALID_SECTOR": lambda e: _as(e, "TRAINING_COMPLETED", "TRAINING_CENTER", certificate_no="SRT-X",
                                    competency="ASTRONAUT", issued_on=_day(e)),
    "INVALID_CATEGORY": lambda e: _as(e, "CASE_REPORTED", "EMBASSY", case_id="CASE-X", category="GOSSIP"),
    "INVALID_RETURN_REASON": lambda e: _as(e, "RETURNED", "EMBASSY", country="MY", return_date=_day(e), reason="HOLIDAY"),
    "INVALID_CHANGE": lambda e: _as(e, "PLACEMENT_UPDATED", "EMBASSY", change="PROMOTED"),
    "INVALID_CURRENCY": lambda e: _as(e, "REGISTERED", "P3MI", **_salary("1800.00", "XYZ")),
    "INVALID_AMOUNT": lambda e: _as(e, "REGISTERED", "P3MI", **_salary("-1.00", "MYR")),
    "INVALID_DATE_RANGE": lambda e: _as(e, "PLACED", "EMBASSY", country="MY", sector="PLANTATION", employer_name="X",
                                        contract_start=_day(e), contract_end=_day(e) - timedelta(days=1)),
}
