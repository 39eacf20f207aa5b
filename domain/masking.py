"""Masking of personal data for logs, alert messages and dashboards (UU 27/2022)."""
from __future__ import annotations

import hashlib


def mask_identifier(value: str | None) -> str | None:
    """A NIK or passport number shown as its last four characters: ``…0001``.

    A value shorter than 8 characters shows none of them: its last four would be most of it.
    """
    if not value:
        return value
    if len(value) < 8:
        return f"…({len(value)} chars)"
    return "…" + value[-4:]


def initials(full_name: str | None) -> str | None:
    """``SITI AMINAH BINTI AHMAD`` → ``S. A. B. A.``: enough to tell records apart, not to identify."""
    if not full_name:
        return full_name
    return " ".join(f"{part[0]}." for part in full_name.split() if part[0].isalnum())


def lookup_digest(identifier: str) -> str:
    """A stable digest of a NIK or passport number, so lookup indexes never hold the number itself."""
    return hashlib.blake2b(identifier.encode(), digest_size=16, person=b"pantau-lookup").hexdigest()
