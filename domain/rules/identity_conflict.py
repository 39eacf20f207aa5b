"""IDENTITY_CONFLICT (WARNING) — the worker's identifiers contradict each other:

* one NIK reported with two birth dates, or two sexes, on different events (``NIK_BIRTH_DATES``,
  ``NIK_SEXES``);
* a NIK whose encoded birth date (DDMMYY) or sex (day + 40 for women) contradicts the birth date
  or sex reported with it (``NIK_ENCODES_OTHER_BIRTH_DATE``, ``NIK_ENCODES_OTHER_SEX``);
* one passport reported with two NIKs (``PASSPORT_ON_TWO_NIKS``). Workers are keyed by NIK until
  identity resolution merges them, so this is seen once a worker's events carry both NIKs.

Fires: once per kind and identifier, at the event time of the first event that makes the
contradiction (the second value, or the contradicting report).
Resolves: never — the contradicting reports stay on record; an operator corrects the source.
Evidence: every event carrying the identifier with a value. Subject: the worker. The message
shows identifiers masked (last four characters) and never the values themselves.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.alerts import WARNING, Finding, finding
from domain.fold import Step
from domain.masking import lookup_digest
from domain.nik import nik_birth_date_and_sex
from domain.problems import mask
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory, at, day, key

RULE = "IDENTITY_CONFLICT"


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    def conflict(kind: str, identifier: str, steps: list[Step], opened: Step, what: str) -> Finding:
        return finding(
            RULE, WARNING, worker.subject, (kind, lookup_digest(identifier)), at(opened),
            f"{worker.worker_id}: {what}", [key(s) for s in steps], details={"conflict": kind},
        )

    out = []
    for nik, steps in _carrying(worker, "nik").items():
        for field, kind, noun in (("date_of_birth", "NIK_BIRTH_DATES", "birth dates"), ("sex", "NIK_SEXES", "sexes")):
            opened = _second_value(steps, lambda s: s.event["worker"].get(field))
            if opened:
                out.append(conflict(kind, nik, steps, opened, f"NIK {mask(nik)} is reported with two {noun}"))
        for kind, noun, contradicting in _contradicting(nik, steps):
            out.append(conflict(kind, nik, contradicting, contradicting[0],
                                f"NIK {mask(nik)} encodes another {noun} than the one reported with it"))
    for passport, steps in _carrying(worker, "passport_no").items():
        opened = _second_value(steps, lambda s: s.event["worker"].get("nik"))
        if opened:
            out.append(conflict("PASSPORT_ON_TWO_NIKS", passport, steps, opened,
                                f"passport {mask(passport)} is reported with two NIKs"))
    return out


def _carrying(worker: WorkerHistory, identifier: str) -> dict[str, list[Step]]:
    by_value: dict[str, list[Step]] = {}
    for step in worker.steps:
        value = step.event["worker"].get(identifier)
        if value:
            by_value.setdefault(value, []).append(step)
    return by_value


def _second_value(steps: list[Step], value_of: Callable[[Step], object]) -> Step | None:
    """The first step (fold order) whose value differs from an earlier step's; values None are silent."""
    seen = set()
    for step in steps:
        value = value_of(step)
        if value is not None:
            seen.add(value)
            if len(seen) > 1:
                return step
    return None


def _contradicting(nik: str, steps: list[Step]) -> list[tuple[str, str, list[Step]]]:
    """(kind, noun, the steps whose reported value the NIK contradicts) for birth date and sex, where any do."""
    # Compared as DDMMYY and sex digit, which no century guess changes: decode once per NIK.
    born, sex = nik_birth_date_and_sex(nik, day(steps[0]))
    birth_dates, sexes = [], []
    for step in steps:
        worker = step.event["worker"]
        reported = worker.get("date_of_birth")
        if born and reported and _ddmmyy(born) != _ddmmyy(reported):
            birth_dates.append(step)
        if sex and worker.get("sex") and worker["sex"] != sex:
            sexes.append(step)
    found = (("NIK_ENCODES_OTHER_BIRTH_DATE", "birth date", birth_dates), ("NIK_ENCODES_OTHER_SEX", "sex", sexes))
    return [(kind, noun, contradicting) for kind, noun, contradicting in found if contradicting]


def _ddmmyy(born: date) -> tuple[int, int, int]:
    return born.day, born.month, born.year % 100
