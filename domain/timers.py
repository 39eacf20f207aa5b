"""A timer index by event time: which keys (workers, SPIKE subjects) to re-evaluate once the watermark
reaches their next deadline (``domain.rules.next_deadline``, ``domain.rules.spike.next_deadline``).

One deadline per key — setting it again replaces it — kept in a heap with lazy deletion, so
``set`` and ``pop_due`` cost O(log n). A replaced deadline stays in the heap until the watermark
reaches it, and a worker's deadline can move with every event (months ahead each time), so the
heap is rebuilt from the live deadlines once it holds twice as many entries: memory stays
proportional to the keys (a million workers), amortised O(1) per ``set``. No I/O: the stream
restores it from its table on start.
"""
from __future__ import annotations

import heapq
from collections.abc import Hashable
from datetime import datetime

_SLACK = 64  # small heaps are not worth rebuilding


class Timers:
    def __init__(self) -> None:
        self._due: dict[Hashable, datetime] = {}
        self._heap: list[tuple[datetime, int, Hashable]] = []
        self._pushed = 0  # tie-breaker: keys need not be comparable

    def set(self, key: Hashable, due: datetime | None) -> None:
        """``key``'s next deadline is ``due``; None cancels it."""
        if due is None:
            self._due.pop(key, None)
        elif self._due.get(key) != due:
            self._due[key] = due
            self._pushed += 1
            heapq.heappush(self._heap, (due, self._pushed, key))
        self._compact()

    def pop_due(self, watermark: datetime | None) -> list[Hashable]:
        """The keys whose deadline the watermark has reached, earliest first; their timers are cleared."""
        due = []
        while watermark is not None and self._heap and self._heap[0][0] <= watermark:
            when, _, key = heapq.heappop(self._heap)
            if self._due.get(key) == when:  # otherwise replaced or cancelled since
                del self._due[key]
                due.append(key)
        self._compact()
        return due

    def _compact(self) -> None:
        """Rebuild the heap from the live deadlines once stale entries are half of it or more."""
        if len(self._heap) > 2 * len(self._due) + _SLACK:
            self._heap = [(when, n, key) for n, (key, when) in enumerate(self._due.items())]
            heapq.heapify(self._heap)
            self._pushed = len(self._heap)

    def __len__(self) -> int:
        return len(self._due)
