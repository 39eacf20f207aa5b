"""Which workers read which reference record: when a record arrives, exactly those are re-evaluated
(``WorkerHistory.reference_keys``), including workers with no alert yet — a revoked licence can raise one.

Pure, in memory; the stream rebuilds it on start from what it keeps per worker (``domain.worker_alerts``).
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable


class ReferenceIndex:
    def __init__(self) -> None:
        self._workers: dict[Hashable, set[Hashable]] = {}  # reference key → workers
        self._keys: dict[Hashable, frozenset] = {}  # worker → reference keys

    def update(self, worker: Hashable, keys: Iterable[Hashable]) -> None:
        """``worker``'s findings now read ``keys`` (and no others)."""
        keys = frozenset(keys)
        before = self._keys.get(worker, frozenset())
        for key in before - keys:
            readers = self._workers[key]
            readers.discard(worker)
            if not readers:
                del self._workers[key]
        for key in keys - before:
            self._workers.setdefault(key, set()).add(worker)
        if keys:
            self._keys[worker] = keys
        else:
            self._keys.pop(worker, None)

    def workers(self, key: Hashable) -> frozenset:
        return frozenset(self._workers.get(key, ()))
