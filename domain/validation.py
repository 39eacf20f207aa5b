"""Validation of partner events: what makes an event bad input, as stable reason codes.

A bad event is never dropped: it goes to the dead-letter topic whole, with the first problem's
reason code and message. Partners read these codes; they do not change (codes may be added).

=================================== ==========================================================
reason code                         meaning (what the partner should fix)
=================================== ==========================================================
NOT_AVRO                            (wire, streams.codec) not Avro single-object encoding
UNKNOWN_SCHEMA                      (wire, streams.codec) writer schema fingerprint unknown
MALFORMED_AVRO                      (wire, streams.codec) Avro body does not decode
MESSAGE_TOO_LARGE                   (wire, streams.ingest) larger than one event can be
WRONG_TOPIC                         (wire, agents.ingest) published on another source kind's
                                    ingest topic than its source.kind
INVALID_JSON                        (``pantau publish``) the line is not a JSON object
UNKNOWN_FIELD                       (``pantau publish``) a field the contract does not have
INVALID_FIELD                       a field of the wrong type or format (names its path,
                                    e.g. ``payload.contract_end``), an empty identifier, or a
                                    contract_months that is not positive
MISSING_EVENT_ID                    event_id missing or blank
UNKNOWN_EVENT_TYPE                  event_type missing or not one of the eight types
UNKNOWN_SOURCE_KIND                 source.kind missing or not P3MI, TRAINING_CENTER, EMBASSY
MISSING_SOURCE_ID                   source.id missing or blank
EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE   this source kind does not report this event type
                                    (an EMBASSY does not report DEPARTED; it comes from P3MI)
MISSING_OCCURRED_AT                 occurred_at missing
OCCURRED_AT_IN_FUTURE               occurred_at later than now + the allowed clock skew
NO_IDENTIFIER                       none of worker.nik, worker.passport_no, worker.local_id
INVALID_NIK                         not 16 digits, no real encoded birth date, or unknown
                                    province (a NIK contradicting date_of_birth/sex is valid)
INVALID_PASSPORT                    not 1-2 letters then 6-8 digits (spaces and case ignored)
INVALID_SEX                         worker.sex not F or M
INVALID_REGENCY                     worker.origin_regency not 4 digits of a known province
PAYLOAD_MISMATCH                    payload missing, or a record of another type than
                                    event_type (DEPARTED carries a Departed payload)
MISSING_PAYLOAD_FIELD               a field this event type requires is missing or blank
INVALID_COUNTRY                     a country field not an ISO 3166-1 alpha-2 code
INVALID_SECTOR                      sector / competency not one of the eight sectors
INVALID_CATEGORY                    case category not one of the seven categories
INVALID_RETURN_REASON               return reason not one of the five reasons
INVALID_CHANGE                      placement change not EXTENDED or EMPLOYER_CHANGED
INVALID_CURRENCY                    monthly_salary.currency not an ISO 4217 code
INVALID_AMOUNT                      monthly_salary.amount negative or over 12 integer digits
INVALID_DATE_RANGE                  an end before its start (contract_end < contract_start,
                                    valid_until < issued_on), or born after occurred_at
=================================== ==========================================================

Required payload fields (``REQUIRED_PAYLOAD_FIELDS``): TRAINING_COMPLETED certificate_no,
competency, issued_on · REGISTERED job_order_id, destination_country, sector · DEPARTED
destination_country, sector · PLACED country, sector, employer_name · PLACEMENT_UPDATED
change, plus contract_end when EXTENDED and employer_name when EMPLOYER_CHANGED ·
CASE_REPORTED and CASE_RESOLVED case_id · RETURNED country, return_date, reason.
A DEPARTED without social_security_no is valid: it raises DEPARTURE_WITHOUT_SOCIAL_SECURITY.

Messages are one line, name the field and what is expected, and show a NIK or passport
number only as its last four characters (any run of 6+ digits in an echoed value too).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

import pycountry

from domain import vocabulary as v
from domain.nik import is_digits, is_known_province, nik_problem
from domain.problems import InvalidEvent, Problem, mask, show, type_name

__all__ = [
    "REASON_CODES",
    "REQUIRED_PAYLOAD_FIELDS",
    "InvalidEvent",
    "Problem",
    "first_problem",
    "is_passport",
    "normalise_passport",
    "validate",
]

NOT_AVRO = "NOT_AVRO"
UNKNOWN_SCHEMA = "UNKNOWN_SCHEMA"
MALFORMED_AVRO = "MALFORMED_AVRO"
MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE"
WRONG_TOPIC = "WRONG_TOPIC"
INVALID_JSON = "INVALID_JSON"
UNKNOWN_FIELD = "UNKNOWN_FIELD"
INVALID_FIELD = "INVALID_FIELD"
MISSING_EVENT_ID = "MISSING_EVENT_ID"
UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE"
UNKNOWN_SOURCE_KIND = "UNKNOWN_SOURCE_KIND"
MISSING_SOURCE_ID = "MISSING_SOURCE_ID"
EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE = "EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE"
MISSING_OCCURRED_AT = "MISSING_OCCURRED_AT"
OCCURRED_AT_IN_FUTURE = "OCCURRED_AT_IN_FUTURE"
NO_IDENTIFIER = "NO_IDENTIFIER"
INVALID_NIK = "INVALID_NIK"
INVALID_PASSPORT = "INVALID_PASSPORT"
INVALID_SEX = "INVALID_SEX"
INVALID_REGENCY = "INVALID_REGENCY"
PAYLOAD_MISMATCH = "PAYLOAD_MISMATCH"
MISSING_PAYLOAD_FIELD = "MISSING_PAYLOAD_FIELD"
INVALID_COUNTRY = "INVALID_COUNTRY"
INVALID_SECTOR = "INVALID_SECTOR"
INVALID_CATEGORY = "INVALID_CATEGORY"
INVALID_RETURN_REASON = "INVALID_RETURN_REASON"
INVALID_CHANGE = "INVALID_CHANGE"
INVALID_CURRENCY = "INVALID_CURRENCY"
INVALID_AMOUNT = "INVALID_AMOUNT"
INVALID_DATE_RANGE = "INVALID_DATE_RANGE"

# Every reason a dead letter (or ``pantau publish``) can carry, with its meaning (table above).
REASON_CODES = MappingProxyType(
    {
        NOT_AVRO: "not Avro single-object encoding",
        UNKNOWN_SCHEMA: "writer schema fingerprint is not a published version",
        MALFORMED_AVRO: "Avro body does not decode",
        MESSAGE_TOO_LARGE: "message larger than one event can be",
        WRONG_TOPIC: "published on the ingest topic of another source kind",
        INVALID_JSON: "the line is not a JSON object",
        UNKNOWN_FIELD: "a field the contract does not have",
        INVALID_FIELD: "a field of the wrong type or format",
        MISSING_EVENT_ID: "event_id missing or blank",
        UNKNOWN_EVENT_TYPE: "event_type missing or unknown",
        UNKNOWN_SOURCE_KIND: "source.kind missing or unknown",
        MISSING_SOURCE_ID: "source.id missing or blank",
        EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE: "this source kind does not report this event type",
        MISSING_OCCURRED_AT: "occurred_at missing",
        OCCURRED_AT_IN_FUTURE: "occurred_at later than now plus the allowed skew",
        NO_IDENTIFIER: "none of nik, passport_no, local_id",
        INVALID_NIK: "not a structurally valid NIK",
        INVALID_PASSPORT: "not 1-2 letters then 6-8 digits",
        INVALID_SEX: "sex not F or M",
        INVALID_REGENCY: "origin_regency not a 4-digit Kemendagri code",
        PAYLOAD_MISMATCH: "payload missing or of another record type than event_type",
        MISSING_PAYLOAD_FIELD: "a required payload field is missing or blank",
        INVALID_COUNTRY: "not an ISO 3166-1 alpha-2 country code",
        INVALID_SECTOR: "not one of the sectors",
        INVALID_CATEGORY: "not one of the case categories",
        INVALID_RETURN_REASON: "not one of the return reasons",
        INVALID_CHANGE: "not EXTENDED or EMPLOYER_CHANGED",
        INVALID_CURRENCY: "not an ISO 4217 currency code",
        INVALID_AMOUNT: "amount negative or too large",
        INVALID_DATE_RANGE: "an end before its start, or born after the event",
    }
)

_R = v.PAYLOAD_RECORDS
REQUIRED_PAYLOAD_FIELDS = MappingProxyType(
    {
        _R[v.TRAINING_COMPLETED]: ("certificate_no", "competency", "issued_on"),
        _R[v.REGISTERED]: ("job_order_id", "destination_country", "sector"),
        _R[v.DEPARTED]: ("destination_country", "sector"),
        _R[v.PLACED]: ("country", "sector", "employer_name"),
        _R[v.PLACEMENT_UPDATED]: ("change",),
        _R[v.CASE_REPORTED]: ("case_id",),
        _R[v.CASE_RESOLVED]: ("case_id",),
        _R[v.RETURNED]: ("country", "return_date", "reason"),
    }
)
# PLACEMENT_UPDATED: what the change is about must be given.
_REQUIRED_FOR_CHANGE = MappingProxyType({v.EXTENDED: "contract_end", v.EMPLOYER_CHANGED: "employer_name"})

# Code-list fields, by name (the same meaning in every payload record that has them).
_COUNTRY_FIELDS = frozenset({"destination_country", "country"})
_CODE_LISTS = {
    "sector": (INVALID_SECTOR, frozenset(v.SECTORS)),
    "competency": (INVALID_SECTOR, frozenset(v.SECTORS)),
    "category": (INVALID_CATEGORY, frozenset(v.CASE_CATEGORIES)),
    "reason": (INVALID_RETURN_REASON, frozenset(v.RETURN_REASONS)),
    "change": (INVALID_CHANGE, frozenset(v.PLACEMENT_CHANGES)),
}
# (start, end) date pairs within one payload record.
_DATE_RANGES = (("contract_start", "contract_end"), ("issued_on", "valid_until"))

# Built once: validation runs per event in the stream.
COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
CURRENCY_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies)
_EVENT_TYPES = frozenset(v.EVENT_TYPES)
_SOURCE_KINDS = frozenset(v.SOURCE_KINDS)
_SEXES = frozenset(v.SEXES)
_PASSPORT = re.compile(r"[A-Z]{1,2}[0-9]{6,8}", re.ASCII)
_EXPECTED_TYPES = ", ".join(v.EVENT_TYPES)
_EXPECTED_KINDS = ", ".join(v.SOURCE_KINDS)
_ARTICLE = {v.EMBASSY: "an", v.P3MI: "a", v.TRAINING_CENTER: "a"}
MAX_AMOUNT = Decimal(10) ** 12  # decimal(14, 2): at most 12 digits before the point
_INT32 = (-(2**31), 2**31 - 1)


def normalise_passport(passport_no: str) -> str:
    """A passport number as compared: upper case, without spaces."""
    return "".join(passport_no.split()).upper()


def is_passport(passport_no: str) -> bool:
    """The soft check: 1-2 letters then 6-8 digits, spaces and case ignored."""
    return bool(_PASSPORT.fullmatch(normalise_passport(passport_no)))


def validate(event: dict, now: datetime, max_future_skew: timedelta = timedelta(minutes=10)) -> list[Problem]:
    """Every problem with ``event`` (the in-memory form), in a fixed order; empty when it is valid.

    ``now`` (timezone-aware) bounds ``occurred_at``: later than ``now + max_future_skew`` is
    OCCURRED_AT_IN_FUTURE. Never raises for any event value.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    problems: list[Problem] = []
    add = problems.append
    if not isinstance(event, dict):
        return [Problem(INVALID_FIELD, f"the event must be a record, not {type_name(event)}")]

    event_type = _envelope(event, now, max_future_skew, add)
    occurred_at = event.get("occurred_at")
    occurred_on = occurred_at.date() if _is_aware(occurred_at) else None
    _worker(event.get("worker"), occurred_on, add)
    if event_type is not None:
        _payload(event_type, event.get("payload"), add)
    return problems


