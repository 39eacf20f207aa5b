"""What a worker contributes to SPIKE (``domain.rules.spike``): their early terminations,
deportations and cases, each with the employer, P3MI and country it counts against.

* ``EARLY_TERMINATION`` and ``DEPORTATION``: a journey the fold closed with that return reason,
  at the event time of its first return report; employer, P3MI and country are the journey's.
* ``CASE``: a reported case, at its first report's event time; the employer the case names (else
  the journey's), the P3MI and country of the journey the worker was on when it was reported.

An incident's ``key`` names its cause (the worker and the journey's first return report, or the
worker and the case id), so a report repeated by another source counts once. Like the rules,
incidents are a function of the worker's set of events: the stream keeps, per subject, the latest
incident for each key and drops the keys a worker no longer yields.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import vocabulary as v
from domain.alerts import COUNTRY, EMPLOYER, P3MI, Subject
from domain.rules.worker_history import WorkerHistory, at, key, payload

EARLY_TERMINATION, DEPORTATION, CASE = "EARLY_TERMINATION", "DEPORTATION", "CASE"
_KIND_OF_REASON = {"EARLY_TERMINATION": EARLY_TERMINATION, "DEPORTED": DEPORTATION}


@dataclass(frozen=True)
class Incident:
    key: str
    kind: str
    at: datetime
    subjects: tuple[Subject, ...]  # what it counts against: employer, P3MI, country (those known)
    evidence: tuple[str, ...]  # event keys


def incidents(worker: WorkerHistory) -> list[Incident]:
    out = []
    for index, episode in enumerate(worker.state["episodes"]):
        returns = worker.in_episode(index, v.RETURNED)
        kind = _KIND_OF_REASON.get(payload(returns[0])["reason"]) if returns else None
        if kind:
            out.append(Incident(f"{worker.worker_id}:{key(returns[0])}", kind, at(returns[0]),
                                _subjects(episode["employer_name"], episode), tuple(key(s) for s in returns)))
    journey = None
    seen_cases = set()
    for step in worker.steps:
        if step.episode is not None:
            journey = worker.state["episodes"][step.episode]
        elif step.event["event_type"] == v.CASE_REPORTED and payload(step)["case_id"] not in seen_cases:
            case_id = payload(step)["case_id"]
            seen_cases.add(case_id)
            employer = payload(step)["employer_name"] or (journey or {}).get("employer_name")
            out.append(Incident(f"{worker.worker_id}:case:{case_id}", CASE, at(step),
                                _subjects(employer, journey or {}), (key(step),)))
    return out


def _subjects(employer: str | None, journey: dict) -> tuple[Subject, ...]:
    named = ((EMPLOYER, employer), (P3MI, journey.get("p3mi_id")), (COUNTRY, journey.get("country")))
    return tuple(Subject(kind, value) for kind, value in named if value)
