"""A worker's state as the JSON document of DESIGN §4: what the API, the CLI and Redis serve.

Masked by default (UU 27/2022): NIKs, passports, the BPJS number and local ids show their last
four characters, the name its initials, the birth date its year. ``masked=False`` is for
callers entitled to the full record.
"""
from __future__ import annotations

from datetime import date, datetime

from domain.masking import initials, mask_identifier


def to_document(state: dict, masked: bool = True) -> dict:
    """JSON-ready: dates and times as ISO 8601 strings, everything else as in the state."""
    document = _jsonable(state)
    del document["event_ids"]  # bookkeeping of the fold, not part of the document
    document.pop("source_records", None)  # reconciliation's, keyed by raw NIKs and passports
    if masked:
        _mask(document, state)
    return document


def _mask(document: dict, state: dict) -> None:
    identifiers = document["identifiers"]
    for kind in ("niks", "passports"):
        identifiers[kind] = [mask_identifier(value) for value in identifiers[kind]]
    # "SOURCEID:LOCALID": the partner stays readable, its id for the person does not.
    identifiers["local_ids"] = [
        f"{source}:{mask_identifier(local)}" for source, _, local in (v.partition(":") for v in identifiers["local_ids"])
    ]
    document["full_name"] = initials(state["full_name"])
    document["date_of_birth"] = str(state["date_of_birth"].year) if state["date_of_birth"] else None
    document["social_security_no"] = mask_identifier(state["social_security_no"])


def _jsonable(value):
    # Exact types, and scalars returned without a call: this runs for every state Redis gets.
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _AS_IS else _jsonable(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _AS_IS else _jsonable(item) for item in value]
    if kind is date or kind is datetime:
        return value.isoformat()
    return value


_AS_IS = frozenset({str, int, float, bool, type(None)})
