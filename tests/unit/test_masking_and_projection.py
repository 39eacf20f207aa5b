from __future__ import annotations

from datetime import date, datetime, timezone

from domain.lifecycle import initial_state
from domain.masking import initials, lookup_digest, mask_identifier
from streams.projection import projected_fields


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
    state = {
        **initial_state("W-1"),
        "identifiers": {"niks": ["3573014507950001"], "passports": ["C1234567"], "local_ids": ["P3MI-1:REG-1"]},
        "full_name": "SITI AMINAH",
        "date_of_birth": date(1995, 7, 5),
        "status": "DEPARTED",
        "last_event_at": datetime(2026, 3, 1, 1, tzinfo=timezone.utc),
        "event_count": 2,
    }
    fields = projected_fields(state)
    assert fields["niks"] == "…0001" and fields["passports"] == "…4567" and fields["name"] == "S. A."
    assert fields["birth_year"] == "1995" and fields["event_count"] == "2"
    assert all(isinstance(v, str) for v in fields.values())
    flat = " ".join(fields.values())
    for secret in ("3573014507950001", "C1234567", "SITI", "1995-07-05"):
        assert secret not in flat
