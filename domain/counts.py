"""Canonical counts: how many resolved workers are abroad, by destination, origin and sector.

A worker is abroad when the fold says DEPARTED or PLACED; destination and sector are those of
the current episode, the province is the first two digits of the origin regency. Every
worker, abroad or not, is counted by status — ``NO_STATUS`` for one known only from reports that
carry no stage (a case an embassy reported, nothing else).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from domain.fold import ABROAD_STATUSES
from domain.projection import province_of
from domain.vocabulary import NO_STATUS

ABROAD_DIMENSIONS = ("country", "province", "sector")
DIMENSIONS = (*ABROAD_DIMENSIONS, "status")


def canonical_counts(states: Iterable[dict]) -> dict[str, Counter]:
    """dimension → value → workers, over worker states (the fold's form or its Avro decoding)."""
    counts = {dimension: Counter() for dimension in DIMENSIONS}
    for state in states:
        counts["status"][state["status"] or NO_STATUS] += 1
        if state["status"] not in ABROAD_STATUSES:
            continue
        episode = state["current_episode"] or {}
        for dimension, value in (
            ("country", episode.get("country")),
            ("province", province_of(state["origin_regency"])),
            ("sector", episode.get("sector")),
        ):
            if value:
                counts[dimension][value] += 1
    return counts
