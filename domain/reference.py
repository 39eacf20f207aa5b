"""Reference data (DESIGN §5): the CSV files ``pantau reference publish`` reads, checked and
turned into records of ``schemas/p3mi_licence`` and ``schemas/destination_policy``.

Two kinds, each with a fixed header and a key on its compacted topic (``key_of``):

- ``p3mi-licences``: ``p3mi_id,name,status,valid_from,valid_until``, keyed by ``p3mi_id``.
- ``destination-policy``: ``country,sector,moratorium,min_monthly_wage,currency``, keyed
  ``COUNTRY:SECTOR`` (e.g. ``SA:DOMESTIC_WORKER``).

A header that is not exactly the kind's columns makes the whole file unreadable
(``InvalidHeader``). Otherwise each row is a record or its first problem, as a stable reason
code; codes do not change (codes may be added):

================== ==========================================================================
reason code        meaning (what to fix in the file)
================== ==========================================================================
INVALID_HEADER     the first line is not exactly the kind's columns, in order
MISSING_COLUMN     a row has fewer values than the header has columns
EXTRA_COLUMN       a row has more values than the header (an unquoted comma in a name?)
MISSING_FIELD      a required value is empty; or a min_monthly_wage without a currency,
                   or a currency without a min_monthly_wage
INVALID_FIELD      a value of the wrong form (moratorium not true/false/1/0), or a line
                   that is not readable CSV
INVALID_STATUS     licence status not ACTIVE, SUSPENDED or REVOKED
INVALID_DATE       valid_from / valid_until not a date YYYY-MM-DD
INVALID_DATE_RANGE valid_until before valid_from
INVALID_COUNTRY    country not an ISO 3166-1 alpha-2 code (upper case, as in events)
INVALID_SECTOR     sector not one of the eight sectors
INVALID_AMOUNT     min_monthly_wage not a positive number with at most two decimals and
                   twelve digits before the point
INVALID_CURRENCY   currency not an ISO 4217 code
DUPLICATE_KEY      a second row for a key already given (one P3MI, one country and sector)
================== ==========================================================================

Values are compared as written (no case folding), after trimming the spaces spreadsheets add
around cells, so a key here is the same string an event carries.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from domain.problems import Problem, show
from domain.validation import COUNTRY_CODES, CURRENCY_CODES, MAX_AMOUNT
from domain.vocabulary import SECTORS

INVALID_HEADER = "INVALID_HEADER"
MISSING_COLUMN = "MISSING_COLUMN"
EXTRA_COLUMN = "EXTRA_COLUMN"
MISSING_FIELD = "MISSING_FIELD"
INVALID_FIELD = "INVALID_FIELD"
INVALID_STATUS = "INVALID_STATUS"
INVALID_DATE = "INVALID_DATE"
INVALID_DATE_RANGE = "INVALID_DATE_RANGE"
INVALID_COUNTRY = "INVALID_COUNTRY"
INVALID_SECTOR = "INVALID_SECTOR"
INVALID_AMOUNT = "INVALID_AMOUNT"
INVALID_CURRENCY = "INVALID_CURRENCY"
DUPLICATE_KEY = "DUPLICATE_KEY"

P3MI_LICENCES = "p3mi-licences"
DESTINATION_POLICY = "destination-policy"
LICENCE_STATUSES = ("ACTIVE", "SUSPENDED", "REVOKED")

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
_CENTS = Decimal("0.01")
# Excel saves "CSV UTF-8" with a byte-order mark, which would otherwise glue onto the first column name.
_BOM = "\ufeff"


class InvalidHeader(Exception):
    """The file's first line is not the kind's header: no row can be read."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class _Rejected(Exception):
    """A row's first problem: raised by the field checks, caught per row."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.problem = Problem(reason, message)


@dataclass(frozen=True)
class ReferenceKind:
    """One kind of reference data: its CSV columns, its Avro schema and its topic key."""

    schema: str
    columns: tuple[str, ...]
    record_of: Callable[[dict[str, str]], dict]  # trimmed cells by column → record; raises _Rejected
    key_of: Callable[[dict], str]


def check_rows(kind: ReferenceKind, lines: Iterable[str]) -> Iterator[tuple[int, dict | None, Problem | None]]:
    """Yields ``(line_no, record, None)`` for a good row, ``(line_no, None, problem)`` for a bad one.

    Raises ``InvalidHeader`` (before yielding anything) when the first line is not the header.
    Blank lines are skipped.
    """
    reader = csv.reader(lines)
    _check_header(kind, next(reader, None))
    first_line_of: dict[str, int] = {}
    for line_no, row in _rows(reader):
        try:
            record = kind.record_of(_cells(kind.columns, row))
            key = kind.key_of(record)
            if key in first_line_of:
                raise _Rejected(DUPLICATE_KEY, f"{show(key)} is on line {first_line_of[key]} already; give one row per key")
        except _Rejected as exc:
            yield line_no, None, exc.problem
            continue
        first_line_of[key] = line_no
        yield line_no, record, None


def _rows(reader) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """The non-blank rows with their line numbers; a line the csv module refuses comes as its error."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            yield reader.line_num, exc
            continue
        if any(cell.strip() for cell in row):
            yield reader.line_num, row


