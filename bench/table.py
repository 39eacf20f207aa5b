"""Markdown tables of benchmark figures, for the terminal and docs/benchmarks.md."""
from __future__ import annotations

from collections.abc import Sequence


def cell(value: object) -> str:
    """A figure as the docs write it: thousands separated, floats to at most 2 decimals, blank when absent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        # Below 1, three significant digits: a ratio of 0.0047 must not print as 0.
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value).replace("|", "\\|")


def markdown_table(rows: Sequence[dict], columns: Sequence[tuple[str, str]]) -> str:
    """``columns`` are (header, key) pairs; a key missing from a row is a blank cell."""
    lines = ["| " + " | ".join(header for header, _ in columns) + " |",
             "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(key)) for _, key in columns) + " |" for row in rows]
    return "\n".join(lines)


def flatten(result: dict, prefix: str = "") -> dict:
    """Nested figures as one level, their keys joined with dots: ``{"peer": {"seconds": 1}}`` → ``peer.seconds``."""
    flat = {}
    for key, value in result.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat
