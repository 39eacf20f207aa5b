"""DEPARTURE_WITHOUT_TRAINING (WARNING) — a departure with no competency certificate valid on its date.

A certificate is valid on a day from its ``issued_on`` to its ``valid_until``, both included; its
competency is not compared with the job's sector (DESIGN §5 asks for *a* certificate).
Fires: once per departure, at its event time, unless a certificate valid on the departure date
was reported (TRAINING_COMPLETED's event time) at or before the departure.
Resolves: when such a certificate is reported after the departure — a training centre reporting
late — at that report's event time. A certificate issued after the departure never resolves it:
training after leaving is not training before departure.
Evidence: the departure's reports, and the resolving certificate's report. Subject: the worker.
"""
from __future__ import annotations

from datetime import date

from domain import vocabulary as v
from domain.alerts import WARNING, Finding, finding
from domain.fold import Step
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory, at, day, key, payload

RULE = "DEPARTURE_WITHOUT_TRAINING"


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    certificates = worker.of_type(v.TRAINING_COMPLETED)
    out = []
    for departure in worker.departures:
        on = day(departure.first)
        valid = [step for step in certificates if _valid_on(payload(step), on)]
        if any(at(step) <= departure.at for step in valid):
            continue
        resolving: Step | None = valid[0] if valid else None  # fold order: the earliest report
        out.append(finding(
            RULE, WARNING, worker.subject, departure.identity, departure.at,
            f"{worker.worker_id} departed to {departure.country} on {on} via {departure.p3mi_id}"
            " with no competency certificate valid that day",
            departure.keys + ((key(resolving),) if resolving else ()),
            resolved_at=at(resolving) if resolving else None,
        ))
    return out


def _valid_on(certificate: dict, on: date) -> bool:
    issued, until = certificate["issued_on"], certificate["valid_until"]
    return (issued is None or issued <= on) and (until is None or on <= until)
