"""Weighted draws from the figures, precomputed once: a draw is one ``random()`` and a bisect."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from itertools import accumulate
from random import Random


class Table:
    """A categorical distribution over ``weights``' keys (weights need not sum to one)."""

    def __init__(self, weights: Mapping):
        if not weights or min(weights.values()) < 0 or sum(weights.values()) <= 0:
            raise ValueError("a table needs positive weights")
        self.values = tuple(weights)
        total = float(sum(weights.values()))
        self.shares = {value: weights[value] / total for value in self.values}
        cumulative = [c / total for c in accumulate(weights[value] for value in self.values)]
        cumulative[-1] = float("inf")  # rounding can leave the sum a hair under 1: the last value takes the rest
        self._cumulative = tuple(cumulative)

    def pick(self, rng: Random):
        return self.values[bisect_right(self._cumulative, rng.random())]


def between(rng: Random, bounds: tuple[int, int]) -> int:
    """A whole number uniformly in ``bounds`` (both ends included)."""
    low, high = bounds
    return low + int(rng.random() * (high - low + 1))


def uniform_int(rng: Random, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (both included): ``randint``'s job at a quarter of its cost."""
    return low + int(rng.random() * (high - low + 1))


def one_of(rng: Random, items: Sequence):
    """An item of ``items`` uniformly, as ``choice`` but with one draw of ``random()``."""
    return items[int(rng.random() * len(items))]


def below(rng: Random, n: int) -> int:
    """A whole number from 0 to ``n - 1``, as ``randrange(n)`` but cheaper."""
    return int(rng.random() * n)
