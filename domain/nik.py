"""The NIK (Nomor Induk Kependudukan): its structure, and the birth date and sex it encodes.

A NIK is 16 digits ``PPKKCC DDMMYY SSSS``: province, regency/city and district where it
was first issued; the holder's birth date with 40 added to the day for women; a serial.

``python-stdnum`` 2.2's ``stdnum.id.nik.validate`` checks: ASCII digits only (after
stripping spaces, dashes and dots), length 16, that DDMMYY is a real date (day taken
modulo 40, year tried as 19YY then 20YY), and that the 2-digit *province* is in its list
(it does not check the regency). Its list lacks provinces the Kemendagri codes used in
NIKs do have — 65 Kalimantan Utara (since 2012; Nunukan and Tarakan are there) and 92,
93, 95, 96 (Papua Barat and the 2022 Papua provinces) — so NIKs from those provinces are
accepted here too (``EXTRA_PROVINCES``).

What a NIK *says* about birth date and sex is evidence, not a rule: a NIK contradicting
the reported date of birth or sex is valid input, for the IDENTITY_CONFLICT rule to weigh.
"""
from __future__ import annotations

from calendar import monthrange
from datetime import date

from stdnum import numdb

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40

# Kemendagri province codes missing from python-stdnum 2.2's id/loc list (see module doc).
EXTRA_PROVINCES = frozenset({"65", "92", "93", "95", "96"})


def _stdnum_provinces() -> frozenset[str]:
    region_db = numdb.get("id/loc")
    return frozenset(code for code in (f"{n:02d}" for n in range(100)) if region_db.info(code)[0][1])


# Built once: NIK checks run per event in the stream.
STDNUM_PROVINCES = _stdnum_provinces()
PROVINCES = STDNUM_PROVINCES | EXTRA_PROVINCES


def is_digits(value: str, length: int) -> bool:
    """True when ``value`` is exactly ``length`` ASCII digits (no separators, no Unicode digits)."""
    return len(value) == length and value.isascii() and value.isdigit()


def is_known_province(code: str) -> bool:
    """True when the first two digits of ``code`` are a province stdnum knows, or one of ``EXTRA_PROVINCES``."""
    return code[:2] in PROVINCES


def nik_problem(nik: str) -> str | None:
    """Why ``nik`` is not a structurally valid NIK (a short phrase without the number), or None.

    The checks of ``stdnum.id.nik.validate`` — an encoded date that exists as its
    ``get_birth_date`` decides it, a province in its list — redone here on precomputed data
    (calling ``validate`` per event costs ~25 µs), stricter in two ways and more lenient in
    one: exactly 16 ASCII digits (partners send the canonical form, no separators); a day
    field of 01-31 or 41-71 (stdnum takes it modulo 40, so would accept 85); and the
    provinces in ``EXTRA_PROVINCES`` are known. ``tests/unit/test_nik.py`` checks that this
    agrees with ``stdnum.id.nik.is_valid`` everywhere else.
    """
    if not is_digits(nik, NIK_LENGTH):
        if len(nik) != NIK_LENGTH:
            return f"has {len(nik)} characters; expected 16 digits"
        return "must be 16 digits without separators"
    day_field = int(nik[6:8])
    if not (1 <= day_field <= 31 or FEMALE_DAY_OFFSET + 1 <= day_field <= FEMALE_DAY_OFFSET + 31):
        return _NO_BIRTH_DATE
    if not _date_exists(day_field % FEMALE_DAY_OFFSET, int(nik[8:10]), int(nik[10:12])):
        return _NO_BIRTH_DATE
    if nik[:2] not in PROVINCES:
        return f"starts with unknown province code {nik[:2]}"
    return None


def _date_exists(day: int, month: int, yy: int) -> bool:
    """As ``stdnum.id.nik.get_birth_date`` decides it (19YY, else 20YY), without its ~10 µs of cleaning."""
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= monthrange(1900 + yy, month)[1] or day <= monthrange(2000 + yy, month)[1]


_NO_BIRTH_DATE = "encodes no real birth date (DDMMYY in digits 7-12, day + 40 for women)"


def nik_birth_date_and_sex(nik: str, on: date | None = None) -> tuple[date | None, str | None]:
    """The birth date and sex ("F" or "M") a NIK encodes; None for what it does not encode.

    The day is DD, or DD + 40 for women. The year is YY in the century that gives the most
    recent birth date not after ``on`` (default today): 20YY when that is not in the future,
    otherwise 19YY. Reading 2010 rather than 1910 is what lets an underage departure be seen.
    Returns ``(None, None)`` for anything but 16 ASCII digits, and ``(None, sex)`` when the
    day is in range but the date does not exist.
    """
    if not isinstance(nik, str) or not is_digits(nik, NIK_LENGTH):
        return None, None
    day_field, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if 1 <= day_field <= 31:
        sex, day = "M", day_field
    elif FEMALE_DAY_OFFSET + 1 <= day_field <= FEMALE_DAY_OFFSET + 31:
        sex, day = "F", day_field - FEMALE_DAY_OFFSET
    else:
        return None, None
    on = on or date.today()
    for century in (2000, 1900):
        try:
            born = date(century + yy, month, day)
        except ValueError:
            continue
        if born <= on:
            return born, sex
    return None, sex
