"""DEPARTURE_WITHOUT_SOCIAL_SECURITY (WARNING) — a departure with no BPJS Ketenagakerjaan membership
(UU 18/2017 art. 5: social security is mandatory before departure).

Fires: once per departure none of whose reports at its (first report's) event time carries a
``social_security_no``, at that event time.
Resolves: when a later report of the same departure (same P3MI, date and destination, resent
under a new event id) carries the number, at that report's event time. A number carried by the
first report means no alert; membership from an earlier journey does not count for this one.
Evidence: the departure's reports. Subject: the worker.
"""
from __future__ import annotations

from domain.alerts import WARNING, Finding, finding
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory, at, day, payload

RULE = "DEPARTURE_WITHOUT_SOCIAL_SECURITY"


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    out = []
    for departure in worker.departures:
        with_number = [step for step in departure.steps if payload(step)["social_security_no"]]
        if with_number and at(with_number[0]) <= departure.at:
            continue
        out.append(finding(
            RULE, WARNING, worker.subject, departure.identity, departure.at,
            f"{worker.worker_id} departed to {departure.country} on {day(departure.first)} via {departure.p3mi_id}"
            " with no BPJS social-security membership on record",
            departure.keys,
            resolved_at=at(with_number[0]) if with_number else None,
        ))
    return out
