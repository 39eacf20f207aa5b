"""Reference CSVs: each reason code triggered alone, the header rule, keys, and the shipped files."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import domain.reference as reference
from domain.reference import DESTINATION_POLICY, KINDS, P3MI_LICENCES, InvalidHeader, check_rows
from streams.codec import AvroCodec
from streams.settings import PROJECT_ROOT
from streams.topics import COMPACTED, REFERENCE_KINDS, TopicNames, TopicSpec

LICENCES, POLICY = KINDS[P3MI_LICENCES], KINDS[DESTINATION_POLICY]
LICENCE_HEADER = "p3mi_id,name,status,valid_from,valid_until"
POLICY_HEADER = "country,sector,moratorium,min_monthly_wage,currency"
GOOD_LICENCE = "P3MI-0042,PT SINTETIS TUNAS INSANI,ACTIVE,2024-05-11,2029-05-10"
GOOD_POLICY = "MY,PLANTATION,false,1700.00,MYR"
SHIPPED = PROJECT_ROOT / "deploy" / "reference"


def rows(kind, *lines: str) -> list:
    header = LICENCE_HEADER if kind is LICENCES else POLICY_HEADER
    return list(check_rows(kind, [f"{line}\n" for line in (header, *lines)]))


def only_problem(kind, line: str):
    ((line_no, record, problem),) = rows(kind, line)
    assert line_no == 2 and record is None
    return problem


def test_a_licence_row_becomes_a_record_keyed_by_p3mi_id():
    ((line_no, record, problem),) = rows(LICENCES, GOOD_LICENCE)
    assert (line_no, problem) == (2, None)
    assert record == {
        "p3mi_id": "P3MI-0042",
        "name": "PT SINTETIS TUNAS INSANI",
        "status": "ACTIVE",
        "valid_from": date(2024, 5, 11),
        "valid_until": date(2029, 5, 10),
    }
    assert LICENCES.key_of(record) == "P3MI-0042"


def test_a_policy_row_becomes_a_record_keyed_country_colon_sector():
    ((_, record, _),) = rows(POLICY, GOOD_POLICY)
    assert record == {
        "country": "MY",
        "sector": "PLANTATION",
        "moratorium": False,
        "min_monthly_wage": {"amount": Decimal("1700.00"), "currency": "MYR"},
    }
    assert POLICY.key_of(record) == "MY:PLANTATION"


@pytest.mark.parametrize(
    "cell, expected",
    [("true", True), ("TRUE", True), ("True", True), ("1", True), ("false", False), ("FALSE", False), ("0", False)],
)
def test_moratorium_accepts_true_false_one_zero_in_any_case(cell, expected):
    ((_, record, _),) = rows(POLICY, f"SA,DOMESTIC_WORKER,{cell},,")
    assert record["moratorium"] is expected


def test_an_empty_wage_with_an_empty_currency_means_no_minimum():
    ((_, record, _),) = rows(POLICY, "SA,DOMESTIC_WORKER,true,,")
    assert record["min_monthly_wage"] is None


def test_a_whole_amount_is_kept_to_the_cent_and_cells_are_trimmed():
    ((_, record, _),) = rows(POLICY, " KR , MANUFACTURING , 1 , 2096270 , KRW ")
    assert record == {
        "country": "KR",
        "sector": "MANUFACTURING",
        "moratorium": True,
        "min_monthly_wage": {"amount": Decimal("2096270.00"), "currency": "KRW"},
    }
    assert str(record["min_monthly_wage"]["amount"]) == "2096270.00"


LICENCE_PROBLEMS = [
    ("P3MI-0042,PT A,ACTIVE,2024-05-11", reference.MISSING_COLUMN),
    ("P3MI-0042,PT A, Tbk,ACTIVE,2024-05-11,2029-05-10", reference.EXTRA_COLUMN),
    (",PT A,ACTIVE,2024-05-11,2029-05-10", reference.MISSING_FIELD),
    ("P3MI-0042, ,ACTIVE,2024-05-11,2029-05-10", reference.MISSING_FIELD),
    ("P3MI-0042,PT A,,2024-05-11,2029-05-10", reference.MISSING_FIELD),
    ("P3MI-0042,PT A,active,2024-05-11,2029-05-10", reference.INVALID_STATUS),
    ("P3MI-0042,PT A,EXPIRED,2024-05-11,2029-05-10", reference.INVALID_STATUS),
    ("P3MI-0042,PT A,ACTIVE,11/05/2024,2029-05-10", reference.INVALID_DATE),
    ("P3MI-0042,PT A,ACTIVE,2024-05-11,2029-02-30", reference.INVALID_DATE),
    ("P3MI-0042,PT A,ACTIVE,2024-05-11,", reference.MISSING_FIELD),
    ("P3MI-0042,PT A,ACTIVE,2024-05-11,2024-05-10", reference.INVALID_DATE_RANGE),
]
POLICY_PROBLEMS = [
    ("MY,PLANTATION,false,1700.00", reference.MISSING_COLUMN),
    ("MY,PLANTATION,false,1,700.00,MYR", reference.EXTRA_COLUMN),
    (",PLANTATION,false,1700.00,MYR", reference.MISSING_FIELD),
    ("my,PLANTATION,false,1700.00,MYR", reference.INVALID_COUNTRY),
    ("XX,PLANTATION,false,1700.00,MYR", reference.INVALID_COUNTRY),
    ("MYS,PLANTATION,false,1700.00,MYR", reference.INVALID_COUNTRY),
    ("MY,FARMING,false,1700.00,MYR", reference.INVALID_SECTOR),
    ("MY,PLANTATION,,1700.00,MYR", reference.MISSING_FIELD),
    ("MY,PLANTATION,yes,1700.00,MYR", reference.INVALID_FIELD),
    ("MY,PLANTATION,false,RM1700,MYR", reference.INVALID_AMOUNT),
    ("MY,PLANTATION,false,NaN,MYR", reference.INVALID_AMOUNT),
    ("MY,PLANTATION,false,-1700,MYR", reference.INVALID_AMOUNT),
    ("MY,PLANTATION,false,0,MYR", reference.INVALID_AMOUNT),
    ("MY,PLANTATION,false,1700.005,MYR", reference.INVALID_AMOUNT),
    ("MY,PLANTATION,false,1000000000000,MYR", reference.INVALID_AMOUNT),
    ("MY,PLANTATION,false,1700.00,RM", reference.INVALID_CURRENCY),
    ("MY,PLANTATION,false,1700.00,", reference.MISSING_FIELD),
    ("MY,PLANTATION,false,,MYR", reference.MISSING_FIELD),
]


@pytest.mark.parametrize(
    "kind, line, reason",
    [(P3MI_LICENCES, *case) for case in LICENCE_PROBLEMS] + [(DESTINATION_POLICY, *case) for case in POLICY_PROBLEMS],
)
def test_each_problem_has_its_reason(kind, line, reason):
    assert only_problem(KINDS[kind], line).reason == reason


def test_a_second_row_for_a_key_is_a_duplicate_naming_the_first_line():
    checked = rows(POLICY, GOOD_POLICY, "SA,DOMESTIC_WORKER,true,,", "MY,PLANTATION,false,1800.00,MYR")
    assert [(n, p.reason if p else None) for n, _, p in checked] == [(2, None), (3, None), (4, reference.DUPLICATE_KEY)]
    assert "line 2" in checked[2][2].message


def test_line_numbers_count_blank_lines_which_are_skipped():
    checked = rows(LICENCES, "", GOOD_LICENCE, " , ,", "P3MI-0043,PT B,GONE,2024-05-11,2029-05-10")
    assert [(n, p.reason if p else None) for n, _, p in checked] == [(3, None), (5, reference.INVALID_STATUS)]


def test_a_quoted_name_may_hold_a_comma():
    ((_, record, problem),) = rows(LICENCES, 'P3MI-0042,"PT SINTETIS MAJU, Tbk",ACTIVE,2024-05-11,2029-05-10')
    assert problem is None and record["name"] == "PT SINTETIS MAJU, Tbk"


def test_a_line_the_csv_module_refuses_is_a_rejected_row_and_reading_goes_on():
    huge = "x" * 200_000  # over the csv module's field size limit
    checked = rows(LICENCES, f'P3MI-0001,"{huge}",ACTIVE,2024-05-11,2029-05-10', GOOD_LICENCE)
    assert [(n, p.reason if p else None) for n, _, p in checked] == [(2, reference.INVALID_FIELD), (3, None)]


@pytest.mark.parametrize(
    "header, names",
    [
        ("p3mi_id,name,status,valid_from", ["missing valid_until"]),
        ("p3mi_id,name,state,valid_from,valid_until", ["missing status", "unknown 'state'"]),
        ("p3mi_id,name,status,valid_from,valid_until,notes", ["unknown 'notes'"]),
        ("p3mi_id,name,name,status,valid_from,valid_until", ["repeated name"]),
        ("name,p3mi_id,status,valid_from,valid_until", ["columns in another order"]),
    ("P3MI_ID,NAME,STATUS,VALID_FROM,VALID_UNTIL", ["missing p3mi_id", "unknown 'P3MI_ID'"]),
    ],
)
def test_a_header_that_is_not_exact_is_one_error_naming_what_differs(header, names):
    with pytest.raises(InvalidHeader) as raised:
        list(check_rows(LICENCES, [header + "\n", GOOD_LICENCE + "\n"]))
    problem = raised.value.problem
    assert problem.reason == reference.INVALID_HEADER
    assert f"must be exactly {LICENCE_HEADER}" in problem.message
    for name in names:
        assert name in problem.message


def test_an_empty_file_is_a_header_error():
    with pytest.raises(InvalidHeader, match="the file is empty"):
        list(check_rows(POLICY, []))


def test_a_byte_order_mark_and_spaces_around_the_header_are_accepted():
    ((_, record, problem),) = list(check_rows(POLICY, ["\ufeff country , sector,moratorium,min_monthly_wage,currency\n", GOOD_POLICY]))
    assert problem is None and record["country"] == "MY"


def test_messages_stay_one_line_and_mask_long_digit_runs():
    problem = only_problem(POLICY, '"3573014507950001\nX",PLANTATION,false,1700.00,MYR')
    assert problem.reason == reference.INVALID_COUNTRY
    assert "\n" not in problem.message and "3573014507950001" not in problem.message


@given(st.lists(st.text(max_size=60), max_size=8))
def test_any_text_after_the_header_gives_a_result_per_row_and_never_raises(lines):
    for kind, header in ((LICENCES, LICENCE_HEADER), (POLICY, POLICY_HEADER)):
        for line_no, record, problem in check_rows(kind, [header + "\n", *lines]):
            assert (record is None) != (problem is None)
            assert line_no >= 2


def test_every_reason_code_is_documented_in_the_module_table():
    codes = {value for name, value in vars(reference).items() if name.isupper() and name == value}
    table = set(re.findall(r"^([A-Z_]+) ", reference.__doc__, re.MULTILINE))
    assert codes and codes <= table


def test_the_kinds_are_the_topic_kinds():
    assert tuple(KINDS) == REFERENCE_KINDS


def test_each_kind_has_a_compacted_one_partition_topic_among_the_pipelines_topics():
    specs = {spec.name: spec for spec in TopicNames("pmi").specs(partitions=4)}
    for name in ("pmi.ref.p3mi-licences", "pmi.ref.destination-policy"):
        assert specs[name] == TopicSpec(name, 1, COMPACTED)
    with pytest.raises(ValueError, match="unknown reference kind"):
        TopicNames("pmi").reference("employers")


@pytest.mark.parametrize("kind", REFERENCE_KINDS)
def test_the_shipped_file_is_valid_and_its_records_round_trip_through_avro(kind):
    with open(SHIPPED / f"{kind}.csv", encoding="utf-8") as lines:
        checked = list(check_rows(KINDS[kind], lines))
    assert checked and [p for _, _, p in checked if p is not None] == []
    codec = AvroCodec.named(KINDS[kind].schema)
    for _, record, _ in checked:
        assert codec.decode(codec.encode(record)) == record


def test_the_shipped_licences_cover_the_sample_p3mis():
    with open(SHIPPED / "p3mi-licences.csv", encoding="utf-8") as lines:
        by_id = {record["p3mi_id"]: record for _, record, _ in check_rows(LICENCES, lines)}
    assert len(by_id) == 424  # about as many as held a licence in 2024 (STATISTICS.md)
    assert by_id["P3MI-0077"]["status"] == "SUSPENDED"
    for p3mi in ("P3MI-0012", "P3MI-0042"):
        assert by_id[p3mi]["status"] == "ACTIVE" and by_id[p3mi]["valid_until"] > date(2026, 12, 31)
    assert all(record["name"].startswith("PT SINTETIS ") for record in by_id.values())
    statuses = {record["status"] for record in by_id.values()}
    assert statuses == {"ACTIVE", "SUSPENDED", "REVOKED"}
    assert any(r["status"] == "ACTIVE" and r["valid_until"] < date(2026, 1, 5) for r in by_id.values())


def test_the_shipped_policy_closes_domestic_work_in_the_middle_east_list():
    middle_east = "DZ SA BH IQ IR KW LB LY MA MR EG OM PK PS QA SS SY TN AE YE JO".split()
    with open(SHIPPED / "destination-policy.csv", encoding="utf-8") as lines:
        by_key = {POLICY.key_of(record): record for _, record, _ in check_rows(POLICY, lines)}
    closed = {key for key, record in by_key.items() if record["moratorium"]}
    assert closed == {f"{country}:DOMESTIC_WORKER" for country in middle_east}
    for country in ("MY", "TW", "HK", "SG", "KR", "JP"):
        assert any(key.startswith(f"{country}:") and r["min_monthly_wage"] for key, r in by_key.items())
