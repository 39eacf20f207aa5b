"""Origin provinces and regencies: real 4-digit Kemendagri codes, from python-stdnum's ``id/loc`` list."""
from __future__ import annotations

from stdnum import numdb

from simulator import figures
from simulator.draw import Table

# Cities (regency codes 71 and up) are left out: see figures.TOP_REGENCIES.
_FIRST_CITY_CODE = 71


def _regencies_by_province() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for _, province, _, _, children in numdb.get("id/loc").prefixes:
        found[province] = [province + code for _, code, _, _, _ in children if int(code) < _FIRST_CITY_CODE]
    return found


def regency_tables() -> tuple[Table, dict[str, Table]]:
    """The province table and, per province, its regencies' table (top regencies weighted, the rest equal)."""
    known = _regencies_by_province()
    by_province = {}
    for province in figures.PROVINCES:
        top = figures.TOP_REGENCIES.get(province, {})
        rest = [code for code in known[province] if code not in top]
        rest_share = (1.0 - sum(top.values())) / len(rest)
        by_province[province] = Table({**top, **dict.fromkeys(rest, rest_share)})
    return Table(figures.PROVINCES), by_province
