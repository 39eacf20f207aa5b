"""Event time's progress (DESIGN §5): the watermark timed rules compare their deadlines with.

The watermark is the highest event time seen minus the allowed lateness: events up to that
instant are taken to have arrived, so a deadline before it can be decided. While the sources
are idle (no event for ``idle_after`` of wall-clock time) it moves on with the wall clock, so a
silent worker still raises UNCONFIRMED_PLACEMENT in live operation. It never moves back — which
is safe because validation turns away events stamped in the future (OCCURRED_AT_IN_FUTURE), so
one bad clock cannot drag every deadline past.

Pure: the wall-clock time is passed in, never read. A replay feeds years of events in minutes
without idle gaps, so the wall clock never moves it; live, the two advance together.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

_ZERO = timedelta(0)


@dataclass(frozen=True)
class Watermark:
    lateness: timedelta = timedelta(hours=1)
    idle_after: timedelta = timedelta(minutes=1)
    highest: datetime | None = None  # the highest event time seen
    lowest: datetime | None = None  # the lowest event time seen: where observation starts (SPIKE's baseline)
    base: datetime | None = None  # the watermark when the last event arrived
    seen_at: datetime | None = None  # the wall-clock time the last event arrived

    def at(self, wall: datetime) -> datetime | None:
        """The watermark at wall-clock time ``wall`` (None before the first event)."""
        if self.base is None:
            return None
        return self.base + max(wall - self.seen_at - self.idle_after, _ZERO)

    def observe(self, event_time: datetime, wall: datetime) -> Watermark:
        """The watermark after an event of ``event_time`` arrived at wall-clock time ``wall``."""
        highest = event_time if self.highest is None else max(self.highest, event_time)
        lowest = event_time if self.lowest is None else min(self.lowest, event_time)
        candidates = [highest - self.lateness, self.at(wall)]
        base = max(c for c in candidates if c is not None)
        return replace(self, highest=highest, lowest=lowest, base=base, seen_at=wall)


def least(watermarks: Iterable[Watermark], wall: datetime) -> datetime | None:
    """The pipeline's watermark from its partitions' (each fed by the events of one partition): the least
    of them at ``wall``. A deadline is decided only once every partition has read past it, so a slow
    partition holds the others back; one that never had an event holds nothing back. None before any event."""
    return min((w for w in (m.at(wall) for m in watermarks) if w is not None), default=None)


def bound(watermarks: Iterable[Watermark], partitions: int, wall: datetime) -> datetime | None:
    """``least``, but only once all ``partitions`` have had an event (else None): what an event still to
    come can be taken to be no later than behind. Re-processing a topic, a partition not yet read would
    otherwise hold nothing back, and its whole history would arrive behind the others'."""
    watermarks = list(watermarks)
    return least(watermarks, wall) if len(watermarks) >= partitions else None


def lowest(watermarks: Iterable[Watermark]) -> datetime | None:
    """The lowest event time any partition has seen: where the pipeline's observation starts (SPIKE's ``since``)."""
    return min((m.lowest for m in watermarks if m.lowest is not None), default=None)


def reached(watermarks: Iterable[Watermark]) -> datetime | None:
    """The least of the partitions' watermarks as their last events left them, without the wall
    clock's advance: how far a pipeline that stopped (or replayed history) got in event time.
    Deadlines after it cannot have fired, whatever the time is now. None before any event."""
    return min((m.base for m in watermarks if m.base is not None), default=None)
