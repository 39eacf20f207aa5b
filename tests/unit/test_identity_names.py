from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identity.comparisons import (
    BirthDateLevel,
    NameLevel,
    PatronymLevel,
    compare_birth_dates,
    compare_names,
    compare_patronyms,
)
from domain.identity.names import Name, normalise


@pytest.mark.parametrize(
    ("written", "given", "patronym"),
    [
        ("Siti Aminah", ("SITI", "AMINAH"), None),
        ("  siti   aminah. ", ("SITI", "AMINAH"), None),
        ("SITI AMINAH BINTI SLAMET", ("SITI", "AMINAH"), "SLAMET"),
        ("Siti Aminah bt. Slamet", ("SITI", "AMINAH"), "SLAMET"),
        ("Ahmad bin Abdul Rahman", ("AHMAD",), "ABDUL RAHMAN"),
        ("H. Achmad Djoko Soekarno, S.Pd.", ("AKHMAD", "JOKO", "SUKARNO"), None),
        ("Hj. Sjarifah bte Oemar", ("SYARIFAH",), "UMAR"),
        ("Tjahjo Kumolo", ("CAHJO", "KUMOLO"), None),
        ("Dr. Ir. Bambang Hartono MM", ("BAMBANG", "HARTONO"), None),
        ("Dewi Lestari A.Md.Keb", ("DEWI", "LESTARI"), None),
        ("Nur'aini", ("NURAINI",), None),
        ("Sri-Wahyuni", ("SRI", "WAHYUNI"), None),
        ("Jusuf Kalla", ("JUSUF", "KALLA"), None),  # never j→y: Joko keeps its j as well
        ("Binti", ("BINTI",), None),  # a marker with nothing before it is the name itself
        ("H.", ("H",), None),  # a name that is only a title stays what it is
        ("SUPARMI SUPARMI", ("SUPARMI",), None),  # a single name repeated as a passport's surname
        ("Suparmi Suparmi binti Karto", ("SUPARMI",), "KARTO"),
        ("LAILABINTI EMAN", ("LAILA",), "EMAN"),  # the space before binti lost
        ("ROBIN HARTONO", ("ROBIN", "HARTONO"), None),  # but a name may end in BIN
    ],
)
def test_normalise_undoes_spelling_titles_degrees_and_splits_the_patronymic(written, given, patronym):
    assert normalise(written) == Name(given, patronym)


@pytest.mark.parametrize("written", ["Muhammad Rizki", "Mochammad Rizki", "MOHAMMAD RIZKI", "Moh. Rizki", "M. Rizki",
                                     "Muh Rizki", "Mohamad Rizki", "Moehammad Rizki", "Muhamad Rizki"])
def test_every_form_of_muhammad_is_one(written):
    assert normalise(written).given == ("MUHAMMAD", "RIZKI")


def test_normalising_twice_changes_nothing_more():
    once = normalise("Hj. Siti Choirijah binti Soedjono, S.E.")
    assert normalise(" ".join(once.given) + " BINTI " + once.patronym) == once


@given(st.text(max_size=40))
def test_any_text_normalises_to_upper_case_letters_only(text):
    name = normalise(text)
    assert all(token.isalpha() and token.isascii() and token.isupper() for token in name.given)


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Siti Aminah", "SITI AMINAH binti Slamet", NameLevel.SAME),  # the patronymic is its own field
        ("Nur Hayati", "Nurhayati", NameLevel.SAME_LETTERS),
        ("Soekarno", "Sukarno", NameLevel.SAME),
        ("Siti Aminah", "Siti Aminah Wulandari", NameLevel.SUBSET),
        ("Siti Aminah", "Siti Aminnah", NameLevel.VERY_SIMILAR),
        ("Yusuf Hidayat", "Jusuf Hidajat", NameLevel.SIMILAR),
        ("Siti Aminah", "Dewi Lestari", NameLevel.DIFFERENT),
        ("", "Dewi", NameLevel.DIFFERENT),
    ],
)
def test_compare_names_gives_the_strongest_level_that_holds(a, b, level):
    assert compare_names(normalise(a), normalise(b)) == level
    assert compare_names(normalise(b), normalise(a)) == level


def test_patronyms_agree_disagree_or_are_unknown():
    slamet, selamet, budi, none = (normalise(f"Siti {p}") for p in ("binti Slamet", "binti Selamet", "binti Budi", ""))

    assert compare_patronyms(slamet, selamet) == PatronymLevel.AGREE
    assert compare_patronyms(slamet, budi) == PatronymLevel.DISAGREE
    assert compare_patronyms(slamet, none) == PatronymLevel.UNKNOWN


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (date(1995, 7, 5), date(1995, 7, 5), BirthDateLevel.SAME),
        (date(1995, 7, 5), date(1995, 5, 7), BirthDateLevel.TRANSPOSED),
        (date(1995, 7, 5), date(1995, 7, 15), BirthDateLevel.TRANSPOSED),
        (date(1995, 7, 5), date(1996, 7, 5), BirthDateLevel.DIFFERENT),
        (date(1995, 7, 5), date(1995, 8, 6), BirthDateLevel.DIFFERENT),
        (date(1995, 7, 5), None, BirthDateLevel.UNKNOWN),
    ],
)
def test_compare_birth_dates(a, b, level):
    assert compare_birth_dates(a, b) == level
    assert compare_birth_dates(b, a) == level