def first_problem(
    event: dict, now: datetime, max_future_skew: timedelta = timedelta(minutes=10)
) -> Problem | None:
    """The first of ``validate``'s problems (the dead-letter reason), or None when valid."""
    problems = validate(event, now, max_future_skew)
    return problems[0] if problems else None


def _is_aware(value: object) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset() is not None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _envelope(event: dict, now: datetime, skew: timedelta, add) -> str | None:
    """Checks event_id, event_type, source and occurred_at; returns the event type when known."""
    event_id = event.get("event_id")
    if _blank(event_id):
        add(Problem(MISSING_EVENT_ID, "event_id is missing; every event needs an id unique within its source"))
    elif not isinstance(event_id, str):
        add(Problem(INVALID_FIELD, f"event_id must be a string, not {type_name(event_id)}"))

    event_type = event.get("event_type")
    expected_types = _EXPECTED_TYPES
    if event_type is None:
        add(Problem(UNKNOWN_EVENT_TYPE, f"event_type is missing; expected one of {expected_types}"))
        event_type = None
    elif not isinstance(event_type, str) or event_type not in _EVENT_TYPES:
        add(Problem(UNKNOWN_EVENT_TYPE, f"event_type {show(event_type)} is not one of {expected_types}"))
        event_type = None

    source = event.get("source")
    kind = source_id = None
    if isinstance(source, dict):
        kind, source_id = source.get("kind"), source.get("id")
    expected_kinds = _EXPECTED_KINDS
    if kind is None:
        add(Problem(UNKNOWN_SOURCE_KIND, f"source.kind is missing; expected one of {expected_kinds}"))
    elif not isinstance(kind, str) or kind not in _SOURCE_KINDS:
        add(Problem(UNKNOWN_SOURCE_KIND, f"source.kind {show(kind)} is not one of {expected_kinds}"))
        kind = None
    if _blank(source_id):
        add(Problem(MISSING_SOURCE_ID, "source.id is missing; expected the partner's id, e.g. P3MI-0042"))
    elif not isinstance(source_id, str):
        add(Problem(INVALID_FIELD, f"source.id must be a string, not {type_name(source_id)}"))

    if event_type is not None and kind is not None and kind not in v.ALLOWED_SOURCES[event_type]:
        senders = " or ".join(sorted(v.ALLOWED_SOURCES[event_type]))
        add(
            Problem(
                EVENT_TYPE_NOT_ALLOWED_FOR_SOURCE,
                f"{_ARTICLE[kind]} {kind} does not report {event_type}; {event_type} comes from {senders}",
            )
        )

    occurred_at = event.get("occurred_at")
    if occurred_at is None:
        add(Problem(MISSING_OCCURRED_AT, "occurred_at is missing; expected when it happened, with a UTC offset"))
    elif not _is_aware(occurred_at):
        add(Problem(INVALID_FIELD, "occurred_at must be a timestamp with a UTC offset"))
    elif occurred_at > now + skew:
        ahead = occurred_at - now
        add(
            Problem(
                OCCURRED_AT_IN_FUTURE,
                f"occurred_at {occurred_at.isoformat()} is {_duration(ahead)} after now; "
                f"at most {_duration(skew)} of clock skew is allowed",
            )
        )
    return event_type


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 120:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def _worker(worker: object, occurred_on: date | None, add) -> None:
    if not isinstance(worker, dict):
        add(Problem(NO_IDENTIFIER, "worker is missing; give at least one of nik, passport_no, local_id"))
        return
    for field in v.WORKER_FIELDS:
        value = worker.get(field)
        expected = date if field == "date_of_birth" else str
        if value is not None and (not isinstance(value, expected) or isinstance(value, datetime)):
            add(Problem(INVALID_FIELD, f"worker.{field} must be {_kind_name(expected)}, not {type_name(value)}"))
    nik, passport_no, local_id = (worker.get(field) for field in v.WORKER_IDENTIFIERS)
    if nik is None and passport_no is None and local_id is None:
        add(Problem(NO_IDENTIFIER, "worker has none of nik, passport_no, local_id; give at least one"))
    if isinstance(nik, str):
        why = nik_problem(nik)
        if why:
            add(Problem(INVALID_NIK, f"worker.nik {mask(nik)} {why}"))
    if isinstance(passport_no, str) and not is_passport(passport_no):
        add(
            Problem(
                INVALID_PASSPORT,
                f"worker.passport_no {mask(passport_no)} is not a passport number "
                "(1-2 letters then 6-8 digits)",
            )
        )
    if isinstance(local_id, str) and not local_id.strip():
        add(Problem(INVALID_FIELD, "worker.local_id is empty; send null when the partner has no id for the worker"))
    sex = worker.get("sex")
    if isinstance(sex, str) and sex not in _SEXES:
        add(Problem(INVALID_SEX, f"worker.sex {show(sex)} is not F or M"))
    regency = worker.get("origin_regency")
    if isinstance(regency, str) and not (is_digits(regency, 4) and is_known_province(regency)):
        add(
            Problem(
                INVALID_REGENCY,
                f"worker.origin_regency {show(regency)} is not a 4-digit Kemendagri regency code, e.g. 3573",
            )
        )
    born = worker.get("date_of_birth")
    if isinstance(born, date) and not isinstance(born, datetime) and occurred_on is not None and born > occurred_on:
        add(Problem(INVALID_DATE_RANGE, "worker.date_of_birth is after occurred_at"))


