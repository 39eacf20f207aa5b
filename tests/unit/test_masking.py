from __future__ import annotations

from domain.masking import initials, lookup_digest, mask_identifier


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

