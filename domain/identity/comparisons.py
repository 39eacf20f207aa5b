"""How two records' personal fields agree, as discrete levels (in the manner of Splink's
comparisons): the linker weighs levels; it never looks at the strings itself.

Each comparison returns the strongest level that holds, so a linker's weights — chosen on the
simulator's data, not here — can say how much each level is worth. Thresholds are
configuration (``Thresholds``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from rapidfuzz.distance import JaroWinkler

from domain.identity.names import Name


@dataclass(frozen=True)
class Thresholds:
    very_similar_name: float = 0.94  # Jaro-Winkler of the joined given names
    similar_name: float = 0.88
    similar_patronym: float = 0.90


DEFAULT = Thresholds()


class NameLevel(IntEnum):
    DIFFERENT = 0
    SIMILAR = 1  # a few letters apart: typos, a j/y, an unexpanded old spelling
    SUBSET = 2  # one's given names all among the other's: a dropped (or added) second name
    VERY_SIMILAR = 3
    SAME_LETTERS = 4  # equal once the spaces go: NUR HAYATI / NURHAYATI
    SAME = 5


def compare_names(a: Name, b: Name, thresholds: Thresholds = DEFAULT) -> NameLevel:
    if not a.given or not b.given:
        return NameLevel.DIFFERENT
    if a.given == b.given:
        return NameLevel.SAME
    if a.joined == b.joined:
        return NameLevel.SAME_LETTERS
    similarity = JaroWinkler.similarity(a.joined, b.joined)
    if similarity >= thresholds.very_similar_name:
        return NameLevel.VERY_SIMILAR
    if set(a.given) <= set(b.given) or set(b.given) <= set(a.given):
        return NameLevel.SUBSET
    if similarity >= thresholds.similar_name:
        return NameLevel.SIMILAR
    return NameLevel.DIFFERENT


class PatronymLevel(IntEnum):
    DISAGREE = 0
    UNKNOWN = 1  # one side (or both) does not give the father's name: no evidence either way
    AGREE = 2


def compare_patronyms(a: Name, b: Name, thresholds: Thresholds = DEFAULT) -> PatronymLevel:
    if a.patronym is None or b.patronym is None:
        return PatronymLevel.UNKNOWN
    similar = JaroWinkler.similarity(a.patronym, b.patronym) >= thresholds.similar_patronym
    return PatronymLevel.AGREE if similar else PatronymLevel.DISAGREE


class BirthDateLevel(IntEnum):
    DIFFERENT = 0
    UNKNOWN = 1
    TRANSPOSED = 2  # day and month swapped, or one of them a digit off: a clerk's slip
    SAME = 3


def compare_birth_dates(a: date | None, b: date | None) -> BirthDateLevel:
    if a is None or b is None:
        return BirthDateLevel.UNKNOWN
    if a == b:
        return BirthDateLevel.SAME
    swapped = (a.day, a.month) == (b.month, b.day)
    one_part_off = a.year == b.year and ((a.month == b.month) + (a.day == b.day)) == 1 and _one_digit_apart(a, b)
    return BirthDateLevel.TRANSPOSED if a.year == b.year and (swapped or one_part_off) else BirthDateLevel.DIFFERENT


def _one_digit_apart(a: date, b: date) -> bool:
    return one_character_apart(f"{a.month:02d}{a.day:02d}", f"{b.month:02d}{b.day:02d}")


def one_character_apart(a: str, b: str) -> bool:
    """Equal but for one character in the same place: a slip of the pen in a date or a NIK."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1
