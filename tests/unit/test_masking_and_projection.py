from __future__ import annotations

from domain.fold import fold
from domain.masking import initials, lookup_digest, mask_identifier
from streams.projection import projected_fields
from tests.examples import example_event


def test_identifiers_show_only_their_last_four_characters():
    assert mask_identifier("3573014507950001") == "…0001"
    assert mask_identifier("C1234567") == "…4567"
    assert mask_identifier(None) is None


def test_names_become_initials():
    assert initials("SITI AMINAH BINTI AHMAD") == "S. A. B. A."
    assert initials("YULIANTI") == "Y."


def test_lookup_digest_is_stable_and_hides_the_number():
    assert lookup_digest("3573014507950001") == lookup_digest("3573014507950001")
    assert "3573014507950001" not in lookup_digest("3573014507950001")


def test_projection_masks_personal_data_and_keeps_only_strings():
    placed = {**example_event("PLACED"), "event_id": "placed-1"}
    fields = projected_fields(fold([example_event("DEPARTED"), placed], "W-1"))
    assert fields["niks"] == "…0001" and fields["passports"] == "…4567" and fields["name"] == "S. A."
    assert fields["birth_year"] == "1995" and fields["event_count"] == "2" and fields["status"] == "PLACED"
    assert fields["country"] == "MY" and fields["sector"] == "DOMESTIC_WORKER"
    assert all(isinstance(v, str) for v in fields.values())
    flat = " ".join(fields.values())
    for secret in ("3573014507950001", "C1234567", "SITI", "1995-07-05"):
        assert secret not in flat
