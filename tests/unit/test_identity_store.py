"""The resolver's index kept in one table (streams.identity_store), and what a crash mid-decision
leaves: the table is a plain dict here, as faust's table is a mapping of bytes to bytes."""
from __future__ import annotations

from datetime import date

import pytest

from domain.identity.names import normalise
from domain.identity.resolver import Index, Record
from streams.identity_store import DecisionLog, index_mappings, resolve_once

NIK = "3502014507950001"


class RecordingTable(dict):
    """A table that remembers its writes in order, as its changelog would."""

    def __init__(self, *args):
        super().__init__(*args)
        self.writes: list[tuple[bytes, bytes | None]] = []

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.writes.append((key, value))

    def __delitem__(self, key):
        super().__delitem__(key)
        self.writes.append((key, None))


def rec(key: str, *, nik=None, passport=None, name="SITI AMINAH") -> Record:
    return Record(key, nik, passport, None, normalise(name), date(1995, 7, 5), "F", "3502")


def history() -> list[Record]:
    """Two passport-only workers, then a report that shows both are the NIK's person."""
    return [
        rec("KBRI-MY:a", passport="C1111111"),
        rec("KBRI-HK:b", passport="C2222222", name=""),
        rec("P3MI-1:c", nik=NIK, passport="C1111111"),
        rec("P3MI-1:d", nik=NIK, passport="C2222222", name="SITI AMINAH BINTI SLAMET"),
    ]


def test_the_index_round_trips_through_the_table():
    table = RecordingTable()
    in_table = Index(**index_mappings(table))
    in_memory = Index({}, {}, {})
    for record in history():
        assert in_table.resolve(record) == in_memory.resolve(record)
    assert dict(in_table.profiles) == in_memory.profiles
    assert dict(in_table.by_key) == in_memory.by_key
    assert dict(in_table.born_on) == in_memory.born_on
    assert all(isinstance(key, bytes) and isinstance(value, bytes) for key, value in table.items())


def test_resolving_again_writes_nothing():
    table = RecordingTable()
    index = Index(**index_mappings(table))
    for record in history():
        index.resolve(record)
    table.writes.clear()
    for record in history():
        index.resolve(record)
    assert table.writes == []


@pytest.mark.parametrize("merging", [2, 3])
def test_a_crash_after_any_prefix_of_a_decisions_writes_gives_the_same_decision_and_index(merging):
    """The changelog is one partition: a crash loses a suffix of the writes. Processing the event
    again must give the logged decision (its merges are sent again) and complete the index."""
    records = history()
    table = RecordingTable()
    index, log = Index(**index_mappings(table)), DecisionLog(table)
    for offset, record in enumerate(records[:merging]):
        resolve_once(index, log, offset, record)
    before = dict(table)
    table.writes.clear()
    decided = resolve_once(index, log, merging, records[merging])
    writes, after = list(table.writes), dict(table)
    assert decided.merged  # the case worth crashing in

    for cut in range(len(writes) + 1):
        crashed = RecordingTable(before)
        for key, value in writes[:cut]:
            if value is None:
                crashed.pop(key, None)
            else:
                crashed[key] = value
        again = resolve_once(Index(**index_mappings(crashed)), DecisionLog(crashed), merging, records[merging])
        assert again == decided, f"after {cut} of {len(writes)} writes"
        assert dict(crashed) == after, f"after {cut} of {len(writes)} writes"


def test_the_decision_log_answers_only_for_the_offset_it_logged():
    log = DecisionLog(RecordingTable())
    decision = Index({}, {}, {}).resolve(rec("KBRI-MY:a", passport="C1111111"))
    log.put(7, decision)
    assert log.get(7) == decision
    assert log.get(8) is None
    assert log.get(7 + 1_000_000) is None  # the same slot, another offset
