"""Reconciliation (DESIGN §6): what each source kind alone counts abroad, against the canonical
count, and why they differ — in named causes that sum exactly to the difference.

Everything is a sum of *contributions*: small maps ``(dimension, value, view, cause) → n`` that
one worker, or one source record, adds. A stream keeps each worker's and each record's
contributions and *replaces* them when the worker changes (or is merged away), never adding
blind deltas, so the sums stay exact under re-processing and merges. The sums are turned into
rows by ``rows``.

Views: ``CANONICAL`` (``domain.counts``: resolved workers whose status is DEPARTED or PLACED,
cause None), a source kind's count (cause None), a source kind's causes, and ``OVERLAP``
(cause: the source kinds that saw an abroad worker, joined by ``+``; an UpSet table).

Which source records count abroad is ``domain.source_records``. The causes, per source kind
and dimension value, of (source count − canonical); each is documented in ``CAUSES``.
A worker's own causes judge each *piece* of a record it holds (its part of the record) against
its canonical status; ``SPLIT_RECORD`` then corrects pieces to whole records, so the
causes sum exactly to count − canonical even while identity resolution splits a source's record
over several workers (with every record in one worker, it is zero everywhere).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from domain.counts import ABROAD_DIMENSIONS, canonical_counts
from domain.fold import ABROAD_STATUSES
from domain.source_records import SOURCES, abroad_at, combine, record_id
from domain.vocabulary import TRAINING_CENTER

CANONICAL, OVERLAP = "CANONICAL", "OVERLAP"
DUPLICATES = "DUPLICATES"
NOT_SEEN_BY_SOURCE = "NOT_SEEN_BY_SOURCE"
NOT_ABROAD_IN_SOURCE = "NOT_ABROAD_IN_SOURCE"
ELSEWHERE = "ELSEWHERE"
RETURN_NOT_CLOSED = "RETURN_NOT_CLOSED"
SPLIT_RECORD = "SPLIT_RECORD"
CAUSES = {
    DUPLICATES: "+: the source counts this person abroad under more than one of its own records "
                "(two passports, a mistyped NIK) that identity resolution merged",
    NOT_SEEN_BY_SOURCE: "-: abroad canonically, and the source has no record of them at all "
                        "(embassy: departures no embassy confirmed; P3MI: non-procedural workers only an embassy saw)",
    NOT_ABROAD_IN_SOURCE: "-: abroad canonically; the source has them on record, but not abroad "
                          "(it saw a registration, a case or an earlier journey, not this one)",
    ELSEWHERE: "±: both count them abroad, under different values (another country; a sector or "
               "province the source never received, UNKNOWN): + where the source counts, - where canonical does",
    RETURN_NOT_CLOSED: "+: the source still counts them abroad; canonically they returned "
                       "(the return reached another source, or this one under another key)",
    SPLIT_RECORD: "±: one record of the source lies in several canonical workers (identity resolution "
                  "has not linked what the source keys as one): the correction from its pieces to the whole record",
}

Key = tuple[str, str, str, str | None]  # (dimension, value, view, cause)


def worker_contributions(state: dict) -> Counter:
    """What one worker adds: canonical counts, its causes per source kind, its overlap cell."""
    contributions = Counter()
    canonical = {
        dimension: next(iter(counted), None)
        for dimension, counted in canonical_counts([state]).items()
        if dimension in ABROAD_DIMENSIONS
    }
    for dimension, value in canonical.items():
        if value is not None:
            contributions[dimension, value, CANONICAL, None] += 1
    pieces = state.get("source_records") or []
    for kind in SOURCES:
        own = [piece for piece in pieces if piece["kind"] == kind]
        places = [place for place in map(abroad_at, own) if place is not None]
        for dimension in ABROAD_DIMENSIONS:
            causes = _causes(canonical[dimension], state["status"] in ABROAD_STATUSES, bool(own),
                             Counter(place[dimension] for place in places))
            for (value, cause), n in causes.items():
                contributions[dimension, value, kind, cause] += n
    seen = "+".join(_seen_by(state, pieces))
    for dimension, value in canonical.items():
        if value is not None and seen:
            contributions[dimension, value, OVERLAP, seen] += 1
    return _nonzero(contributions)


def _causes(canonical: str | None, abroad: bool, on_record: bool, counted: Counter) -> Counter:
    """value → cause → n, summing at each value to (pieces counted there − canonical there)."""
    causes = Counter()
    for value, n in counted.items():
        causes[value, DUPLICATES] += n - 1
        if value != canonical:
            causes[value, ELSEWHERE if abroad else RETURN_NOT_CLOSED] += 1
    if canonical is not None and not counted[canonical]:
        cause = ELSEWHERE if counted else NOT_ABROAD_IN_SOURCE if on_record else NOT_SEEN_BY_SOURCE
        causes[canonical, cause] -= 1
    return causes


def _seen_by(state: dict, pieces: list[dict]) -> list[str]:
    """The source kinds that reported anything about the worker's journeys, keyed or not, or trained them."""
    kinds = {piece["kind"] for piece in pieces}
    kinds.update(kind for episode in state.get("episodes") or () for stage in episode["reported_by"].values() for kind in stage)
    if state.get("certificates"):
        kinds.add(TRAINING_CENTER)
    return sorted(kinds)


