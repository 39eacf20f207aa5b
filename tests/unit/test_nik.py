"""The NIK: structure checks (and their agreement with python-stdnum) and the encoded birth date and sex."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.id import nik as stdnum_nik

from domain.nik import EXTRA_PROVINCES, PROVINCES, STDNUM_PROVINCES, nik_birth_date_and_sex, nik_problem

ON = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("nik", "expected"),
    [
        ("3573014507950001", (date(1995, 7, 5), "F")),  # DESIGN §3's example: day 45 = 5th, a woman
        ("3171011708450001", (date(1945, 8, 17), "M")),
        ("3171015708450001", (date(1945, 8, 17), "F")),
        ("3573010101100001", (date(2010, 1, 1), "M")),  # 20YY when not in the future: an underage worker shows
        ("3573010101260001", (date(2026, 1, 1), "M")),  # today's century up to the reference date...
        ("3573010106260001", (date(1926, 6, 1), "M")),  # ...after it, the previous century
        ("3573014102000001", (date(2000, 2, 1), "F")),
        ("3573012902000001", (date(2000, 2, 29), "M")),  # 1900-02-29 does not exist; 2000-02-29 does
        ("3573016902000001", (date(2000, 2, 29), "F")),
        ("3573013102950001", (None, "M")),  # 31 February: the day is in range, the date is not
        ("3573010113950001", (None, "M")),  # month 13
        ("3573010100950001", (None, "M")),  # month 00
        ("3573010001950001", (None, None)),  # day 00
        ("3573013201950001", (None, None)),  # day 32
        ("3573014001950001", (None, None)),  # day 40 (+40 on day 0)
        ("3573017201950001", (None, None)),  # day 72
        ("3573018501950001", (None, None)),  # day 85 (stdnum would read 85 mod 40 = 5)
        ("357301450795000", (None, None)),  # 15 digits
        ("3573-0145-0795-0001", (None, None)),
        ("357301450795000x", (None, None)),
        ("", (None, None)),
    ],
)
def test_birth_date_and_sex(nik, expected):
    assert nik_birth_date_and_sex(nik, on=ON) == expected


def test_birth_date_and_sex_of_a_non_string():
    assert nik_birth_date_and_sex(None) == (None, None)
    assert nik_birth_date_and_sex(3573014507950001) == (None, None)


def test_birth_date_and_sex_defaults_to_today():
    born, sex = nik_birth_date_and_sex("3573014507950001")
    assert (born, sex) == (date(1995, 7, 5), "F")


@given(st.integers(0, 10**16 - 1).map(lambda n: f"{n:016d}"), st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_decoded_birth_date_is_never_after_the_reference_date_and_matches_the_digits(nik, on):
    born, sex = nik_birth_date_and_sex(nik, on=on)
    if born is not None:
        assert born <= on
        assert born.year % 100 == int(nik[10:12])
        assert born.month == int(nik[8:10])
        assert born.day + (40 if sex == "F" else 0) == int(nik[6:8])


@pytest.mark.parametrize(
    "nik",
    ["3573014507950001", "3171011708450001", "1101010101000001", "9471016902000001"],
)
def test_valid_niks(nik):
    assert nik_problem(nik) is None
    assert stdnum_nik.is_valid(nik)


@pytest.mark.parametrize(
    ("nik", "phrase"),
    [
        ("357301450795000", "has 15 characters"),
        ("35730145079500011", "has 17 characters"),
        ("", "has 0 characters"),
        ("3573 0145 079501", "without separators"),  # 16 characters, but not all digits
        ("357301450795000A", "without separators"),
        ("٣٥٧٣٠١٤٥٠٧٩٥٠٠٠١", "without separators"),  # Arabic-Indic digits are digits to str.isdigit
        ("3573013102950001", "no real birth date"),
        ("3573018501950001", "no real birth date"),
        ("3573014001950001", "no real birth date"),
        ("9973014507950001", "unknown province code 99"),
        ("0073014507950001", "unknown province code 00"),
    ],
)
def test_invalid_niks_say_why_without_the_number(nik, phrase):
    why = nik_problem(nik)
    assert why is not None and phrase in why
    assert nik not in why or nik == ""


def test_separators_are_rejected_though_stdnum_strips_them():
    assert stdnum_nik.is_valid("3573-0145-0795-0001")
    assert nik_problem("3573-0145-0795-0001") is not None


def test_provinces_stdnum_lacks_are_accepted():
    """Kalimantan Utara (65) and the Papua provinces 92, 93, 95, 96 issue NIKs; stdnum 2.2 does not know them."""
    assert EXTRA_PROVINCES.isdisjoint(STDNUM_PROVINCES)
    for province in sorted(EXTRA_PROVINCES):
        nik = f"{province}04014507950001"
        assert not stdnum_nik.is_valid(nik)
        assert nik_problem(nik) is None
    assert {"11", "31", "35", "52", "64", "91", "94"} <= PROVINCES


_two_digits = st.integers(0, 99).map(lambda n: f"{n:02d}")
_four_digits = st.integers(0, 9999).map(lambda n: f"{n:04d}")


@st.composite
def _niks(draw):
    province = draw(st.one_of(st.sampled_from(sorted(PROVINCES)), _two_digits))
    regency_district = draw(_four_digits)
    day = draw(_two_digits)
    month = draw(st.one_of(st.integers(1, 12).map(lambda n: f"{n:02d}"), _two_digits))
    serial = draw(_four_digits)
    return province + regency_district + day + month + draw(_two_digits) + serial


@settings(max_examples=300)
@given(_niks())
def test_agrees_with_stdnum_except_where_documented(nik):
    day_field = int(nik[6:8])
    day_in_range = 1 <= day_field <= 31 or 41 <= day_field <= 71
    if nik[:2] in EXTRA_PROVINCES:
        stdnum_says = stdnum_nik.is_valid("11" + nik[2:])  # the same NIK in a province stdnum knows
    else:
        stdnum_says = stdnum_nik.is_valid(nik)
    assert (nik_problem(nik) is None) == (stdnum_says and day_in_range)
