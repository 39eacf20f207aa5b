"""Simulated time: days as proleptic ordinals, event times as seconds since the Unix epoch, and
their text forms, cached (formatting dates is a large share of the generator's work otherwise)."""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

EPOCH = date(1970, 1, 1).toordinal()
DAY = 86_400
# Event times fall between 02:00 and 09:00 UTC (09:00-16:00 in Jakarta, written +07:00), so the
# UTC date the pipeline reads from occurred_at is the local date the payloads carry.
FIRST_SECOND, LAST_SECOND = 2 * 3600, 9 * 3600
_WIB = 7 * 3600


@lru_cache(maxsize=None)
def day_text(day: int) -> str:
    return date.fromordinal(day).isoformat()


# The local clock text of each minute an event can fall on (FIRST_SECOND + 60 * minute, UTC).
MINUTES = (LAST_SECOND - FIRST_SECOND) // 60
_LOCAL_CLOCK = tuple(f"T{(FIRST_SECOND + _WIB) // 3600 + m // 60:02d}:{m % 60:02d}:00+07:00" for m in range(MINUTES))


def local_occurred_at(day: int, minute: int) -> str:
    """``occurred_at(timestamp(day, FIRST_SECOND + 60 * minute))``, from tables: the local date is ``day``."""
    return day_text(day) + _LOCAL_CLOCK[minute]


def timestamp(day: int, second: int) -> int:
    return (day - EPOCH) * DAY + second


def occurred_at(t: int) -> str:
    """ISO 8601 with the +07:00 offset Indonesian partners use, minute precision."""
    local = t + _WIB
    day, second = divmod(local, DAY)
    return f"{day_text(day + EPOCH)}T{second // 3600:02d}:{second // 60 % 60:02d}:00+07:00"


def iso_utc(t: int) -> str:
    """The truth's timestamps: ISO 8601 in UTC."""
    day, second = divmod(t, DAY)
    return day_text(day + EPOCH) + _utc_clock(second)


@lru_cache(maxsize=None)
def _utc_clock(second: int) -> str:
    return f"T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"


@lru_cache(maxsize=65_536)  # journeys start on a few thousand days, contracts come in three lengths
def add_months(day: int, months: int) -> int:
    """The same day of the month ``months`` later (clamped to the month's end), as an ordinal."""
    start = date.fromordinal(day)
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    for clamp in (0, 1, 2, 3):
        try:
            return date(year, month, start.day - clamp).toordinal()
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def years_before(day: int, years: int) -> int:
    start = date.fromordinal(day)
    try:
        return start.replace(year=start.year - years).toordinal()
    except ValueError:  # 29 February
        return (start.replace(year=start.year - years, day=28) + timedelta(days=1)).toordinal()
