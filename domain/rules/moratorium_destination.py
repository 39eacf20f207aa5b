"""MORATORIUM_DESTINATION (CRITICAL) — a worker departed or placed in a sector in a country under
moratorium (destination policy ``moratorium``; e.g. domestic workers to Middle East countries,
Kepmenaker 260/2015).

Fires: once per worker, country and sector, at the event time of the earliest DEPARTED or
PLACED event naming them. A registration alone does not fire it: the rule is about placement,
not plans.
Resolves: never by an event — the worker went. When the policy changes, re-evaluation judges the
events again: a finding that no longer holds is withdrawn (``domain.alerts``). The policy has no
dates, so it applies to every event whatever its date.
Evidence: every such departure and placement. Subject: the worker.
"""
from __future__ import annotations

from domain import vocabulary as v
from domain.alerts import CRITICAL, Finding, finding
from domain.fold import Step
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory, at, day, destination, key

RULE = "MORATORIUM_DESTINATION"


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    closed: dict[tuple[str, str], list[Step]] = {}
    for step in worker.of_type(v.DEPARTED, v.PLACED):
        where = destination(step)
        if context.reference.moratorium(*where):
            closed.setdefault(where, []).append(step)
    return [
        finding(
            RULE, CRITICAL, worker.subject, (country, sector), at(steps[0]),
            f"{worker.worker_id} {'departed to' if steps[0].event['event_type'] == v.DEPARTED else 'placed in'}"
            f" {country} as {sector} on {day(steps[0])}: {country} is under moratorium for {sector}",
            [key(step) for step in steps], details={"country": country, "sector": sector},
        )
        for (country, sector), steps in closed.items()
    ]

