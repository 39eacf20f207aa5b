"""UNCONFIRMED_PLACEMENT (WARNING, timed) — a worker departed, and no embassy placement is on record
within ``placement_within`` (14 days) of the departure.

Deadline: the departure's event time + ``placement_within``. Answered by the first PLACED or
PLACEMENT_UPDATED in the departure's journey, by a return closing it (the worker is accounted
for), by the start of a later journey, or by a placement there the embassy dated before the
departure (``WorkerHistory.placed_ahead``; IMPOSSIBLE_SEQUENCE's to report, not this rule's).
Fires: when the watermark passes the deadline with no answer by then, OPEN at the deadline
(``domain.rules.deadline``).
Resolves: at the event time of the answer, however late it is reported — a late placement resolves it.
Evidence: the departure's reports, and the answer. Subject: the worker.
"""
from __future__ import annotations

from domain import vocabulary as v
from domain.alerts import WARNING
from domain.rules.context import Context
from domain.rules.deadline import Deadline
from domain.rules.worker_history import WorkerHistory, at, day, first, key

RULE = "UNCONFIRMED_PLACEMENT"
_ANSWERS = (v.PLACED, v.PLACEMENT_UPDATED, v.RETURNED)


def deadlines(worker: WorkerHistory, context: Context) -> list[Deadline]:
    within = context.thresholds.placement_within
    out = []
    for departure in worker.departures:
        answers = [s for e in departure.episodes for s in (*worker.in_episode(e, *_ANSWERS), worker.placed_ahead(e))]
        answer = first(*answers, worker.next_journey(max(departure.episodes)))
        out.append(Deadline(
            RULE, WARNING, worker.subject, departure.identity, departure.at + within, answer and at(answer),
            f"{worker.worker_id} departed to {departure.country} on {day(departure.first)} via {departure.p3mi_id};"
            f" no embassy placement within {within.days} days",
            departure.keys + ((key(answer),) if answer else ()),
        ))
    return out
