"""CASE_UNRESOLVED (timed) — a case (complaint) still open ``case_open_for`` (30 days) after it was reported.

Severity CRITICAL for ABUSE and TRAFFICKING_SUSPECTED, WARNING for the other categories.
Deadline: the first report's event time + ``case_open_for``. Answered by the first CASE_RESOLVED
naming the case_id.
Fires: when the watermark passes the deadline with the case still open then, OPEN at the deadline.
Resolves: at the event time of the CASE_RESOLVED, however late it is reported.
Evidence: the case's reports and its resolution. Subject: the worker.
"""
from __future__ import annotations

from domain import vocabulary as v
from domain.alerts import CRITICAL, WARNING
from domain.fold import Step
from domain.rules.context import Context
from domain.rules.deadline import Deadline
from domain.rules.worker_history import WorkerHistory, at, key, payload

RULE = "CASE_UNRESOLVED"
GRAVE = frozenset({"ABUSE", "TRAFFICKING_SUSPECTED"})


def deadlines(worker: WorkerHistory, context: Context) -> list[Deadline]:
    reports: dict[str, list[Step]] = {}
    for step in worker.of_type(v.CASE_REPORTED, v.CASE_RESOLVED):
        reports.setdefault(payload(step)["case_id"], []).append(step)
    open_for = context.thresholds.case_open_for
    out = []
    for case_id, steps in reports.items():
        reported = [s for s in steps if s.event["event_type"] == v.CASE_REPORTED]
        if not reported:
            continue  # a resolution of a case never reported to us
        resolved = [s for s in steps if s.event["event_type"] == v.CASE_RESOLVED]
        category = next((payload(s)["category"] for s in reported if payload(s)["category"]), None)
        out.append(Deadline(
            RULE, CRITICAL if category in GRAVE else WARNING, worker.subject, (case_id,),
            at(reported[0]) + open_for, at(resolved[0]) if resolved else None,
            f"{worker.worker_id}: case {case_id} ({category or 'no category'}) reported {at(reported[0]).date()}"
            f" still open after {open_for.days} days",
            tuple(key(s) for s in steps), {"case_id": case_id, "category": category or ""},
        ))
    return out
