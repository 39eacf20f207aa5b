"""The partner JSON form of an event (DESIGN §3, what ``pantau publish`` reads) and the in-memory form.

``from_json`` converts types only — ISO 8601 timestamps with offset to aware UTC datetimes,
``YYYY-MM-DD`` to dates, amounts to ``Decimal`` with two places, the payload object to the
``(record name, fields)`` pair its ``event_type`` calls for — and raises ``InvalidEvent`` at the
first thing that cannot be converted (unknown fields, wrong types, bad formats). Whether the
converted event makes sense is ``domain.validation``'s job. String values are kept as sent.

``to_json`` is the inverse: timestamps as ISO 8601 UTC (``…Z``), amounts as exact strings
(``"4500.00"``), every field of the envelope, worker and payload present (``null`` when absent).
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain import vocabulary as v
from domain.problems import InvalidEvent, show, type_name
from domain.validation import (
    INVALID_AMOUNT,
    INVALID_FIELD,
    INVALID_JSON,
    MAX_AMOUNT,
    MISSING_PAYLOAD_FIELD,
    MISSING_SOURCE_ID,
    UNKNOWN_EVENT_TYPE,
    UNKNOWN_FIELD,
    UNKNOWN_SOURCE_KIND,
)

CENTS = Decimal("0.01")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_INT32 = (-(2**31), 2**31 - 1)


def parse_line(line: str) -> dict:
    """One JSON line (``pantau publish``) to the in-memory form; INVALID_JSON when it is not a JSON object."""
    try:
        obj = json.loads(line, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKey as exc:
        raise InvalidEvent(INVALID_JSON, f"duplicate key {show(exc.key)} in a JSON object") from None
    except json.JSONDecodeError as exc:
        raise InvalidEvent(INVALID_JSON, f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert, nesting too deep
        first_line = (str(exc).splitlines() or [""])[0][:120]
        raise InvalidEvent(INVALID_JSON, f"not valid JSON: {type(exc).__name__}: {first_line}") from None
    return from_json(obj)


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def from_json(obj: dict) -> dict:
    """A partner JSON event (already parsed) to the in-memory form; raises ``InvalidEvent``."""
    if not isinstance(obj, dict):
        raise InvalidEvent(INVALID_JSON, f"an event must be a JSON object, not {type_name(obj)}")
    _reject_unknown(obj, v.EVENT_FIELDS, "")
    event_type = _string(obj.get("event_type"), "event_type")
    return {
        "event_id": _string(obj.get("event_id"), "event_id"),
        "event_type": event_type,
        "occurred_at": _timestamp(obj.get("occurred_at"), "occurred_at"),
        "source": _source(obj.get("source")),
        "worker": _worker(obj.get("worker")),
        "payload": _payload(event_type, obj.get("payload")),
    }


def to_json(event: dict) -> dict:
    """The in-memory form to partner JSON (json.dumps-able); the inverse of ``from_json``."""
    payload = event.get("payload")
    if payload is not None:
        record, fields = payload
        names = v.PAYLOAD_FIELDS.get(record, fields)
        payload = {field: _json_value(fields.get(field)) for field in names}
    worker = event.get("worker") or {}
    source = event.get("source") or {}
    return {
        "event_id": event.get("event_id"),
        "event_type": event.get("event_type"),
        "occurred_at": _json_value(event.get("occurred_at")),
        "source": {field: source.get(field) for field in v.SOURCE_FIELDS},
        "worker": {field: _json_value(worker.get(field)) for field in v.WORKER_FIELDS},
        "payload": payload,
    }


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, microseconds only when there are any."""
    text = moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    return text + "Z"


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):  # money
        return {"amount": str(value["amount"]), "currency": value.get("currency")}
    return value