def _check_header(kind: ReferenceKind, header: list[str] | None) -> None:
    expected = ",".join(kind.columns)
    if header is None:
        raise InvalidHeader(Problem(INVALID_HEADER, f"the file is empty; its first line must be the header {expected}"))
    names = [cell.strip() for cell in [header[0].removeprefix(_BOM), *header[1:]]] if header else []
    if tuple(names) == kind.columns:
        return
    missing = [c for c in kind.columns if c not in names]
    unknown = [show(n) for n in names if n not in kind.columns]
    repeated = sorted({n for n in names if n in kind.columns and names.count(n) > 1})
    what = [
        *([f"missing {', '.join(missing)}"] if missing else []),
        *([f"unknown {', '.join(unknown)}"] if unknown else []),
        *([f"repeated {', '.join(repeated)}"] if repeated else []),
    ] or ["columns in another order"]
    raise InvalidHeader(Problem(INVALID_HEADER, f"the header must be exactly {expected} ({'; '.join(what)})"))


def _cells(columns: tuple[str, ...], row: list[str] | csv.Error) -> dict[str, str]:
    if isinstance(row, csv.Error):
        raise _Rejected(INVALID_FIELD, f"the line is not readable CSV: {row}")
    if len(row) < len(columns):
        absent = ", ".join(columns[len(row):])
        raise _Rejected(MISSING_COLUMN, f"{len(row)} values for {len(columns)} columns; no value for {absent}")
    if len(row) > len(columns):
        raise _Rejected(
            EXTRA_COLUMN, f"{len(row)} values for {len(columns)} columns; quote a value that contains a comma"
        )
    return {column: cell.strip() for column, cell in zip(columns, row)}


# --- field checks: each returns the value in record form or raises _Rejected -----------------


def _required(cells: dict[str, str], column: str) -> str:
    value = cells[column]
    if not value:
        raise _Rejected(MISSING_FIELD, f"{column} is empty")
    return value


def _member(cells: dict[str, str], column: str, allowed: Collection[str], reason: str, expected: str) -> str:
    value = _required(cells, column)
    if value not in allowed:
        raise _Rejected(reason, f"{column} {show(value)} is not {expected}")
    return value


def _date(cells: dict[str, str], column: str) -> date:
    value = _required(cells, column)
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:  # well-formed but not a day of the calendar, e.g. 2026-02-30
        pass
    raise _Rejected(INVALID_DATE, f"{column} {show(value)} is not a date YYYY-MM-DD")


def _boolean(cells: dict[str, str], column: str) -> bool:
    value = _required(cells, column)
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _Rejected(INVALID_FIELD, f"{column} {show(value)} is not true, false, 1 or 0")


def _money(cells: dict[str, str], amount_column: str, currency_column: str) -> dict | None:
    """An optional amount with its currency: both empty means none."""
    amount, currency = cells[amount_column], cells[currency_column]
    if not amount and not currency:
        return None
    if not amount:
        raise _Rejected(MISSING_FIELD, f"{amount_column} is empty but {currency_column} is {show(currency)}; give both or neither")
    value = _amount(amount, amount_column)
    if not currency:
        raise _Rejected(MISSING_FIELD, f"{currency_column} is empty; {amount_column} needs its currency, e.g. MYR")
    if currency not in CURRENCY_CODES:
        raise _Rejected(INVALID_CURRENCY, f"{currency_column} {show(currency)} is not an ISO 4217 code, e.g. MYR")
    return {"amount": value, "currency": currency}


def _amount(text: str, column: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise _Rejected(INVALID_AMOUNT, f"{column} {show(text)} is not a number, e.g. 1700.00")
    if value <= 0:
        raise _Rejected(INVALID_AMOUNT, f"{column} {show(text)} is not positive; leave it empty when there is no minimum")
    if value >= MAX_AMOUNT:
        raise _Rejected(INVALID_AMOUNT, f"{column} is too large (at most 12 digits before the point)")
    if value != value.quantize(_CENTS):  # rounding a legal minimum would change what it says
        raise _Rejected(INVALID_AMOUNT, f"{column} {show(text)} has more than two decimals")
    return value.quantize(_CENTS)


# --- the two kinds ---------------------------------------------------------------------------


def _licence(cells: dict[str, str]) -> dict:
    record = {
        "p3mi_id": _required(cells, "p3mi_id"),
        "name": _required(cells, "name"),
        "status": _member(cells, "status", LICENCE_STATUSES, INVALID_STATUS, f"one of {', '.join(LICENCE_STATUSES)}"),
        "valid_from": _date(cells, "valid_from"),
        "valid_until": _date(cells, "valid_until"),
    }
    if record["valid_until"] < record["valid_from"]:
        raise _Rejected(
            INVALID_DATE_RANGE,
            f"valid_until {record['valid_until'].isoformat()} is before valid_from {record['valid_from'].isoformat()}",
        )
    return record


def _policy(cells: dict[str, str]) -> dict:
    return {
        "country": _member(cells, "country", COUNTRY_CODES, INVALID_COUNTRY, "an ISO 3166-1 alpha-2 code, e.g. MY"),
        "sector": _member(cells, "sector", SECTORS, INVALID_SECTOR, f"one of {', '.join(SECTORS)}"),
        "moratorium": _boolean(cells, "moratorium"),
        "min_monthly_wage": _money(cells, "min_monthly_wage", "currency"),
    }


def licence_key(record: dict) -> str:
    """A licence's key on its compacted topic: the P3MI's id, as events carry it in source.id."""
    return record["p3mi_id"]


def policy_key(record: dict) -> str:
    """A destination policy's key on its compacted topic: ``COUNTRY:SECTOR``, e.g. ``SA:DOMESTIC_WORKER``."""
    return f"{record['country']}:{record['sector']}"


KINDS = MappingProxyType(
    {
        P3MI_LICENCES: ReferenceKind(
            "p3mi_licence", ("p3mi_id", "name", "status", "valid_from", "valid_until"),
            _licence, licence_key,
        ),
        DESTINATION_POLICY: ReferenceKind(
            "destination_policy", ("country", "sector", "moratorium", "min_monthly_wage", "currency"),
            _policy, policy_key,
        ),
    }
)
