"""Polling for outcomes that become visible asynchronously (a committed transaction, a projection)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(read: Callable[[], T], done: Callable[[T], bool], timeout: float = 60.0, every: float = 0.5) -> T:
    """Read until ``done(value)``; returns the last value read (the caller asserts on it)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(every)
        value = read()
    return value


def settled(read: Callable[[], T], done: Callable[[T], bool], quiet: float = 3.0, timeout: float = 60.0) -> T:
    """Read until ``done(value)`` and the value has not changed for ``quiet`` seconds: for outputs
    that a later step may still rewrite (a deadline the watermark passes fires on the next sweep)."""
    deadline = time.monotonic() + timeout
    value = eventually(read, done, timeout)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        again = read()
        if again == value:
            return value
        value = again
    return value