def record_contributions(kind: str, pieces: Iterable[dict]) -> Counter:
    """What one source record adds, from its pieces in every worker: its count, and SPLIT_RECORD."""
    pieces = list(pieces)
    contributions = Counter()
    whole = abroad_at(combine(pieces))
    for dimension in ABROAD_DIMENSIONS:
        if whole is not None:
            contributions[dimension, whole[dimension], kind, None] += 1
            contributions[dimension, whole[dimension], kind, SPLIT_RECORD] += 1
        for place in filter(None, map(abroad_at, pieces)):
            contributions[dimension, place[dimension], kind, SPLIT_RECORD] -= 1
    return _nonzero(contributions)


def _nonzero(counter: Counter) -> Counter:
    """Drops zero entries, keeping negative ones (``+counter`` would drop those too)."""
    return Counter({key: n for key, n in counter.items() if n})


def population(states: Iterable[dict]) -> Counter:
    """The summed contributions of a whole population, from its worker states."""
    total = Counter()
    records: dict[tuple[str, str], list[dict]] = {}
    for state in states:
        total.update(worker_contributions(state))
        for piece in state.get("source_records") or []:
            records.setdefault((piece["kind"], piece["key"]), []).append(piece)
    for (kind, _key), pieces in records.items():
        total.update(record_contributions(kind, pieces))
    return _nonzero(total)


def rows(summed: Mapping[Key, int], by: str) -> list[dict]:
    """The DESIGN §6 rows of one dimension, largest first: canonical, per source count and causes, overlap."""
    table: dict[str, dict] = {}
    for (dimension, value, view, cause), n in summed.items():
        if dimension != by or not n:
            continue
        row = table.setdefault(value, _empty_row(value))
        if view == CANONICAL:
            row["canonical"] += n
        elif view == OVERLAP:
            row["overlap"][cause] = row["overlap"].get(cause, 0) + n
        elif cause is None:
            row["sources"][view]["count"] += n
        else:
            row["sources"][view]["causes"][cause] += n
    ordered = sorted(table.values(), key=lambda row: (-_size(row), row["key"]))
    for row in ordered:
        row["overlap"] = dict(sorted(row["overlap"].items(), key=lambda item: (-item[1], item[0])))
    return ordered


def _empty_row(value: str) -> dict:
    return {"key": value, "canonical": 0,
            "sources": {kind: {"count": 0, "causes": dict.fromkeys(CAUSES, 0)} for kind in SOURCES},
            "overlap": {}}


def _size(row: dict) -> int:
    return max(row["canonical"], *(source["count"] for source in row["sources"].values()))


def overlap(table_rows: Iterable[dict]) -> dict[str, int]:
    """Abroad workers by the combination of source kinds that saw them, over the rows (an UpSet table)."""
    total = Counter()
    for row in table_rows:
        total.update(row["overlap"])
    return dict(sorted(total.items(), key=lambda item: (-item[1], item[0])))


# --- flat form, for a store that sums strings (the Redis projection) -------------------------------------

def flat(contributions: Mapping[Key, int]) -> dict[str, int]:
    """``dimension|value|view[|cause]`` → n: the field names the sums are kept under."""
    return {"|".join(part for part in key if part is not None): n for key, n in contributions.items() if n}


def unflat(dimension: str, fields: Mapping[str, str | int]) -> Counter:
    """Back from one dimension's summed fields (``value|view[|cause]``) to contributions."""
    summed = Counter()
    for field, n in fields.items():
        value, view, *cause = field.split("|")
        summed[dimension, value, view, cause[0] if cause else None] += int(n)
    return summed


def pieces_by_record(state: dict) -> dict[str, list[str]]:
    """The worker's pieces of source records by record id: ``[stage, sector, province]``, "" for a missing part."""
    return {
        record_id(piece["kind"], piece["key"]): [piece[part] or "" for part in ("stage", "sector", "province")]
        for piece in state.get("source_records") or []
    }


def report(summed: Mapping[Key, int], by: str, as_of: str) -> dict:
    """The DESIGN §6 document: ``{"by", "as_of", "rows", "overlap", "causes"}`` (causes: their meaning)."""
    table = rows(summed, by)
    return {"by": by, "as_of": as_of, "rows": table, "overlap": overlap(table), "causes": dict(CAUSES)}
