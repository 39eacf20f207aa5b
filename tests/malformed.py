"""Partner events broken in each way the ingest must catch, with the reason it must give.

Each maker takes a valid in-memory event (the codec's form) and returns ``(topic_kind, bytes)``:
the source kind whose ingest topic the bytes go to, and the message value.
"""
from __future__ import annotations

import json
from datetime import timedelta

from domain.partner_json import to_json
from streams.codec import MARKER, AvroCodec

CODEC = AvroCodec.named("partner_event")


def _encoded(event: dict) -> tuple[str, bytes]:
    return event["source"]["kind"], CODEC.encode(event)


def _with_worker(event: dict, **fields) -> dict:
    return {**event, "worker": {**event["worker"], **fields}}


def _with_payload(event: dict, **fields) -> dict:
    name, payload = event["payload"]
    return {**event, "payload": (name, {**payload, **fields})}


MALFORMATIONS = {
    "NOT_AVRO": lambda e: (e["source"]["kind"], json.dumps(to_json(e)).encode()),
    "UNKNOWN_SCHEMA": lambda e: (e["source"]["kind"], MARKER + b"\x00" * 8 + CODEC.encode(e)[10:]),
    "MALFORMED_AVRO": lambda e: (e["source"]["kind"], CODEC.encode(e)[: len(CODEC.encode(e)) // 2]),
    "MESSAGE_TOO_LARGE": lambda e: (e["source"]["kind"], CODEC.encode(e) + b"\x00" * 20_000),
    "MISSING_EVENT_ID": lambda e: _encoded({**e, "event_id": None}),
    "INVALID_NIK": lambda e: _encoded(_with_worker(e, nik="1234")),
    "NO_IDENTIFIER": lambda e: _encoded(_with_worker(e, nik=None, passport_no=None, local_id=None)),
    "EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE": lambda e: _encoded({**e, "source": {"kind": "EMBASSY", "id": "KBRI-MY"}}),
    "MISSING_PAYLOAD_FIELD": lambda e: _encoded(_with_payload(e, destination_country=None)),
    "INVALID_COUNTRY": lambda e: _encoded(_with_payload(e, destination_country="XX")),
    "OCCURRED_AT_IN_FUTURE": lambda e: _encoded({**e, "occurred_at": e["occurred_at"] + timedelta(days=3650)}),
    "PAYLOAD_MISMATCH": lambda e: _encoded({**e, "event_type": "REGISTERED"}),  # a Departed payload
    "WRONG_TOPIC": lambda e: ("EMBASSY", CODEC.encode(e)),
}
