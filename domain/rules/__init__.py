"""The anomaly rules of DESIGN §5 as plain functions: one module per rule, each saying in its
docstring exactly when it fires and what resolves it (``docs/alerts.md`` gathers them).

Per-worker rules read a ``WorkerHistory`` (the worker's distinct events with the fold's
journeys), the ``Context`` (reference tables, watermark, thresholds) and return the findings
that hold now — so findings depend on the *set* of events, never on their arrival order.
SPIKE looks across workers: ``domain.rules.spike``.

What the stream calls, per worker, after each of their events and when a timer fires:

    evaluation = evaluate(WorkerHistory.of(events, worker_id), context)
    publish(changes(published, evaluation.findings))        # domain.alerts: new, changed, withdrawn
    timers.set(worker_id, evaluation.next_deadline)         # domain.timers
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.alerts import OPEN, Finding
from domain.rules import (
    below_minimum_wage,
    case_unresolved,
    departure_without_social_security,
    departure_without_training,
    identity_conflict,
    impossible_sequence,
    moratorium_destination,
    overstay,
    return_without_departure,
    unconfirmed_placement,
    underage_departure,
    unlicensed_p3mi,
)
from domain.rules import deadline
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory

# Rules decided by the events and reference data alone: ``findings(worker, context)``.
IMMEDIATE = (
    underage_departure,
    departure_without_training,
    departure_without_social_security,
    unlicensed_p3mi,
    moratorium_destination,
    return_without_departure,
    identity_conflict,
    impossible_sequence,
    below_minimum_wage,
)
# Rules with deadlines the watermark decides: ``deadlines(worker, context)``.
TIMED = (unconfirmed_placement, overstay, case_unresolved)
WORKER_RULES = tuple(rule.RULE for rule in IMMEDIATE + TIMED)


@dataclass(frozen=True)
class Evaluation:
    findings: list[Finding]  # sorted by alert id
    next_deadline: datetime | None  # the earliest pending deadline: when to look at the worker again

    @property
    def open_rules(self) -> list[str]:
        """The rules with an open alert: the worker state's ``open_alerts`` (DESIGN §4)."""
        return sorted({f.rule for f in self.findings if f.status == OPEN})


def evaluate(worker: WorkerHistory, context: Context) -> Evaluation:
    """Every finding of every per-worker rule for ``worker`` now, and the earliest event time after the
    watermark at which they can change without a new event of theirs (a timed rule's deadline) —
    what the stream's timer index keeps."""
    found = [f for rule in IMMEDIATE for f in rule.findings(worker, context)]
    deadlines = [d for rule in TIMED for d in rule.deadlines(worker, context)]
    found += deadline.findings(deadlines, context)
    return Evaluation(sorted(found, key=lambda f: f.alert_id), min(deadline.pending(deadlines, context), default=None))
