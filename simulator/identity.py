"""Identifiers of a synthetic person: a NIK structurally valid for their regency, birth date and
sex; passports of one letter and seven digits; and the mistyped NIK a clerk may enter.

Uniqueness comes from the person's index, not from chance: the district and serial of the NIK
and the passport number are functions of it, so two people never share a passport, and share a
NIK only if they also share regency, birth date and sex and their indices are 399,960 apart
(about one pair in a million people, at most).
"""
from __future__ import annotations

from datetime import date
from random import Random

from domain.nik import FEMALE_DAY_OFFSET

_SERIALS = 9_999  # 0001-9999
_DISTRICTS = 40  # 01-40
_PASSPORT_SPACE = 10_000_000
_PASSPORT_STEP = 7_654_321  # coprime with 10**7: index → number is a permutation
PASSPORT_LETTERS = ("C", "E", "X")  # first passport, first renewal, second renewal


def nik(index: int, regency: str, born: date, sex: str) -> str:
    day = born.day + (FEMALE_DAY_OFFSET if sex == "F" else 0)
    district = 1 + (index // _SERIALS) % _DISTRICTS
    serial = 1 + index % _SERIALS
    return f"{regency}{district:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def mistyped_nik(rng: Random, correct: str) -> str:
    """One digit of the serial (the last four) typed wrong: still a valid NIK with the same
    birth date and sex, so it is identity noise (a second record), not an IDENTITY_CONFLICT."""
    position = rng.randrange(12, 16)
    digit = rng.choice([d for d in "0123456789" if d != correct[position]])
    return correct[:position] + digit + correct[position + 1:]


def passport(index: int, seed: int, renewals: int) -> str:
    """The person's passport after ``renewals`` renewals (at most two)."""
    number = (index * _PASSPORT_STEP + seed * 1_000_003 + renewals * 3_333_331) % _PASSPORT_SPACE
    return f"{PASSPORT_LETTERS[renewals]}{number:07d}"