def _reject_unknown(obj: dict, known, path: str) -> None:
    unknown = [key for key in obj if key not in known]
    if unknown:
        where = f"{path} has" if path else "the event has"
        names = ", ".join(show(key) for key in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        plural = "s" if len(unknown) > 1 else ""
        raise InvalidEvent(UNKNOWN_FIELD, f"{where} unknown field{plural} {names}; expected {', '.join(known)}")


def _string(value: object, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEvent(INVALID_FIELD, f"{path} must be a string, not {type_name(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEvent(INVALID_FIELD, f"{path} is not valid Unicode text (lone surrogate)") from None
    return value


def _timestamp(value: object, path: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEvent(INVALID_FIELD, f"{path} must be an ISO 8601 string, not {type_name(value)}")
    example = "e.g. 2026-03-01T08:00:00+07:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidEvent(INVALID_FIELD, f"{path} {show(value)} is not an ISO 8601 timestamp, {example}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidEvent(INVALID_FIELD, f"{path} {show(value)} has no UTC offset; the offset is required, {example}")
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise InvalidEvent(INVALID_FIELD, f"{path} {show(value)} is out of range") from None


def _date(value: object, path: str, personal: bool = False) -> date | None:
    if value is None:
        return None
    shown = "" if personal else f" {show(value)}"
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, str):
        shown = f", not {type_name(value)}"
        raise InvalidEvent(INVALID_FIELD, f"{path} must be a date YYYY-MM-DD{shown}")
    raise InvalidEvent(INVALID_FIELD, f"{path}{shown} is not a date YYYY-MM-DD")


def _int(value: object, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidEvent(INVALID_FIELD, f"{path} must be a whole number, not {type_name(value)}")
    if not _INT32[0] <= value <= _INT32[1]:
        raise InvalidEvent(INVALID_FIELD, f"{path} is out of range")
    return value


def _money(value: object, path: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidEvent(INVALID_FIELD, f"{path} must be an object {{amount, currency}}, not {type_name(value)}")
    _reject_unknown(value, v.MONEY_FIELDS, path)
    amount = value.get("amount")
    if amount is None:
        raise InvalidEvent(MISSING_PAYLOAD_FIELD, f"{path}.amount is required")
    currency = _string(value.get("currency"), f"{path}.currency")
    if currency is None:
        raise InvalidEvent(MISSING_PAYLOAD_FIELD, f"{path}.currency is required with an amount")
    return {"amount": _amount(amount, f"{path}.amount"), "currency": currency}


def _amount(value: object, path: str) -> Decimal:
    expected = 'a number or a decimal string, e.g. 4500.00 or "4500.00"'
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidEvent(INVALID_FIELD, f"{path} must be {expected}, not {type_name(value)}")
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidEvent(INVALID_FIELD, f"{path} {show(value)} must be {expected}") from None
    if not amount.is_finite():
        raise InvalidEvent(INVALID_FIELD, f"{path} must be a finite number")
    if abs(amount) >= MAX_AMOUNT:
        raise InvalidEvent(INVALID_AMOUNT, f"{path} is too large (at most 12 digits before the point)")
    amount = amount.quantize(CENTS, rounding=ROUND_HALF_UP)
    return amount if amount else Decimal("0.00")  # no negative zero: Avro cannot carry its sign


def _source(value: object) -> dict:
    kinds = ", ".join(v.SOURCE_KINDS)
    if value is None:
        raise InvalidEvent(UNKNOWN_SOURCE_KIND, f'source is missing; expected {{"kind": one of {kinds}, "id": …}}')
    if not isinstance(value, dict):
        raise InvalidEvent(INVALID_FIELD, f"source must be an object {{kind, id}}, not {type_name(value)}")
    _reject_unknown(value, v.SOURCE_FIELDS, "source")
    kind = _string(value.get("kind"), "source.kind")
    if kind is None:
        raise InvalidEvent(UNKNOWN_SOURCE_KIND, f"source.kind is missing; expected one of {kinds}")
    source_id = _string(value.get("id"), "source.id")
    if source_id is None:
        raise InvalidEvent(MISSING_SOURCE_ID, "source.id is missing; expected the partner's id, e.g. P3MI-0042")
    return {"kind": kind, "id": source_id}


def _worker(value: object) -> dict:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise InvalidEvent(INVALID_FIELD, f"worker must be an object, not {type_name(value)}")
    _reject_unknown(value, v.WORKER_FIELDS, "worker")
    worker = {}
    for field in v.WORKER_FIELDS:
        path = f"worker.{field}"
        if field == "date_of_birth":
            worker[field] = _date(value.get(field), path, personal=True)
        else:
            worker[field] = _string(value.get(field), path)  # messages never echo worker values
    return worker


def _payload(event_type: str | None, value: object) -> tuple[str, dict] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidEvent(INVALID_FIELD, f"payload must be an object, not {type_name(value)}")
    record = v.PAYLOAD_RECORDS.get(event_type) if event_type is not None else None
    if record is None:
        what = "missing" if event_type is None else f"{show(event_type)}, not one of {', '.join(v.EVENT_TYPES)}"
        raise InvalidEvent(UNKNOWN_EVENT_TYPE, f"event_type is {what}, so the payload's type is unknown")
    kinds = v.PAYLOAD_FIELDS[record]
    _reject_unknown(value, tuple(kinds), f"payload of {event_type}")
    fields = {}
    for field, kind in kinds.items():
        raw, path = value.get(field), f"payload.{field}"
        if kind == v.STRING:
            fields[field] = _string(raw, path)
        elif kind == v.DATE:
            fields[field] = _date(raw, path)
        elif kind == v.INT:
            fields[field] = _int(raw, path)
        else:
            fields[field] = _money(raw, path)
    return record, fields
