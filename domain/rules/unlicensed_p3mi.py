"""UNLICENSED_P3MI (CRITICAL) — a registration or departure through a P3MI whose licence was missing,
suspended, revoked, not yet valid or expired on that event's date (``ReferenceTables.licence_problem``).

Fires: once per worker and P3MI, at the event time of the earliest such registration or departure.
Resolves: never by an event — the licence either covered those dates or it did not. When the
licence data changes (a record published late, a correction), re-evaluation judges the events
again by their dates: a finding that no longer holds is *withdrawn*, not resolved, since the
P3MI was licensed all along (``domain.alerts``). A licence granted after the event does not cover it.
Evidence: every registration and departure of the worker through that P3MI while unlicensed.
Subject: the worker (the message names the P3MI).
"""
from __future__ import annotations

from domain import vocabulary as v
from domain.alerts import CRITICAL, Finding, finding
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory, at, day, key

RULE = "UNLICENSED_P3MI"
_ACTION = {v.REGISTERED: "registered", v.DEPARTED: "departed"}


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    unlicensed: dict[str, list] = {}
    for step in worker.of_type(v.REGISTERED, v.DEPARTED):
        p3mi_id = step.event["source"]["id"]
        problem = context.reference.licence_problem(p3mi_id, day(step))
        if problem is not None:
            unlicensed.setdefault(p3mi_id, []).append((step, problem))
    out = []
    for p3mi_id, found in unlicensed.items():
        first, problem = found[0]
        out.append(finding(
            RULE, CRITICAL, worker.subject, (p3mi_id,), at(first),
            f"{worker.worker_id} {_ACTION[first.event['event_type']]} on {day(first)} via {p3mi_id},"
            f" whose licence was {problem.replace('_', ' ').lower()} that day",
            [key(step) for step, _ in found], details={"p3mi_id": p3mi_id, "licence": problem},
        ))
    return out
