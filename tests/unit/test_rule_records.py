"""The rules about contradictory records: RETURN_WITHOUT_DEPARTURE, IDENTITY_CONFLICT, IMPOSSIBLE_SEQUENCE."""
from __future__ import annotations

from domain.alerts import OPEN
from domain.lifecycle import event_key
from tests.rule_events import (
    WORKER, WORKER_ID, clean_journey, departure, findings, homecoming, moment, placement, registration,
)

NO_DEPARTURE, CONFLICT, IMPOSSIBLE = "RETURN_WITHOUT_DEPARTURE", "IDENTITY_CONFLICT", "IMPOSSIBLE_SEQUENCE"


def kinds(found, detail: str) -> list[str]:
    return sorted(dict(f.details)[detail] for f in found)


# --- RETURN_WITHOUT_DEPARTURE ---------------------------------------------------------------------------


def test_an_embassy_only_journey_that_returns_has_no_departure_on_record():
    placed, back = placement(3), homecoming(100, reason="DEPORTED")
    [found] = findings([placed, back], NO_DEPARTURE)
    assert (found.status, found.opened_at) == (OPEN, moment(100))
    assert found.evidence == tuple(sorted(map(event_key, (placed, back))))
    assert found.message == f"{WORKER_ID} returned from MY on 2026-06-10 with no departure on record (non-procedural?)"


def test_a_return_after_a_departure_is_procedural_and_a_late_departure_report_withdraws_the_alert():
    back = homecoming(100)
    assert findings([*clean_journey(), back], NO_DEPARTURE) == []
    assert len(findings([back], NO_DEPARTURE)) == 1
    assert findings([back, departure(0)], NO_DEPARTURE) == []  # the departure arrives last, dated before


def test_a_second_journey_without_departure_counts_on_its_own():
    second = [placement(500, country="TW", sector="CAREGIVER"), homecoming(700, country="TW")]
    [found] = findings([*clean_journey(), homecoming(300), *second], NO_DEPARTURE)
    assert found.opened_at == moment(700)


# --- IDENTITY_CONFLICT ----------------------------------------------------------------------------------


def test_one_nik_with_two_birth_dates_or_sexes_conflicts_from_the_second_value():
    other = {**WORKER, "date_of_birth": "1987-11-11", "sex": "M"}
    second = placement(3, worker=other)
    found = findings([departure(0), second], CONFLICT)
    assert kinds(found, "conflict") == ["NIK_BIRTH_DATES", "NIK_ENCODES_OTHER_BIRTH_DATE", "NIK_ENCODES_OTHER_SEX", "NIK_SEXES"]
    assert {f.opened_at for f in found} == {moment(3)}
    assert all(WORKER["nik"] not in f.message and "…0007" in f.message for f in found)


def test_the_conflict_is_the_same_whichever_report_arrives_first():
    earlier, later = departure(0), placement(3, worker={**WORKER, "date_of_birth": "1987-11-11"})
    assert findings([later, earlier], CONFLICT) == findings([earlier, later], CONFLICT) != []


def test_a_consistent_nik_raises_nothing_and_missing_values_are_silent():
    assert findings(clean_journey(), CONFLICT) == []
    silent = {**WORKER, "date_of_birth": None, "sex": None}
    assert findings([*clean_journey(), placement(3, worker=silent)], CONFLICT) == []


def test_a_nik_encoding_another_sex_conflicts_with_the_record():
    [found] = findings([departure(0, worker={**WORKER, "sex": "M"})], CONFLICT)
    assert dict(found.details)["conflict"] == "NIK_ENCODES_OTHER_SEX"
    assert found.message == f"{WORKER_ID}: NIK …0007 encodes another sex than the one reported with it"


def test_one_passport_on_two_niks_conflicts():
    other_nik = {**WORKER, "nik": "3201085111860099"}
    [found] = findings([departure(0), placement(3, worker=other_nik)], CONFLICT)
    assert dict(found.details)["conflict"] == "PASSPORT_ON_TWO_NIKS"
    assert found.message == f"{WORKER_ID}: passport …0007 is reported with two NIKs"


# --- IMPOSSIBLE_SEQUENCE --------------------------------------------------------------------------------


def test_placed_in_another_country_than_departed_to():
    [found] = findings([departure(0), placement(3, country="SG")], IMPOSSIBLE)
    assert dict(found.details)["sequence"] == "PLACED_ELSEWHERE"
    assert found.message == f"{WORKER_ID}: placed in SG on 2026-03-05, departed to MY"


def test_a_contract_starting_before_the_departure_or_a_placement_before_the_departure_is_impossible():
    [early] = findings([departure(0), placement(3, contract_start="2026-02-01")], IMPOSSIBLE)
    assert dict(early.details)["sequence"] == "PLACED_BEFORE_DEPARTURE"
    placed_first = placement(-10)
    [swapped] = findings([placed_first, departure(0)], IMPOSSIBLE)
    assert (dict(swapped.details)["sequence"], swapped.opened_at) == ("PLACED_BEFORE_DEPARTURE", moment(0))


def test_returned_from_a_country_never_been_to():
    [found] = findings([*clean_journey(), homecoming(300, country="SG")], IMPOSSIBLE)
    assert dict(found.details)["sequence"] == "RETURNED_FROM_ELSEWHERE"


def test_two_placements_at_once_but_not_one_after_the_other():
    overlapping = placement(100, employer_name="Lim Sdn Bhd", contract_start="2026-06-01")
    [found] = findings([*clean_journey(), overlapping], IMPOSSIBLE)
    assert dict(found.details)["sequence"] == "TWO_PLACEMENTS"
    after = placement(100, employer_name="Lim Sdn Bhd", contract_start="2028-03-05")
    assert findings([*clean_journey(), after], IMPOSSIBLE) == []
    came_back = [homecoming(150), departure(300), placement(303, employer_name="Lim Sdn Bhd", contract_start="2027-01-01")]
    assert findings([*clean_journey(), *came_back], IMPOSSIBLE) == []  # the first contract ended with the return


def test_an_ordinary_journey_is_possible():
    journey = [*clean_journey(), registration(400, destination_country="TW"), homecoming(300)]
    assert findings(journey, IMPOSSIBLE) == []
