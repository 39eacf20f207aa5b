"""What one source kind alone believes about a person: its own records, keyed as it keys them.

A ministry counts from its own books. A P3MI's record of a person is the NIK it reported; an
embassy's is the passport it registered (a renewed passport is a second record, a mistyped NIK
a second person: a source's duplicates are its own). A training centre counts nobody abroad.
A record is abroad when its latest *stage* report says so (P3MI: REGISTERED, DEPARTED,
RETURNED; embassy: PLACED, PLACEMENT_UPDATED, RETURNED; cases are not stages), in the country
of that report; its sector and origin province are the latest of its reports that carry one,
``UNKNOWN`` when none does. That is how the simulator's ground truth counts each source
(``simulator/truth.py``, ``count_sources``).

One record's events may sit in several canonical workers while identity resolution has not
linked them all. So a worker's state keeps its *pieces* of records (``source_records``): per
record, the latest stage, sector and province report among that worker's events, each as
``ORDER|VALUE``, where ORDER is a fixed-width alphanumeric fold-order key. The whole record is
then the greatest ORDER of each part over its pieces (``combine``) — a plain string maximum, so
the Redis script that sums the counts can do it too without a second definition of "latest".
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from domain import vocabulary as v
from domain.lifecycle import event_key
from domain.projection import province_of

UNKNOWN = "UNKNOWN"  # a dimension value none of the record's reports carries
# Source kind → the worker field that keys its records.
RECORD_KEYS = {v.P3MI: "nik", v.EMBASSY: "passport_no"}
STAGES = {v.P3MI: frozenset({v.REGISTERED, v.DEPARTED, v.RETURNED}),
          v.EMBASSY: frozenset({v.PLACED, v.PLACEMENT_UPDATED, v.RETURNED})}
ABROAD_STAGES = frozenset({v.DEPARTED, v.PLACED, v.PLACEMENT_UPDATED})
SOURCES = tuple(RECORD_KEYS)  # the source kinds that count anyone abroad
_PARTS = ("stage", "sector", "province")
_RANK = {event_type: rank for rank, event_type in enumerate(v.EVENT_TYPES)}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
_EPOCH_MICROS = 20  # digits of µs since the epoch: fixed width, so strings sort as numbers


def record_id(kind: str, key: str) -> str:
    """A record's name outside the state: the kind and a digest, never the NIK or passport itself."""
    return f"{kind}:{hashlib.blake2b(key.encode(), digest_size=12, person=b'pantau-record').hexdigest()}"


def source_records(events: Iterable[dict]) -> list[dict]:
    """The pieces of source records among these distinct events: ``{kind, key, stage, sector, province}``,
    sorted by (kind, key). ``stage`` is ``ORDER|EVENT_TYPE|COUNTRY``; the others ``ORDER|VALUE``; None when
    no event of the record carries that part."""
    pieces: dict[tuple[str, str], dict] = {}
    for event in events:
        kind = event["source"]["kind"]
        key = event["worker"].get(RECORD_KEYS.get(kind, ""))
        if not key:
            continue
        piece = pieces.setdefault((kind, key), {"kind": kind, "key": key, **dict.fromkeys(_PARTS)})
        order, payload = _order(event), event["payload"][1]
        if event["event_type"] in STAGES[kind]:
            country = payload.get("destination_country") or payload.get("country") or UNKNOWN
            _latest(piece, "stage", f"{order}|{event['event_type']}|{country}")
        if payload.get("sector"):
            _latest(piece, "sector", f"{order}|{payload['sector']}")
        if event["worker"].get("origin_regency"):
            _latest(piece, "province", f"{order}|{province_of(event['worker']['origin_regency'])}")
    return [pieces[kind_key] for kind_key in sorted(pieces)]


def combine(pieces: Iterable[dict]) -> dict:
    """One record from its pieces (in any number of workers): the latest of each part."""
    whole = dict.fromkeys(_PARTS)
    for piece in pieces:
        for part in _PARTS:
            _latest(whole, part, piece[part])
    return whole


def abroad_at(record: dict) -> dict[str, str] | None:
    """Where the record counts its person abroad (country, province, sector), or None when it does not."""
    if record["stage"] is None:
        return None
    _order, stage, country = record["stage"].split("|")
    if stage not in ABROAD_STAGES:
        return None
    return {"country": country, "province": _value(record["province"]), "sector": _value(record["sector"])}


def _value(part: str | None) -> str:
    return part.rsplit("|", 1)[1] if part else UNKNOWN


def _latest(piece: dict, part: str, candidate: str | None) -> None:
    if candidate is not None and (piece[part] is None or candidate > piece[part]):
        piece[part] = candidate


def _order(event: dict) -> str:
    """The fold order (time, journey rank, event key) as one fixed-width alphanumeric string."""
    micros = (event["occurred_at"] - _EPOCH) // _MICROSECOND
    digest = hashlib.blake2b(event_key(event).encode(), digest_size=8).hexdigest()
    return f"{micros:0{_EPOCH_MICROS}d}{_RANK[event['event_type']]}{digest}"
