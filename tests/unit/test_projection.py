"""What the Redis projection holds for a state (domain.projection): fields, masking, indexes."""
from __future__ import annotations

import json

from domain.fold import fold
from domain.masking import lookup_digest
from domain.projection import INDEXES, project, province_of
from domain.state_document import to_document
from streams.codec import AvroCodec
from tests.examples import DESIGN_WORKER, example_event

SECRETS = (DESIGN_WORKER["nik"], DESIGN_WORKER["passport_no"], DESIGN_WORKER["local_id"],
           DESIGN_WORKER["full_name"], DESIGN_WORKER["date_of_birth"], "SITI")


def placed_state() -> dict:
    placed = {**example_event("PLACED"), "event_id": "placed-1"}
    return fold([example_event("DEPARTED"), placed], "W-1")


def trained_state() -> dict:
    training = example_event("TRAINING_COMPLETED")
    del training["worker"]["origin_regency"]
    return fold([training], "W-2")


def test_fields_are_masked_strings():
    fields = project(placed_state()).fields
    assert fields["niks"] == "…0001" and fields["passports"] == "…4567" and fields["name"] == "S. A."
    assert fields["birth_year"] == "1995" and fields["event_count"] == "2" and fields["status"] == "PLACED"
    assert fields["origin_regency"] == "3573" and fields["last_event_at"] == "2026-03-01T01:00:00+00:00"
    assert all(isinstance(value, str) for value in fields.values())


def test_nothing_personal_is_left_whole_in_any_field_or_key():
    projection = project(placed_state())
    text = " ".join([*projection.fields.values(), *(digest for _, digest in projection.lookups)])
    for secret in SECRETS:
        assert secret not in text


def test_the_document_is_the_masked_design_json():
    state = placed_state()
    document = json.loads(project(state).fields["document"])
    assert document == to_document(state)
    assert document["current_episode"]["country"] == "MY" and document["full_name"] == "S. A."


def test_indexes_are_status_country_province_and_sector_of_the_current_episode():
    projection = project(placed_state())
    assert projection.memberships == {"status": "PLACED", "country": "MY", "province": "35", "sector": "DOMESTIC_WORKER"}
    assert set(projection.memberships) == set(INDEXES)


def test_the_indexes_follow_the_latest_episode():
    returned = {**example_event("RETURNED"), "event_id": "returned-1"}
    returned["occurred_at"] = returned["occurred_at"].replace(year=2027)
    returned["payload"][1]["return_date"] = returned["payload"][1]["return_date"].replace(year=2027)
    again = {**example_event("DEPARTED"), "event_id": "departed-2"}
    again["occurred_at"] = again["occurred_at"].replace(year=2028)
    again["payload"][1]["destination_country"] = "SG"
    memberships = project(fold([example_event("DEPARTED"), returned, again], "W-1")).memberships
    assert memberships["status"] == "DEPARTED" and memberships["country"] == "SG"


def test_province_is_the_first_two_digits_of_the_regency():
    assert province_of("3573") == "35"
    assert province_of("5201") == "52"
    assert province_of(None) is None


def test_absent_values_are_absent_fields_and_no_index():
    projection = project(trained_state())
    assert projection.memberships == {"status": "TRAINED"}
    for name in ("country", "sector", "province", "origin_regency"):
        assert name not in projection.fields
    assert json.loads(projection.fields["document"])["current_episode"] is None


def test_lookups_are_digests_of_every_nik_and_passport():
    assert project(placed_state()).lookups == (
        ("nik", lookup_digest(DESIGN_WORKER["nik"])), ("passport", lookup_digest(DESIGN_WORKER["passport_no"]))
    )
    without_passport = example_event("DEPARTED")
    del without_passport["worker"]["passport_no"]
    assert [kind for kind, _ in project(fold([without_passport], "W-3")).lookups] == ["nik"]


def test_a_state_read_back_from_the_topic_projects_exactly_as_the_live_one():
    """What ``pantau redis rebuild`` relies on: the Avro round trip changes nothing Redis holds."""
    codec = AvroCodec.named("worker_state")
    for state in (placed_state(), trained_state()):
        assert project(codec.decode(codec.encode(state))) == project(state)


def test_a_worker_known_only_from_a_case_is_counted_as_no_status():
    state = fold([example_event("CASE_REPORTED")], "W-3")
    assert state["status"] is None
    assert project(state).memberships["status"] == "NO_STATUS"
