"""Which workers read which reference record: when a record arrives, exactly those are re-evaluated
(``WorkerHistory.reference_keys``), including workers with no alert yet — a revoked licence can raise one.

Pure, in memory; the stream rebuilds it on start from what it keeps per worker (``domain.worker_alerts``),
and tells it each change as the keys a worker read before and after: those are in the worker's row
already, so the index keeps nothing per worker but its place in each record's set (a million
workers each reading a licence and a policy would otherwise hold two million copies of the keys).
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable


class ReferenceIndex:
    def __init__(self) -> None:
        self._workers: dict[Hashable, set[Hashable]] = {}  # reference key → workers

    def update(self, worker: Hashable, before: Iterable[Hashable], after: Iterable[Hashable]) -> None:
        """``worker``'s findings read ``before`` and now read ``after`` (and no others)."""
        before, after = set(before), set(after)
        for key in before - after:
            readers = self._workers.get(key)
            if readers is not None:
                readers.discard(worker)
                if not readers:
                    del self._workers[key]
        for key in after - before:
            self._workers.setdefault(key, set()).add(worker)

    def workers(self, key: Hashable) -> frozenset:
        return frozenset(self._workers.get(key, ()))
