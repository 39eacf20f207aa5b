"""A worker's event history: the lifecycle table's value (schemas/event_history), and a cache of it decoded.

The table (RocksDB, with its changelog) is the durable copy. Decoding a whole history from it
on every event cost more than everything else the lifecycle does, so the latest history of
recently seen workers is also kept decoded in memory (``streams.decoded_cache``: used only while
the table still holds the bytes it was read from or written as).

Each event is kept as the single-object encoding it arrived in (it names its own schema
version, so an old history stays readable), which spares re-encoding the history's events.
"""
from __future__ import annotations

from dataclasses import dataclass

from domain.fold import with_event
from streams.codec import AvroCodec
from streams.decoded_cache import DecodedCache

# Workers whose decoded history is kept: a backlog of a demo's 10,000 workers fits. A decoded
# event takes ~2 KiB (tracemalloc, full journeys), so at the bound ~220 MiB.
CACHED_WORKERS = 20_000


@dataclass(frozen=True)
class History:
    events: list[dict]  # the distinct events in fold order (domain.fold.history)
    encoded: list[bytes]  # each event's single-object encoding, in the same order
    # The worker this one was merged into: its history went there, and so does anything later.
    # The events stay here too, to hand over again should the move be processed again.
    moved_to: str | None = None

    def with_event(self, event: dict, encoded: bytes) -> "History | None":
        """This history with ``event`` added, or None when it changes nothing (a retry)."""
        grown = with_event(self.events, event)
        if grown is None:
            return None
        # The fold may keep either copy of a retried event: each keeps its own bytes.
        encoding_of = {id(kept): data for kept, data in zip(self.events, self.encoded)}
        encoding_of[id(event)] = encoded
        return History(grown, [encoding_of[id(kept)] for kept in grown])


EMPTY = History([], [])


class Histories:
    def __init__(self, events: AvroCodec, cached_workers: int = CACHED_WORKERS):
        self._events = events
        self._codec = AvroCodec.named("event_history")
        self.cache: DecodedCache[History] = DecodedCache(cached_workers)

    def read(self, key: bytes, stored: bytes | None) -> History:
        """The history a table value holds (``EMPTY`` for a worker not seen)."""
        if stored is None:
            return EMPTY
        return self.cache.decoded(key, stored, lambda data: self._decode(key, data))

    def _decode(self, key: bytes, stored: bytes) -> History:
        record = self._codec.decode(stored)
        encoded = record["events"]
        moved_to = record["worker_id"] if record["worker_id"] != key.decode() else None
        return History([self._events.decode(data) for data in encoded], encoded, moved_to)

    def encode(self, key: bytes, history: History) -> bytes:
        """The table value for ``history``: under its own worker id, or the one it moved to."""
        worker_id = history.moved_to or key.decode()
        stored = self._codec.encode({"worker_id": worker_id, "events": history.encoded})
        self.cache.remember(key, stored, history)
        return stored
