"""The identity resolver's mappings (``domain.identity.resolver.Index``) kept in one faust table.

One table, not three: its changelog is then one partition, written in order, so a crash loses a
*suffix* of the writes a decision made — never an earlier write while keeping a later one. The
resolver orders its writes so that any prefix is safe to resolve again from
(``Index._write``), and the agent logs each decision before it (``DecisionLog``).

Keys are ``K:`` + a strong key or ``WORKER:<old id>`` (→ worker id), ``P:`` + worker id (→ its
profile), ``B:`` + an ISO birth date (→ the workers born that day), ``D:`` + a slot (→ a
decision). Values are JSON (orjson).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

import orjson

from domain.identity.names import Name
from domain.identity.resolver import Decision, Index, Profile, Record

K = TypeVar("K")
V = TypeVar("V")


class Entries(MutableMapping[K, V]):
    """The table's entries of one kind: keys under ``prefix``, values through a codec."""

    def __init__(
        self,
        table: MutableMapping[bytes, bytes],
        prefix: str,
        key_text: Callable[[K], str],
        key_of: Callable[[str], K],
        encode: Callable[[V], Any],
        decode: Callable[[Any], V],
    ):
        self._table, self._prefix = table, prefix.encode()
        self._key_text, self._key_of, self._encode, self._decode = key_text, key_of, encode, decode

    def _key(self, key: K) -> bytes:
        return self._prefix + self._key_text(key).encode()

    def __getitem__(self, key: K) -> V:
        stored = self._table.get(self._key(key))
        if stored is None:
            raise KeyError(key)
        return self._decode(orjson.loads(stored))

    def __setitem__(self, key: K, value: V) -> None:
        self._table[self._key(key)] = orjson.dumps(self._encode(value))

    def __delitem__(self, key: K) -> None:
        del self._table[self._key(key)]

    def __contains__(self, key: object) -> bool:
        return self._table.get(self._key(key)) is not None  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[K]:
        # Only tests and tools list entries; the resolver never does.
        for stored in list(self._table.keys()):
            if stored.startswith(self._prefix):
                yield self._key_of(stored[len(self._prefix):].decode())

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _profile_json(profile: Profile) -> dict:
    return {
        "worker_id": profile.worker_id,
        "keys": sorted(profile.keys),
        "names": [[list(name.given), name.patronym] for name in sorted(profile.names, key=_name_order)],
        "birth_dates": sorted(born.isoformat() for born in profile.birth_dates),
        "sexes": sorted(profile.sexes),
        "regencies": sorted(profile.regencies),
    }


def _name_order(name: Name) -> tuple:
    return name.given, name.patronym or ""


def _profile_of(data: dict) -> Profile:
    return Profile(
        worker_id=data["worker_id"],
        keys=frozenset(data["keys"]),
        names=frozenset(Name(tuple(given), patronym) for given, patronym in data["names"]),
        birth_dates=frozenset(date.fromisoformat(born) for born in data["birth_dates"]),
        sexes=frozenset(data["sexes"]),
        regencies=frozenset(data["regencies"]),
    )


def _same(value):
    return value


def index_mappings(table: MutableMapping[bytes, bytes]) -> dict[str, MutableMapping]:
    """``by_key``, ``profiles`` and ``born_on`` for ``Index(**index_mappings(table))``."""
    return {
        "by_key": Entries(table, "K:", str, str, _same, _same),
        "profiles": Entries(table, "P:", str, str, _profile_json, _profile_of),
        "born_on": Entries(table, "B:", date.isoformat, date.fromisoformat, list, tuple),
    }


# Decisions are logged in slots by input offset, overwritten as the log wraps round. It needs to
# reach back only over what a crash can make the agent process again (since the last commit,
# a few seconds' worth), so a million slots is ample and the table stays bounded.
DECISION_SLOTS = 1_000_000


class DecisionLog:
    """What the agent decided for the event at an input offset — a merge or a review — written
    *before* the decision's other writes. After a crash the agent processes again the events
    since its last commit; for one whose decision is logged, the resolver's state may already
    hold it (so resolving again would find nothing left to merge), but its outputs may not have
    reached the broker: the agent sends the logged decision's outputs again instead."""

    def __init__(self, table: MutableMapping[bytes, bytes]):
        self._entries: Entries[int, dict] = Entries(table, "D:", str, int, _same, _same)

    def get(self, offset: int) -> Decision | None:
        logged = self._entries.get(offset % DECISION_SLOTS)
        if logged is None or logged["offset"] != offset:
            return None
        return Decision(logged["worker_id"], logged["how"], tuple(logged["merged"]), logged["score"], tuple(logged["review"]))

    def put(self, offset: int, decision: Decision) -> None:
        self._entries[offset % DECISION_SLOTS] = {
            "offset": offset,
            "worker_id": decision.worker_id,
            "how": decision.how,
            "merged": list(decision.merged),
            "score": decision.score,
            "review": list(decision.review),
        }


def resolve_once(index: Index, decisions: DecisionLog, offset: int, record: Record) -> Decision:
    """The decision for the event at ``offset``: taken and logged the first time, the logged one
    when the event is processed again after a crash. The index is written either way, so that a
    decision whose writes the crash cut short is completed."""
    plan = index.plan(record)
    logged = decisions.get(offset)
    if logged is None:
        if plan.decision.merged or plan.decision.review:
            # Only these need the log: any other decision is taken again the same from whatever
            # prefix of its writes a crash left (``Index.apply``) and has nothing more to send.
            decisions.put(offset, plan.decision)
        index.apply(plan)
        return plan.decision
    # The first time may have pointed some of a merged-away worker's keys at the survivor
    # already, so that resolving again no longer links that worker: its profile and its place
    # among the candidates would be left behind. The logged decision names every one of them.
    index.apply(replace(plan, decision=logged))
    return logged
