"""What is wrong with an event: a stable reason code a partner can act on, and a one-line message.

Messages never carry a full NIK or passport number (UU 27/2022): ``mask`` shows the last four
characters only. Other values a partner sent are shown with ``show``: quoted, escaped,
truncated, so a message always stays one line, and with every run of six or more digits cut
to its last four, so a NIK or passport number sent in the wrong field is masked too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from domain.masking import mask_identifier

SHOW_MAX = 40
_LONG_DIGITS = re.compile(r"[0-9]{6,}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an event: ``reason`` is a code from ``domain.validation.REASON_CODES``."""

    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


class InvalidEvent(Exception):
    """An event that cannot even be converted to the in-memory form; carries one ``Problem``'s parts."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message

    @property
    def problem(self) -> Problem:
        return Problem(self.reason, self.message)


def mask(value: str) -> str:
    """A personal identifier for a message: ``mask_identifier``, escaped to stay one line."""
    if not value:
        return "(empty)"
    return show(mask_identifier(value), quote=False)


def show(value: object, *, quote: bool = True) -> str:
    """A sent value for a message: digit runs masked, repr-escaped (one line), at most ``SHOW_MAX`` characters."""
    if isinstance(value, str):
        text = _LONG_DIGITS.sub(lambda digits: "…" + digits.group()[-4:], value)
        text = text if len(text) <= SHOW_MAX else text[:SHOW_MAX] + "…"
        shown = repr(text)
        return shown if quote else shown[1:-1]
    return type_name(value)


def type_name(value: object) -> str:
    """The JSON-ish name of a value's type, for "must be a string, not a number"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
