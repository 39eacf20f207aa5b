"""OVERSTAY (WARNING, timed) — a contract ended more than ``overstay_after`` (30 days) ago, and the
worker has neither returned nor had the contract extended.

Per journey, each contract end the embassy states (PLACED, PLACEMENT_UPDATED) is its own cause.
Deadline: the end of the contract's last day + ``overstay_after`` — or the report's event time,
when the end is reported that late. Answered by a report of another contract end (an extension,
or a correction, which is then judged as its own cause), a return closing the journey, or the
start of a later journey (the worker was back).
Fires: when the watermark passes the deadline with no answer by then, OPEN at the deadline.
Resolves: at the event time of the answer, however late it is reported.
Evidence: the report stating the contract end, and the answer. Subject: the worker.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from domain import vocabulary as v
from domain.alerts import WARNING
from domain.fold import Step
from domain.rules.context import Context
from domain.rules.deadline import Deadline
from domain.rules.worker_history import WorkerHistory, at, first, key

RULE = "OVERSTAY"


def deadlines(worker: WorkerHistory, context: Context) -> list[Deadline]:
    return [d for index in range(len(worker.state["episodes"])) for d in _journey(worker, index, context)]


def _journey(worker: WorkerHistory, index: int, context: Context) -> list[Deadline]:
    steps = worker.in_episode(index)
    returned = next((s for s in steps if s.event["event_type"] == v.RETURNED), None)
    over = first(returned, worker.next_journey(index))
    stated: list[Step] = []  # the reports that set a new contract end, in fold order
    for step in steps:
        if step is returned:
            break
        end = step.episode_after["contract_end"]
        if end is not None and (not stated or stated[-1].episode_after["contract_end"] != end):
            stated.append(step)
    after = context.thresholds.overstay_after
    out = []
    for i, step in enumerate(stated):
        episode = step.episode_after
        answer = first(stated[i + 1] if i + 1 < len(stated) else None, over)
        out.append(Deadline(
            RULE, WARNING, worker.subject, (key(step),), max(_day_after(episode["contract_end"]) + after, at(step)),
            answer and at(answer),
            f"{worker.worker_id}: contract in {episode['country']}"
            f" with {episode['employer_name'] or 'an unnamed employer'} ended {episode['contract_end']}, more than {after.days} days ago; no return or extension on record",
            (key(step),) + ((key(answer),) if answer else ()), {"contract_end": episode["contract_end"]},
        ))
    return out


def _day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), timezone.utc)
