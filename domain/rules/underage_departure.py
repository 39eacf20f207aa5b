"""UNDERAGE_DEPARTURE (CRITICAL) — a departure of a worker younger than ``minimum_age`` (18, UU 18/2017)
on the departure date.

Fires: once per departure (``WorkerHistory.departures``: resent reports are one departure), at
the first report's event time, when the worker's age on its UTC date is under the minimum. The
birth date is the one the worker's events report (the latest in fold order), or, when none does,
the one the NIK on the departure encodes.
Resolves: never — it is a fact of the departure. A corrected birth date re-judges it: a finding
that no longer holds is withdrawn (``domain.alerts``).
Evidence: the departure's reports. Subject: the worker.
"""
from __future__ import annotations

from datetime import date

from domain.alerts import CRITICAL, Finding, finding
from domain.nik import nik_birth_date_and_sex
from domain.rules.context import Context
from domain.rules.worker_history import Departure, WorkerHistory, day

RULE = "UNDERAGE_DEPARTURE"


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    out = []
    for departure in worker.departures:
        on = day(departure.first)
        born = _birth_date(worker, departure, on)
        if born is None:
            continue
        age = age_on(born, on)
        if age < context.thresholds.minimum_age:
            out.append(finding(
                RULE, CRITICAL, worker.subject, departure.identity, departure.at,
                f"{worker.worker_id} departed to {departure.country} on {on} via {departure.p3mi_id} aged {age}"
                f" (under {context.thresholds.minimum_age})",
                departure.keys, details={"age": age, "birth_year": born.year},
            ))
    return out


def age_on(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _birth_date(worker: WorkerHistory, departure: Departure, on: date) -> date | None:
    if worker.state["date_of_birth"] is not None:
        return worker.state["date_of_birth"]
    nik = departure.first.event["worker"].get("nik")
    return nik_birth_date_and_sex(nik, on)[0] if nik else None
