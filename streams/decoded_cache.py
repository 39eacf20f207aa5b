"""Table values kept decoded in memory, each trusted only while the table still holds its bytes.

A RocksDB table (with its changelog) is the durable copy of a worker's history or a SPIKE
subject's incidents; decoding a large value from it on every message cost more than the work
done with it. So the decoded form of recently used keys is kept, with the bytes it was read
from or written as. A cached value is used only while the table returns those very bytes:
after a rebalance, a restore from the changelog or a write by another process they differ and
the table wins. The cache can be wrong about nothing; at worst it misses.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class DecodedCache(Generic[T]):
    """The decoded values of the ``size`` most recently used keys (least recently used forgotten)."""

    def __init__(self, size: int):
        self._size = size
        self._entries: OrderedDict[bytes, tuple[bytes, T]] = OrderedDict()

    def get(self, key: bytes, stored: bytes) -> T | None:
        """What ``stored`` decodes to, if it is the value last remembered for ``key``; else None."""
        entry = self._entries.get(key)
        if entry is None or entry[0] != stored:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def decoded(self, key: bytes, stored: bytes, decode: Callable[[bytes], T]) -> T:
        """What ``stored`` (the table's value for ``key``) decodes to: from the cache, or ``decode``d and remembered."""
        value = self.get(key, stored)
        if value is None:
            value = decode(stored)
            self.remember(key, stored, value)
        return value

    def remember(self, key: bytes, stored: bytes, value: T) -> None:
        self._entries[key] = (stored, value)
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def keys(self) -> list[bytes]:
        """Least recently used first."""
        return list(self._entries)