def _kind_name(kind: type) -> str:
    return "a date" if kind is date else "a string"


def _payload(event_type: str, payload: object, add) -> None:
    expected = v.PAYLOAD_RECORDS[event_type]
    expected_short = expected.rsplit(".", 1)[-1]
    if payload is None:
        add(Problem(PAYLOAD_MISMATCH, f"payload is missing; a {event_type} event carries a {expected_short} payload"))
        return
    if not (isinstance(payload, tuple) and len(payload) == 2 and isinstance(payload[1], dict)):
        add(Problem(PAYLOAD_MISMATCH, f"payload is not a typed record; a {event_type} event carries {expected_short}"))
        return
    record, fields = payload
    if record != expected:
        got = record.rsplit(".", 1)[-1] if isinstance(record, str) else type_name(record)
        add(
            Problem(
                PAYLOAD_MISMATCH,
                f"payload is a {show(got, quote=False)} record; a {event_type} event carries {expected_short}",
            )
        )
        return

    kinds = v.PAYLOAD_FIELDS[record]
    wrong_type = set()
    for field, kind in kinds.items():
        value = fields.get(field)
        if value is not None and not _has_kind(value, kind):
            wrong_type.add(field)
            add(Problem(INVALID_FIELD, f"payload.{field} must be {_KIND_NAMES[kind]}, not {type_name(value)}"))

    required = list(REQUIRED_PAYLOAD_FIELDS[record])
    change = fields.get("change")
    if isinstance(change, str) and change in _REQUIRED_FOR_CHANGE:
        required.append(_REQUIRED_FOR_CHANGE[change])
    for field in required:
        if field not in wrong_type and _blank(fields.get(field)):
            because = f" when change is {change}" if field not in REQUIRED_PAYLOAD_FIELDS[record] else ""
            add(Problem(MISSING_PAYLOAD_FIELD, f"payload.{field} is required for {event_type}{because}"))

    for field, kind in kinds.items():
        value = fields.get(field)
        if field in wrong_type or _blank(value):
            continue
        if field in _COUNTRY_FIELDS:
            if value not in COUNTRY_CODES:
                add(Problem(INVALID_COUNTRY, f"payload.{field} {show(value)} is not an ISO 3166-1 alpha-2 code, e.g. MY"))
        elif field in _CODE_LISTS:
            reason, allowed = _CODE_LISTS[field]
            if value not in allowed:
                listed = ", ".join(sorted(allowed))
                add(Problem(reason, f"payload.{field} {show(value)} is not one of {listed}"))
        elif kind == v.MONEY:
            _money(field, value, add)
        elif field == "contract_months" and value <= 0:
            add(Problem(INVALID_FIELD, "payload.contract_months must be a positive number of months"))

    for start, end in _DATE_RANGES:
        first, last = fields.get(start), fields.get(end)
        if start in kinds and _has_kind(first, v.DATE) and _has_kind(last, v.DATE) and last < first:
            add(Problem(INVALID_DATE_RANGE, f"payload.{end} {last.isoformat()} is before payload.{start} {first.isoformat()}"))


