from __future__ import annotations

import json

from domain.fold import fold
from domain.state_document import to_document
from tests.examples import DESIGN_WORKER, example_event


def state():
    placed = {**example_event("PLACED"), "event_id": "placed-1"}
    departed = example_event("DEPARTED")
    departed["payload"][1]["social_security_no"] = "BPJS-12345678"
    return fold([departed, placed], "W-1")


def test_the_document_has_the_design_names_and_is_json():
    document = to_document(state(), masked=False)
    assert json.loads(json.dumps(document)) == document
    assert document["status"] == "PLACED" and document["current_episode"]["country"] == "MY"
    assert document["current_episode"]["departed_on"] == "2026-03-01"
    assert document["current_episode"]["reported_by"] == {"DEPARTED": ["P3MI"], "PLACED": ["EMBASSY"]}
    assert document["episodes"][-1] == document["current_episode"]
    assert document["identifiers"]["niks"] == [DESIGN_WORKER["nik"]]
    assert "event_ids" not in document


def test_masked_by_default_with_nothing_personal_left_whole():
    document = to_document(state())
    text = json.dumps(document)
    for secret in (DESIGN_WORKER["nik"], DESIGN_WORKER["passport_no"], DESIGN_WORKER["local_id"],
                   DESIGN_WORKER["full_name"], DESIGN_WORKER["date_of_birth"], "BPJS-12345678"):
        assert secret not in text
    assert document["identifiers"] == {
        "niks": ["…0001"], "passports": ["…4567"], "local_ids": ["KBRI-KUALA-LUMPUR:…8121", "P3MI-0042:…8121"]
    }
    assert document["full_name"] == "S. A." and document["date_of_birth"] == "1995"
    assert document["social_security_no"] == "…5678"
