"""Handling a stream in batches: faust's ``take_events``, and the table routing faust keeps per event.

Per event, an agent paid for a Redis round trip, a changelog record, a state record and a fold
of the worker's events; in a batch a worker's outputs are written once, and Redis hears once.

Faust routes a table read or write to the partition of the *current event*, a context variable
its stream sets while an agent handles one value. A batch is handled outside that, where faust
refuses table writes ("Cannot modify table key from outside of stream iteration"): ``handling``
sets it for one event of the batch.

Crash safety: ``take_events`` acks a batch's events only after the agent's body for the batch
has returned, and faust commits only acked offsets (under ``at_least_once`` after flushing the
producer, so the changelog and output records sent for them are on the broker first). A crash
mid-batch commits none of it: the whole batch is delivered again, and the fold absorbs what
was already applied.
"""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

from faust.streams import _current_event
from faust.types import EventT, StreamT

# Events per batch. A backlog fills it at once; a trickle waits at most BATCH_WITHIN for it.
BATCH_SIZE = 1000
BATCH_WITHIN = 0.1  # seconds
# Items of a batch handled between two turns of the event loop (see ``paced``).
PACE = 100

T = TypeVar("T")


def batches(stream: StreamT, within: float = BATCH_WITHIN) -> AsyncIterator[list[EventT]]:
    return stream.take_events(BATCH_SIZE, within=within)


async def paced(items: Iterable[T]) -> AsyncIterator[T]:
    """``items``, with a turn of the event loop every ``PACE``. Handling a batch awaits little
    that suspends, and on a loaded machine a batch takes seconds: the consumer's heartbeats,
    the fetcher and the web server must not wait that long (a member silent for the session
    timeout is dropped from the group)."""
    for count, item in enumerate(items, start=1):
        yield item
        if count % PACE == 0:
            await asyncio.sleep(0)


class handling:
    """Table reads and writes inside ``with handling(event):`` go to ``event``'s partition, as in a
    per-event agent. A class, not ``@contextmanager``: it runs twice per event, and a generator
    context manager cost a few percent of the lifecycle's time."""

    __slots__ = ("_event", "_token")

    def __init__(self, event: EventT):
        self._event = event

    def __enter__(self) -> None:
        self._token = _current_event.set(weakref.ref(self._event))

    def __exit__(self, *exc_info) -> None:
        _current_event.reset(self._token)
