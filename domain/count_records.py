"""The records of the compacted counts topic (DESIGN §6, ``schemas/count``): the reconciliation sums
as one record per cell, for consumers that follow a topic rather than ask Redis.

A cell is (dimension, key, view). In country, province and sector every value that has a row
(``domain.reconciliation.rows``) has a record for ``CANONICAL`` (no causes) and for each source kind
in ``SOURCES`` (its count and its non-zero causes, which sum to its count minus the canonical record's
count of the same dimension and key). Status has ``CANONICAL`` records only: no source counts by it.
The overlap table is not published (the schema has no place for it).

The topic is compacted: the newest record of a cell is its value. So only changed cells need be
sent (``changes``), and a cell that vanished is sent once more with count 0, or a reader of the
topic would keep its last count forever.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from domain.counts import ABROAD_DIMENSIONS
from domain.reconciliation import CANONICAL, Key, rows
from domain.source_records import SOURCES

STATUS = "status"
Cell = tuple[str, str, str]  # (dimension, key, view)


@dataclass(frozen=True)
class Count:
    dimension: str
    key: str
    view: str
    count: int
    causes: Mapping[str, int] = field(default_factory=dict)  # cause → n, non-zero only

    @property
    def cell(self) -> Cell:
        return self.dimension, self.key, self.view

    @property
    def topic_key(self) -> str:
        """The record's key on the topic: one per cell, so compaction keeps each cell's newest."""
        return f"{self.dimension}|{self.key}|{self.view}"

    def record(self, as_of: datetime) -> dict:
        """The ``schemas/count`` record; ``as_of`` is not part of the cell's value, so not of a change."""
        return {"dimension": self.dimension, "key": self.key, "view": self.view, "count": self.count,
                "causes": dict(self.causes), "as_of": as_of}


def dimension_counts(summed: Mapping[Key, int], dimension: str) -> list[Count]:
    """One abroad dimension's records, from the reconciliation sums."""
    found = []
    for row in rows(summed, dimension):
        found.append(Count(dimension, row["key"], CANONICAL, row["canonical"]))
        for kind in SOURCES:
            source = row["sources"][kind]
            causes = {cause: n for cause, n in source["causes"].items() if n}
            found.append(Count(dimension, row["key"], kind, source["count"], causes))
    return found


def status_counts(by_status: Mapping[str, int]) -> list[Count]:
    """Canonical workers by status (``domain.counts``): the status dimension's records."""
    return [Count(STATUS, status, CANONICAL, int(n)) for status, n in sorted(by_status.items()) if int(n)]


def all_counts(summed: Mapping[Key, int], by_status: Mapping[str, int]) -> dict[Cell, Count]:
    """Every record the topic should hold now, by cell."""
    found = [*(c for dimension in ABROAD_DIMENSIONS for c in dimension_counts(summed, dimension)),
             *status_counts(by_status)]
    return {c.cell: c for c in found}


def changes(published: Mapping[Cell, Count], current: Mapping[Cell, Count]) -> list[Count]:
    """What to send so that a topic holding ``published`` holds ``current``: the new and changed
    records, and a zero for each cell that vanished (a zero already sent is not sent again)."""
    send = [c for cell, c in current.items() if published.get(cell) != c]
    for cell, before in published.items():
        if cell not in current and (before.count or before.causes):
            send.append(Count(*cell, 0))
    return send


def applied(topic: Mapping[Cell, Count], sent: Iterable[Count]) -> dict[Cell, Count]:
    """What a compacted topic holds after ``sent``: the newest record per cell."""
    return {**topic, **{c.cell: c for c in sent}}
