"""RETURN_WITHOUT_DEPARTURE (WARNING) — a return closing a journey with no departure on record: the
worker left outside the procedure (a non-procedural departure), or the P3MI never reported it.

Fires: once per journey the fold closed with a RETURNED and with no DEPARTED in it, at the event
time of its first return report. A journey known only from the embassy (placed, then returned)
counts, as does a return that opens and closes a journey by itself.
Resolves: never by a later event. A departure reported late is dated before the return, so it
joins the journey: the finding no longer holds and is withdrawn (``domain.alerts``).
Evidence: the journey's reports. Subject: the worker.
"""
from __future__ import annotations

from domain import vocabulary as v
from domain.alerts import WARNING, Finding, finding
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory, at, day, key, payload

RULE = "RETURN_WITHOUT_DEPARTURE"


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    out = []
    for index, episode in enumerate(worker.state["episodes"]):
        steps = worker.in_episode(index)
        returns = [s for s in steps if s.event["event_type"] == v.RETURNED]
        if not returns or v.DEPARTED in episode["reported_by"]:
            continue
        out.append(finding(
            RULE, WARNING, worker.subject, (key(returns[0]),), at(returns[0]),
            f"{worker.worker_id} returned from {payload(returns[0])['country']} on {day(returns[0])}"
            " with no departure on record (non-procedural?)",
            [key(s) for s in steps],
        ))
    return out
