"""Synthetic identifiers: NIKs valid for the person, typos that stay valid identity noise, unique passports."""
from __future__ import annotations

from datetime import date
from random import Random

from domain.nik import nik_birth_date_and_sex, nik_problem
from domain.validation import is_passport
from simulator.identity import mistyped_nik, nik, passport
from simulator.names import full_name, variant


def test_a_nik_encodes_the_regency_birth_date_and_sex():
    for index, (born, sex) in enumerate([(date(1995, 7, 5), "F"), (date(2001, 12, 31), "M"), (date(1980, 2, 29), "F")]):
        made = nik(index * 12_345, "3502", born, sex)
        assert nik_problem(made) is None and made.startswith("3502")
        assert nik_birth_date_and_sex(made, date(2026, 1, 1)) == (born, sex)


def test_a_mistyped_nik_differs_but_says_the_same_birth_date_and_sex():
    rng = Random(1)
    correct = nik(77, "5201", date(1990, 3, 14), "F")
    for _ in range(200):
        typed = mistyped_nik(rng, correct)
        assert typed != correct and nik_problem(typed) is None
        assert nik_birth_date_and_sex(typed, date(2026, 1, 1)) == (date(1990, 3, 14), "F")


def test_passports_are_one_letter_and_seven_digits_unique_per_person_and_renewal():
    numbers = {passport(index, 3, renewals) for index in range(20_000) for renewals in (0, 1, 2)}
    assert len(numbers) == 60_000
    assert all(is_passport(p) and len(p) == 8 and p[0].isalpha() for p in numbers)


def test_name_variants_are_other_spellings_of_the_name():
    rng = Random(5)
    for _ in range(500):
        name, father = full_name(rng, "F")
        other = variant(rng, name, "F", father)
        assert other and other == other.strip() and other.isupper()
    assert variant(Random(0), "SITI AMINAH", "F", "SLAMET") != "SITI AMINAH"