_KIND_NAMES = {v.STRING: "a string", v.INT: "a whole number", v.DATE: "a date", v.MONEY: "{amount, currency}"}


def _has_kind(value: object, kind: str) -> bool:
    if kind == v.STRING:
        return isinstance(value, str)
    if kind == v.DATE:
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind == v.INT:
        return isinstance(value, int) and not isinstance(value, bool) and _INT32[0] <= value <= _INT32[1]
    if kind == v.MONEY:
        return (
            isinstance(value, dict)
            and isinstance(value.get("amount"), Decimal)
            and (value.get("currency") is None or isinstance(value.get("currency"), str))
        )
    return False  # pragma: no cover - every kind is listed above


def _money(field: str, money: dict, add) -> None:
    amount, currency = money["amount"], money.get("currency")
    if not amount.is_finite():
        add(Problem(INVALID_AMOUNT, f"payload.{field}.amount must be a finite number"))
    elif amount < 0:
        add(Problem(INVALID_AMOUNT, f"payload.{field}.amount {amount} is negative"))
    elif amount >= MAX_AMOUNT:
        add(Problem(INVALID_AMOUNT, f"payload.{field}.amount is too large (at most 12 digits before the point)"))
    if _blank(currency):
        add(Problem(MISSING_PAYLOAD_FIELD, f"payload.{field}.currency is required with an amount"))
    elif currency not in CURRENCY_CODES:
        add(Problem(INVALID_CURRENCY, f"payload.{field}.currency {show(currency)} is not an ISO 4217 code, e.g. MYR"))
