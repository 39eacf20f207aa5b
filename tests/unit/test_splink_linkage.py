"""bench.splink_linkage: events as Splink rows, and Splink's levels agreeing with the resolver's."""
import math
from datetime import date
from itertools import product

import duckdb
import pyarrow as pa
import pytest
from splink import DuckDBAPI, Linker

from bench.splink_linkage import SCHEMA, evidence_threshold, settings, splink_row
from domain.identity.comparisons import compare_birth_dates, compare_names, compare_patronyms
from domain.identity.names import normalise
from domain.identity.resolver import Record, record_of
from tests.examples import example_event


def _record(key="KBRI-MY:e1", *, nik=None, passport=None, local=None, name=None, born=None, sex=None, regency=None) -> Record:
    return Record(key, nik, passport, local, normalise(name), born, sex, regency)


def test_a_passport_only_embassy_report_is_a_row_of_nulls_but_its_passport():
    row = splink_row(_record(passport="C1234567"))

    assert row == {
        "unique_id": "KBRI-MY:e1", "nik": None, "passport": "C1234567", "local_id": None, "given_name": None,
        "name_letters": None, "name_tokens": None, "patronym": None, "date_of_birth": None, "sex": None, "regency": None,
    }


def test_a_binti_name_is_split_into_given_names_and_patronym_as_the_resolver_splits_it():
    row = splink_row(_record(name="Hj. Nur Hayati binti Slamet, S.Pd", born=date(1995, 7, 5), sex="F", regency="3502"))

    assert (row["given_name"], row["name_letters"], row["name_tokens"], row["patronym"]) == (
        "NUR HAYATI", "NURHAYATI", ["NUR", "HAYATI"], "SLAMET",
    )
    assert (row["date_of_birth"], row["sex"], row["regency"]) == (date(1995, 7, 5), "F", "3502")


def test_rows_of_real_events_fit_the_schema_splink_is_given():
    rows = [splink_row(record_of(example_event(kind))) for kind in ("PLACED", "TRAINING_COMPLETED", "DEPARTED")]

    table = pa.Table.from_pylist(rows, schema=SCHEMA)

    assert table.num_rows == 3 and table.column("unique_id").null_count == 0


@pytest.mark.parametrize("prior", [1e-4, 0.01, 0.5])
def test_the_default_threshold_asks_splink_for_the_resolvers_evidence_once_its_prior_is_taken_out(prior):
    threshold = evidence_threshold(prior, 10.0)

    assert threshold - math.log2(prior / (1 - prior)) == pytest.approx(10.0)


NAMES = [
    "SITI AMINAH", "Siti Aminah binti Slamet", "SITI AMINA", "AMINAH", "SITI AMINAH RAHAYU", "NUR HAYATI",
    "NURHAYATI", "NUR HAYATI binti Slamat", "DJOKO SUSILO bin Karto", "JOKO SUSILO", "YOKO SUSILA", "BUDI",
    "Mochammad Rizki", "M. RIZKY", "SITI", "AMINAH SITI",
]
BIRTH_DATES = [date(1995, 7, 5), date(1995, 5, 7), date(1995, 7, 6), date(1995, 7, 15), date(1996, 7, 5), date(1995, 8, 5), None]


def _splink_levels(records: list[Record]) -> dict[tuple[str, str], dict[str, int]]:
    """Splink's comparison vector (gamma) of every pair of ``records``, by their keys."""
    table = DuckDBAPI(duckdb.connect()).register(pa.Table.from_pylist([splink_row(r) for r in records], schema=SCHEMA))
    linker = Linker(table, settings(), log_level=None)
    scored = linker.inference.score_pairs(table, table).as_record_list()
    return {(pair["unique_id_l"], pair["unique_id_r"]): pair for pair in scored}


def test_splink_puts_every_pair_of_names_at_the_level_the_resolver_would():
    records = [_record(f"S:{i}", name=name) for i, name in enumerate(NAMES)]

    levels = _splink_levels(records)

    for a, b in product(records, repeat=2):
        gamma = levels[a.event_key, b.event_key]
        # Both sides number the name levels DIFFERENT=0 … SAME=5.
        assert gamma["gamma_name"] == compare_names(a.name, b.name), (a.name, b.name)
        patronym = compare_patronyms(a.name, b.name)
        assert gamma["gamma_patronym"] == {0: 0, 1: -1, 2: 1}[patronym], (a.name, b.name)


def test_splink_puts_every_pair_of_birth_dates_at_the_level_the_resolver_would():
    records = [_record(f"S:{i}", born=born) for i, born in enumerate(BIRTH_DATES)]

    levels = _splink_levels(records)

    for a, b in product(records, repeat=2):
        resolver = compare_birth_dates(a.date_of_birth, b.date_of_birth)
        # DIFFERENT, UNKNOWN, TRANSPOSED, SAME → Splink's else, null, middle, exact.
        assert levels[a.event_key, b.event_key]["gamma_date_of_birth"] == {0: 0, 1: -1, 2: 1, 3: 2}[resolver], (a, b)
